// Package jsonscan moves over JSON text without decoding it: past
// whitespace, strings, numbers and whole values. It is the shared lower
// layer of field extraction and of splitting inputs into events.
package jsonscan

import (
	"bytes"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply objects and arrays may nest.
const MaxDepth = 1000

// SyntaxError describes malformed JSON and where it was found.
type SyntaxError struct {
	Offset int // byte offset in the text
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at offset %d: %s", e.Offset, e.Msg)
}

// Errorf returns a SyntaxError at an offset.
func Errorf(offset int, format string, args ...any) error {
	return &SyntaxError{Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// Space returns the offset of the first byte at or after i that is not
// JSON whitespace.
func Space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// String returns the offset just past the string that starts at b[i].
func String(b []byte, i int) (int, error) {
	start := i
	i++
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, Errorf(start, "unterminated string")
		}
		i += j
		bs := 0
		for k := i - 1; k > start && b[k] == '\\'; k-- {
			bs++
		}
		i++
		if bs%2 == 0 {
			return i, nil
		}
	}
}

// Value returns the offset just past the value that starts at b[i],
// nested at most MaxDepth-depth levels. Only brackets, string ends and
// the form of scalars are checked.
func Value(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, Errorf(i, "unexpected end of input")
	}
	switch b[i] {
	case '"':
		return String(b, i)
	case '{', '[':
		return container(b, i, depth)
	}
	if n := Scalar(b[i:]); n > 0 {
		return i + n, nil
	}
	return 0, Errorf(i, "unexpected character %q", b[i])
}

func container(b []byte, i, depth int) (int, error) {
	start := i
	var buf [64]byte
	open := buf[:0] // the closing bracket each open one needs
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			var err error
			if i, err = String(b, i); err != nil {
				return 0, err
			}
			continue
		case '{', '[':
			if depth+len(open)+1 > MaxDepth {
				return 0, Errorf(i, "nested deeper than %d levels", MaxDepth)
			}
			open = append(open, c+2) // '{'+2 is '}', '['+2 is ']'
		case '}', ']':
			if open[len(open)-1] != c {
				return 0, Errorf(i, "unexpected %q: expected %q", c, open[len(open)-1])
			}
			open = open[:len(open)-1]
			if len(open) == 0 {
				return i + 1, nil
			}
		}
		i++
	}
	return 0, Errorf(start, "unexpected end of input")
}

// Scalar returns the length of the number, true, false or null at the
// start of b, or 0 when there is none.
func Scalar(b []byte) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(b) >= len(lit) && string(b[:len(lit)]) == lit {
			return len(lit)
		}
	}
	return NumberLen(b)
}

// NumberLen returns the length of the JSON number at the start of b, or 0
// when b does not start with one.
func NumberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(b, i+1); i < 0 {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(b, i); i < 0 {
			return 0
		}
	}
	return i
}

// digits returns the offset after the digits that start at b[i], or -1
// when there are none.
func digits(b []byte, i int) int {
	start := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// AppendUnquoted appends the content of a JSON string to dst, decoding its
// escapes; body is what stands between the quotes. An unpaired surrogate
// decodes to U+FFFD, as in encoding/json.
func AppendUnquoted(dst, body []byte) ([]byte, error) {
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			if c < 0x20 {
				return nil, Errorf(i, "control character in a string")
			}
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(body) {
			return nil, Errorf(i, "unterminated escape")
		}
		i++
		switch e := body[i]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(body[i+1:])
			if !ok {
				return nil, Errorf(i-1, `invalid \u escape`)
			}
			i += 4
			if utf16.IsSurrogate(r) {
				lo, ok := rune(0), false
				if i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
					lo, ok = hex4(body[i+3:])
				}
				if d := utf16.DecodeRune(r, lo); ok && d != utf8.RuneError {
					r, i = d, i+6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return nil, Errorf(i-1, "invalid escape '\\%c'", e)
		}
	}
	return dst, nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
