package engine

import (
	"encoding/binary"
	"unicode/utf8"

	"vigil/casefold"
)

// anchorMap maps the values of an anchor field, in lower case, to the
// programs they anchor. Looking up a value needs neither a lowered copy
// nor a string: ASCII is folded while hashing and comparing, which is
// most of the time spent on Sigma rules' anchors.
type anchorMap struct {
	slots []anchorSlot // a power of two, at most half full
	n     int
	// lens has bit n set when a key is n bytes long, and bit 63 for keys
	// of 63 bytes or more: values of other lengths need no hashing (long
	// values, such as user agents, are common in anchor fields).
	lens uint64
}

type anchorSlot struct {
	hash  uint64
	key   string // lower case
	progs []int32
}

// add records that the value key anchors program p.
func (m *anchorMap) add(key string, p int32) {
	key = casefold.String(key)
	if 2*(m.n+1) > len(m.slots) {
		m.grow()
	}
	m.lens |= lenBit(len(key))
	s := m.find([]byte(key), foldHash([]byte(key)))
	if s.progs == nil {
		s.hash, s.key = foldHash([]byte(key)), key
		m.n++
	}
	for _, q := range s.progs {
		if q == p {
			return
		}
	}
	s.progs = append(s.progs, p)
}

func (m *anchorMap) grow() {
	old := m.slots
	m.slots = make([]anchorSlot, max(8, 2*len(old)))
	for _, s := range old {
		if s.progs != nil {
			*m.find([]byte(s.key), s.hash) = s
		}
	}
}

// get returns the programs a value anchors. f lowers values that are not
// ASCII.
func (m *anchorMap) get(v []byte, f *casefold.Buffer) []int32 {
	if !ascii(v) {
		v = f.Lower(v) // which may change its length
	}
	if m.lens&lenBit(len(v)) == 0 {
		return nil
	}
	return m.find(v, foldHash(v)).progs
}

func lenBit(n int) uint64 { return 1 << min(n, 63) }

// ascii reports whether b is all ASCII, eight bytes at a time.
func ascii(b []byte) bool {
	for ; len(b) >= 8; b = b[8:] {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// find returns the slot of v, or the empty slot where it would go.
func (m *anchorMap) find(v []byte, h uint64) *anchorSlot {
	mask := uint64(len(m.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.progs == nil || s.hash == h && equalFold(v, s.key) {
			return s
		}
	}
}

// foldHash is FNV-1a over the bytes of b with ASCII letters lowered.
func foldHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// equalFold reports whether b equals the lower-case key but for the case
// of ASCII letters.
func equalFold(b []byte, key string) bool {
	if len(b) != len(key) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != key[i] {
			return false
		}
	}
	return true
}
