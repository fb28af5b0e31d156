// Package tmpl is the template language of notifications: Go's
// text/template, or html/template for HTML mail, with functions that
// write the markup of each kind of receiver, so that one template reads
// well in Slack, in Markdown and in plain text.
//
// The configuration checks templates with Parse, and the notify package
// runs them; neither depends on the other.
package tmpl

import (
	"encoding/json"
	"errors"
	htmltemplate "html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

// Markup is the text format a template writes.
type Markup int

// The markups of the receivers.
const (
	Plain    Markup = iota // plain text: mail, PagerDuty, Opsgenie
	Slack                  // Slack's mrkdwn
	Markdown               // the Markdown of DingTalk, WeCom and Feishu
	HTML                   // HTML mail, escaped by html/template
)

// Template is a parsed template.
type Template struct {
	exec func(io.Writer, any) error
}

// Parse parses a template written in markup m. For HTML it also runs
// html/template's escaper, whose errors otherwise wait for the first
// execution.
func Parse(name, text string, m Markup) (*Template, error) {
	if m == HTML {
		t, err := htmltemplate.New(name).Funcs(Funcs(m)).Parse(text)
		if err != nil {
			return nil, err
		}
		var escErr *htmltemplate.Error
		if err := t.Execute(io.Discard, nil); errors.As(err, &escErr) {
			return nil, err
		}
		return &Template{t.Execute}, nil
	}
	t, err := template.New(name).Funcs(Funcs(m)).Parse(text)
	if err != nil {
		return nil, err
	}
	return &Template{t.Execute}, nil
}

// Must returns t, and panics if err is not nil. It is for templates
// written in the program.
func Must(t *Template, err error) *Template {
	if err != nil {
		panic(err)
	}
	return t
}

// Execute writes the template applied to data to w.
func (t *Template) Execute(w io.Writer, data any) error { return t.exec(w, data) }

// Funcs returns the functions templates of markup m can call:
//
//	upper, lower        change case
//	join SEP LIST       join strings
//	trunc N S           S cut to N characters, with "…" when cut
//	json V              V as JSON
//	date T              a time (time.Time or *time.Time) in UTC
//	plural N WORD       "1 event", "2 events"
//	entities MAP        an alert's entities, the most useful first
//	dedup MAP           an alert's dedup values, by field
//	text S              S as literal text of the markup
//	code S              S as literal code (a value from an event)
//	bold S              S in bold
//	link URL TEXT       a link (the bare URL in plain text)
func Funcs(m Markup) template.FuncMap {
	mk := markups[m]
	return template.FuncMap{
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"join":     func(sep string, s []string) string { return strings.Join(s, sep) },
		"trunc":    trunc,
		"json":     toJSON,
		"date":     date,
		"plural":   plural,
		"entities": Entities,
		"dedup":    Dedup,
		"text":     mk.text,
		"code":     mk.code,
		"bold":     mk.bold,
		"link":     mk.link,
	}
}

// markup writes literal text, code, bold text and links in one markup.
type markup struct {
	text, code, bold func(string) string
	link             func(url, text string) string
}

func same(s string) string { return s }

var markups = map[Markup]markup{
	Plain:    {same, same, same, func(url, _ string) string { return url }},
	HTML:     {same, same, same, func(url, _ string) string { return url }},
	Slack:    {slackText, slackCode, slackBold, slackLink},
	Markdown: {mdText, mdCode, mdBold, mdLink},
}

// Slack's mrkdwn treats &, < and > as control characters everywhere,
// including in code; the rest shows as written.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// inline makes s fit in a code span: no backtick to end it early, no line
// break to end the line.
var inline = strings.NewReplacer("`", "'", "\r\n", " ", "\n", " ", "\r", " ")

func slackText(s string) string { return slackEscaper.Replace(s) }

func slackCode(s string) string {
	if s = strings.TrimSpace(inline.Replace(s)); s == "" {
		return ""
	}
	return "`" + slackEscaper.Replace(s) + "`"
}

func slackBold(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return "*" + slackEscaper.Replace(s) + "*"
}

func slackLink(url, text string) string {
	url = strings.ReplaceAll(slackEscaper.Replace(url), "|", "%7C")
	if text == "" {
		return "<" + url + ">"
	}
	return "<" + url + "|" + slackEscaper.Replace(inline.Replace(text)) + ">"
}

// A backslash escapes Markdown's punctuation; these are the characters
// that could make text from an event into emphasis, code, a link or HTML.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`)

func mdText(s string) string { return mdEscaper.Replace(s) }

// mdCode puts s in a code span, where Markdown renders nothing: the
// surest way to show a value from an event (which an attacker may have
// written) as it is.
func mdCode(s string) string {
	if s = strings.TrimSpace(inline.Replace(s)); s == "" {
		return ""
	}
	return "`" + s + "`"
}

func mdBold(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return "**" + mdEscaper.Replace(s) + "**"
}

var mdURL = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")

func mdLink(url, text string) string {
	if text == "" {
		text = url
	}
	return "[" + mdEscaper.Replace(inline.Replace(text)) + "](" + mdURL.Replace(url) + ")"
}

// trunc cuts s to n characters, ending with "…" when it cut.
func trunc(n int, s string) string {
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, c := 0, 0
	for i = range s {
		if c == n-1 {
			break
		}
		c++
	}
	return s[:i] + "…"
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func date(v any) string {
	var t time.Time
	switch v := v.(type) {
	case time.Time:
		t = v
	case *time.Time:
		if v == nil {
			return ""
		}
		t = *v
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func plural(n int, word string) string {
	s := strconv.Itoa(n) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

// MaxValues is how many values of each kind of entity Entities keeps.
const MaxValues = 3

// Entity is one kind of entity of an alert and its values.
type Entity struct {
	Type   string
	Values []string // the first MaxValues
	More   int      // how many more there are
}

// first are the kinds of entity that say the most about an attack, in the
// order a responder looks for them: who, from where, in which account.
var first = []string{"principal", "source_ip", "account", "access_key", "host", "region"}

// Entities lists an alert's entities, those of the kinds in first in that
// order, then the others by name, each with at most MaxValues values.
func Entities(m map[string][]string) []Entity {
	types := make([]string, 0, len(m))
	for t, v := range m {
		if len(v) > 0 {
			types = append(types, t)
		}
	}
	rank := func(t string) int {
		if i := slices.Index(first, t); i >= 0 {
			return i
		}
		return len(first)
	}
	slices.SortFunc(types, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	out := make([]Entity, len(types))
	for i, t := range types {
		v := m[t]
		out[i] = Entity{Type: t, Values: v[:min(len(v), MaxValues)], More: max(len(v)-MaxValues, 0)}
	}
	return out
}

// Pair is a dedup field of an alert and its value; Missing when the
// events do not have the field.
type Pair struct {
	Key, Value string
	Missing    bool
}

// Dedup lists an alert's dedup values by field.
func Dedup(m map[string]*string) []Pair {
	out := make([]Pair, 0, len(m))
	for k, v := range m {
		p := Pair{Key: k, Missing: v == nil}
		if v != nil {
			p.Value = *v
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Pair) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Escape returns s as literal text of markup m.
func Escape(m Markup, s string) string { return markups[m].text(s) }
