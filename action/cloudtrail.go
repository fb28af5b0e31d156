package action

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"vigil/store"
)

// record is a CloudTrail record decoded loosely: a field of an unexpected
// type reads as absent rather than failing the whole record, since Plan
// reads events as anyone sent them.
type record map[string]any

// parseRecord returns the CloudTrail record of an event as vigil received
// it: the event itself, or the detail of its EventBridge envelope.
func parseRecord(event []byte) (record, error) {
	var m map[string]any
	if err := json.Unmarshal(event, &m); err != nil || m == nil {
		return nil, errors.New("not a JSON object")
	}
	if d, ok := m["detail"].(map[string]any); ok {
		if _, ok := m["detail-type"].(string); ok {
			return d, nil
		}
	}
	return m, nil
}

// str returns the string at a dotted path, or "" when there is none.
func (r record) str(path string) string {
	var v any = map[string]any(r)
	for k := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// first returns the value of the first path r has a string at, or "".
func (r record) first(paths ...string) string {
	for _, p := range paths {
		if s := r.str(p); s != "" {
			return s
		}
	}
	return ""
}

// iam checks that r is a successful IAM call.
func (r record) iam() error {
	if src := r.str("eventSource"); src != "iam.amazonaws.com" {
		return fmt.Errorf("eventSource %q is not iam.amazonaws.com", src)
	}
	if code := r.str("errorCode"); code != "" {
		return fmt.Errorf("%s failed with %s", r.str("eventName"), code)
	}
	return nil
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// withEvent adds to params the first of the account paths of r that
// holds an account id, and the event's id.
func (r record) withEvent(params map[string]string, paths ...string) map[string]string {
	for _, p := range paths {
		if s := r.str(p); accountID.MatchString(s) {
			params["account"] = s
			break
		}
	}
	if id := r.str("eventID"); id != "" {
		params["event_id"] = id
	}
	return params
}

// plan returns the params target makes of the first event of a that names
// a target, or an error wrapping ErrNoTarget that says, for what, what the
// events lacked.
func plan(a *store.Alert, events [][]byte, what string, target func(record) (map[string]string, error)) (map[string]string, error) {
	var why reasons
	for i, e := range events {
		r, err := parseRecord(e)
		if err == nil {
			var p map[string]string
			if p, err = target(r); err == nil {
				return p, nil
			}
		}
		why.add(i, err)
	}
	id := ""
	if a != nil {
		id = a.ID
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: alert %s has no events to find %s in", ErrNoTarget, id, what)
	}
	return nil, fmt.Errorf("%w: no event of alert %s names %s: %s", ErrNoTarget, id, what, why)
}

// reasons gathers why events named no target, each reason once with the
// first event that gave it, so that a long alert makes a short error.
type reasons struct {
	list  []string
	seen  map[string]bool
	other int // events with a reason already listed or beyond the list
}

const maxReasons = 3

func (w *reasons) add(i int, err error) {
	msg := err.Error()
	if w.seen[msg] || len(w.list) == maxReasons {
		w.other++
		return
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	w.seen[msg] = true
	w.list = append(w.list, fmt.Sprintf("event %d: %s", i+1, msg))
}

func (w reasons) String() string {
	s := strings.Join(w.list, "; ")
	if w.other > 0 {
		s += fmt.Sprintf(" (and %d more events)", w.other)
	}
	return s
}
