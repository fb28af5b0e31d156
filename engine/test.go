package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"vigil/event"
	"vigil/pattern"
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

// ErrInvalidEvent is an event that EventBridge would not test a pattern
// against; its text is EventBridge's.
var ErrInvalidEvent = errors.New("Parameter Event is not valid.")

// requiredFields are the fields EventBridge requires of an event it tests.
var requiredFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// TestPattern reports whether a pattern matches an event, as EventBridge's
// TestEventPattern does, except that a bare CloudTrail record is matched
// inside the envelope EventBridge would give it. The event goes the way
// events go in scan and serve: prefilter, extraction, matching.
func TestPattern(p *pattern.Pattern, eventJSON []byte) (bool, error) {
	ev, ok := testEvent(eventJSON)
	if !ok {
		return false, ErrInvalidEvent
	}
	e, err := New([]*rule.Rule{{ID: "test", Pattern: p}})
	if err != nil {
		return false, err
	}
	fired, err := e.NewEvaluator().Eval(ev)
	if err != nil {
		return false, ErrInvalidEvent
	}
	return len(fired) > 0, nil
}

// testEvent returns the event to test and whether it is valid: a JSON
// object with the fields EventBridge requires (strings, and resources a
// list), or a bare CloudTrail record.
func testEvent(text []byte) (*event.Event, bool) {
	var obj map[string]json.RawMessage
	if !json.Valid(text) || json.Unmarshal(text, &obj) != nil || obj == nil {
		return nil, false
	}
	kind, err := event.NewDetector().Kind(text)
	if err != nil {
		return nil, false
	}
	if kind == event.CloudTrail {
		return &event.Event{Raw: text, Kind: kind}, true
	}
	for _, f := range requiredFields {
		var s string
		if json.Unmarshal(obj[f], &s) != nil {
			return nil, false
		}
	}
	var res []json.RawMessage
	if json.Unmarshal(obj["resources"], &res) != nil || obj["resources"] == nil {
		return nil, false
	}
	return &event.Event{Raw: text, Kind: kind}, true
}
