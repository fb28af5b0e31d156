package notify

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/notify/tmpl"
)

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		s    string
		max  int
		u    unit
		want string
	}{
		{"hello", 5, inBytes, "hello"},
		{"hello!", 5, inBytes, "he…"},
		{"héllo", 5, inBytes, "h…"},
		{"日本語テキスト", 10, inBytes, "日本…"},
		{"日本語テキスト", 4, inChars, "日本語…"},
		{"a😀b", 3, inChars, "a…"}, // the emoji takes two UTF-16 units
		{"abc", 2, inBytes, ""},   // no room for the ellipsis
		{"abc", 0, inBytes, ""},
	} {
		got := cut(tt.s, tt.max, tt.u)
		if got != tt.want || size(got, tt.u) > tt.max {
			t.Errorf("cut(%q, %d, %v) = %q, want %q", tt.s, tt.max, tt.u, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"Fri, 20 Nov 2026 10:01:30 GMT", 90 * time.Second, true},
		{"Fri, 20 Nov 2026 09:00:00 GMT", 0, true},
		{"99999999999", 24 * time.Hour, true},
	} {
		d, ok := retryAfter(tt.v, now)
		if d != tt.want || ok != tt.ok {
			t.Errorf("%q: %s %v, want %s %v", tt.v, d, ok, tt.want, tt.ok)
		}
	}
}

func TestRedact(t *testing.T) {
	for u, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/secret":            "https://hooks.slack.com",
		"https://oapi.dingtalk.com/robot/send?access_token=secret": "https://oapi.dingtalk.com",
		"https://user:pw@example.com/x":                            "https://example.com",
		"::":                                                       "(a URL that does not parse)",
	} {
		if got := redact(u); got != want {
			t.Errorf("redact(%q) = %q, want %q", u, got, want)
		}
	}
}

// fields are the texts of every integration, with their markup and
// limits, as the integrations make them.
func fields(t testing.TB) map[string]*text {
	b := &base{name: "test", log: slog.New(slog.DiscardHandler)}
	out := map[string]*text{}
	for name, f := range map[string]struct {
		def *tmpl.Template
		m   tmpl.Markup
		max int
		u   unit
	}{
		"slack title":    {titleTmpl, tmpl.Slack, slackHeaderMax, inChars},
		"slack text":     {slackBody, tmpl.Slack, slackSectionMax, inChars},
		"pagerduty":      {titleTmpl, tmpl.Plain, pdSummaryMax, inChars},
		"opsgenie msg":   {titleTmpl, tmpl.Plain, ogMessageMax, inChars},
		"opsgenie desc":  {plainBody, tmpl.Plain, ogDescriptionMax, inChars},
		"chat title":     {titleTmpl, tmpl.Markdown, chatTitleMax, inBytes},
		"wecom":          {markdownBody, tmpl.Markdown, wecomMax, inBytes},
		"email subject":  {titleTmpl, tmpl.Plain, mailSubjectMax, inChars},
		"email text":     {plainBody, tmpl.Plain, 4000, inBytes},
		"email html":     {htmlBody, tmpl.HTML, 4000, inBytes},
		"custom listing": {nil, tmpl.Markdown, 500, inBytes},
	} {
		src := ""
		if f.def == nil {
			f.def, src = markdownBody, `{{ range .Alerts }}{{ .Rule.Title }} {{ json .Entities }} {{ trunc 20 .ID }}{{ end }}{{ .Omitted }}`
		}
		x, err := newText(b, name, src, f.def, f.m, f.max, f.u)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = x
	}
	return out
}

// FuzzRender renders every text with arbitrary strings in the alerts:
// no panic, valid UTF-8, within the limit, and the first alert shown
// whenever the limit leaves room for it.
func FuzzRender(f *testing.F) {
	f.Add("Root sign-in", "arn:aws:iam::1:root", "1.2.3.4", "https://vigil.example/alerts/1", 3)
	f.Add("<b>&</b>`*_[x](y)", "\xff\xfe", "\u202e", "javascript:alert(1)", 200)
	f.Add(strings.Repeat("長", 3000), "", "\r\n\x00", "", 1)
	fs := fields(f)
	f.Fuzz(func(t *testing.T, title, entity, dedup, url string, count int) {
		if len(title)+len(entity)+len(dedup)+len(url) > 4<<10 {
			return // longer strings only take longer to render, alike
		}
		count = 1 + abs(count)%20
		n := &Notification{ID: "n1", Receiver: "r", Status: "firing", ExternalURL: url}
		for i := range count {
			d := dedup
			n.Alerts = append(n.Alerts, Alert{
				ID: fmt.Sprintf("a%d", i), Status: "firing", URL: url, Count: i,
				Rule:     Rule{ID: title, Title: title, Severity: []string{"info", "high", entity}[i%3]},
				Entities: map[string][]string{"principal": {entity, title}, entity: {dedup}},
				Dedup:    map[string]*string{entity: &d, "x": nil},
			})
		}
		for name, x := range fs {
			s := x.render(n)
			if !utf8.ValidString(s) {
				t.Fatalf("%s: not UTF-8: %q", name, s)
			}
			if size(s, x.u) > x.max {
				t.Fatalf("%s: %d over %d", name, size(s, x.u), x.max)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
