// Package prefilter rejects, without parsing them, the JSON documents that
// contain none of a set of literals.
//
// Most events match no rule, and most rules require some literal to
// appear in an event's bytes: the quoted event name an exact match names,
// the opening of a prefix. One pass over the bytes that finds none of the
// literals of any rule proves that no rule can match, at a fraction of the
// cost of parsing. The pass looks up 4-byte windows of the document, at a
// stride the shortest literal allows, in a small bitmap of the literals'
// windows, and compares a literal only where the bitmap says it may be.
//
// Matching is ASCII case-insensitive, which serves case-insensitive rules
// and only adds candidates for case-sensitive ones. A document with a
// \u or \/ escape may spell a literal in a way the scan cannot see, so it
// is always a candidate.
package prefilter

import (
	"bytes"
	"encoding/binary"
)

// MinLen is the shortest literal a Set can look for.
const MinLen = 4

const (
	hashBits  = 17
	mult      = 0x9E3779B1
	maxStride = 8
)

// Set is a compiled set of literals.
//
// When the shortest literal has n bytes, any occurrence of a literal covers
// a window that starts at a multiple of stride = n-3 (up to maxStride), so
// only those windows are looked up, and each literal is indexed by its
// first stride windows.
type Set struct {
	bits    [1 << hashBits / 64]uint64
	buckets map[uint32][]entry // literals by the hash of one of their windows
	lits    [][]byte           // in lower case
	stride  int
}

// entry is a literal and the offset of the window it was indexed by.
type entry struct{ lit, off int32 }

// New returns the Set of the given literals. Literals shorter than MinLen
// are not allowed: the caller must not depend on them.
func New(literals []string) *Set {
	s := &Set{buckets: map[uint32][]entry{}, stride: maxStride}
	seen := map[string]bool{}
	for _, l := range literals {
		if len(l) < MinLen {
			panic("prefilter: literal shorter than MinLen: " + l)
		}
		low := string(lowerASCII([]byte(l)))
		if !seen[low] {
			seen[low] = true
			s.lits = append(s.lits, []byte(low))
			s.stride = min(s.stride, len(low)-MinLen+1)
		}
	}
	for li, l := range s.lits {
		for off := 0; off < s.stride; off++ {
			h := hash(binary.LittleEndian.Uint32(l[off:]))
			s.bits[h/64] |= 1 << (h % 64)
			s.buckets[h] = append(s.buckets[h], entry{int32(li), int32(off)})
		}
	}
	return s
}

// Len returns the number of distinct literals.
func (s *Set) Len() int { return len(s.lits) }

// hash maps four bytes, ASCII case folded coarsely (bit 0x20 set in every
// byte, which folds letters and merges a few other pairs), to a bit.
func hash(gram uint32) uint32 {
	return (gram | 0x20202020) * mult >> (32 - hashBits)
}

// Any reports whether doc may contain one of the literals. It is never
// false when doc contains one.
func (s *Set) Any(doc []byte) bool {
	if len(s.lits) == 0 {
		return false
	}
	if escaped(doc) {
		return true
	}
	for i := 0; i+MinLen <= len(doc); i += s.stride {
		h := hash(binary.LittleEndian.Uint32(doc[i:]))
		if s.bits[h/64]&(1<<(h%64)) != 0 && s.verify(doc, i, h) {
			return true
		}
	}
	return false
}

// verify reports whether a literal indexed by hash h occurs so that its
// window is at doc[i:].
func (s *Set) verify(doc []byte, i int, h uint32) bool {
	for _, e := range s.buckets[h] {
		l := s.lits[e.lit]
		at := i - int(e.off)
		if at >= 0 && at+len(l) <= len(doc) && equalFoldASCII(doc[at:at+len(l)], l) {
			return true
		}
	}
	return false
}

// escaped reports whether doc has an escape that can spell a literal's
// characters differently: \u can spell any, \/ a slash.
func escaped(doc []byte) bool {
	for {
		i := bytes.IndexByte(doc, '\\')
		if i < 0 || i+1 >= len(doc) {
			return false
		}
		switch doc[i+1] {
		case 'u', '/':
			return true
		}
		doc = doc[i+2:]
	}
}

func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lowerTable[c]
	}
	return out
}

// equalFoldASCII reports whether a, in any case, equals low, in lower case.
func equalFoldASCII(a, low []byte) bool {
	for i, c := range low {
		if lowerTable[a[i]] != c {
			return false
		}
	}
	return true
}

var lowerTable = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()
