package sigma

import (
	"strings"
	"testing"
)

// FuzzCollection checks that no rule file makes compiling panic, and that
// every document that does not load says why.
func FuzzCollection(f *testing.F) {
	f.Add([]byte("title: t\nlogsource: {product: linux, service: auditd}\ndetection:\n    sel:\n        a|contains|all: [x, y]\n        b|re|i: '^z'\n    condition: sel and not 1 of f*\n    f1: {c: null}\n"))
	f.Add([]byte("title: c\ncorrelation: {type: value_count, rules: [r], group-by: [a], timespan: 5m, condition: {field: b, gte: 2}}\n---\ntitle: r\nname: r\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName|windash|base64offset|contains: x}, condition: s}\n"))
	f.Add([]byte("title: f\nlogsource: {category: webserver}\nfilter: {rules: [r], s: {c-uri|expand: '%x%'}, condition: s}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Collection
		c.Add("f.yml", data)
		c.Compile(&Config{Placeholders: map[string][]string{"x": {"1", "2*"}}})
		for _, p := range c.Problems {
			if p.Msg == "" {
				t.Fatalf("%q: a problem without a reason", data)
			}
		}
		for _, r := range c.Rules {
			if r.Source == nil || r.cond == nil {
				t.Fatalf("%q: a rule loaded without a source or a condition", data)
			}
		}
	})
}

// FuzzCondition checks that the condition parser never panics, and that a
// condition it accepts only names identifiers the detection has.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"a and not (b or 1 of c*)", "all of them", "not not a", "((a)", "1 of", "x of y", "a or"} {
		f.Add(s)
	}
	idents := map[string]node{"a": constNode(true), "b": constNode(false), "c1": constNode(true), "c2": constNode(false), "_d": constNode(true)}
	f.Fuzz(func(t *testing.T, cond string) {
		n, err := parseCondition(cond, idents)
		if err != nil {
			return
		}
		for _, tok := range tokenize(cond) {
			if tok == "(" || tok == ")" || strings.Contains(tok, "*") {
				continue
			}
			switch strings.ToLower(tok) {
			case "and", "or", "not", "of", "them", "all", "any", "1":
				continue
			}
			if _, ok := idents[tok]; !ok {
				t.Fatalf("%q accepted with unknown identifier %q", cond, tok)
			}
		}
		n.eval(&ctx{})
	})
}
