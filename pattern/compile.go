// Package pattern implements Amazon EventBridge event patterns: their
// syntax and validation with EventBridge's error messages, and their
// matching, for one pattern or, through Machine, for many at once.
//
// Matching follows what EventBridge does, not only what its documentation
// says: an exact number in a pattern also matches the same number written
// differently (300 matches 300.0); numbers compare to six decimal places
// within ±5.0e9; string operators never match numbers, nor numeric ones
// strings; "exists": true needs a leaf value, so it does not match [] or
// an object; anything-but matches null, numbers and booleans but needs the
// field to be present; the fields of one array element must all come from
// that same element.
package pattern

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Pattern is a compiled event pattern: a disjunction of conjunctions of
// steps, one conjunction per combination of its "$or" branches.
type Pattern struct {
	conj  [][]step
	paths []string
}

// step requires a field to satisfy one of its matchers.
type step struct {
	path string
	ms   []*matcher
	at   Pos
}

// maxCombinations is the most conjunctions "$or" may expand a pattern to.
const maxCombinations = 1000

// Parse compiles a pattern written as JSON.
func Parse(src []byte) (*Pattern, error) {
	n, err := ParseJSON(src)
	if err != nil {
		return nil, err
	}
	p, err := Compile(n)
	if e, ok := err.(*Error); ok {
		e.src = src
	}
	return p, err
}

// Compile compiles a parsed pattern. Its errors are *Error.
func Compile(n *Node) (*Pattern, error) {
	if n.Kind != Object {
		return nil, &Error{Reason: "Filter is not an object", At: n.At}
	}
	conj, err := object(n, "")
	if err != nil {
		return nil, err
	}
	p := &Pattern{conj: conj}
	for _, c := range conj {
		slices.SortStableFunc(c, func(a, b step) int { return strings.Compare(a.path, b.path) })
		for _, s := range c {
			p.paths = append(p.paths, s.path)
		}
	}
	slices.Sort(p.paths)
	p.paths = slices.Compact(p.paths)
	return p, nil
}

// Paths returns the dotted paths of the fields the pattern reads.
func (p *Pattern) Paths() []string { return p.paths }

func fail(at Pos, format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...), At: at}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// object compiles the fields of an object below prefix into conjunctions.
// As in EventBridge, every value is checked, but a field path given twice
// counts the last time: {"o":{"a":["x"]},"o":{"b":["y"]}} keeps both
// o.a and o.b, and {"o.a":["x"],"o":{"a":["y"]}} only o.a = "y". Each
// "$or" applies.
func object(n *Node, prefix string) ([][]step, error) {
	if len(n.Keys) == 0 {
		return nil, fail(n.At, "Empty objects are not allowed")
	}
	var order []string
	steps := map[string]step{}
	set := func(s step) {
		if _, ok := steps[s.path]; !ok {
			order = append(order, s.path)
		}
		steps[s.path] = s
	}
	var groups [][][]step // alternatives that apply in every conjunction
	for i, k := range n.Keys {
		v := n.Elems[i]
		var alts [][]step
		var err error
		switch {
		case k == "$or" && isOr(v):
			alts, err = or(v, prefix)
			if err != nil {
				if s, err2 := values(v, join(prefix, k)); err2 == nil {
					alts, err = [][]step{{s}}, nil
				}
			}
		case v.Kind == Object:
			alts, err = object(v, join(prefix, k))
		case v.Kind == Array:
			var s step
			s, err = values(v, join(prefix, k))
			alts = [][]step{{s}}
		default:
			err = fail(n.KeyAt[i], "%q must be an object or an array", k)
		}
		switch {
		case err != nil:
			return nil, err
		case len(alts) == 1:
			for _, s := range alts[0] {
				set(s)
			}
		default:
			groups = append(groups, alts)
		}
	}
	base := make([]step, 0, len(order))
	for _, p := range order {
		base = append(base, steps[p])
	}
	conj := [][]step{base}
	for _, g := range groups {
		var err error
		if conj, err = product(conj, g, n.At); err != nil {
			return nil, err
		}
	}
	return conj, nil
}

// isOr tells an "$or" of sub-patterns from a field that happens to be
// named "$or", which EventBridge also accepts.
func isOr(v *Node) bool {
	if v.Kind != Array || len(v.Elems) == 0 {
		return false
	}
	for _, e := range v.Elems {
		if e.Kind != Object {
			return false
		}
	}
	return true
}

func or(v *Node, prefix string) ([][]step, error) {
	if len(v.Elems) < 2 {
		return nil, fail(v.At, "There must have at least 2 Objects in $or relationship.")
	}
	var alts [][]step
	for _, e := range v.Elems {
		c, err := object(e, prefix)
		if err != nil {
			return nil, err
		}
		alts = append(alts, c...)
		if len(alts) > maxCombinations {
			return nil, fail(v.At, "Too many combinations: \"$or\" expands the pattern to more than %d", maxCombinations)
		}
	}
	return alts, nil
}

// product returns every conjunction of a followed by one of b.
func product(a, b [][]step, at Pos) ([][]step, error) {
	if len(a)*len(b) > maxCombinations {
		return nil, fail(at, "Too many combinations: \"$or\" expands the pattern to more than %d", maxCombinations)
	}
	out := make([][]step, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(slices.Clip(x), y...))
		}
	}
	return out, nil
}

// values compiles the array of matchers of one field.
func values(v *Node, path string) (step, error) {
	s := step{path: path, at: v.At}
	if len(v.Elems) == 0 {
		return s, fail(v.At, "Empty arrays are not allowed")
	}
	seen := map[string]bool{}
	add := func(m *matcher) {
		if k := m.key(); !seen[k] {
			seen[k] = true
			s.ms = append(s.ms, m)
		}
	}
	for _, e := range v.Elems {
		switch e.Kind {
		case String:
			add(&matcher{op: opString, text: e.Text})
		case Number:
			add(&matcher{op: opLiteral, text: e.Text})
			if n, ok := fixedText([]byte(e.Text)); ok {
				add(&matcher{op: opNumEq, num: n})
			}
		case Bool, Null:
			add(&matcher{op: opLiteral, text: e.Text})
		case Array:
			return s, fail(e.At, "Match value must be String, number, true, false, or null")
		case Object:
			m, err := operator(e)
			if err != nil {
				return s, err
			}
			add(m)
		}
	}
	return s, nil
}

// operator compiles a match expression such as {"prefix": "x"}. Its first
// key is read before the others are found, as EventBridge reads it.
func operator(e *Node) (*matcher, error) {
	if len(e.Keys) == 0 {
		return nil, fail(e.At, "Empty objects are not allowed")
	}
	m, err := operation(e.Keys[0], e.Elems[0], e.KeyAt[0])
	if err == nil && len(e.Keys) > 1 {
		err = fail(e.KeyAt[1], "Only one key allowed in match expression")
	}
	return m, err
}

func operation(name string, v *Node, at Pos) (*matcher, error) {
	switch name {
	case "prefix", "suffix":
		return affix(name, v)
	case "equals-ignore-case":
		if v.Kind != String {
			return nil, fail(v.At, "equals-ignore-case match pattern must be a string")
		}
		return &matcher{op: opFold, text: lower(v.Text)}, nil
	case "wildcard":
		if v.Kind != String {
			return nil, fail(v.At, "wildcard match pattern must be a string")
		}
		return wildcardMatcher(v)
	case "anything-but":
		return anythingBut(v)
	case "numeric":
		return numeric(v)
	case "exists":
		if v.Kind != Bool {
			return nil, fail(v.At, "exists match pattern must be either true or false.")
		}
		if v.Text == "true" {
			return &matcher{op: opExists}, nil
		}
		return &matcher{op: opAbsent}, nil
	case "cidr":
		if v.Kind != String {
			return nil, fail(v.At, "cidr match pattern must be a string")
		}
		p, ok := parseCIDR(v.Text)
		if !ok {
			return nil, fail(v.At, "Nonsensical CIDR: %s", v.Text)
		}
		return &matcher{op: opCIDR, cidr: p}, nil
	}
	return nil, fail(at, "Unrecognized match type %s", name)
}

// affix compiles prefix and suffix, plain or with equals-ignore-case.
func affix(name string, v *Node) (*matcher, error) {
	plain, folded := opPrefix, opPrefixFold
	if name == "suffix" {
		plain, folded = opSuffix, opSuffixFold
	}
	switch {
	case v.Kind == String:
		return &matcher{op: plain, text: v.Text}, nil
	case v.Kind == Object && len(v.Keys) == 1 && v.Keys[0] == "equals-ignore-case":
		if v.Elems[0].Kind != String {
			return nil, fail(v.Elems[0].At, "equals-ignore-case match pattern must be a string")
		}
		return &matcher{op: folded, text: lower(v.Elems[0].Text)}, nil
	}
	return nil, fail(v.At, "%s match pattern must be a string", name)
}

func wildcardMatcher(v *Node) (*matcher, error) {
	w, reason := parseWildcard(v.Text)
	if reason != "" {
		return nil, fail(v.At, "%s", reason)
	}
	if n := w.states(); n < 0 || n > maxWildcardStates {
		return nil, fail(v.At, tooComplex)
	}
	return &matcher{op: opWildcard, wc: w}, nil
}

func parseCIDR(s string) (netip.Prefix, bool) {
	if !strings.Contains(s, "/") {
		ip, err := netip.ParseAddr(s)
		if err != nil || ip.Zone() != "" {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(ip, ip.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return p.Masked(), true
}

const butScalars = "Inside anything but list, start|null|boolean is not supported."

func anythingBut(v *Node) (*matcher, error) {
	var e *exclusion
	switch v.Kind {
	case String:
		e = newExclusion([]string{v.Text}, nil, false)
	case Number:
		if _, ok := fixedText([]byte(v.Text)); !ok {
			return nil, fail(v.At, numErrMsg)
		}
		e = newExclusion(nil, []string{v.Text}, false)
	case Bool, Null:
		return nil, fail(v.At, "Value of anything-but must be an array or single string/number value.")
	case Array:
		strs, nums, err := butList(v)
		if err != nil {
			return nil, err
		}
		e = newExclusion(strs, nums, false)
	case Object:
		var err error
		if e, err = butOperator(v); err != nil {
			return nil, err
		}
	}
	return &matcher{op: opAnythingBut, but: e}, nil
}

const butMixed = "Inside anything but list, either all values are number or string, mixed type is not supported"

func butList(v *Node) (strs, nums []string, err error) {
	for _, x := range v.Elems {
		switch x.Kind {
		case String:
			strs = append(strs, x.Text)
		case Number:
			if _, ok := fixedText([]byte(x.Text)); !ok {
				return nil, nil, fail(x.At, numErrMsg)
			}
			nums = append(nums, x.Text)
		default:
			return nil, nil, fail(x.At, butScalars)
		}
		if len(strs) > 0 && len(nums) > 0 {
			return nil, nil, fail(x.At, butMixed)
		}
	}
	if len(strs) == 0 && len(nums) == 0 {
		return nil, nil, fail(v.At, butMixed)
	}
	return strs, nums, nil
}

func butOperator(v *Node) (*exclusion, error) {
	if len(v.Keys) != 1 {
		if len(v.Keys) == 0 {
			return nil, fail(v.At, "Empty objects are not allowed")
		}
		return nil, fail(v.KeyAt[1], "Only one key allowed in match expression")
	}
	name, x := v.Keys[0], v.Elems[0]
	switch name {
	case "prefix", "suffix":
		if x.Kind != String {
			return nil, fail(x.At, "%s match pattern must be a string", name)
		}
		if x.Text == "" {
			return nil, fail(x.At, "Null %s not allowed", name)
		}
		e := &exclusion{key: name + "=" + strconv.Quote(x.Text)}
		if name == "prefix" {
			e.prefix = &x.Text
		} else {
			e.suffix = &x.Text
		}
		return e, nil
	case "wildcard":
		if x.Kind != String {
			return nil, fail(x.At, "wildcard match pattern must be a string")
		}
		m, err := wildcardMatcher(x)
		if err != nil {
			return nil, err
		}
		return &exclusion{wc: m.wc, key: "wildcard=" + strconv.Quote(x.Text)}, nil
	case "equals-ignore-case":
		switch x.Kind {
		case String:
			return newExclusion([]string{x.Text}, nil, true), nil
		case Array:
			strs, nums, err := butList(x)
			if err != nil {
				return nil, err
			}
			if len(nums) > 0 {
				return nil, fail(x.At, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
			}
			return newExclusion(strs, nil, true), nil
		}
		return nil, fail(x.At, "equals-ignore-case match pattern must be a string or an array of strings")
	}
	return nil, fail(v.KeyAt[0], "Unsupported anything-but pattern: %s", name)
}

// numeric compiles {"numeric": [op, n, ...]}: "=" alone, an upper bound
// ("<", "<=") alone, or a lower bound (">", ">=") optionally followed by
// an upper one.
func numeric(v *Node) (*matcher, error) {
	if v.Kind != Array {
		return nil, fail(v.At, "Value of numeric must be an array.")
	}
	if len(v.Elems) == 0 {
		return nil, fail(v.At, "Invalid member in numeric match: ]")
	}
	var r numRange
	var lo, hi float64
	for i := 0; i < len(v.Elems); i += 2 {
		o := v.Elems[i]
		if o.Kind != String {
			return nil, fail(o.At, "Invalid member in numeric match: %s", o.Text)
		}
		if i+1 >= len(v.Elems) || v.Elems[i+1].Kind != Number {
			at := o.At
			if i+1 < len(v.Elems) {
				at = v.Elems[i+1].At
			}
			return nil, fail(at, "Value of %s must be numeric", o.Text)
		}
		num := v.Elems[i+1]
		n, ok := fixedText([]byte(num.Text))
		if !ok {
			return nil, fail(num.At, numErrMsg)
		}
		f, _ := strconv.ParseFloat(num.Text, 64)
		last := i+2 >= len(v.Elems)
		switch {
		case o.Text == "=" && i == 0 && last:
			return &matcher{op: opNumEq, num: n}, nil
		case (o.Text == ">" || o.Text == ">=") && i == 0:
			r.hasLo, r.lo, r.loOpen, r.loText, lo = true, n, o.Text == ">", num.Text, f
		case (o.Text == "<" || o.Text == "<=") && last && !r.hasHi:
			r.hasHi, r.hi, r.hiOpen, r.hiText, hi = true, n, o.Text == "<", num.Text, f
		case o.Text == "=" || o.Text == "<" || o.Text == "<=" || o.Text == ">" || o.Text == ">=":
			return nil, fail(o.At, "Too many elements in numeric expression")
		default:
			return nil, fail(o.At, "Unrecognized numeric range operator: %s", o.Text)
		}
	}
	if r.hasLo && r.hasHi && lo >= hi {
		return nil, fail(v.At, "Bad numeric range: the lower bound must be less than the upper bound")
	}
	return &matcher{op: opNumeric, rng: r}, nil
}
