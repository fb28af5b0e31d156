package notify

import (
	"log/slog"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"vigil/notify/tmpl"
)

// Data is what templates see: the notification, less the alerts left out
// to keep a message within the size the service takes. It holds no
// secret.
type Data struct {
	*Notification
	// Omitted is how many alerts were left out of Alerts.
	Omitted int
	all     []Alert // those left out included
}

func (d Data) whole() *Notification {
	if d.all == nil {
		return d.Notification
	}
	n := *d.Notification
	n.Alerts = d.all
	return &n
}

// Total is the number of alerts of the notification, those left out
// included.
func (d Data) Total() int { return len(d.Alerts) + d.Omitted }

// Severity is the highest severity of the firing alerts, or of all the
// alerts when none fires, those left out included.
func (d Data) Severity() string { return d.whole().Severity() }

// Rules returns the rules of the alerts, those left out included, each
// once, in the order of the alerts.
func (d Data) Rules() []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, a := range d.whole().Alerts {
		if !seen[a.Rule.ID] {
			seen[a.Rule.ID] = true
			out = append(out, a.Rule)
		}
	}
	return out
}

// unit is how a service measures the length of a text.
type unit int

const (
	inBytes unit = iota
	// inChars counts UTF-16 code units: never fewer than characters
	// however a service counts them (runes, or UTF-16 as Java and
	// JavaScript do), so a text within a limit in them is within it.
	inChars
)

func size(s string, u unit) int {
	if u == inBytes {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

const ellipsis = "…"

// cut shortens s to at most max, in unit u, ending with an ellipsis
// when it cut, and never in the middle of a character.
func cut(s string, max int, u unit) string {
	if size(s, u) <= max {
		return s
	}
	room := max - size(ellipsis, u)
	if room < 0 {
		return ""
	}
	n, end := 0, 0
	for i, r := range s {
		w := utf8.RuneLen(r)
		if u == inChars {
			w = utf16.RuneLen(r)
		}
		if n+w > room {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	return s[:end] + ellipsis
}

// text is a configurable text of a message: a template, the default it
// falls back to, and how long the service lets it be.
type text struct {
	name   string // its configuration key, for logs
	t, def *tmpl.Template
	max    int // 0 for no limit
	u      unit
	log    *slog.Logger
	owner  string // the integration, for logs
	// list says that the text lists alerts, and leaves some out to fit;
	// a line (a title) is cut instead.
	list bool
}

// newText parses the configured template src of a field, if any. The
// configuration was checked, so an error here is a bug.
func newText(b *base, name, src string, def *tmpl.Template, m tmpl.Markup, max int, u unit) (*text, error) {
	// Only the default title is a line; a template of the user's may
	// list alerts in a title, and then leaving some out reads better.
	t := &text{name: name, def: def, max: max, u: u, log: b.log, owner: b.name, list: def != titleTmpl || src != ""}
	if src != "" {
		var err error
		if t.t, err = tmpl.Parse(name, src, m); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// render writes the text for n within the field's limit.
func (t *text) render(n *Notification) string {
	if t.max == 0 {
		return t.within(n, -1)
	}
	return t.within(n, t.max)
}

// within writes the text for n in at most max (-1: no limit). When the
// whole is too long it leaves out the last alerts, as few as it can (the
// templates say how many with .Omitted), and cuts the text only when no
// alert at all is short enough. The result is valid UTF-8 whatever the
// alerts hold.
func (t *text) within(n *Notification, max int) string {
	if max < 0 || !t.list {
		s := t.exec(Data{Notification: n}, true)
		if max >= 0 {
			s = cut(s, max, t.u)
		}
		return s
	}
	// Try 1, 2, 4... alerts, then bisect: the cost is that of the text
	// that fits, not that of thousands of alerts.
	logged := true
	try := func(k int) (string, bool) {
		s := t.exec(trimmed(n, k), logged)
		logged = false
		return s, size(s, t.u) <= max
	}
	all := len(n.Alerts)
	best, found := "", false
	lo, hi := 0, all
	for k := min(1, all); ; k = min(2*k, all) {
		s, ok := try(k)
		if !ok {
			hi = k - 1
			break
		}
		best, found, lo = s, true, k
		if k == all {
			return best
		}
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s, ok := try(mid); ok {
			best, found, lo = s, true, mid
		} else {
			hi = mid - 1
		}
	}
	if !found {
		best = cut(t.exec(trimmed(n, 0), false), max, t.u)
	}
	t.log.Info("message cut to the size the service takes", "integration", t.owner, "field", t.name,
		"max", max, "alerts", all, "shown", lo)
	return best
}

// required returns s, or a stand-in when a template made it empty: the
// services refuse a message without a title or summary.
func required(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "vigil alert"
	}
	return s
}

// trimmed returns the data of n with its first k alerts only.
func trimmed(n *Notification, k int) Data {
	m := *n
	m.Alerts = n.Alerts[:k]
	return Data{Notification: &m, Omitted: len(n.Alerts) - k, all: n.Alerts}
}

// exec runs the template, or the default when it fails; logged says
// whether to log the failure (once per message, not per attempt at its
// size).
func (t *text) exec(d Data, logged bool) string {
	var b strings.Builder
	if t.t != nil {
		err := t.t.Execute(&b, d)
		if err == nil {
			return strings.ToValidUTF8(b.String(), "\uFFFD")
		}
		if logged {
			t.log.Warn("template failed: using the default", "integration", t.owner, "field", t.name, "err", err)
		}
		b.Reset()
	}
	if err := t.def.Execute(&b, d); err != nil {
		t.log.Error("default template failed", "integration", t.owner, "field", t.name, "err", err)
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// fit returns what build makes, at most limit bytes long. build makes
// a body with a text of at most max bytes; a body longer than limit (the
// text's JSON escaping, the rest of the body) is made again with a text
// shorter by as much.
func fit(limit int, build func(max int) ([]byte, error)) ([]byte, error) {
	max := limit
	for range 8 {
		b, err := build(max)
		if err != nil || len(b) <= limit {
			return b, err
		}
		max -= len(b) - limit
		if max <= 0 {
			break
		}
	}
	return build(0)
}

// The default templates. Title is one line; Body lists the alerts, the
// most useful facts first, in whichever markup the service reads.
const (
	defaultTitle = `{{ if eq .Status "resolved" }}RESOLVED{{ else }}{{ upper .Severity }}{{ end }}: ` +
		`{{ range $i, $r := .Rules }}{{ if $i }}, {{ end }}{{ $r.Title }}{{ end }}` +
		`{{ if gt .Total 1 }} ({{ .Total }} alerts){{ end }}`

	defaultBody = `{{ range .Alerts }}{{ bold (upper .Rule.Severity) }} {{ text .Rule.Title }}` +
		`{{ if eq .Status "resolved" }} (resolved){{ end }}, {{ plural .Count "event" }}
{{ range entities .Entities }}- {{ .Type }}: {{ range $i, $v := .Values }}{{ if $i }}, {{ end }}{{ code $v }}{{ end }}` +
		`{{ with .More }} and {{ . }} more{{ end }}
{{ end }}{{ with dedup .Dedup }}- dedup: {{ range $i, $p := . }}{{ if $i }}, {{ end }}{{ $p.Key }}=` +
		`{{ if $p.Missing }}(none){{ else }}{{ code $p.Value }}{{ end }}{{ end }}
{{ end }}- rule {{ code .Rule.ID }}, alert {{ code .ID }}{{ with .URL }}: {{ link . "open in vigil" }}{{ end }}

{{ end }}{{ with .Omitted }}{{ plural . "more alert" }} not shown{{ with $.ExternalURL }}: {{ link . "console" }}{{ end }}
{{ end }}`

	defaultHTML = `<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<h2>{{ if eq .Status "resolved" }}RESOLVED{{ else }}{{ upper .Severity }}{{ end }}: ` +
		`{{ range $i, $r := .Rules }}{{ if $i }}, {{ end }}{{ $r.Title }}{{ end }}</h2>
{{ range .Alerts }}<table style="border-collapse: collapse; margin-bottom: 1em">
<tr><th colspan="2" style="text-align: left">{{ upper .Rule.Severity }} {{ .Rule.Title }}` +
		`{{ if eq .Status "resolved" }} (resolved){{ end }}, {{ plural .Count "event" }}</th></tr>
{{ range entities .Entities }}<tr><td>{{ .Type }}</td><td><code>{{ join ", " .Values }}</code>` +
		`{{ with .More }} and {{ . }} more{{ end }}</td></tr>
{{ end }}{{ range dedup .Dedup }}<tr><td>dedup {{ .Key }}</td><td>` +
		`{{ if .Missing }}(none){{ else }}<code>{{ .Value }}</code>{{ end }}</td></tr>
{{ end }}<tr><td>rule</td><td><code>{{ .Rule.ID }}</code></td></tr>
<tr><td>alert</td><td>{{ if .URL }}<a href="{{ .URL }}"><code>{{ .ID }}</code></a>{{ else }}<code>{{ .ID }}</code>{{ end }}</td></tr>
</table>
{{ end }}{{ with .Omitted }}<p>{{ plural . "more alert" }} not shown` +
		`{{ with $.ExternalURL }}: <a href="{{ . }}">console</a>{{ end }}</p>{{ end }}
</body></html>
`
)

// The default templates, parsed for each markup.
var (
	titleTmpl    = tmpl.Must(tmpl.Parse("title", defaultTitle, tmpl.Plain))
	plainBody    = tmpl.Must(tmpl.Parse("text", defaultBody, tmpl.Plain))
	slackBody    = tmpl.Must(tmpl.Parse("text", defaultBody, tmpl.Slack))
	markdownBody = tmpl.Must(tmpl.Parse("text", defaultBody, tmpl.Markdown))
	htmlBody     = tmpl.Must(tmpl.Parse("html", defaultHTML, tmpl.HTML))
)
