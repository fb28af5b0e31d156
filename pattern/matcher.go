package pattern

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"vigil/casefold"
	"vigil/field"
	"vigil/prefilter"
)

// op is what a matcher compares a value with.
type op uint8

const (
	opString      op = iota // equal to a string
	opLiteral               // the same number text, true, false or null
	opNumEq                 // numerically equal: an exact number also matches this way
	opPrefix                // a string starting with text
	opPrefixFold            // ... ignoring case
	opSuffix                // a string ending with text
	opSuffixFold            // ... ignoring case
	opFold                  // a string equal to text ignoring case
	opWildcard              // a string matching a wildcard
	opNumeric               // a number in a range
	opCIDR                  // a string holding an IP address in a network
	opExists                // any value
	opAbsent                // no value at all (exists: false)
	opAnythingBut           // a value that the exclusion does not match
)

// matcher is one entry of a field's array in a pattern. Matchers of the
// same field are alternatives.
type matcher struct {
	op   op
	text string // the string, literal, prefix or suffix; lower case for the *Fold ops
	num  int64  // opNumEq
	rng  numRange
	wc   *wildcard
	cidr netip.Prefix
	but  *exclusion
}

// numRange is an interval of comparable numbers.
type numRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	loOpen, hiOpen bool
	loText, hiText string // as written, for the matcher's key
}

func (r numRange) contains(n int64) bool {
	if r.hasLo && (n < r.lo || r.loOpen && n == r.lo) {
		return false
	}
	if r.hasHi && (n > r.hi || r.hiOpen && n == r.hi) {
		return false
	}
	return true
}

// exclusion is what an anything-but matcher must not match.
type exclusion struct {
	strs   map[string]bool // strings, lower case when fold
	fold   bool
	nums   map[int64]bool
	lits   map[string]bool // number texts
	prefix *string
	suffix *string
	wc     *wildcard
	key    string
}

// Numbers compare the way EventBridge compares them: only within
// ±5.0e9, and only to six decimal places.
const (
	numLimit  = 5e9
	numScale  = 1e6
	numErrMsg = "Value must be between -5.0E9 and 5.0E9, inclusive"
)

// fixedPoint returns the fixed-point form of a number, and false when it
// is outside the range numeric matching supports.
func fixedPoint(f float64) (int64, bool) {
	if !(f >= -numLimit && f <= numLimit) {
		return 0, false
	}
	shifted := numLimit + f
	return int64(numScale * shifted), true
}

func fixedText(b []byte) (int64, bool) {
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return fixedPoint(f)
}

func isRangeErr(err error) bool {
	e, ok := err.(*strconv.NumError)
	return ok && e.Err == strconv.ErrRange
}

// scratch is per-evaluation memory for matchers that need to transform a
// value, reused so that matching does not allocate.
type scratch struct{ lower casefold.Buffer }

// fold returns b in lower case.
func (s *scratch) fold(b []byte) []byte { return s.lower.Lower(b) }

func lower(s string) string { return casefold.String(s) }

// match reports whether the value satisfies m. opAbsent never matches a
// value: it is decided by the absence of values.
func (m *matcher) match(v *field.Value, s *scratch) bool {
	switch m.op {
	case opString:
		return v.Kind == field.String && string(v.Bytes) == m.text
	case opLiteral:
		return v.Kind != field.String && string(v.Bytes) == m.text
	case opNumEq:
		if v.Kind != field.Number {
			return false
		}
		n, ok := fixedText(v.Bytes)
		return ok && n == m.num
	case opPrefix:
		return v.Kind == field.String && bytes.HasPrefix(v.Bytes, []byte(m.text))
	case opPrefixFold:
		return v.Kind == field.String && bytes.HasPrefix(s.fold(v.Bytes), []byte(m.text))
	case opSuffix:
		return v.Kind == field.String && bytes.HasSuffix(v.Bytes, []byte(m.text))
	case opSuffixFold:
		return v.Kind == field.String && bytes.HasSuffix(s.fold(v.Bytes), []byte(m.text))
	case opFold:
		return v.Kind == field.String && string(s.fold(v.Bytes)) == m.text
	case opWildcard:
		return v.Kind == field.String && m.wc.match(v.Bytes)
	case opNumeric:
		if v.Kind != field.Number {
			return false
		}
		n, ok := fixedText(v.Bytes)
		return ok && m.rng.contains(n)
	case opCIDR:
		if v.Kind != field.String {
			return false
		}
		ip, err := netip.ParseAddr(unsafe.String(unsafe.SliceData(v.Bytes), len(v.Bytes)))
		return err == nil && ip.Zone() == "" && m.cidr.Contains(ip)
	case opExists:
		return true
	case opAnythingBut:
		return !m.but.excludes(v, s)
	}
	return false
}

func (e *exclusion) excludes(v *field.Value, s *scratch) bool {
	switch v.Kind {
	case field.String:
		b := v.Bytes
		if e.fold {
			b = s.fold(b)
		}
		switch {
		case e.strs != nil:
			return e.strs[string(b)]
		case e.prefix != nil:
			return bytes.HasPrefix(b, []byte(*e.prefix))
		case e.suffix != nil:
			return bytes.HasSuffix(b, []byte(*e.suffix))
		case e.wc != nil:
			return e.wc.match(b)
		}
	case field.Number:
		if e.lits[string(v.Bytes)] {
			return true
		}
		if e.nums != nil {
			n, ok := fixedText(v.Bytes)
			return ok && e.nums[n]
		}
	}
	return false
}

// key identifies what m matches, so that patterns with the same step can
// share a state of the machine.
func (m *matcher) key() string {
	switch m.op {
	case opNumEq:
		return fmt.Sprintf("%d:%d", m.op, m.num)
	case opNumeric:
		return fmt.Sprintf("%d:%v", m.op, m.rng)
	case opCIDR:
		return fmt.Sprintf("%d:%s", m.op, m.cidr)
	case opAnythingBut:
		return fmt.Sprintf("%d:%s", m.op, m.but.key)
	case opWildcard:
		return fmt.Sprintf("%d:%s", m.op, m.wc.src)
	}
	return fmt.Sprintf("%d:%s", m.op, m.text)
}

// literal returns bytes that the JSON text of any matching value must
// contain, up to case, or "" when there are none: the quoted string for an
// exact match, the opening quote and the prefix for a prefix, and so on.
// Text that JSON always escapes (quotes, backslashes, control characters)
// yields none.
func (m *matcher) literal() prefilter.Literal {
	quoted := func(s string, open, closed bool) string {
		if strings.ContainsFunc(s, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 }) {
			return ""
		}
		if open {
			s = `"` + s
		}
		if closed {
			s += `"`
		}
		return s
	}
	switch m.op {
	case opString:
		return prefilter.Literal{Text: quoted(m.text, true, true)}
	case opPrefix:
		return prefilter.Literal{Text: quoted(m.text, true, false)}
	case opSuffix:
		return prefilter.Literal{Text: quoted(m.text, false, true)}
	case opFold:
		return prefilter.Literal{Text: quoted(m.text, true, true), Fold: true}
	case opPrefixFold:
		return prefilter.Literal{Text: quoted(m.text, true, false), Fold: true}
	case opSuffixFold:
		return prefilter.Literal{Text: quoted(m.text, false, true), Fold: true}
	case opWildcard:
		return prefilter.Literal{Text: m.wc.literal(quoted)}
	}
	return prefilter.Literal{}
}

func newExclusion(strs, nums []string, fold bool) *exclusion {
	e := &exclusion{fold: fold}
	if len(strs) > 0 {
		e.strs = map[string]bool{}
		for _, s := range strs {
			if fold {
				s = lower(s)
			}
			e.strs[s] = true
		}
	}
	if len(nums) > 0 {
		e.lits = map[string]bool{}
		for _, n := range nums {
			e.lits[n] = true
			if c, ok := fixedText([]byte(n)); ok {
				if e.nums == nil {
					e.nums = map[int64]bool{}
				}
				e.nums[c] = true
			}
		}
	}
	strs, nums = slices.Clone(strs), slices.Clone(nums)
	slices.Sort(strs)
	slices.Sort(nums)
	e.key = fmt.Sprintf("fold=%v strings=%q numbers=%q", fold, strs, nums)
	return e
}
