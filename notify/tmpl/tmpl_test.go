package tmpl

import (
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, m Markup, src string, data any) string {
	t.Helper()
	tm, err := Parse("t", src, m)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tm.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkups(t *testing.T) {
	const src = `{{ text .S }}|{{ code .S }}|{{ bold .S }}|{{ link .U .S }}`
	data := map[string]string{"S": "a <b> & `c` *d* [e](f)\nline", "U": "https://x.example/a b(c)|d"}
	for m, want := range map[Markup]string{
		Plain:    "a <b> & `c` *d* [e](f)\nline|a <b> & `c` *d* [e](f)\nline|a <b> & `c` *d* [e](f)\nline|https://x.example/a b(c)|d",
		Slack:    "a &lt;b&gt; &amp; `c` *d* [e](f)\nline|`a &lt;b&gt; &amp; 'c' *d* [e](f) line`|*a &lt;b&gt; &amp; `c` *d* [e](f)\nline*|<https://x.example/a b(c)%7Cd|a &lt;b&gt; &amp; 'c' *d* [e](f) line>",
		Markdown: "a \\<b\\> & \\`c\\` \\*d\\* \\[e\\](f)\nline|`a <b> & 'c' *d* [e](f) line`|**a \\<b\\> & \\`c\\` \\*d\\* \\[e\\](f)\nline**|[a \\<b\\> & 'c' \\*d\\* \\[e\\](f) line](https://x.example/a%20b%28c%29|d)",
		HTML:     "a &lt;b&gt; &amp; `c` *d* [e](f)\nline|a &lt;b&gt; &amp; `c` *d* [e](f)\nline|a &lt;b&gt; &amp; `c` *d* [e](f)\nline|https://x.example/a b(c)|d",
	} {
		if got := run(t, m, src, data); got != want {
			t.Errorf("markup %d:\n got %q\nwant %q", m, got, want)
		}
	}
	if got := run(t, Slack, `[{{ code "" }}{{ bold " " }}]`, nil); got != "[]" {
		t.Errorf("empty code and bold: %q", got)
	}
}

func TestFuncs(t *testing.T) {
	at := time.Date(2026, 11, 20, 17, 58, 3, 0, time.FixedZone("CST", 8*3600))
	v := "x"
	data := map[string]any{
		"T": at, "P": &at, "N": (*time.Time)(nil), "L": []string{"a", "b"},
		"E": map[string][]string{"user_agent": {"ua"}, "account": {"1"}, "principal": {"p1", "p2", "p3", "p4", "p5"}, "bucket": {"b"}},
		"D": map[string]*string{"z": &v, "a": nil},
	}
	for src, want := range map[string]string{
		`{{ date .T }}|{{ date .P }}|{{ date .N }}|{{ date "x" }}`:                         "2026-11-20 09:58:03 UTC|2026-11-20 09:58:03 UTC||",
		`{{ join ", " .L }} {{ upper "a" }}{{ lower "B" }}`:                                "a, b Ab",
		`{{ trunc 3 "abcdef" }} {{ trunc 3 "abc" }} {{ trunc 2 "日本語" }} {{ trunc 0 "a" }}`: "ab… abc 日… ",
		`{{ plural 1 "event" }}, {{ plural 0 "event" }}, {{ plural 2 "event" }}`:           "1 event, 0 events, 2 events",
		`{{ json .L }}`: `["a","b"]`,
		`{{ range entities .E }}{{ .Type }}={{ join "," .Values }}+{{ .More }} {{ end }}`: "principal=p1,p2,p3+2 account=1+0 bucket=b+0 user_agent=ua+0 ",
		`{{ range dedup .D }}{{ .Key }}:{{ .Value }}:{{ .Missing }} {{ end }}`:            "a::true z:x:false ",
	} {
		if got := run(t, Plain, src, data); got != want {
			t.Errorf("%s:\n got %q\nwant %q", src, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		src string
		m   Markup
		ok  bool
	}{
		{"{{ .X }}", Plain, true},
		{"{{ .X", Plain, false},
		{"{{ nosuch }}", Slack, false},
		{`<a href="{{ .URL }}">{{ .ID }}</a>`, HTML, true},
		{`<a href="{{ .URL }}`, HTML, false}, // ends inside an attribute
		{`<script>{{ if .X }}</script>{{ end }}`, HTML, false},
	} {
		if _, err := Parse("t", tt.src, tt.m); (err == nil) != tt.ok {
			t.Errorf("%q: %v, want ok %v", tt.src, err, tt.ok)
		}
	}
}
