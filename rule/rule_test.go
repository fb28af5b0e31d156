package rule

import (
	"strings"
	"testing"
	"testing/fstest"
)

const good = `id: r1
title: A rule
severity: high
scenario: data
tags: [attack.collection, attack.t1530]
pattern:
  source: [aws.s3]
  detail:
    eventName: [GetObject]
dedup: [detail.userIdentity.arn]
entities:
  bucket: detail.requestParameters.bucketName
tests:
  match:
    - {"eventName": "GetObject"}
  nomatch:
    - '{"eventName": "PutObject"}'
---
id: r2
title: JSON pattern
severity: low
scenario: privilege
pattern: |
  {"detail": {"eventName": ["CreateUser"]}}
`

func TestParseFile(t *testing.T) {
	p := ParseFile("good.yaml", []byte(good))
	if len(p.Problems) > 0 || p.Invalid > 0 || len(p.Rules) != 2 {
		t.Fatalf("problems %v, invalid %d, rules %d", p.Problems, p.Invalid, len(p.Rules))
	}
	r := p.Rules[0]
	if r.ID != "r1" || r.Severity != High || r.Scenario != Data || r.Entities["bucket"] != "detail.requestParameters.bucketName" ||
		len(r.Tests.Match) != 1 || string(r.Tests.NoMatch[0]) != `{"eventName": "PutObject"}` || r.Line != 1 {
		t.Errorf("%+v", r)
	}
	if p.Rules[1].Line != 19 {
		t.Errorf("second rule at line %d", p.Rules[1].Line)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [1]}\ncolour: red\n", "f.yaml:6:1: colour: unknown field"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\n", "f.yaml:1:1: pattern: missing"},
		{"id: x y\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [1]}\n", "f.yaml:1:5: id: \"x y\" is not a valid id"},
		{"id: x\ntitle: t\nseverity: urgent\nscenario: data\npattern: {a: [1]}\n", "f.yaml:3:11: severity: unknown severity"},
		{"id: x\ntitle: t\nseverity: high\nscenario: money\npattern: {a: [1]}\n", "f.yaml:4:11: scenario: unknown scenario"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern:\n  a:\n    - {numeric: ['>', 9, '<', 1]}\n", "f.yaml:7:17: pattern: Bad numeric range"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [0x1F]}\n", "pattern: 0x1F is not a JSON number"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: '{\"a\": []}'\n", "f.yaml:5:19: pattern: Empty arrays are not allowed"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [1]}\ntags: [Attack.T1]\n", "tags: tag \"Attack.T1\""},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [1]}\ntests: {match: ['{oops']}\n", "tests.match[0]: not valid JSON"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: [1]}\ndedup: [a..b]\n", "dedup: \"a..b\" is not a dotted field path"},
		{"id: x\nid: y\n", "f.yaml:2:1: id: field given twice"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: |\n  {\"a\":\n    []}\n", "f.yaml:7:7: pattern: Empty arrays are not allowed"},
		{"- a\n- b\n", "want a mapping, got a list"},
		{"id: [x\n", "f.yaml:1:1: did not find expected"},
		{"overrides:\n  - rule: x\n    disabled: maybe\n", "f.yaml:3:15: overrides[0].disabled: want true or false"},
		{"overrides:\n  - disabled: true\n", "overrides[0].rule: missing"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: &a {b: *a}\n", "pattern: nested deeper than 200 levels"},
		{"id: x\ntitle: t\nseverity: high\nscenario: data\npattern: {a: &a [1,1,1,1,1,1,1,1,1,1], b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]}\n", "more than 100000 values"},
	}
	for _, tt := range tests {
		p := ParseFile("f.yaml", []byte(tt.doc))
		var msgs []string
		for _, pr := range p.Problems {
			msgs = append(msgs, pr.Error())
		}
		if joined := strings.Join(msgs, "\n"); p.Invalid != 1 || !strings.Contains(joined, tt.want) {
			t.Errorf("%q:\n got %d invalid: %s\nwant %q", tt.doc, p.Invalid, joined, tt.want)
		}
	}
}

func TestCompose(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte(good)},
		"b.yml": {Data: []byte(`overrides:
  - rule: r1
    severity: critical
    exceptions:
      - {detail: {userIdentity: {arn: [{prefix: "arn:aws:iam::1:role/CICD"}]}}}
  - rule: r2
    disabled: true
  - rule: nope
    disabled: true
`)},
		"c.yaml":   {Data: []byte("id: r1\ntitle: again\nseverity: low\nscenario: data\npattern: {a: [1]}\n")},
		"notes.md": {Data: []byte("not a rule")},
	}
	p, err := Load(fsys, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	rules := p.Compose()
	if len(rules) != 1 || rules[0].ID != "r1" || rules[0].Severity != Critical || len(rules[0].Exceptions) != 1 || !rules[0].Builtin {
		t.Fatalf("rules %+v", rules)
	}
	if p.Rules[0].Severity != High || len(p.Rules[0].Exceptions) != 0 {
		t.Error("an override changed the loaded rule, not a copy")
	}
	var msgs []string
	for _, pr := range p.Problems {
		msgs = append(msgs, pr.Error())
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{`c.yaml:1:1: id: rule r1 is already defined at a.yaml:1`, `b.yml:8:1: rule: override of unknown rule "nope"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems %q lack %q", joined, want)
		}
	}
	if p.Invalid != 2 {
		t.Errorf("invalid %d, want 2", p.Invalid)
	}
}

// FuzzParseFile checks that no rule file makes the parser panic, and that
// every file either loads or says why not.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("overrides:\n  - rule: x\n    exceptions: [{a: [{prefix: b}]}]\n"))
	f.Add([]byte("id: x\npattern: &a {b: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := ParseFile("f.yaml", data)
		if p.Invalid > 0 && len(p.Problems) == 0 {
			t.Fatalf("%q: invalid without a problem", data)
		}
		for _, r := range p.Rules {
			if r.Pattern == nil || r.ID == "" {
				t.Fatalf("%q: a rule loaded without id or pattern", data)
			}
		}
	})
}
