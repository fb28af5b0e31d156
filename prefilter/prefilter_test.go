package prefilter

import (
	"bytes"
	"strings"
	"testing"
)

func TestAny(t *testing.T) {
	s := New([]string{`"CreateAccessKey"`, `"arn:aws:iam::`, `.png"`, `"StopLogging"`})
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
}

func TestShortLiteralPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	New([]string{"abc"})
}

// FuzzAny checks that Any never misses a literal the document contains.
func FuzzAny(f *testing.F) {
	f.Add([]byte(`{"eventName":"CreateUser"}`), "CreateUser", "arn:aws")
	f.Add([]byte(`xxABCDyy`), "abcd", "zzzz")
	f.Fuzz(func(t *testing.T, doc []byte, a, b string) {
		var lits []string
		for _, l := range []string{a, b} {
			if len(l) >= MinLen {
				lits = append(lits, l)
			}
		}
		if len(lits) == 0 {
			return
		}
		s := New(lits)
		low := lowerASCII(doc)
		for _, l := range lits {
			if bytes.Contains(low, lowerASCII([]byte(l))) && !s.Any(doc) {
				t.Fatalf("missed %q in %q", l, doc)
			}
		}
	})
}

func BenchmarkAny(b *testing.B) {
	var lits []string
	for i := 0; i < 1000; i++ {
		lits = append(lits, `"Action`+strings.Repeat("x", i%7)+string(rune('A'+i%26))+string(rune('a'+i/26%26))+`"`)
	}
	s := New(lits)
	doc := []byte(strings.Repeat(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/x/y"},"eventName":"DescribeInstances"}`, 9))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if s.Any(doc) {
			b.Fatal("unexpected hit")
		}
	}
}
