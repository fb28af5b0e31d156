// Package prefilter rejects, without parsing them, the JSON documents that
// contain none of a set of literals.
//
// Most events match no rule, and most rules require some literal to
// appear in an event's bytes: the quoted event name an exact match names,
// the opening of a prefix. One pass over the bytes that finds none of the
// literals of any rule proves that no rule can match, at a fraction of the
// cost of parsing. The pass looks up windows of the document's bytes, at a
// stride the shortest literal allows, in a bitmap of the literals' own
// windows, and compares a literal only where the bitmap says it may be.
//
// Matching is ASCII case-insensitive, which serves case-insensitive rules
// and only adds candidates for case-sensitive ones, except that a few
// short literals compared with case may be looked for as written. A document with a
// \u or \/ escape may spell a literal in a way the scan cannot see, so it
// is always a candidate; so is a document with non-ASCII bytes when some
// literal is matched with full Unicode case folding (the Kelvin sign is a
// capital K).
package prefilter

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// MinLen is the shortest literal a Set can look for.
const MinLen = 4

const (
	maxStride = 8
	// longLen is the length from which literals are indexed by windows of
	// eight bytes rather than four: four bytes of a literal ("sion",
	// "Role") occur in most documents by chance, eight rarely do. (A cost
	// model choosing the length per set of literals did no better.)
	longLen = 12
	// tinyLen is the length below which a few literals that are compared
	// with case are looked for one by one (see anchored), rather than
	// setting a short stride for a whole index.
	tinyLen, maxTiny = 8, 4
	// A bitmap has at least 32 bits per indexed window, so that only a
	// few percent of a document's windows need comparing, between these
	// sizes (1 KiB, for the L1 cache, and 512 KiB).
	minBits, maxBits = 13, 22
)

// Literal is a string to look for.
type Literal struct {
	Text string
	// Fold says the rule compares it with Unicode case folding.
	Fold bool
}

// Set is a compiled set of literals.
type Set struct {
	lits    [][]byte // in lower case
	unicode bool     // some literal folds case beyond ASCII
	exact   []anchored
	long    *index // literals of longLen bytes or more
	short   *index // the others
}

// anchored is a tiny literal compared with case, found by looking for its
// rarest byte with the runtime's vectorized byte search and comparing the
// literal around each occurrence.
type anchored struct {
	lit []byte
	at  int // offset of the rarest byte
}

func newAnchored(l string) anchored {
	a := anchored{lit: []byte(l)}
	for i := range l {
		if commonness[l[i]] <= commonness[l[a.at]] {
			a.at = i
		}
	}
	return a
}

func (a anchored) in(doc []byte) bool {
	c := a.lit[a.at]
	for i := a.at; i < len(doc); {
		j := bytes.IndexByte(doc[i:], c)
		if j < 0 {
			return false
		}
		i += j
		if start := i - a.at; start >= 0 && start+len(a.lit) <= len(doc) && bytes.Equal(doc[start:start+len(a.lit)], a.lit) {
			return true
		}
		i++
	}
	return false
}

// commonness ranks bytes by how often they occur in JSON logs: JSON's own
// punctuation most, then lower-case letters and digits (keys, names,
// identifiers, times), then the rest. It is a property of the format, not
// of any particular log.
var commonness = func() (t [256]uint8) {
	for c := range t {
		switch {
		case strings.IndexByte(`"{}[]:,`, byte(c)) >= 0:
			t[c] = 4
		case strings.IndexByte("etaoinsrlcdum", byte(c)) >= 0:
			t[c] = 3
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte(" -._/", byte(c)) >= 0:
			t[c] = 2
		case 'A' <= c && c <= 'Z':
			t[c] = 1
		}
	}
	return t
}()

// index finds literals by windows of their bytes.
//
// When the shortest literal has n bytes and windows have w, any occurrence
// of a literal covers a window that starts at a multiple of stride =
// n-w+1 (up to maxStride), so only those windows of a document are looked
// up, and each literal is indexed by stride consecutive windows of its
// own. Which ones is chosen literal by literal, to avoid the windows many
// literals contain: literals share their starts ("CreateUser",
// "CreateRole") and the ARN syntax and account numbers of one
// organisation, and what many literals share, documents do too. A window
// found in a document means comparing every literal indexed by it.
type index struct {
	width  int
	stride int
	bits   []uint64 // one bit per hash: some literal is indexed by it
	shift  uint64
	// The literals indexed by each hash are entries[first[h]:first[h+1]],
	// for the hashes whose bit is set.
	first   []int32
	entries []entry
}

// entry is a literal and the offset of the window it was indexed by.
type entry struct{ lit, off int32 }

// New returns the Set of the given literals. Literals shorter than MinLen
// are not allowed: the caller must not depend on them.
func New(literals []Literal) *Set {
	s := &Set{}
	seen := map[string]bool{}
	var long, short []int
	var tiny []Literal
	for _, l := range literals {
		if len(l.Text) < MinLen {
			panic("prefilter: literal shorter than MinLen: " + l.Text)
		}
		if len(l.Text) < tinyLen && !l.Fold {
			tiny = append(tiny, l)
		}
	}
	if len(tiny) > maxTiny {
		tiny = nil
	}
	for _, l := range tiny {
		if !seen["="+l.Text] {
			seen["="+l.Text] = true
			s.exact = append(s.exact, newAnchored(l.Text))
		}
	}
	for _, l := range literals {
		if len(l.Text) < tinyLen && !l.Fold && tiny != nil {
			continue
		}
		s.unicode = s.unicode || l.Fold
		low := string(lowerASCII([]byte(l.Text)))
		if !seen[low] {
			seen[low] = true
			s.lits = append(s.lits, []byte(low))
		}
	}
	for i, l := range s.lits {
		if len(l) >= longLen {
			long = append(long, i)
		} else {
			short = append(short, i)
		}
	}
	s.long = s.newIndex(8, long)
	s.short = s.newIndex(4, short)
	return s
}

func (s *Set) newIndex(width int, lits []int) *index {
	if len(lits) == 0 {
		return nil
	}
	x := &index{width: width, stride: maxStride}
	for _, li := range lits {
		x.stride = min(x.stride, len(s.lits[li])-width+1)
	}
	bits := minBits
	for bits < maxBits && 1<<bits < 32*x.stride*len(lits) {
		bits++
	}
	x.bits, x.shift = make([]uint64, 1<<bits/64), uint64(64-bits)

	// How many literals contain each window, anywhere.
	common := map[uint64]int{}
	for _, li := range lits {
		l := s.lits[li]
		seen := map[uint64]bool{}
		for off := 0; off+width <= len(l); off++ {
			if h := x.hash(l[off:]); !seen[h] {
				seen[h] = true
				common[h]++
			}
		}
	}
	byHash := map[uint64][]entry{}
	for _, li := range lits {
		l := s.lits[li]
		start := x.windows(l, common)
		for off := start; off < start+x.stride; off++ {
			h := x.hash(l[off:])
			x.bits[h/64] |= 1 << (h % 64)
			byHash[h] = append(byHash[h], entry{int32(li), int32(off)})
		}
	}
	x.first = make([]int32, 1<<bits+1)
	for h := range 1 << bits {
		x.first[h] = int32(len(x.entries))
		x.entries = append(x.entries, byHash[uint64(h)]...)
	}
	x.first[1<<bits] = int32(len(x.entries))
	return x
}

// windows returns the offset of the first of the stride windows to index
// a literal by: the run of windows that the fewest literals contain, the
// latest of those (the end of a literal is usually what sets it apart).
func (x *index) windows(l []byte, common map[uint64]int) int {
	best, bestCost := 0, -1
	for start := 0; start+x.stride-1+x.width <= len(l); start++ {
		cost := 0
		for off := start; off < start+x.stride; off++ {
			cost += common[x.hash(l[off:])]
		}
		if bestCost < 0 || cost <= bestCost {
			best, bestCost = start, cost
		}
	}
	return best
}

// hash maps the window at the start of b, ASCII case folded coarsely (bit
// 0x20 set in every byte, which folds letters and merges a few other
// pairs), to a bit.
// (The scanning loops of index.any repeat it, specialized by width.)
func (x *index) hash(b []byte) uint64 {
	if x.width == 8 {
		return (binary.LittleEndian.Uint64(b) | 0x2020202020202020) * mix >> x.shift
	}
	return uint64(binary.LittleEndian.Uint32(b)|0x20202020) * mix >> x.shift
}

// mix is the multiplier of the hashes (2^64 divided by the golden ratio).
const mix = 0x9E3779B97F4A7C15

// Len returns the number of distinct literals.
func (s *Set) Len() int { return len(s.lits) + len(s.exact) }

// Any reports whether doc may contain one of the literals: it is never
// false when doc contains one, as written or, for a Fold literal, in any
// case.
func (s *Set) Any(doc []byte) bool {
	if s.Len() == 0 {
		return false
	}
	if escaped(doc) || s.unicode && !ascii(doc) {
		return true
	}
	for _, a := range s.exact {
		if a.in(doc) {
			return true
		}
	}
	return s.long.any(s, doc) || s.short.any(s, doc)
}

// any looks up the windows of doc at the index's stride. It reads four
// windows per round and tests their bits together: the lookups are
// independent, and most rounds find nothing.
func (x *index) any(s *Set, doc []byte) bool {
	if x == nil {
		return false
	}
	bits, shift, stride, width := x.bits, x.shift&63, x.stride, x.width
	hash := func(i int) uint64 {
		if width == 8 {
			return (binary.LittleEndian.Uint64(doc[i:i+8]) | 0x2020202020202020) * mix >> shift
		}
		return uint64(binary.LittleEndian.Uint32(doc[i:i+4])|0x20202020) * mix >> shift
	}
	test := func(h uint64) uint64 { return bits[h>>6] & (1 << (h & 63)) }
	i := 0
	for ; i+3*stride+width <= len(doc); i += 4 * stride {
		h0, h1, h2, h3 := hash(i), hash(i+stride), hash(i+2*stride), hash(i+3*stride)
		if test(h0)|test(h1)|test(h2)|test(h3) == 0 {
			continue
		}
		for k, h := range [4]uint64{h0, h1, h2, h3} {
			if test(h) != 0 && x.verify(s, doc, i+k*stride, h) {
				return true
			}
		}
	}
	for ; i+width <= len(doc); i += stride {
		if h := hash(i); test(h) != 0 && x.verify(s, doc, i, h) {
			return true
		}
	}
	return false
}

// verify reports whether a literal indexed by hash h occurs so that its
// window is at doc[i:].
func (x *index) verify(s *Set, doc []byte, i int, h uint64) bool {
	for _, e := range x.entries[x.first[h]:x.first[h+1]] {
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

// ascii reports whether doc has only ASCII bytes.
func ascii(doc []byte) bool {
	i := 0
	for ; i+8 <= len(doc); i += 8 {
		if binary.LittleEndian.Uint64(doc[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(doc); i++ {
		if doc[i] >= 0x80 {
			return false
		}
	}
	return true
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
