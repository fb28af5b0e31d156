package notifytest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"testing"
	"time"

	"vigil/notify"
	"vigil/sign"
)

// WebhookDelivery is a request a webhook received, its signature
// checked.
type WebhookDelivery struct {
	Body      notify.WebhookBody
	Raw       []byte
	Delivery  string // the sign.DeliveryHeader
	Signature string // the sign.Header
}

// Tolerance is how old a webhook's signature may be.
const Tolerance = 5 * time.Minute

// NewWebhook starts a receiver of vigil's webhooks that checks their
// signature with secret (none when it is empty) as sign.Verify does,
// refusing with 401 a request not signed, signed otherwise, or signed
// more than Tolerance ago. It answers 200.
func NewWebhook(t testing.TB, secret string, opts ...Option) *Server[WebhookDelivery] {
	t.Helper()
	return newServer(t, "/hook", Reply{Status: http.StatusOK, Body: `{}`}, func(r *http.Request, body []byte) ([]WebhookDelivery, *Reply) {
		d := WebhookDelivery{Raw: bytes.Clone(body), Delivery: r.Header.Get(sign.DeliveryHeader), Signature: r.Header.Get(sign.Header)}
		if secret != "" {
			if err := sign.Verify([]byte(secret), d.Signature, body, Tolerance, time.Now()); err != nil {
				return nil, jsonReply(http.StatusUnauthorized, map[string]string{"error": err.Error()})
			}
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return nil, jsonReply(http.StatusUnsupportedMediaType, map[string]string{"error": "want application/json"})
		}
		if err := json.Unmarshal(body, &d.Body); err != nil || d.Body.Notification == nil {
			return nil, jsonReply(http.StatusBadRequest, map[string]string{"error": "not a notification"})
		}
		if d.Delivery == "" || d.Delivery != d.Body.ID {
			return nil, jsonReply(http.StatusBadRequest, map[string]string{"error": "the delivery header is not the notification's id"})
		}
		return []WebhookDelivery{d}, nil
	}, opts)
}
