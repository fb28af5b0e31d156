package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

// The signatures below were computed with openssl, apart from vigil:
//
//	printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
//	printf '1700000000000\nSEC000' | openssl dgst -sha256 -hmac SEC000 -binary | base64
//	printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nfeishusecret')" -binary | base64
func TestSignatures(t *testing.T) {
	at := time.Unix(1700000000, 0)
	if got, want := notify.Sign([]byte("whsec_test"), at, []byte(`{"a":1}`)), "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if got, want := notify.DingtalkSign("SEC000", "1700000000000"), "ltBBey5eZrWKh1cPzFIdz3v3xpkc4Tjx4lLsPSHqdtA="; got != want {
		t.Errorf("DingtalkSign = %s, want %s", got, want)
	}
	if got, want := notify.FeishuSign("feishusecret", "1700000000"), "5Wc8F8b2vZlNjoVFpK6BAaovMobglP4Rm1FzmEq/rCU="; got != want {
		t.Errorf("FeishuSign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, body, at := []byte("whsec_test"), []byte(`{"a":1}`), time.Unix(1700000000, 0)
	good := notify.Sign(secret, at, body)
	for _, tt := range []struct {
		name, header string
		body         []byte
		now          time.Time
		ok           bool
	}{
		{"good", good, body, at.Add(time.Minute), true},
		{"second of two signatures", "t=1700000000,v1=00," + good[len("t=1700000000,"):], body, at, true},
		{"other body", good, []byte(`{"a":2}`), at, false},
		{"replayed later", good, body, at.Add(6 * time.Minute), false},
		{"from the future", good, body, at.Add(-6 * time.Minute), false},
		{"other timestamp", strings.Replace(good, "t=1700000000", "t=1700000001", 1), body, at, false},
		{"no signature", "t=1700000000", body, at, false},
		{"empty", "", body, at, false},
		{"garbage", "v1=zz,t=x", body, at, false},
	} {
		err := notify.Verify(secret, tt.header, tt.body, 5*time.Minute, tt.now)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
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
