package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// receivers reads a list of receivers as Load reads the file, resolves
// it in dir and checks each.
func receivers(t *testing.T, src, dir string) ([]Receiver, error) {
	t.Helper()
	var rs []Receiver
	d := yaml.NewDecoder(strings.NewReader(src))
	d.KnownFields(true)
	if err := d.Decode(&rs); err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].resolve(dir)
		if err := rs[i].check(fmt.Sprintf("alerting.receivers[%d]", i)); err != nil {
			return rs, err
		}
	}
	return rs, nil
}

const allReceivers = `
- name: secops
  webhook_configs:
    - {url: "https://soar.bank.example/hooks/vigil", secret_file: secrets/webhook, max_alerts: 50}
  slack_configs:
    - api_url_file: secrets/slack
      channel: "#secops"
      title: '{{ .Severity }}: {{ len .Alerts }}'
      text: '{{ range .Alerts }}{{ code .ID }} {{ end }}'
      http_config: {tls_config: {ca_file: ca.pem}}
  email_configs:
    - to: "secops@bank.example, Wang Wei <wang.wei@bank.example>"
      from: vigil@bank.example
      smarthost: smtp.bank.example:587
      auth_username: vigil
      auth_password_file: secrets/smtp
      headers: {Subject: '[vigil] {{ .Severity }}', X-Team: soc}
      html: '<p>{{ .Total }}</p>'
  pagerduty_configs:
    - {routing_key: R0UT1NG, severity: critical, description: '{{ .Severity }}'}
  opsgenie_configs:
    - {api_key: k, api_url: "https://api.eu.opsgenie.com/", priority: P2, tags: "bank, aws"}
  dingtalk_configs:
    - {url: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: SEC1}
  wecom_configs:
    - {url_file: secrets/wecom}
  feishu_configs:
    - {url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret_file: secrets/feishu, title: t}
  syslog_configs:
    - {network: tls, address: "siem.bank.example:6514", format: cef, facility: auth, tls_config: {ca_file: /etc/ca.pem}}
    - {address: "127.0.0.1:514"}
  file_configs:
    - {path: archive/alerts.ndjson}
    - {}
  nats_configs:
    - {subject: secops.notifications}
    - {subject: soc.alerts, url: "nats://a:4222,nats://b:4222", creds_file: soc.creds}
  alertmanager_configs:
    - url: "http://alertmanager:9093"
      resolve_timeout: 1h
      http_config: {authorization: {credentials_file: secrets/am}}
- name: nobody
`

func TestReceivers(t *testing.T) {
	dir := t.TempDir()
	rs, err := receivers(t, allReceivers, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	for got, want := range map[string]string{
		r.WebhookConfigs[0].SecretFile:                                    filepath.Join(dir, "secrets/webhook"),
		r.SlackConfigs[0].HTTPConfig.TLSConfig.CAFile:                     filepath.Join(dir, "ca.pem"),
		r.EmailConfigs[0].AuthPasswordFile:                                filepath.Join(dir, "secrets/smtp"),
		r.SyslogConfigs[0].TLSConfig.CAFile:                               "/etc/ca.pem",
		r.FileConfigs[0].Path:                                             "archive/alerts.ndjson", // relative to the data directory
		r.NATSConfigs[1].CredsFile:                                        filepath.Join(dir, "soc.creds"),
		r.AlertmanagerConfigs[0].HTTPConfig.Authorization.CredentialsFile: filepath.Join(dir, "secrets/am"),
	} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	for name, tt := range map[string]struct{ got, want bool }{
		"webhook":      {r.WebhookConfigs[0].Resolved(), true},
		"slack":        {r.SlackConfigs[0].Resolved(), false},
		"email":        {r.EmailConfigs[0].Resolved(), false},
		"email tls":    {r.EmailConfigs[0].TLSRequired(), true},
		"pagerduty":    {r.PagerdutyConfigs[0].Resolved(), true},
		"opsgenie":     {r.OpsgenieConfigs[0].Resolved(), true},
		"dingtalk":     {r.DingtalkConfigs[0].Resolved(), true},
		"syslog":       {r.SyslogConfigs[0].Resolved(), true},
		"file":         {r.FileConfigs[0].Resolved(), true},
		"nats":         {r.NATSConfigs[0].Resolved(), true},
		"alertmanager": {r.AlertmanagerConfigs[0].Resolved(), true},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: send_resolved %v, want %v", name, tt.got, tt.want)
		}
	}
	if r.SyslogConfigs[1].SyslogNet() != "tcp" || r.AlertmanagerConfigs[0].Timeout().String() != "1h0m0s" {
		t.Errorf("defaults: %q %s", r.SyslogConfigs[1].SyslogNet(), r.AlertmanagerConfigs[0].Timeout())
	}
}

func TestReceiverErrors(t *testing.T) {
	for _, tt := range []struct{ yaml, key, msg string }{
		{`[{name: ""}]`, "alerting.receivers[0].name", "empty"},
		{`[{name: a}, {name: b, webhook_configs: [{url: "https://x"}, {}]}]`, "alerting.receivers[1].webhook_configs[1].url", "missing: give url or url_file"},
		{`[{name: a, webhook_configs: [{url: "https://x", url_file: f}]}]`, "alerting.receivers[0].webhook_configs[0].url", "give url or url_file, not both"},
		{`[{name: a, webhook_configs: [{url: "ftp://x/secret-token"}]}]`, "alerting.receivers[0].webhook_configs[0].url", `"ftp://x": want an absolute http or https URL`},
		{`[{name: a, webhook_configs: [{url: "/relative"}]}]`, "alerting.receivers[0].webhook_configs[0].url", "want an absolute"},
		{`[{name: a, webhook_configs: [{url: "https://x", max_alerts: -1}]}]`, "alerting.receivers[0].webhook_configs[0].max_alerts", "-1"},
		{`[{name: a, webhook_configs: [{url: "https://x", secret: s, secret_file: f}]}]`, "alerting.receivers[0].webhook_configs[0].secret", "not both"},
		{`[{name: a, webhook_configs: [{url: "https://x", http_config: {basic_auth: {username: u, password: p}, authorization: {credentials: c}}}]}]`,
			"alerting.receivers[0].webhook_configs[0].http_config", "basic_auth or authorization"},
		{`[{name: a, webhook_configs: [{url: "https://x", http_config: {basic_auth: {password: p}}}]}]`, "alerting.receivers[0].webhook_configs[0].http_config.basic_auth.username", "missing"},
		{`[{name: a, webhook_configs: [{url: "https://x", http_config: {authorization: {type: Basic, credentials: c}}}]}]`, "alerting.receivers[0].webhook_configs[0].http_config.authorization.type", "basic_auth"},
		{`[{name: a, webhook_configs: [{url: "https://x", http_config: {tls_config: {cert_file: c}}}]}]`, "alerting.receivers[0].webhook_configs[0].http_config.tls_config", "both"},
		{`[{name: a, slack_configs: [{}]}]`, "alerting.receivers[0].slack_configs[0].api_url", "missing"},
		{`[{name: a, slack_configs: [{api_url: "https://x", title: "{{ .Nope"}]}]`, "alerting.receivers[0].slack_configs[0].title", "unclosed action"},
		{`[{name: a, slack_configs: [{api_url: "https://x", text: "{{ nosuchfunc }}"}]}]`, "alerting.receivers[0].slack_configs[0].text", `"nosuchfunc" not defined`},
		{`[{name: a, email_configs: [{from: a@b.c, smarthost: "h:25"}]}]`, "alerting.receivers[0].email_configs[0].to", "missing"},
		{`[{name: a, email_configs: [{to: "not an address", from: a@b.c, smarthost: "h:25"}]}]`, "alerting.receivers[0].email_configs[0].to", "not an address"},
		{`[{name: a, email_configs: [{to: a@b.c, from: "x y", smarthost: "h:25"}]}]`, "alerting.receivers[0].email_configs[0].from", `"x y"`},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c}]}]`, "alerting.receivers[0].email_configs[0].smarthost", "missing"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h"}]}]`, "alerting.receivers[0].email_configs[0].smarthost", `"h": want host:port`},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:99999"}]}]`, "alerting.receivers[0].email_configs[0].smarthost", "want host:port"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", auth_password: p}]}]`, "alerting.receivers[0].email_configs[0].auth_username", "missing"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", headers: {Content-Type: x}}]}]`, "alerting.receivers[0].email_configs[0].headers.Content-Type", "set by vigil"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", headers: {"Bad Name": x}}]}]`, "alerting.receivers[0].email_configs[0].headers", "not a header name"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", headers: {subject: x, Subject: y}}]}]`, "alerting.receivers[0].email_configs[0].headers.subject", "given twice"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", headers: {Subject: "{{ .X"}}]}]`, "alerting.receivers[0].email_configs[0].headers.Subject", "unclosed"},
		{`[{name: a, email_configs: [{to: a@b.c, from: a@b.c, smarthost: "h:25", html: "<a href='{{ .ExternalURL }}"}]}]`, "alerting.receivers[0].email_configs[0].html", ""},
		{`[{name: a, pagerduty_configs: [{}]}]`, "alerting.receivers[0].pagerduty_configs[0].routing_key", "missing"},
		{`[{name: a, pagerduty_configs: [{routing_key: k, severity: high}]}]`, "alerting.receivers[0].pagerduty_configs[0].severity", `"high": want one of critical, error, warning, info`},
		{`[{name: a, pagerduty_configs: [{routing_key: k, url: "x"}]}]`, "alerting.receivers[0].pagerduty_configs[0].url", "absolute"},
		{`[{name: a, opsgenie_configs: [{api_key: k, priority: P6}]}]`, "alerting.receivers[0].opsgenie_configs[0].priority", `"P6"`},
		{`[{name: a, opsgenie_configs: [{api_key_file: f, api_key: k}]}]`, "alerting.receivers[0].opsgenie_configs[0].api_key", "not both"},
		{`[{name: a, opsgenie_configs: [{api_key: k, tags: "` + strings.Repeat("t", 51) + `"}]}]`, "alerting.receivers[0].opsgenie_configs[0].tags", "longer than 50"},
		{`[{name: a, opsgenie_configs: [{api_key: k, message: "{{ end }}"}]}]`, "alerting.receivers[0].opsgenie_configs[0].message", "unexpected {{end}}"},
		{`[{name: a, dingtalk_configs: [{secret: s}]}]`, "alerting.receivers[0].dingtalk_configs[0].url", "missing"},
		{`[{name: a, dingtalk_configs: [{url: "https://x", secret: s, secret_file: f}]}]`, "alerting.receivers[0].dingtalk_configs[0].secret", "not both"},
		{`[{name: a, wecom_configs: [{url: "https://x", text: "{{"}]}]`, "alerting.receivers[0].wecom_configs[0].text", ""},
		{`[{name: a, feishu_configs: [{url: "https://x", secret: s, secret_file: f}]}]`, "alerting.receivers[0].feishu_configs[0].secret", "not both"},
		{`[{name: a, syslog_configs: [{network: sctp, address: "h:1"}]}]`, "alerting.receivers[0].syslog_configs[0].network", `"sctp": want udp, tcp or tls`},
		{`[{name: a, syslog_configs: [{address: "h:1", tls_config: {ca_file: c}}]}]`, "alerting.receivers[0].syslog_configs[0].tls_config", "only for network tls"},
		{`[{name: a, syslog_configs: [{}]}]`, "alerting.receivers[0].syslog_configs[0].address", "missing"},
		{`[{name: a, syslog_configs: [{address: "h:1", format: leef}]}]`, "alerting.receivers[0].syslog_configs[0].format", `"leef"`},
		{`[{name: a, syslog_configs: [{address: "h:1", facility: local9}]}]`, "alerting.receivers[0].syslog_configs[0].facility", `"local9"`},
		{`[{name: a, syslog_configs: [{address: "h:1", app_name: "two words"}]}]`, "alerting.receivers[0].syslog_configs[0].app_name", "printable ASCII"},
		{`[{name: a, nats_configs: [{}]}]`, "alerting.receivers[0].nats_configs[0].subject", "missing"},
		{`[{name: a, nats_configs: [{subject: "a.*"}]}]`, "alerting.receivers[0].nats_configs[0].subject", "wildcards"},
		{`[{name: a, nats_configs: [{subject: "a..b"}]}]`, "alerting.receivers[0].nats_configs[0].subject", "tokens"},
		{`[{name: a, nats_configs: [{subject: a, url: "http://x"}]}]`, "alerting.receivers[0].nats_configs[0].url", "nats://"},
		{`[{name: a, nats_configs: [{subject: a, creds_file: c}]}]`, "alerting.receivers[0].nats_configs[0].url", "another NATS"},
		{`[{name: a, alertmanager_configs: [{}]}]`, "alerting.receivers[0].alertmanager_configs[0].url", "missing"},
		{`[{name: a, alertmanager_configs: [{url: "http://am", resolve_timeout: 10s}]}]`, "alerting.receivers[0].alertmanager_configs[0].resolve_timeout", "at least 1m"},
	} {
		_, err := receivers(t, tt.yaml, "/etc/vigil")
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != tt.key || !strings.Contains(ce.Msg, tt.msg) {
			t.Errorf("%s:\n got %v\nwant %s: …%s…", tt.yaml, err, tt.key, tt.msg)
		}
	}
}

func TestReceiverUnknownKey(t *testing.T) {
	_, err := receivers(t, "[{name: a, slack_configs: [{api_url: x, chanel: y}]}]", "/")
	if err == nil || !strings.Contains(err.Error(), "field chanel not found") {
		t.Errorf("a misspelt key: %v", err)
	}
}

func TestSecret(t *testing.T) {
	c := WebhookConfig{URL: "https://hooks.example/T/secret-token", Secret: "hmac-key"}
	b, _ := json.Marshal(c)
	y, _ := yaml.Marshal(c)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Secret), string(b), string(y)} {
		if strings.Contains(s, "secret-token") || strings.Contains(s, "hmac-key") || !strings.Contains(strings.ReplaceAll(s, `\u003c`, "<"), "<secret") {
			t.Errorf("a secret shows: %s", s)
		}
	}
	if Secret("").String() != "" {
		t.Error("an empty secret shows")
	}
}
