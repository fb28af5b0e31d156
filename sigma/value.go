package sigma

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf16"
)

// text is a Sigma string value: literal runs and wildcards.
type text []piece

// piece is a literal run, or a wildcard: '*' any run of characters, '?'
// one character.
type piece struct {
	lit  string
	wild byte // 0 for a literal run
}

// parseText reads a Sigma string: '*' and '?' are wildcards, and a
// backslash escapes a wildcard or another backslash; any other backslash
// is itself ("C:\Windows" needs no doubling).
func parseText(s string) text {
	var t text
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t = append(t, piece{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*' || c == '?':
			flush()
			t = append(t, piece{wild: c})
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return t
}

// literal returns t as plain text with an error when it has wildcards.
func (t text) literal(mod string) (string, error) {
	var b strings.Builder
	for _, p := range t {
		if p.wild != 0 {
			return "", fmt.Errorf("%s cannot encode a value with wildcards", mod)
		}
		b.WriteString(p.lit)
	}
	return b.String(), nil
}

func (t text) String() string {
	var b strings.Builder
	for _, p := range t {
		if p.wild != 0 {
			b.WriteByte(p.wild)
		} else {
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// wrap puts '*' before and/or after t, as contains, startswith and
// endswith do.
func (t text) wrap(before, after bool) text {
	out := make(text, 0, len(t)+2)
	if before && (len(t) == 0 || t[0].wild != '*') {
		out = append(out, piece{wild: '*'})
	}
	out = append(out, t...)
	if after && (len(out) == 0 || out[len(out)-1].wild != '*') {
		out = append(out, piece{wild: '*'})
	}
	return out
}

// mapLiterals replaces each literal run by the alternatives f gives it,
// returning every combination.
func (t text) mapLiterals(f func(string) []string) []text {
	out := []text{nil}
	for _, p := range t {
		alts := []piece{p}
		if p.wild == 0 {
			alts = nil
			for _, s := range f(p.lit) {
				alts = append(alts, piece{lit: s})
			}
		}
		next := make([]text, 0, len(out)*len(alts))
		for _, o := range out {
			for _, a := range alts {
				next = append(next, append(o[:len(o):len(o)], a))
			}
		}
		out = next
	}
	return out
}

// dashes are the characters windash makes interchangeable.
var dashes = []string{"-", "/", "–", "—", "―"}

// maxWindash bounds the variants windash makes of one value.
const maxWindash = 3125

// windash returns every variant of s in which each '-' or '/' that starts
// a command-line flag (one that follows a non-word character or the
// start, and precedes a word character: the regular expression \B[-/]\b)
// is replaced by each of the dashes.
func windash(s string) []string {
	out := []string{""}
	last := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c == '-' || c == '/') && (i == 0 || !word(s[i-1])) && i+1 < len(s) && word(s[i+1]) &&
			len(out)*len(dashes) <= maxWindash {
			next := make([]string, 0, len(out)*len(dashes))
			for _, o := range out {
				for _, d := range dashes {
					next = append(next, o+s[last:i]+d)
				}
			}
			out, last = next, i+1
		}
	}
	for i := range out {
		out[i] += s[last:]
	}
	return out
}

func word(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// utf16Bytes encodes s as UTF-16 in the given byte order, with a byte
// order mark first when bom is set.
func utf16Bytes(s string, bigEndian, bom bool) string {
	units := utf16.Encode([]rune(s))
	var b []byte
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// base64Offsets returns the three encodings of s as it appears in base64
// at each offset modulo 3 within a longer encoded text, without the
// characters that depend on the neighbouring bytes (as pySigma cuts them).
func base64Offsets(s string) []string {
	starts := [3]int{0, 2, 3}
	ends := [3]int{0, -3, -2} // 0: to the end
	var out []string
	for shift := range 3 {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", shift) + s))
		end := len(enc) + ends[(len(s)+shift)%3]
		if start := starts[shift]; start < end {
			out = append(out, enc[start:end])
		}
	}
	return out
}
