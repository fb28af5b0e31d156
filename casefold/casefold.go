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
		c := b[0]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			b = b[1:]
			continue
		}
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

// String returns s in lower case, as Append lowers it.
func String(s string) string { return string(Append(nil, []byte(s))) }

// Buffer lowers values into memory it reuses.
type Buffer struct{ b []byte }

// Lower returns b in lower case: b itself when it has nothing to lower,
// else a slice of the buffer valid until the next call.
func (f *Buffer) Lower(b []byte) []byte {
	for _, c := range b {
		if c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			f.b = Append(f.b[:0], b)
			return f.b
		}
	}
	return b
}
