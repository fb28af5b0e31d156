package pattern

import (
	"cmp"
	"slices"
	"strings"

	"vigil/event"
	"vigil/prefilter"
)

// The fields and values below make poor literals: the prefilter lets
// through every event that holds them.
var (
	// sharedFields hold values shared by many events (every IAM call has
	// eventSource "iam.amazonaws.com"): a literal from one counts as a
	// third of its length. A long one still wins over a short one of
	// another field ("payment-cryptography.amazonaws.com" over
	// "DeleteKey"): a rare service is rare, and the prefilter reads
	// documents at a stride the shortest literal sets.
	sharedFields = []string{"detail.eventSource"}
	// enumFields hold one of a handful of values, used only when a
	// pattern names nothing else.
	enumFields = []string{
		"detail.eventType", "detail.eventCategory", "detail.eventVersion", "detail.readOnly",
		"detail.managementEvent", "detail.userIdentity.type", "detail.awsRegion",
		"detail.recipientAccountId", "detail.userIdentity.accountId",
	}
	// commonValues are held by most CloudTrail events, and commonAffixes
	// start or end the values of most: a literal that is one of them, or
	// part of one, is used last of all.
	commonValues = []string{
		`"AwsApiCall"`, `"AwsServiceEvent"`, `"Management"`, `"Data"`, `"AssumedRole"`,
		`"AWSService"`, `"IAMUser"`, `"Role"`, `"us-east-1"`,
	}
	commonAffixes = []string{`.amazonaws.com"`, `"arn:aws:`}
)

// common reports whether most CloudTrail events hold a literal.
func common(l prefilter.Literal) bool {
	return slices.Contains(commonValues, l.Text) ||
		slices.ContainsFunc(commonAffixes, func(a string) bool { return strings.Contains(a, l.Text) })
}

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
		shortest := -1
		for _, m := range s.ms {
			l := m.literal()
			if len(l.Text) < prefilter.MinLen {
				lits = nil
				break
			}
			lits = append(lits, l)
			if shortest < 0 || len(l.Text) < shortest {
				shortest = len(l.Text)
			}
		}
		if lits == nil {
			continue
		}
		// Longer literals select better and let the prefilter read at a
		// longer stride; fewer alternatives select better too.
		score := shortest*64 - len(lits)
		switch {
		case slices.ContainsFunc(lits, common):
			score = shortest - 1<<22
		case slices.Contains(enumFields, s.path):
			score = shortest - 1<<21
		case slices.Contains(sharedFields, s.path):
			score = shortest*64/3 - len(lits)
		}
		if best == nil || score > bestScore {
			best, bestScore = lits, score
		}
	}
	return best
}
