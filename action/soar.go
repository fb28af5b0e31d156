package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"vigil/config"
	"vigil/notify"
	"vigil/sign"
	"vigil/store"
)

// maxAnswer bounds what Result.Response keeps of a webhook's answer.
const maxAnswer = 4 << 10

// webhook posts the alert to a SOAR platform, signed as package sign
// says.
type webhook struct {
	name    string
	url     *url.URL
	secret  []byte
	timeout time.Duration
	client  *http.Client
	now     func() time.Time
}

func newWebhook(cfg config.Action, o Options) (*webhook, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("url %q is not an http or https URL", cfg.URL)
	}
	secret, err := config.ReadSecret(cfg.Secret, cfg.SecretFile)
	if err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, errors.New("no secret to sign with")
	}
	client := &http.Client{}
	if o.HTTPClient != nil {
		c := *o.HTTPClient
		client = &c
	}
	// A redirect would take the signed alert to a place the
	// configuration does not name.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &webhook{name: cfg.Name, url: u, secret: []byte(secret), timeout: timeout(cfg), client: client, now: now}, nil
}

// payload is the document a webhook posts.
type payload struct {
	// Version is the version of this document's form.
	Version int `json:"version"`
	// Action is the name of the configured action.
	Action  string       `json:"action"`
	Request Request      `json:"request"`
	Alert   *store.Alert `json:"alert"`
}

// Plan makes the document to post: the alert as stored, with the action's
// name and request. It needs no event.
func (w *webhook) Plan(a *store.Alert, _ [][]byte) (Request, error) {
	if a == nil {
		return Request{}, fmt.Errorf("%w: no alert to send", ErrNoTarget)
	}
	r := Request{Type: config.ActionSOARWebhook, Params: map[string]string{
		"alert_id": a.ID, "rule_id": a.Rule.ID, "host": w.url.Host,
	}}
	b, err := json.Marshal(payload{Version: 1, Action: w.name, Request: r, Alert: a})
	if err != nil {
		return Request{}, fmt.Errorf("encoding alert %s: %w", a.ID, err)
	}
	r.Payload = b
	return r, nil
}

// Run posts the planned document. A 2xx answer is success; 408, 425, 429
// and 5xx, and failures to connect, can be retried; other answers cannot.
func (w *webhook) Run(ctx context.Context, r Request) (Result, error) {
	if err := check(r, config.ActionSOARWebhook); err != nil {
		return Result{}, err
	}
	if len(r.Payload) == 0 {
		return Result{}, notify.Permanent(errors.New("the soar_webhook request has no payload"))
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url.String(), bytes.NewReader(r.Payload))
	if err != nil {
		return Result{}, notify.Permanent(err)
	}
	delivery := r.Params["alert_id"] + "/" + w.name
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil")
	req.Header.Set("Idempotency-Key", delivery)
	req.Header.Set(sign.DeliveryHeader, delivery)
	req.Header.Set(sign.Header, sign.Body(w.secret, w.now(), r.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		// The error names the URL, which may hold a token: name the host.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return Result{}, fmt.Errorf("posting alert %s to %s: %w", r.Params["alert_id"], w.url.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("posting alert %s to %s: HTTP %d: %s", r.Params["alert_id"], w.url.Host, resp.StatusCode, excerpt(body))
		if !retryable(resp.StatusCode) {
			err = notify.Permanent(err)
		}
		return Result{}, err
	}
	return Result{
		Summary:  fmt.Sprintf("alert %s sent to %s: HTTP %d", r.Params["alert_id"], w.url.Host, resp.StatusCode),
		Response: answer(resp.StatusCode, body),
	}, nil
}

func retryable(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// answer is what Result.Response holds of a webhook's answer: its status,
// and its body as JSON when it is a JSON document that fits, else as text.
func answer(status int, body []byte) json.RawMessage {
	v := struct {
		Status int `json:"status"`
		Body   any `json:"body,omitempty"`
	}{Status: status}
	switch {
	case len(body) <= maxAnswer && json.Valid(body):
		v.Body = json.RawMessage(body)
	case len(body) > 0:
		v.Body = excerpt(body)
	}
	b, _ := json.Marshal(v)
	return b
}

// excerpt returns the start of a body as text for a message.
func excerpt(body []byte) string {
	const n = 200
	if len(body) > n {
		return string(bytes.ToValidUTF8(body[:n], nil)) + "…"
	}
	return string(bytes.ToValidUTF8(body, nil))
}
