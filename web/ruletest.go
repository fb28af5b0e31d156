package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"vigil/engine"
	"vigil/pattern"
	"vigil/session"
	"vigil/store"
)

// maxTestEvent bounds the event of a test, as EventBridge bounds events.
const maxTestEvent = 256 << 10

// testData is what the pattern tester shows: its form, and the result of
// a test.
type testData struct {
	Pattern, Event string // as written
	// Alert and N choose the Nth stored event of an alert instead of a
	// written one; Stored is that event, masked, as the page shows it.
	Alert  string
	N      int
	Stored string
	Tested bool
	Match  bool
	// Error is EventBridge's message for an invalid pattern or event;
	// Problem what else is wrong with the form.
	Error   string
	Problem string
}

// testPattern serves GET and POST /rules/test, EventBridge's "test
// pattern": does an event pattern match an event, written or stored
// with an alert? It changes nothing.
func (c *Console) testPattern(w http.ResponseWriter, r *http.Request, s *session.Session) {
	d := &testData{Alert: strings.TrimSpace(r.FormValue("alert")), N: 1}
	if n, err := strconv.Atoi(r.FormValue("n")); err == nil && n >= 1 && n <= store.KeepEvents {
		d.N = n
	}
	stored, err := c.storedEvent(r, d)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Pattern, d.Event = r.PostFormValue("pattern"), r.PostFormValue("event")
		if !runTest(r, d, stored) {
			status = http.StatusBadRequest
		}
	}
	c.render(w, r, status, "ruletest", "Test a pattern", d)
}

// storedEvent returns the event of an alert the tester was asked for,
// and sets d.Stored to show it, or d.Problem when there is none. It
// returns an error only when the store fails.
func (c *Console) storedEvent(r *http.Request, d *testData) ([]byte, error) {
	if d.Alert == "" {
		return nil, nil
	}
	events, _, err := c.Store.Events(r.Context(), d.Alert, "", d.N)
	if errors.Is(err, store.ErrNotFound) || err == nil && (len(events) < d.N || events[d.N-1].JSON == nil) {
		d.Problem = langOf(r).T("Alert %s has no stored event %d.", d.Alert, d.N)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	raw := events[d.N-1].JSON
	d.Stored = eventText(raw)
	return raw, nil
}

// runTest tests d's pattern against the stored event, or else d's
// written one, and reports whether the form was valid.
func runTest(r *http.Request, d *testData, stored []byte) bool {
	lang := langOf(r)
	event := []byte(d.Event)
	if d.Alert != "" {
		event = stored
	}
	switch {
	case d.Problem != "":
		return false
	case strings.TrimSpace(d.Pattern) == "":
		d.Problem = lang.T("Write an event pattern.")
	case len(d.Pattern) > maxPattern:
		d.Problem = lang.T("The pattern is too long: at most %d bytes.", maxPattern)
	case len(event) == 0:
		d.Problem = lang.T("Paste an event, or give an alert whose event to test.")
	case len(event) > maxTestEvent:
		d.Problem = lang.T("The event is too long: at most %d KiB.", maxTestEvent>>10)
	}
	if d.Problem != "" {
		return false
	}
	p, err := pattern.Parse([]byte(d.Pattern))
	if err == nil {
		d.Match, err = engine.TestPattern(p, event)
	}
	if err != nil {
		d.Error = err.Error()
		return false
	}
	d.Tested = true
	return true
}
