package notify

import (
	"context"
	"net/http"
	"time"

	"vigil/config"
	"vigil/sign"
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

// webhook posts notifications as JSON, signed as package sign says when
// it has a secret.
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
	if w.url, err = config.ReadSecret(c.URL, c.URLFile); err != nil {
		return nil, err
	}
	s, err := config.ReadSecret(c.Secret, c.SecretFile)
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
	h := http.Header{sign.DeliveryHeader: {n.ID}}
	if len(w.secret) > 0 {
		h.Set(sign.Header, sign.Body(w.secret, time.Now(), b))
	}
	_, err = w.c.post(ctx, w.url, h, b)
	return err
}
