package notify_test

import (
	"testing"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

func TestHTTPConfig(t *testing.T) {
	s := notifytest.NewWebhook(t, "", notifytest.TLS())
	s.Require("Authorization", "Bearer am-token")
	hook := func(h config.HTTPConfig) notify.Integration {
		return one(t, config.Receiver{WebhookConfigs: []config.WebhookConfig{{URL: config.Secret(s.URL), HTTPConfig: h}}}, notify.Options{})
	}
	ca := config.TLSConfig{CAFile: notifytest.CAFile(t)}
	auth := &config.Authorization{Credentials: "am-token"}
	for _, tt := range []struct {
		name string
		h    config.HTTPConfig
		want string
	}{
		{"trusted, authorized", config.HTTPConfig{TLSConfig: ca, Authorization: auth}, "ok"},
		{"other type", config.HTTPConfig{TLSConfig: ca, Authorization: &config.Authorization{Type: "Token", Credentials: "am-token"}}, "permanent"},
		{"not authorized", config.HTTPConfig{TLSConfig: ca}, "permanent"},
		{"certificate not trusted", config.HTTPConfig{Authorization: auth}, "retry"},
		{"verification off", config.HTTPConfig{TLSConfig: config.TLSConfig{InsecureSkipVerify: true}, Authorization: auth}, "ok"},
		{"another name", config.HTTPConfig{TLSConfig: config.TLSConfig{CAFile: ca.CAFile, ServerName: "siem.example"}, Authorization: auth}, "retry"},
	} {
		if got := outcome(hook(tt.h).Notify(ctx(t), sample())); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if len(s.Received()) != 2 {
		t.Errorf("%d received, want 2", len(s.Received()))
	}
}
