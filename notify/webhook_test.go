package notify_test

import (
	"encoding/json"
	"strings"
	"testing"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

// The chat robots' signatures below were computed with openssl, apart
// from vigil (package sign tests vigil's own):
//
//	printf '1700000000000\nSEC000' | openssl dgst -sha256 -hmac SEC000 -binary | base64
//	printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nfeishusecret')" -binary | base64
func TestSignatures(t *testing.T) {
	if got, want := notify.DingtalkSign("SEC000", "1700000000000"), "ltBBey5eZrWKh1cPzFIdz3v3xpkc4Tjx4lLsPSHqdtA="; got != want {
		t.Errorf("DingtalkSign = %s, want %s", got, want)
	}
	if got, want := notify.FeishuSign("feishusecret", "1700000000"), "5Wc8F8b2vZlNjoVFpK6BAaovMobglP4Rm1FzmEq/rCU="; got != want {
		t.Errorf("FeishuSign = %s, want %s", got, want)
	}
}

func TestWebhook(t *testing.T) {
	const secret = "s3cr3t-webhook-key"
	s := notifytest.NewWebhook(t, secret)
	in := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret(s.URL), Secret: secret}}}, notify.Options{})
	if in.String() != "webhook[0]" || !in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	d := got[0]
	if d.Delivery != n.ID || d.Body.Version != "1" || d.Body.TruncatedAlerts != 0 || len(d.Body.Alerts) != 2 {
		t.Errorf("delivery %q, body %+v", d.Delivery, d.Body)
	}
	want, _ := json.Marshal(n.Alerts[0])
	have, _ := json.Marshal(d.Body.Alerts[0])
	if string(want) != string(have) {
		t.Errorf("alert\n%s, want\n%s", have, want)
	}
	// A receiver with another secret refuses it, for good.
	other := notifytest.NewWebhook(t, "another")
	wrong := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret(other.URL), Secret: secret}}}, notify.Options{})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) {
		t.Errorf("wrong secret: %v, want a permanent error", err)
	}
	refused := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret("http://" + notifytest.ClosedAddr(t) + "/hook")}}}, notify.Options{})
	testFailures(t, in, s, n, "", refused)
}

func TestWebhookMaxAlerts(t *testing.T) {
	s := notifytest.NewWebhook(t, "")
	in := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret(s.URL), MaxAlerts: 3}}}, notify.Options{})
	if err := in.Notify(ctx(t), many(5)); err != nil {
		t.Fatal(err)
	}
	b := s.Received()[0].Body
	if len(b.Alerts) != 3 || b.TruncatedAlerts != 2 || b.Alerts[2].ID != many(5).Alerts[2].ID {
		t.Errorf("%d alerts, %d truncated", len(b.Alerts), b.TruncatedAlerts)
	}
	if s.Received()[0].Signature != "" {
		t.Error("signed without a secret")
	}
}

func TestWebhookSecretFile(t *testing.T) {
	s := notifytest.NewWebhook(t, "from-a-file")
	dir := t.TempDir()
	secretFile, urlFile := write(t, dir, "secret", "  from-a-file\n"), write(t, dir, "url", s.URL+"\n")
	in := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URLFile: urlFile, SecretFile: secretFile}}}, notify.Options{})
	if err := in.Notify(ctx(t), sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.New(config.Receiver{Name: "x", WebhookConfigs: []config.WebhookConfig{{URLFile: dir + "/missing"}}}, notify.Options{}); err == nil ||
		!strings.Contains(err.Error(), `receiver "x": webhook[0]`) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing url_file: %v", err)
	}
}

// TestSendResolved checks that an integration not told of resolved
// alerts sends only the firing ones, and nothing when none fires.
func TestSendResolved(t *testing.T) {
	s := notifytest.NewWebhook(t, "")
	in := one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret(s.URL), SendResolved: ptr(false)}}}, notify.Options{})
	if in.SendResolved() {
		t.Error("SendResolved is true")
	}
	if err := in.Notify(ctx(t), resolved()); err != nil || s.Requests() != 0 {
		t.Errorf("a resolved notification: %v, %d requests", err, s.Requests())
	}
	n := sample()
	n.Alerts[1].Status = "resolved"
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if b := s.Received()[0].Body; len(b.Alerts) != 1 || b.Alerts[0].Status != "firing" || b.Status != "firing" {
		t.Errorf("sent %+v", b.Alerts)
	}
	if len(n.Alerts) != 2 {
		t.Error("the caller's notification changed")
	}
}
