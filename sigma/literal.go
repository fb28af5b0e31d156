package sigma

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"vigil/prefilter"
)

// Literals returns strings one of which the JSON text of every event the
// rule matches contains (up to case), or nil when it requires none. The
// literals are pieces of the rule's values that JSON writes as they are:
// the text between quotes, backslashes and control characters, which
// JSON escapes.
func (r *Rule) Literals() []prefilter.Literal {
	lits := literals(r.cond)
	if len(lits) == 0 {
		return nil
	}
	slices.SortFunc(lits, func(a, b prefilter.Literal) int { return strings.Compare(a.Text, b.Text) })
	return slices.Compact(lits)
}

// literals returns the literals a condition requires: nil for none.
func literals(n node) []prefilter.Literal {
	switch x := n.(type) {
	case andNode:
		var best []prefilter.Literal
		bestScore := 0
		for _, m := range x {
			l := literals(m)
			if l == nil {
				continue
			}
			path := ""
			if f, ok := m.(*fieldCond); ok {
				path = f.path
			}
			if score := prefilter.Score(path, l); best == nil || score > bestScore {
				best, bestScore = l, score
			}
		}
		return best
	case orNode:
		var all []prefilter.Literal
		for _, m := range x {
			l := literals(m)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		return all
	case *fieldCond:
		if x.exists != 0 || x.neq || x.null || len(x.ms) == 0 {
			return nil
		}
		return matcherLiterals(x.ms, x.all)
	case *keywordCond:
		return matcherLiterals(x.ms, x.all)
	}
	return nil // not, constants
}

// better reports whether literals a filter more than b: their shortest is
// longer, or as long and they are fewer.
func better(a, b []prefilter.Literal) bool {
	sa, sb := shortest(a), shortest(b)
	return sa > sb || sa == sb && len(a) < len(b)
}

func shortest(ls []prefilter.Literal) int {
	n := -1
	for _, l := range ls {
		if n < 0 || len(l.Text) < n {
			n = len(l.Text)
		}
	}
	return n
}

// matcherLiterals returns the literals of values: one for each (any may
// match), or the best one when all must match.
func matcherLiterals(ms []matcher, all bool) []prefilter.Literal {
	var out []prefilter.Literal
	for _, m := range ms {
		l, ok := matcherLiteral(m)
		switch {
		case !ok && !all:
			return nil
		case !ok:
			continue
		case all:
			if out == nil || better([]prefilter.Literal{l}, out) {
				out = []prefilter.Literal{l}
			}
		default:
			out = append(out, l)
		}
	}
	return out
}

// matcherLiteral returns the longest piece of a value a match must
// contain, if it is long enough for the prefilter.
func matcherLiteral(m matcher) (prefilter.Literal, bool) {
	var l prefilter.Literal
	switch x := m.(type) {
	case *strMatcher:
		for _, p := range x.t {
			if s := safe(p.lit); len(s) > len(l.Text) {
				l.Text = s
			}
		}
		l.Fold = !x.cased
	case *reMatcher:
		l.Text, l.Fold = x.lit, x.fold
		l.Text = safe(l.Text)
	}
	return l, len(l.Text) >= prefilter.MinLen
}

// safe returns the longest run of s that JSON writes as it is.
func safe(s string) string {
	best := ""
	for _, run := range strings.FieldsFunc(s, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 }) {
		if len(run) > len(best) {
			best = run
		}
	}
	return best
}

// regexpLiteral returns the longest literal every match of a regular
// expression contains, and whether it is matched without case.
func regexpLiteral(re *regexp.Regexp) (string, bool) {
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return "", false
	}
	return required(parsed.Simplify())
}

// required returns the longest literal every match of a regular
// expression contains, and whether it is matched without case.
func required(re *syntax.Regexp) (string, bool) {
	fold := re.Flags&syntax.FoldCase != 0
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune), fold
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// A run of adjacent literals, or the best part.
		best, bestFold := "", false
		var run strings.Builder
		runFold := false
		flush := func() {
			if run.Len() > len(best) {
				best, bestFold = run.String(), runFold
			}
			run.Reset()
			runFold = false
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run.WriteString(string(sub.Rune))
				runFold = runFold || sub.Flags&syntax.FoldCase != 0
				continue
			}
			flush()
			if s, f := required(sub); len(s) > len(best) {
				best, bestFold = s, f
			}
		}
		flush()
		return best, bestFold
	}
	return "", false
}

// Anchor returns a field the rule requires to hold one of a few exact
// values (eventName: CreateUser or DeleteUser), in lower case, so that an
// engine can look events up by it rather than evaluate every rule. ok is
// false when the condition requires no such field.
func (r *Rule) Anchor() (path string, values []string, ok bool) {
	var best *fieldCond
	for _, n := range conjuncts(r.cond, nil) {
		f, isField := n.(*fieldCond)
		if !isField || f.exists != 0 || f.neq || f.null || f.all || len(f.ms) == 0 {
			continue
		}
		exactOnly := !slices.ContainsFunc(f.ms, func(m matcher) bool {
			s, ok := m.(*strMatcher)
			return !ok || s.shape != exact
		})
		if exactOnly && (best == nil || len(f.ms) < len(best.ms)) {
			best = f
		}
	}
	if best == nil {
		return "", nil, false
	}
	for _, m := range best.ms {
		s := m.(*strMatcher)
		v := s.lit
		if s.cased {
			v = strings.ToLower(v) // the index folds; the rule still compares with case
		}
		values = append(values, v)
	}
	return best.path, values, true
}

// conjuncts returns the conditions that must all hold for n to hold.
func conjuncts(n node, out []node) []node {
	if a, ok := n.(andNode); ok {
		for _, m := range a {
			out = conjuncts(m, out)
		}
		return out
	}
	return append(out, n)
}
