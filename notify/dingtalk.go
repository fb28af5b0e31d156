package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"vigil/config"
)

// dingtalkMax bounds a DingTalk robot's message, in bytes.
const dingtalkMax = 20000

// DingTalk's codes worth a retry: system busy, and sending too fast.
var dingtalkRetry = []int{-1, 130101, 410100}

type dingtalk struct {
	*chat
	secret string
}

func newDingtalk(b base, c *config.DingtalkConfig, o Options) (*dingtalk, error) {
	ch, err := newChat(b, &c.ChatConfig, o)
	if err != nil {
		return nil, err
	}
	s, err := config.ReadSecret(c.Secret, c.SecretFile)
	return &dingtalk{ch, s}, err
}

type dingtalkMessage struct {
	Msgtype  string           `json:"msgtype"`
	Markdown dingtalkMarkdown `json:"markdown"`
}

type dingtalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

func (d *dingtalk) Notify(ctx context.Context, n *Notification) error {
	if n = d.pick(n); n == nil {
		return nil
	}
	title := required(d.title.render(n))
	body, err := fit(dingtalkMax, func(max int) ([]byte, error) {
		return marshal(dingtalkMessage{"markdown", dingtalkMarkdown{title, d.markdown(n, title, max)}})
	})
	if err != nil {
		return Permanent(err)
	}
	u, err := d.signed(time.Now())
	if err != nil {
		return Permanent(err)
	}
	b, err := d.c.post(ctx, u, nil, body)
	if err != nil {
		return err
	}
	var a struct {
		Code int    `json:"errcode"`
		Msg  string `json:"errmsg"`
	}
	if err := answer(u, b, &a); err != nil {
		return err
	}
	return chatError(u, a.Code, a.Msg, dingtalkRetry...)
}

// signed returns the robot's URL, with the timestamp and signature its
// signing secret requires.
func (d *dingtalk) signed(now time.Time) (string, error) {
	if d.secret == "" {
		return d.url, nil
	}
	u, err := url.Parse(d.url)
	if err != nil {
		return "", err
	}
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", DingtalkSign(d.secret, ts))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// DingtalkSign returns the signature of a DingTalk robot's request at
// timestamp ts (milliseconds): the base64 HMAC-SHA256, keyed with the
// secret, of the timestamp, a line feed and the secret.
func DingtalkSign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
