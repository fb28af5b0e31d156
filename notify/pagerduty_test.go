package notify_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

const routingKey = "R0UT1NGKEY0000000000000000000001"

func pdIn(t *testing.T, url string, c config.PagerdutyConfig) notify.Integration {
	t.Helper()
	c.URL, c.RoutingKey = url, routingKey
	return one(t, config.Receiver{PagerdutyConfigs: []config.PagerdutyConfig{c}}, notify.Options{})
}

func TestPagerduty(t *testing.T) {
	s := notifytest.NewPagerDuty(t, routingKey)
	in := pdIn(t, s.URL, config.PagerdutyConfig{})
	if in.String() != "pagerduty[0]" || !in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if err := in.Notify(ctx(t), resolved()); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	h := sha256.Sum256([]byte(n.GroupKey))
	key := hex.EncodeToString(h[:])
	e := got[0]
	if e.EventAction != "trigger" || e.DedupKey != key || e.Client != "vigil" || e.ClientURL != n.ExternalURL {
		t.Errorf("event %+v", e)
	}
	p := e.Payload
	if p.Summary != "CRITICAL: Access key created for another user, Root account sign-in (2 alerts)" ||
		p.Severity != "critical" || p.Source != "vigil" || p.Timestamp != "2026-11-20T09:59:03Z" {
		t.Errorf("payload %+v", p)
	}
	if len(e.Links) != 2 || e.Links[1].Href != n.Alerts[1].URL || e.Links[1].Text != "Root account sign-in (01JDALERT0000000000000002)" {
		t.Errorf("links %+v", e.Links)
	}
	var details struct {
		Firing int
		Alerts []notify.Alert
	}
	if err := json.Unmarshal(p.CustomDetails, &details); err != nil || details.Firing != 2 || len(details.Alerts) != 2 ||
		*details.Alerts[0].Dedup["detail.userIdentity.arn"] != "arn:aws:iam::111122223333:user/svc-legacy-etl" {
		t.Errorf("custom details %s: %v", p.CustomDetails, err)
	}
	if r := got[1]; r.EventAction != "resolve" || r.DedupKey != key || r.Payload != nil {
		t.Errorf("resolve %+v", r)
	}
	refused := pdIn(t, "http://"+notifytest.ClosedAddr(t)+"/v2/enqueue", config.PagerdutyConfig{})
	testFailures(t, in, s, n, routingKey, refused)

	wrong := one(t, config.Receiver{PagerdutyConfigs: []config.PagerdutyConfig{{URL: s.URL, RoutingKey: "another"}}}, notify.Options{})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) {
		t.Errorf("wrong key: %v", err)
	}
}

func TestPagerdutySeverity(t *testing.T) {
	s := notifytest.NewPagerDuty(t, routingKey)
	for _, tt := range []struct{ vigil, fixed, want string }{
		{"critical", "", "critical"}, {"high", "", "error"}, {"medium", "", "warning"}, {"low", "", "info"},
		{"info", "", "info"}, {"bogus", "", "warning"}, {"critical", "info", "info"},
	} {
		n := sample()
		n.Alerts = n.Alerts[:1]
		n.Alerts[0].Rule.Severity = tt.vigil
		if err := pdIn(t, s.URL, config.PagerdutyConfig{Severity: tt.fixed}).Notify(ctx(t), n); err != nil {
			t.Fatal(err)
		}
		got := s.Received()
		if sev := got[len(got)-1].Payload.Severity; sev != tt.want {
			t.Errorf("%s (configured %q): %s, want %s", tt.vigil, tt.fixed, sev, tt.want)
		}
	}
}

func TestPagerdutyLimits(t *testing.T) {
	s := notifytest.NewPagerDuty(t, routingKey)
	in := pdIn(t, s.URL, config.PagerdutyConfig{Description: `{{ range .Alerts }}{{ .Rule.Title }} {{ end }}`, Source: "aws-prod", Component: "iam"})
	n := many(3000)
	for i := range n.Alerts {
		n.Alerts[i].Entities["user_agent"] = []string{strings.Repeat("x", 200)}
	}
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	e := s.Received()[0]
	if utf8.RuneCountInString(e.Payload.Summary) > 1024 || e.Payload.Source != "aws-prod" || e.Payload.Component != "iam" {
		t.Errorf("summary of %d characters, payload %+v", utf8.RuneCountInString(e.Payload.Summary), e.Payload)
	}
	var details struct {
		Alerts  []notify.Alert
		Omitted int
	}
	json.Unmarshal(e.Payload.CustomDetails, &details)
	if details.Omitted == 0 || len(details.Alerts)+details.Omitted != 3000 || len(e.Links) != 10 {
		t.Errorf("%d alerts in the details, %d omitted, %d links", len(details.Alerts), details.Omitted, len(e.Links))
	}
}
