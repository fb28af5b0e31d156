package logline

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// jsonSafe tells the bytes that stand for themselves inside a JSON string.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(dst, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// appendEscaped appends s as the inside of a JSON string: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced by
// U+FFFD.
func appendEscaped(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && !special8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r != utf8.RuneError || size > 1 {
				i += size
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			} else {
				dst = append(dst, "\uFFFD"...)
			}
		}
		i++
		start = i
	}
	return append(dst, s[start:]...)
}

// special8 reports whether one of the eight bytes of x is not safe in a
// JSON string: a control character, a quote, a backslash or a byte of
// UTF-8 to check.
func special8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return (x-ones*0x20)&^x&highs|zero(x^ones*'"')|zero(x^ones*'\\')|x&highs != 0
}

// quoteTail turns the bytes of dst from offset from on, which a decoder
// has just appended, into a JSON string in their place.
func quoteTail(dst []byte, from int) []byte {
	end := len(dst)
	dst = appendString(dst, dst[from:end])
	n := copy(dst[from:], dst[end:])
	return dst[:from+n]
}

// comma appends the comma that separates a member from the one before it,
// unless dst ends with the opening brace of the object.
func comma(dst []byte) []byte {
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	return dst
}

// appendField appends a member whose key, quoted and followed by a colon,
// is key, and whose value is the JSON string of v.
func appendField(dst []byte, key string, v []byte) []byte {
	dst = append(comma(dst), key...)
	return appendString(dst, v)
}

// keySet remembers the keys written into an object, so that a key that
// comes again is left out. The first keys are kept inline, in a small
// hash table, so that most objects need no allocation.
type keySet struct {
	n     int
	spans [64]keySpan
	slots [128]uint8 // index in spans + 1 of the keys, by hash; 0 if free
	more  map[string]struct{}
}

// keySpan is where an encoded key is in the output.
type keySpan struct {
	off, end int
	hash     uint32
}

// add reports whether the key dst[off:end] is new, and remembers it.
func (s *keySet) add(dst []byte, off, end int) bool {
	k := dst[off:end] // quoted: at least two bytes
	h := (uint32(len(k)) | uint32(k[1])<<8 | uint32(k[len(k)/2])<<16 | uint32(k[len(k)-2])<<24) * 0x9E3779B1
	slot := h >> 25 // 7 bits: an index in slots
	for ; s.slots[slot] != 0; slot = (slot + 1) % uint32(len(s.slots)) {
		sp := s.spans[s.slots[slot]-1]
		if sp.hash == h && bytes.Equal(dst[sp.off:sp.end], k) {
			return false
		}
	}
	if s.n < len(s.spans) {
		s.spans[s.n] = keySpan{off, end, h}
		s.n++
		s.slots[slot] = uint8(s.n)
		return true
	}
	if _, ok := s.more[string(k)]; ok {
		return false
	}
	if s.more == nil {
		s.more = make(map[string]struct{})
	}
	s.more[string(k)] = struct{}{}
	return true
}

// member appends the key k of a new member and the colon after it; k
// must be bytes that stand for themselves in a JSON string. If the object
// already has the key, ok is false and dst is returned unchanged.
func (s *keySet) member(dst, k []byte) (_ []byte, ok bool) {
	mark := len(dst)
	dst = comma(dst)
	off := len(dst)
	dst = append(append(append(dst, '"'), k...), '"')
	return s.end(dst, mark, off)
}

// end finishes a key that was written from offset off, after a separating
// comma written from mark: it appends the colon, or, if the object already
// has the key, returns dst cut back to mark and false.
func (s *keySet) end(dst []byte, mark, off int) (_ []byte, ok bool) {
	if !s.add(dst, off, len(dst)) {
		return dst[:mark], false
	}
	return append(dst, ':'), true
}
