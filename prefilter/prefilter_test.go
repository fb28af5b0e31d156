package prefilter

import (
	"bytes"
	"strings"
	"testing"
)

func TestAny(t *testing.T) {
	s := New(literals(`"CreateAccessKey"`, `"arn:aws:iam::`, `.png"`, `"StopLogging"`))
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"eventName":"CreateAccessKey"}`, true},
		{`{"eventName":"createaccesskey"}`, true}, // case-insensitive: a candidate
		{`{"eventName":"CreateAccessKeys"}`, false},
		{`{"eventName":"DescribeInstances","arn":"arn:aws:iam::1:user/x"}`, true},
		{`{"f":"photo.png"}`, true},
		{`{"f":"photo.png.txt"}`, false},
		{`{"eventName":"Create\u0041ccessKey"}`, true}, // \u may spell a literal
		{`{"a":"x\/y"}`, true},
		{`{"a":"x\"y\\z"}`, false}, // other escapes cannot spell a literal
		{`"StopLogging"`, true},    // at the very start
		{`{"x":"StopLogging"`, true},
		{``, false},
		{`abc`, false},
	}
	for _, tt := range tests {
		if got := s.Any([]byte(tt.doc)); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.doc, got, tt.want)
		}
	}
	if New(nil).Any([]byte(`{"a":"\u0041"}`)) {
		t.Error("an empty set matched")
	}
	if s.Any([]byte(`{"eventName":"Créer"}`)) {
		t.Error("non-ASCII made a candidate though no literal folds beyond ASCII")
	}
	folded := New([]Literal{{Text: `"key"`, Fold: true}})
	if !folded.Any([]byte("{\"a\":\"\u212aey\"}")) || !folded.Any([]byte("{\"a\":\"\xe2\x84\xaaey\"}")) {
		t.Error("a Kelvin sign spells K under Unicode folding")
	}
	if folded.Any([]byte(`{"a":"other"}`)) {
		t.Error("false candidate")
	}
}

func literals(texts ...string) []Literal {
	var out []Literal
	for _, t := range texts {
		out = append(out, Literal{Text: t})
	}
	return out
}

func TestShortLiteralPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	New(literals("abc"))
}

// FuzzAny checks that Any never misses a literal the document contains:
// as written, or in any case when it folds.
func FuzzAny(f *testing.F) {
	f.Add([]byte(`{"eventName":"CreateUser"}`), "CreateUser", "arn:aws", false)
	f.Add([]byte(`xxABCDyy`), "abcd", "zzzz", true)
	f.Add([]byte(`xx:rooTyy`), ":root", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", true)
	f.Fuzz(func(t *testing.T, doc []byte, a, b string, fold bool) {
		var lits []Literal
		for _, l := range []string{a, b} {
			if len(l) >= MinLen {
				lits = append(lits, Literal{Text: l, Fold: fold})
			}
		}
		if len(lits) == 0 {
			return
		}
		s := New(lits)
		low := lowerASCII(doc)
		for _, l := range lits {
			found := bytes.Contains(doc, []byte(l.Text)) || l.Fold && bytes.Contains(low, lowerASCII([]byte(l.Text)))
			if found && !s.Any(doc) {
				t.Fatalf("missed %+v in %q", l, doc)
			}
		}
	})
}

func BenchmarkAny(b *testing.B) {
	var lits []string
	for i := 0; i < 1000; i++ {
		lits = append(lits, `"Action`+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('a'+i/26%26))+`"`)
	}
	s := New(literals(lits...))
	doc := []byte(strings.Repeat(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/x/y"},"eventName":"DescribeInstances"}`, 9))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if s.Any(doc) {
			b.Fatal("unexpected hit")
		}
	}
}
