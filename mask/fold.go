package mask

import (
	"strings"
	"unicode/utf8"
)

// Text typed with a Chinese input method often holds full-width forms:
// "１３８００１３８０００", "密码：ｈｕｎｔｅｒ２", "（138）00138000". Masking
// matches a folded copy of the text, where those read as ASCII, and masks
// the text as it was: what it keeps is shown as written.

// folded is a text and its folded copy, with where each byte of the copy
// comes from in the text.
type folded struct {
	orig string
	s    string // the copy that is matched
	// off[i] is the offset in orig of the character that s[i] is part
	// of, and off[len(s)] is len(orig); nil when s is orig.
	off []int
}

// fold returns the folded copy of s: full-width ASCII (U+FF01 to U+FF5E)
// as ASCII, the ideographic space as a space, and the dashes of
// U+2010 to U+2015 and U+2212 as hyphens. Everything else, invalid
// UTF-8 included, is copied as it is.
func fold(s string) folded {
	if !foldable(s) {
		return folded{orig: s, s: s}
	}
	var b strings.Builder
	b.Grow(len(s))
	off := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if a, ok := halfWidth(r); ok && n > 1 {
			b.WriteByte(a)
			off = append(off, i)
		} else {
			b.WriteString(s[i : i+n])
			for k := range n {
				off = append(off, i+k)
			}
		}
		i += n
	}
	return folded{orig: s, s: b.String(), off: append(off, len(s))}
}

// foldable reports whether s may hold a character that fold changes:
// they all start with one of the bytes 0xE2, 0xE3 and 0xEF in UTF-8.
func foldable(s string) bool {
	return strings.ContainsAny(s, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u3000") ||
		strings.Contains(s, "\xef\xbc") || strings.Contains(s, "\xef\xbd")
}

// halfWidth returns the ASCII character that r is a form of, if any.
func halfWidth(r rune) (byte, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return byte(r - 0xFEE0), true
	case r == 0x3000:
		return ' ', true
	case r >= 0x2010 && r <= 0x2015, r == 0x2212:
		return '-', true
	}
	return 0, false
}

// edit replaces the bytes start to end of a folded copy.
type edit struct {
	start, end int
	with       string
}

// at returns the offset in the text of the offset i of the copy.
func (f folded) at(i int) int {
	if f.off == nil {
		return i
	}
	return f.off[i]
}

// apply makes the edits, given in the copy's offsets, in order and not
// overlapping, to the text, and returns it.
func (f folded) apply(edits []edit) string {
	if len(edits) == 0 {
		return f.orig
	}
	var b strings.Builder
	b.Grow(len(f.orig))
	last := 0
	for _, e := range edits {
		start, end := f.at(e.start), f.at(e.end)
		b.WriteString(f.orig[last:start])
		b.WriteString(e.with)
		last = end
	}
	b.WriteString(f.orig[last:])
	return b.String()
}
