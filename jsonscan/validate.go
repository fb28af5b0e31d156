package jsonscan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Validate reports whether b is exactly one JSON value (RFC 8259), with
// only whitespace around it, whose objects and arrays nest at most
// maxDepth levels deep, and which is valid UTF-8 throughout, inside its
// strings too. A scalar is at depth 0, the members of a top-level object
// or array at depth 1; a maxDepth of 0 or less allows no object or array.
//
// Apart from the UTF-8 of strings, which encoding/json does not check,
// Validate accepts exactly what encoding/json.Valid accepts: \u escapes
// need four hexadecimal digits but may be unpaired surrogates, and a
// string may not hold a raw control character (below U+0020).
//
// It returns nil or a *SyntaxError whose Offset is the byte where the
// problem is (len(b) when the input ends too soon) and whose Msg says what
// is wrong. It does not allocate unless it fails or the nesting is deeper
// than 64 levels.
func Validate(b []byte, maxDepth int) error {
	var (
		i     int       // the next byte to read
		depth int       // how many objects and arrays are open
		obj   bool      // the innermost open one is an object
		buf   [64]bool  // room for outer to start in
		outer = buf[:0] // obj of each enclosing open one, outermost first
		code  failure   // what went wrong at i
		c     byte      // b[i]
		start int       // where the literal being matched starts
		lit   string    // the literal being matched
	)

value: // a value is expected at i, after optional whitespace
	for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
		i++
	}
	if i >= len(b) {
		code = failValue
		goto fail
	}
	switch c = b[i]; c {
	case '"':
		if i, code = skipString(b, i+1); code != 0 {
			goto fail
		}
	case '{', '[':
		if depth >= maxDepth {
			code = failDepth
			goto fail
		}
		if depth > 0 {
			outer = append(outer, obj)
		}
		depth++
		obj = c == '{'
		i++
		for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
			i++
		}
		if i < len(b) && b[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
			i++
			goto pop
		}
		if obj {
			goto key
		}
		goto value
	case 't':
		lit = "true"
		goto literal
	case 'f':
		lit = "false"
		goto literal
	case 'n':
		lit = "null"
		goto literal
	default:
		if i, code = skipNumber(b, i); code != 0 {
			goto fail
		}
	}

next: // a value ended at i
	for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
		i++
	}
	if depth == 0 {
		if i < len(b) {
			code = failTrailing
			goto fail
		}
		return nil
	}
	if i >= len(b) {
		code = failNext
		goto fail
	}
	switch b[i] {
	case ',':
		i++
		if obj {
			goto key
		}
		goto value
	case '}':
		if obj {
			i++
			goto pop
		}
	case ']':
		if !obj {
			i++
			goto pop
		}
	}
	code = failNext
	goto fail

pop: // the innermost open object or array ended just before i
	depth--
	if depth > 0 {
		obj = outer[len(outer)-1]
		outer = outer[:len(outer)-1]
	}
	goto next

key: // an object key is expected at i, after optional whitespace
	for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		code = failKey
		goto fail
	}
	if i, code = skipString(b, i+1); code != 0 {
		goto fail
	}
	for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
		i++
	}
	if i >= len(b) || b[i] != ':' {
		code = failColon
		goto fail
	}
	i++
	goto value

literal: // b[i] starts what must be lit
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		i += len(lit)
		goto next
	}
	start = i
	for i < len(b) && b[i] == lit[i-start] {
		i++
	}
	code = failLiteral
	goto fail

fail:
	return syntaxError(b, i, code, depth, obj, maxDepth, lit)
}

// failure says what went wrong where Validate stopped.
type failure uint8

const (
	failNone      failure = iota
	failValue             // no value where one must start
	failKey               // no key where one must start
	failColon             // no ':' after a key
	failNext              // no ',' or closing bracket after a value
	failTrailing          // more than whitespace after the value
	failDepth             // an object or array too deep
	failLiteral           // not the true, false or null it started as
	failEOFString         // the input ends in a string
	failControl           // a raw control character in a string
	failUTF8              // invalid UTF-8 in a string
	failEscape            // a backslash followed by the wrong character
	failHex               // a \u escape without four hex digits
	failMinus             // no digit after '-'
	failPoint             // no digit after '.'
	failExponent          // no digit in an exponent
	failZero              // a leading zero
)

// syntaxError returns the error of a failure at b[i]; depth, obj,
// maxDepth and lit are Validate's.
func syntaxError(b []byte, i int, code failure, depth int, obj bool, maxDepth int, lit string) error {
	where := "an array"
	if obj {
		where = "an object"
	}
	if i >= len(b) {
		switch code {
		case failValue, failKey, failColon, failNext:
			if depth == 0 {
				return Errorf(i, "unexpected end of input")
			}
			return Errorf(i, "unexpected end of input in %s", where)
		case failEOFString, failEscape, failHex, failUTF8:
			return Errorf(i, "unexpected end of input in a string")
		case failLiteral:
			return Errorf(i, "unexpected end of input in the literal %s", lit)
		}
		return Errorf(i, "unexpected end of input in a number")
	}
	ch := describe(b, i)
	switch code {
	case failValue:
		return Errorf(i, "invalid %s looking for the start of a value", ch)
	case failKey:
		return Errorf(i, "invalid %s looking for the start of an object key", ch)
	case failColon:
		return Errorf(i, "invalid %s after an object key", ch)
	case failNext:
		if obj {
			return Errorf(i, "invalid %s after an object value", ch)
		}
		return Errorf(i, "invalid %s after an array element", ch)
	case failTrailing:
		return Errorf(i, "data after the JSON value")
	case failDepth:
		if maxDepth == 1 {
			return Errorf(i, "nested deeper than 1 level")
		}
		return Errorf(i, "nested deeper than %d levels", max(maxDepth, 0))
	case failLiteral:
		return Errorf(i, "invalid %s in the literal %s", ch, lit)
	case failControl:
		return Errorf(i, "control character U+%04X in a string", b[i])
	case failUTF8:
		return Errorf(i, "invalid UTF-8 in a string")
	case failEscape:
		return Errorf(i, `invalid %s after a backslash in a string`, ch)
	case failHex:
		return Errorf(i, `invalid %s in a \u escape`, ch)
	case failMinus:
		return Errorf(i, "invalid number: no digit after the minus sign")
	case failPoint:
		return Errorf(i, "invalid number: no digit after the decimal point")
	case failExponent:
		return Errorf(i, "invalid number: no digit in the exponent")
	case failZero:
		return Errorf(i, "invalid number: leading zero")
	}
	return Errorf(i, "invalid JSON")
}

// describe names the character at b[i] for an error message: character
// 'x', character U+000A, or byte 0xFF where b[i] does not start valid
// UTF-8.
func describe(b []byte, i int) string {
	r, size := utf8.DecodeRune(b[i:])
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf("byte 0x%02X", b[i])
	case strconv.IsPrint(r):
		return "character " + strconv.QuoteRune(r)
	}
	return fmt.Sprintf("character U+%04X", r)
}

// isSpace tells the bytes that JSON takes as whitespace.
var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// isHex tells the hexadecimal digits.
var isHex = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] = true
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipString returns the offset just past the closing quote of the string
// whose body starts at b[i]. When the string is not valid UTF-8, holds a
// raw control character or a bad escape, or is not closed, it returns the
// offset of the byte at fault, or len(b), and why.
func skipString(b []byte, i int) (int, failure) {
	for {
		// Eight bytes at a time, to the first that is a quote, a
		// backslash, a control character or not ASCII: the lowest byte
		// flagged in m is always one of these, as only such a byte can
		// borrow from the byte above.
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			q := w ^ (ones * '"')
			s := w ^ (ones * '\\')
			m := ((q - ones) | (s - ones) | (w - ones*0x20) | w) & highs
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto special
			}
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, failEOFString
		}
	special:
		switch c := b[i]; {
		case c == '"':
			return i + 1, failNone
		case c == '\\':
			if i+1 >= len(b) {
				return len(b), failEOFString
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) || !isHex[b[k]] {
						return k, failHex
					}
				}
				i += 6
			default:
				return i + 1, failEscape
			}
		case c < 0x20:
			return i, failControl
		default:
			n := runeLen(b, i)
			if n == 0 {
				return i, failUTF8
			}
			i += n
		}
	}
}

// plain tells the bytes a string may hold as they are, other than the
// bytes of multi-byte UTF-8 sequences.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// runeLen returns the length of the valid UTF-8 sequence of two to four
// bytes at b[i], or 0 when there is none.
func runeLen(b []byte, i int) int {
	c := b[i]
	switch {
	case c < 0xC2:
		return 0
	case c < 0xE0:
		if i+1 < len(b) && b[i+1]&0xC0 == 0x80 {
			return 2
		}
		return 0
	case c < 0xF0:
		if i+2 >= len(b) {
			return 0
		}
		lo, hi := byte(0x80), byte(0xBF)
		switch c {
		case 0xE0:
			lo = 0xA0 // no overlong encodings
		case 0xED:
			hi = 0x9F // no surrogates
		}
		if c1 := b[i+1]; c1 < lo || c1 > hi || b[i+2]&0xC0 != 0x80 {
			return 0
		}
		return 3
	case c < 0xF5:
		if i+3 >= len(b) {
			return 0
		}
		lo, hi := byte(0x80), byte(0xBF)
		switch c {
		case 0xF0:
			lo = 0x90 // no overlong encodings
		case 0xF4:
			hi = 0x8F // nothing past U+10FFFF
		}
		if c1 := b[i+1]; c1 < lo || c1 > hi || b[i+2]&0xC0 != 0x80 || b[i+3]&0xC0 != 0x80 {
			return 0
		}
		return 4
	}
	return 0
}

// skipNumber returns the offset just past the number that starts at b[i],
// or the offset of the byte at fault and why.
func skipNumber(b []byte, i int) (int, failure) {
	c := b[i]
	if c == '-' {
		i++
		if i >= len(b) {
			return i, failMinus
		}
		c = b[i]
		if c-'0' > 9 {
			return i, failMinus
		}
	}
	switch {
	case c == '0':
		i++
		if i < len(b) && b[i]-'0' <= 9 {
			return i - 1, failZero
		}
	case c-'1' <= 8:
		i++
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	default:
		return i, failValue
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i]-'0' > 9 {
			return i, failPoint
		}
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i]-'0' > 9 {
			return i, failExponent
		}
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	}
	return i, failNone
}
