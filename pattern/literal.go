package pattern

import (
	"slices"
	"strings"
)

// commonFields are CloudTrail fields whose values are shared by many
// events (every IAM call has eventSource "iam.amazonaws.com"): a literal
// from them lets too many events through the prefilter, so Literals uses
// them only when a pattern names nothing better.
var commonFields = []string{
	"detail.eventSource", "detail.eventType", "detail.eventCategory", "detail.eventVersion",
	"detail.awsRegion", "detail.recipientAccountId", "detail.userIdentity.type",
	"detail.userIdentity.accountId", "detail.readOnly", "detail.managementEvent",
}

// Literals returns strings at least min bytes long one of which the JSON
// text of every event the pattern matches contains, or nil when the
// pattern does not require any. The fields of the EventBridge envelope
// are not used: around a CloudTrail record they are derived, not written.
func (p *Pattern) Literals(min int) []string {
	var all []string
	for _, c := range p.conj {
		lits := stepLiterals(c, min)
		if lits == nil {
			return nil
		}
		all = append(all, lits...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// stepLiterals returns the literals of the most selective step of a
// conjunction that has them.
func stepLiterals(c []step, min int) []string {
	var best []string
	bestScore := -1
	for _, s := range c {
		if top, _, _ := strings.Cut(s.path, "."); slices.Contains(Envelope, top) {
			continue
		}
		lits := make([]string, 0, len(s.ms))
		shortest := -1
		for _, m := range s.ms {
			l := m.literal()
			if len(l) < min {
				lits = nil
				break
			}
			lits = append(lits, l)
			if shortest < 0 || len(l) < shortest {
				shortest = len(l)
			}
		}
		if lits == nil {
			continue
		}
		// Longer literals select better, fewer alternatives too, and
		// common fields least of all.
		score := shortest*64 - len(lits)
		if slices.Contains(commonFields, s.path) {
			score -= 1 << 20
		}
		if score > bestScore {
			best, bestScore = lits, score
		}
	}
	return best
}
