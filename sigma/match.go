package sigma

import (
	"bytes"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"vigil/casefold"
	"vigil/field"
	"vigil/jsonscan"
)

// ctx is what evaluating a rule against one event needs. It is reused
// from event to event by one goroutine.
type ctx struct {
	v      *field.Values
	leaves func() *field.Values // every leaf of the event, for keywords
	fold   casefold.Buffer
	raw    []byte // an object's text with its strings unescaped
	// The values of v lowered for the event, so that each is lowered once
	// however many rules compare it: value i's is low[lowAt[i]:lowEnd[i]]
	// when lowGen[i] is gen.
	gen           uint32
	lowGen        []uint32
	lowAt, lowEnd []int32
	low           []byte
}

// next starts a new event.
func (c *ctx) next() {
	if c.gen++; c.gen == 0 {
		clear(c.lowGen)
		c.gen = 1
	}
	c.low = c.low[:0]
}

// lower returns the text of value i of vals in lower case.
func (c *ctx) lower(vals *field.Values, i int, text []byte) []byte {
	if vals != c.v || text == nil || c.v.At(i).Kind == field.Composite {
		return c.fold.Lower(text)
	}
	if i >= len(c.lowGen) {
		n := max(2*len(c.lowGen), i+1, 64)
		c.lowGen = append(c.lowGen, make([]uint32, n-len(c.lowGen))...)
		c.lowAt = append(c.lowAt, make([]int32, n-len(c.lowAt))...)
		c.lowEnd = append(c.lowEnd, make([]int32, n-len(c.lowEnd))...)
	}
	if c.lowGen[i] != c.gen {
		at := len(c.low)
		c.low = casefold.Append(c.low, text)
		c.lowGen[i], c.lowAt[i], c.lowEnd[i] = c.gen, int32(at), int32(len(c.low))
	}
	return c.low[c.lowAt[i]:c.lowEnd[i]]
}

// textOf returns the text a Sigma value is compared with: a string's
// content, a number's or boolean's literal, an object's compact JSON text
// with its strings unescaped. Null has none.
func (c *ctx) textOf(v *field.Value) ([]byte, bool) {
	switch v.Kind {
	case field.Null:
		return nil, false
	case field.Composite:
		c.raw = objectText(c.raw[:0], v.Bytes)
		return c.raw, true
	}
	return v.Bytes, true
}

// objectText appends the text a rule matches an object with: its JSON
// without the white space between tokens, and with the escapes of its
// strings decoded, so that a rule can look for text inside a policy
// document held as a string in a CloudTrail record, however the record
// was spaced.
func objectText(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case ' ', '\t', '\n', '\r':
		case '"':
			end, err := jsonscan.String(b, i)
			if err != nil {
				return append(dst, b[i:]...)
			}
			dst = append(dst, '"')
			if s, err := jsonscan.AppendUnquoted(dst, b[i+1:end-1]); err == nil {
				dst = s
			} else {
				dst = append(dst, b[i+1:end-1]...)
			}
			dst = append(dst, '"')
			i = end - 1
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// matcher tests value i of vals (the event's fields, or all its leaves).
type matcher interface {
	match(c *ctx, vals *field.Values, i int) bool
}

// shape is how a string pattern can be tested without the general
// wildcard matcher.
type shape uint8

const (
	exact shape = iota
	prefix
	suffix
	contains
	anything
	glob
)

// strMatcher compares a value's text with a Sigma string, ignoring case
// unless cased.
type strMatcher struct {
	t     text // lower case unless cased
	cased bool
	shape shape
	lit   string // the literal for exact, prefix, suffix and contains
}

func newStrMatcher(t text, cased bool) *strMatcher {
	if !cased {
		t = t.mapLiterals(func(s string) []string { return []string{casefold.String(s)} })[0]
	}
	m := &strMatcher{t: t, cased: cased, shape: glob}
	star := func(p piece) bool { return p.wild == '*' }
	switch {
	case len(t) == 0:
		m.shape = exact
	case len(t) == 1 && t[0].wild == 0:
		m.shape, m.lit = exact, t[0].lit
	case len(t) == 1 && star(t[0]):
		m.shape = anything
	case len(t) == 2 && t[0].wild == 0 && star(t[1]):
		m.shape, m.lit = prefix, t[0].lit
	case len(t) == 2 && star(t[0]) && t[1].wild == 0:
		m.shape, m.lit = suffix, t[1].lit
	case len(t) == 3 && star(t[0]) && t[1].wild == 0 && star(t[2]):
		m.shape, m.lit = contains, t[1].lit
	}
	return m
}

func (m *strMatcher) match(c *ctx, vals *field.Values, i int) bool {
	b, ok := c.textOf(vals.At(i))
	if !ok {
		return false
	}
	if !m.cased {
		b = c.lower(vals, i, b)
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	switch m.shape {
	case exact:
		return s == m.lit
	case prefix:
		return strings.HasPrefix(s, m.lit)
	case suffix:
		return strings.HasSuffix(s, m.lit)
	case contains:
		return strings.Contains(s, m.lit)
	case anything:
		return true
	}
	return matchGlob(m.t, s)
}

// matchGlob matches s against pieces in which '*' is any run of
// characters and '?' one character, backtracking to the last star.
func matchGlob(t text, s string) bool {
	pi, si := 0, 0
	star, starAt := -1, 0
	for si < len(s) {
		if pi < len(t) {
			switch p := t[pi]; {
			case p.wild == '*':
				star, starAt = pi, si
				pi++
				continue
			case p.wild == '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				pi++
				continue
			case strings.HasPrefix(s[si:], p.lit):
				si += len(p.lit)
				pi++
				continue
			}
		}
		if star < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starAt:])
		starAt += n
		pi, si = star+1, starAt
	}
	for pi < len(t) && (t[pi].wild == '*' || t[pi].wild == 0 && t[pi].lit == "") {
		pi++
	}
	return pi == len(t)
}

// reMatcher matches a value's text with a regular expression, after
// checking that the text holds the literal every match holds: most texts
// do not, and the check is much cheaper than the expression.
type reMatcher struct {
	re   *regexp.Regexp
	lit  string // lower case when fold
	fold bool
}

func newReMatcher(re *regexp.Regexp) *reMatcher {
	m := &reMatcher{re: re}
	m.lit, m.fold = regexpLiteral(re)
	if m.fold {
		m.lit = casefold.String(m.lit)
	}
	return m
}

func (m *reMatcher) match(c *ctx, vals *field.Values, i int) bool {
	b, ok := c.textOf(vals.At(i))
	if !ok {
		return false
	}
	if m.lit != "" {
		t := b
		if m.fold {
			t = c.lower(vals, i, b)
		}
		if !bytes.Contains(t, []byte(m.lit)) {
			return false
		}
	}
	return m.re.Match(b)
}

// numMatcher compares a number, or a string holding one, with a bound.
type numMatcher struct {
	op  string // lt, lte, gt, gte
	num float64
}

func numberOf(v *field.Value) (float64, bool) {
	if v.Kind != field.Number && v.Kind != field.String {
		return 0, false
	}
	b := bytes.TrimSpace(v.Bytes)
	if v.Kind == field.String && jsonscan.NumberLen(b) != len(b) {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	return f, err == nil
}

func compare(op string, a, b float64) bool {
	switch op {
	case "lt":
		return a < b
	case "lte":
		return a <= b
	case "gt":
		return a > b
	case "gte":
		return a >= b
	}
	return a == b
}

func (m *numMatcher) match(c *ctx, vals *field.Values, i int) bool {
	f, ok := numberOf(vals.At(i))
	return ok && compare(m.op, f, m.num)
}

// cidrMatcher matches a value holding an IP address in a network.
type cidrMatcher struct{ net netip.Prefix }

func (m *cidrMatcher) match(c *ctx, vals *field.Values, i int) bool {
	v := vals.At(i)
	if v.Kind != field.String {
		return false
	}
	ip, err := netip.ParseAddr(unsafe.String(unsafe.SliceData(v.Bytes), len(v.Bytes)))
	return err == nil && m.net.Contains(ip.Unmap())
}

// timeMatcher compares a part of a date (its hour, say) with a number.
type timeMatcher struct {
	part string // minute, hour, day, week, month, year
	op   string // "" for equality
	num  float64
}

// timeLayouts are the date forms a time modifier reads.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func (m *timeMatcher) match(c *ctx, vals *field.Values, i int) bool {
	v := vals.At(i)
	if v.Kind != field.String {
		return false
	}
	var t time.Time
	var err error
	for _, l := range timeLayouts {
		if t, err = time.Parse(l, string(v.Bytes)); err == nil {
			break
		}
	}
	if err != nil {
		return false
	}
	var part int
	switch m.part {
	case "minute":
		part = t.Minute()
	case "hour":
		part = t.Hour()
	case "day":
		part = t.Day()
	case "week":
		_, part = t.ISOWeek()
	case "month":
		part = int(t.Month())
	case "year":
		part = t.Year()
	}
	return compare(m.op, float64(part), m.num)
}

// refMatcher compares a value with the values of another field of the
// same event.
type refMatcher struct {
	id    int
	shape shape // exact, prefix, suffix or contains: the other field's value is the pattern
	cased bool
}

func (m *refMatcher) match(c *ctx, vals *field.Values, i int) bool {
	a, ok := c.textOf(vals.At(i))
	if !ok {
		return false
	}
	a = bytes.Clone(a) // the other value's text may reuse the buffers
	if !m.cased {
		a = casefold.Append(nil, a)
	}
	for i := c.v.First(m.id); i >= 0; i = c.v.Next(i) {
		b, ok := c.textOf(c.v.At(i))
		if !ok {
			continue
		}
		if !m.cased {
			b = c.fold.Lower(b)
		}
		var hit bool
		switch m.shape {
		case prefix:
			hit = bytes.HasPrefix(a, b)
		case suffix:
			hit = bytes.HasSuffix(a, b)
		case contains:
			hit = bytes.Contains(a, b)
		default:
			hit = bytes.Equal(a, b)
		}
		if hit {
			return true
		}
	}
	return false
}

// nullMatcher matches a null value.
type nullMatcher struct{}

func (nullMatcher) match(_ *ctx, vals *field.Values, i int) bool {
	return vals.At(i).Kind == field.Null
}
