// Package casefold lowers text for case-insensitive matching, without
// allocating once its buffer has grown.
package casefold

import (
	"unicode"
	"unicode/utf8"
)

// Append appends b in lower case to dst: ASCII letters directly, other
// characters with unicode.ToLower; invalid UTF-8 bytes are kept.
func Append(dst, b []byte) []byte {
	for len(b) > 0 {
		// Runs of ASCII, the common case, go through a table.
		n := 0
		for n < len(b) && b[n] < utf8.RuneSelf {
			n++
		}
		start := len(dst)
		dst = append(dst, b[:n]...)
		for i, c := range dst[start:] {
			dst[start+i] = lower[c]
		}
		if b = b[n:]; len(b) == 0 {
			break
		}
		c := b[0]
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		b = b[n:]
	}
	return dst
}

var lower = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// String returns s in lower case, as Append lowers it.
func String(s string) string { return string(Append(nil, []byte(s))) }

// Buffer lowers values into memory it reuses.
type Buffer struct{ b []byte }

// Lower returns b in lower case: b itself when it has nothing to lower,
// else a slice of the buffer valid until the next call.
func (f *Buffer) Lower(b []byte) []byte {
	for i, c := range b {
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			f.b = Append(append(f.b[:0], b[:i]...), b[i:])
			return f.b
		}
	}
	return b
}
