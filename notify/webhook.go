package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vigil/config"
)

// Headers of a webhook request.
const (
	// SignatureHeader holds "t=TIMESTAMP,v1=SIGNATURE": the Unix time
	// the request was signed at, and the hex HMAC-SHA256, keyed with the
	// secret, of the timestamp, a dot and the body.
	SignatureHeader = "X-Vigil-Signature"
	// DeliveryHeader holds the notification's id, the same in every
	// retry of it.
	DeliveryHeader = "X-Vigil-Delivery"
)

// WebhookVersion is the version of the webhook body's shape.
const WebhookVersion = "1"

// WebhookBody is what a webhook posts: the notification, with the number
// of alerts max_alerts left out.
type WebhookBody struct {
	Version string `json:"version"`
	*Notification
	TruncatedAlerts int `json:"truncated_alerts"`
}

type webhook struct {
	base
	c      *client
	url    string
	secret []byte
	max    int
}

func newWebhook(b base, c *config.WebhookConfig, o Options) (*webhook, error) {
	b.resolved = c.Resolved()
	w := &webhook{base: b, max: c.MaxAlerts}
	var err error
	if w.url, err = secret(c.URL, c.URLFile); err != nil {
		return nil, err
	}
	s, err := secret(c.Secret, c.SecretFile)
	if err != nil {
		return nil, err
	}
	w.secret = []byte(s)
	w.c, err = newClient(c.HTTPConfig, o)
	return w, err
}

func (w *webhook) Notify(ctx context.Context, n *Notification) error {
	if n = w.pick(n); n == nil {
		return nil
	}
	body := WebhookBody{Version: WebhookVersion, Notification: n}
	if w.max > 0 && len(n.Alerts) > w.max {
		m := *n
		m.Alerts = n.Alerts[:w.max]
		body.Notification, body.TruncatedAlerts = &m, len(n.Alerts)-w.max
	}
	b, err := marshal(body)
	if err != nil {
		return Permanent(err)
	}
	h := http.Header{DeliveryHeader: {n.ID}}
	if len(w.secret) > 0 {
		h.Set(SignatureHeader, Sign(w.secret, time.Now(), b))
	}
	_, err = w.c.post(ctx, w.url, h, b)
	return err
}

// Sign returns the value of SignatureHeader for body, signed with secret
// at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks the SignatureHeader of a webhook request: that one of
// its v1 signatures is that of body with secret, and that it was made
// within tolerance of now, so that a request recorded and replayed later
// is refused.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("signature %q: want t=TIMESTAMP,v1=SIGNATURE", header)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature made at %s: more than %s from now", time.Unix(sec, 0).UTC().Format(time.RFC3339), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("signature does not match the body")
}
