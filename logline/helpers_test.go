package logline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// now is the reference time of the tests: RFC 3164 lines are placed in
// the year before it or in its year.
var now = time.Date(2026, time.November, 21, 9, 30, 0, 0, time.UTC)

// parseCase is a line and the JSON it becomes, or, if err is set, a
// fragment of the error it must return instead.
type parseCase struct {
	name, line, want, err string
}

func runCases(t *testing.T, f Format, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := ParseWith([]byte("prefix "), f, []byte(c.line), now)
			if c.err != "" {
				var se *SyntaxError
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.As(err, &se) || se.Format != f {
					t.Fatalf("got %s, %v; want an error with %q", out, err, c.err)
				}
				if string(out) != "prefix " {
					t.Errorf("dst changed on error: %q", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if err := checkObject([]byte("prefix "), out); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got := string(out[len("prefix "):]); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// checkObject checks that out is prefix followed by one valid JSON object,
// valid UTF-8, whose keys are all different.
func checkObject(prefix, out []byte) error {
	if !bytes.HasPrefix(out, prefix) {
		return fmt.Errorf("dst prefix lost")
	}
	obj := out[len(prefix):]
	if !json.Valid(obj) {
		return fmt.Errorf("invalid JSON")
	}
	if !utf8.Valid(obj) {
		return fmt.Errorf("invalid UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	seen := map[string]bool{}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return err
		}
		if seen[k.(string)] {
			return fmt.Errorf("key %q repeated", k)
		}
		seen[k.(string)] = true
		var v any
		if err := d.Decode(&v); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("text after the object")
	}
	return nil
}

func TestAppendString(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	cases := []string{}
	for _, c := range []byte{0, 0x1f, '"', '\\', 0x80, 0xff} {
		for at := range 16 {
			b := []byte("abcdefghijklmnop")
			b[at] = c
			cases = append(cases, string(b))
		}
	}
	for _, s := range append(cases, "", "plain", `"quoted" \back\slash/`, "\x00\x01\x1f\n\r\t\x7f", "é€😀", "\xff\xfe", "a\xe2\x82b", "\uFFFD", "\u2028", string(all)) {
		out := appendString([]byte("x"), []byte(s))
		if !utf8.Valid(out) {
			t.Errorf("%q: invalid UTF-8 in %q", s, out)
		}
		var got string
		if err := json.Unmarshal(out[1:], &got); err != nil {
			t.Fatalf("%q: %s: %v", s, out, err)
		}
		if want := string([]rune(s)); got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}
