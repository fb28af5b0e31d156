package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestNumberLen(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"0", 1}, {"-0", 2}, {"12", 2}, {"1.5", 3}, {"1e9", 3}, {"1E+9,", 4}, {"-2.5e-3]", 7},
		{"", 0}, {"-", 0}, {"01", 1}, {"1.", 0}, {".5", 0}, {"1e", 0}, {"1e+", 0}, {"+1", 0}, {"x", 0},
	} {
		if got := NumberLen([]byte(tt.in)); got != tt.want {
			t.Errorf("NumberLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestValue(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int // -1: an error
	}{
		{`"a\"b" x`, 6}, {`{"a":[1,"]"]} x`, 13}, {`[[],{}]`, 7}, {`true,`, 4}, {`null`, 4}, {`-1.5e3 `, 6},
		{`"open`, -1}, {`{"a":1`, -1}, {`nul`, -1}, {``, -1}, {`x`, -1}, {`"\\"`, 4}, {`[1}`, -1}, {`{"a":[1}]`, -1},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), -1},
	} {
		got, err := Value([]byte(tt.in), 0, 0)
		if err != nil {
			got = -1
		}
		if got != tt.want {
			t.Errorf("Value(%q) = %d (%v), want %d", tt.in, got, err, tt.want)
		}
	}
}

// FuzzValue checks that Value never panics and finds the end of every
// valid JSON value.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"\""}]}`, `"x"`, `[true,false,null]`, `-0.5e-7`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, err := Value(b, 0, 0)
		trimmed := bytes.TrimRight(b, " \t\r\n")
		if !json.Valid(b) || len(trimmed) == 0 || bytes.ContainsAny(b[:1], " \t\r\n") {
			return
		}
		if err != nil && strings.Contains(err.Error(), "nested deeper") {
			return
		}
		if err != nil || end != len(trimmed) {
			t.Fatalf("%q: end %d, err %v; want %d", b, end, err, len(trimmed))
		}
	})
}
