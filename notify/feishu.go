package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"vigil/config"
)

// feishuMax bounds the body of a request to a Feishu bot, in bytes.
const feishuMax = 20000

// Feishu's codes worth a retry: over the rate limit.
var feishuRetry = []int{11232}

// feishuColor is the color of a card's header, by severity level.
var feishuColor = [...]string{"grey", "blue", "yellow", "orange", "red"}

type feishu struct {
	*chat
	secret string
}

func newFeishu(b base, c *config.FeishuConfig, o Options) (*feishu, error) {
	ch, err := newChat(b, &c.ChatConfig, o)
	if err != nil {
		return nil, err
	}
	s, err := config.ReadSecret(c.Secret, c.SecretFile)
	return &feishu{ch, s}, err
}

// feishuMessage is an interactive card, the bots' message that renders
// Markdown.
type feishuMessage struct {
	Timestamp string     `json:"timestamp,omitempty"`
	Sign      string     `json:"sign,omitempty"`
	MsgType   string     `json:"msg_type"`
	Card      feishuCard `json:"card"`
}

type feishuCard struct {
	Header   feishuHeader    `json:"header"`
	Elements []feishuElement `json:"elements"`
}

type feishuHeader struct {
	Title    feishuElement `json:"title"`
	Template string        `json:"template"`
}

type feishuElement struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

func (f *feishu) Notify(ctx context.Context, n *Notification) error {
	if n = f.pick(n); n == nil {
		return nil
	}
	m := feishuMessage{MsgType: "interactive"}
	m.Card.Header = feishuHeader{feishuElement{"plain_text", required(f.title.render(n))}, feishuColor[level(n.Severity())]}
	if n.Status == "resolved" {
		m.Card.Header.Template = "green"
	}
	if f.secret != "" {
		m.Timestamp = strconv.FormatInt(time.Now().Unix(), 10)
		m.Sign = FeishuSign(f.secret, m.Timestamp)
	}
	body, err := fit(feishuMax, func(max int) ([]byte, error) {
		m.Card.Elements = []feishuElement{{"markdown", f.text.within(n, max)}}
		return marshal(m)
	})
	if err != nil {
		return Permanent(err)
	}
	b, err := f.c.post(ctx, f.url, nil, body)
	if err != nil {
		return err
	}
	// Feishu answers 200 with a code that is not 0 when it refuses.
	var a struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := answer(f.url, b, &a); err != nil {
		return err
	}
	return chatError(f.url, a.Code, a.Msg, feishuRetry...)
}

// FeishuSign returns the signature of a Feishu bot's request at
// timestamp ts (seconds): the base64 HMAC-SHA256 of nothing, keyed with
// the timestamp, a line feed and the secret.
func FeishuSign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
