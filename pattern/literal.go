package pattern

import (
	"cmp"
	"slices"
	"strings"

	"vigil/event"
	"vigil/prefilter"
)

// Literals returns strings at least prefilter.MinLen bytes long one of
// which the JSON text of every event the pattern matches contains, up to
// case, or nil when the pattern does not require any. The fields of the
// EventBridge envelope are not used: around a CloudTrail record they are
// derived, not written.
func (p *Pattern) Literals() []prefilter.Literal {
	var all []prefilter.Literal
	for _, c := range p.conj {
		lits := stepLiterals(c)
		if lits == nil {
			return nil
		}
		all = append(all, lits...)
	}
	slices.SortFunc(all, func(a, b prefilter.Literal) int {
		return cmp.Or(strings.Compare(a.Text, b.Text), compareBool(a.Fold, b.Fold))
	})
	return slices.Compact(all)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// stepLiterals returns the literals of the most selective step of a
// conjunction that has them.
func stepLiterals(c []step) []prefilter.Literal {
	var best []prefilter.Literal
	bestScore := 0
	for _, s := range c {
		if top, _, _ := strings.Cut(s.path, "."); slices.Contains(event.EnvelopeFields, top) {
			continue
		}
		lits := make([]prefilter.Literal, 0, len(s.ms))
		for _, m := range s.ms {
			l := m.literal()
			if len(l.Text) < prefilter.MinLen {
				lits = nil
				break
			}
			lits = append(lits, l)
		}
		if lits == nil {
			continue
		}
		if score := prefilter.Score(s.path, lits); best == nil || score > bestScore {
			best, bestScore = lits, score
		}
	}
	return best
}
