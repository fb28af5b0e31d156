package notify_test

import (
	"strings"
	"testing"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

func mailIn(t *testing.T, c config.EmailConfig) notify.Integration {
	t.Helper()
	if c.From == "" {
		c.From = "vigil <vigil@bank.example>"
	}
	if c.To == "" {
		c.To = "secops@bank.example, Wang Wei <wang.wei@bank.example>"
	}
	return one(t, config.Receiver{EmailConfigs: []config.EmailConfig{c}}, notify.Options{})
}

func TestEmail(t *testing.T) {
	s := notifytest.NewSMTP(t, notifytest.SMTPConfig{User: "vigil", Password: "smtp-pass"})
	ca := notifytest.CAFile(t)
	in := mailIn(t, config.EmailConfig{
		Smarthost: s.Addr, AuthUsername: "vigil", AuthPassword: "smtp-pass",
		TLSConfig: config.TLSConfig{CAFile: ca},
		Headers:   map[string]string{"X-Vigil-Receiver": "{{ .Receiver }}", "Reply-To": "soc@bank.example", "X-Inject": "a\r\nBcc: evil@attacker.example"},
	})
	if in.String() != "email[0]" || in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	n.Alerts[0].Rule.Title = "为其他用户创建了访问密钥"
	n.Alerts[1].Entities["user_agent"] = []string{`<script>alert(1)</script>`}
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	m := s.Received()[0]
	if m.From != "vigil@bank.example" || strings.Join(m.To, ",") != "secops@bank.example,wang.wei@bank.example" || !m.TLS || m.User != "vigil" {
		t.Errorf("envelope %s → %v, TLS %v, user %q", m.From, m.To, m.TLS, m.User)
	}
	if m.Subject != "CRITICAL: 为其他用户创建了访问密钥, Root account sign-in (2 alerts)" {
		t.Errorf("subject %q", m.Subject)
	}
	h := m.Header
	if h.Get("Message-Id") != "<01JD0000000000000000000001@bank.example>" || h.Get("X-Vigil-Receiver") != "secops" ||
		h.Get("Reply-To") != "<soc@bank.example>" || h.Get("To") != `<secops@bank.example>, "Wang Wei" <wang.wei@bank.example>` {
		t.Errorf("headers %v", h)
	}
	if h.Get("Bcc") != "" || h.Get("X-Inject") != "a Bcc: evil@attacker.example" {
		t.Errorf("a header template broke its line: %q, %q", h.Get("X-Inject"), h.Get("Bcc"))
	}
	if text := strings.ReplaceAll(m.Text, "\r\n", "\n"); !strings.Contains(text, "HIGH 为其他用户创建了访问密钥, 3 events\n- principal: arn:aws:iam::111122223333:user/svc-legacy-etl\n") {
		t.Errorf("text:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `<a href="https://vigil.bank.example/alerts/01JDALERT0000000000000001"><code>01JDALERT0000000000000001</code></a>`) ||
		!strings.Contains(m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(m.HTML, "<script>") {
		t.Errorf("html:\n%s", m.HTML)
	}

	s.SetDown(true)
	if err := in.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("down: %v", err)
	}
	s.SetDown(false)
	refused := mailIn(t, config.EmailConfig{Smarthost: notifytest.ClosedAddr(t)})
	if err := refused.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("refused: %v", err)
	}
	wrong := mailIn(t, config.EmailConfig{Smarthost: s.Addr, AuthUsername: "vigil", AuthPassword: "wrong", TLSConfig: config.TLSConfig{CAFile: ca}})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) || strings.Contains(err.Error(), "wrong") && !strings.Contains(err.Error(), "535") {
		t.Errorf("wrong password: %v", err)
	}
	untrusted := mailIn(t, config.EmailConfig{Smarthost: s.Addr, AuthUsername: "vigil", AuthPassword: "smtp-pass"})
	if err := untrusted.Notify(ctx(t), n); err == nil {
		t.Error("sent to a server whose certificate is not trusted")
	}
	if len(s.Received()) != 1 {
		t.Errorf("%d mails, want 1", len(s.Received()))
	}
}

func TestEmailTLS(t *testing.T) {
	plain := notifytest.NewSMTP(t, notifytest.SMTPConfig{NoTLS: true})
	required := mailIn(t, config.EmailConfig{Smarthost: plain.Addr})
	if err := required.Notify(ctx(t), sample()); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("require_tls against a server without STARTTLS: %v", err)
	}
	optional := mailIn(t, config.EmailConfig{Smarthost: plain.Addr, RequireTLS: ptr(false), Text: "{{ len .Alerts }} alerts", HTML: "<p>{{ len .Alerts }}</p>"})
	if err := optional.Notify(ctx(t), sample()); err != nil {
		t.Fatal(err)
	}
	m := plain.Received()[0]
	if m.TLS || m.Text != "2 alerts" || m.HTML != "<p>2</p>" {
		t.Errorf("TLS %v, text %q, html %q", m.TLS, m.Text, m.HTML)
	}
	// The password goes only over TLS, even when TLS is not required.
	noAuth := mailIn(t, config.EmailConfig{Smarthost: plain.Addr, RequireTLS: ptr(false), AuthUsername: "u", AuthPassword: "p"})
	if err := noAuth.Notify(ctx(t), sample()); !notify.IsPermanent(err) {
		t.Errorf("AUTH without TLS: %v", err)
	}
}
