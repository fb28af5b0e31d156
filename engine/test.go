package engine

import (
	"fmt"
	"slices"

	"vigil/event"
	"vigil/rule"
)

// RunTests runs a rule's test events through an engine holding only that rule,
// without its exceptions, and describes each event that did not behave as
// the rule says. Events go through the whole path, prefilter included.
func RunTests(r *rule.Rule) []string {
	c := *r
	c.Exceptions = nil
	e, err := New([]*rule.Rule{&c})
	if err != nil {
		return []string{err.Error()}
	}
	x := e.NewEvaluator()
	det := event.NewDetector()
	var fails []string
	check := func(list string, i int, raw []byte, want bool) {
		kind, err := det.Kind(raw)
		if err != nil {
			fails = append(fails, fmt.Sprintf("tests.%s[%d]: %v", list, i, err))
			return
		}
		ev := &event.Event{Raw: raw, Kind: kind}
		got, err := x.Eval(ev)
		switch {
		case err != nil:
			fails = append(fails, fmt.Sprintf("tests.%s[%d]: %v", list, i, err))
		case slices.Contains(got, &c) != want && want:
			fails = append(fails, fmt.Sprintf("tests.%s[%d]: the %s event does not match", list, i, ev.Kind))
		case slices.Contains(got, &c) != want:
			fails = append(fails, fmt.Sprintf("tests.%s[%d]: the %s event matches", list, i, ev.Kind))
		}
	}
	for i, raw := range r.Tests.Match {
		check("match", i, raw, true)
	}
	for i, raw := range r.Tests.NoMatch {
		check("nomatch", i, raw, false)
	}
	return fails
}
