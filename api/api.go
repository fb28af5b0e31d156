// Package api serves the alerts API of vigil serve: listing alerts with
// filters and cursors, reading one with its events, changing its status,
// and exporting alerts as OCSF Detection Findings.
//
// Every request carries a bearer token. Analysts and admins read and
// change alerts; auditors read them; ingest tokens do neither.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"vigil/audit"
	"vigil/auth"
	"vigil/ocsf"
	"vigil/rule"
	"vigil/server"
	"vigil/store"
)

// API serves the alerts API.
type API struct {
	Store   *store.DB
	Limiter *auth.Limiter
	Log     *slog.Logger
	// Version is vigil's, for OCSF metadata.
	Version string
	// ReceiverNames are the configured receivers, in order, and
	// Receivers the names of each one's integrations.
	ReceiverNames []string
	Receivers     map[string][]string
	// Trail records the changes tokens make, and their refusals.
	Trail audit.Recorder
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	read := []store.Role{store.Analyst, store.Admin, store.Auditor}
	write := []store.Role{store.Analyst, store.Admin}
	mux.Handle("GET /api/v1/alerts", a.guard(read, a.list))
	mux.Handle("GET /api/v1/alerts/{id}", a.guard(read, a.get))
	mux.Handle("GET /api/v1/alerts/{id}/events", a.guard(read, a.events))
	mux.Handle("PATCH /api/v1/alerts/{id}", a.guard(write, a.patch))
	a.registerRespond(mux, read, write)
}

// guard serves h to tokens of the given roles, within their rate.
func (a *API) guard(roles []store.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := auth.Bearer(r.Context(), a.Store, r)
		switch {
		case errors.Is(err, auth.ErrNoToken) || errors.Is(err, auth.ErrBadToken):
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
			server.Error(w, http.StatusUnauthorized, err.Error())
			return
		case err != nil:
			a.Log.Error("authenticating", "err", err)
			server.Error(w, http.StatusServiceUnavailable, "cannot check tokens now")
			return
		case !auth.Allowed(t, roles...):
			a.audit(w, r, t, audit.ActionAccessDenied, r.Method+" "+r.URL.Path, "denied", "role "+string(t.Role))
			server.Error(w, http.StatusForbidden, fmt.Sprintf("a token of role %s cannot do this", t.Role))
			return
		}
		if ok, wait := a.Limiter.Allow(t.ID); !ok {
			w.Header().Set("Retry-After", auth.RetryAfter(wait))
			server.Error(w, http.StatusTooManyRequests, "too many requests for this token: retry later")
			return
		}
		h(w, r.WithContext(auth.WithToken(r.Context(), t)))
	})
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	q, err := query(r)
	if err != nil {
		server.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	alerts, next, err := a.Store.Alerts(r.Context(), q)
	if err != nil {
		a.storeError(w, err, "alert", "")
		return
	}
	if alerts == nil {
		alerts = []store.Alert{}
	}
	if r.URL.Query().Get("format") == "ocsf" {
		findings := make([]ocsf.Finding, 0, len(alerts))
		for i := range alerts {
			findings = append(findings, ocsf.FromAlert(&alerts[i], a.Version))
		}
		server.JSON(w, http.StatusOK, map[string]any{"findings": findings, "next": next})
		return
	}
	server.JSON(w, http.StatusOK, map[string]any{"alerts": alerts, "next": next})
}

// query reads the filters of a list request.
func query(r *http.Request) (store.Query, error) {
	v := r.URL.Query()
	var q store.Query
	for _, s := range split(v.Get("severity")) {
		sev, err := rule.ParseSeverity(s)
		if err != nil {
			return q, fmt.Errorf("severity: %v", err)
		}
		q.Severity = append(q.Severity, sev)
	}
	if s := v.Get("min_severity"); s != "" {
		sev, err := rule.ParseSeverity(s)
		if err != nil {
			return q, fmt.Errorf("min_severity: %v", err)
		}
		q.MinSeverity = &sev
	}
	for _, s := range split(v.Get("status")) {
		if !store.Status(s).Valid() {
			return q, fmt.Errorf("status %q: want open, acknowledged, resolved or false_positive", s)
		}
		q.Status = append(q.Status, store.Status(s))
	}
	var err error
	if q.From, err = timeParam(v.Get("from")); err != nil {
		return q, fmt.Errorf("from: %v", err)
	}
	if q.To, err = timeParam(v.Get("to")); err != nil {
		return q, fmt.Errorf("to: %v", err)
	}
	if q.Limit, err = limit(v.Get("limit")); err != nil {
		return q, err
	}
	q.Rule, q.Entity, q.Cursor = v.Get("rule"), v.Get("entity"), v.Get("cursor")
	if f := v.Get("format"); f != "" && f != "ocsf" && f != "json" {
		return q, fmt.Errorf("format %q: want json or ocsf", f)
	}
	return q, nil
}

// split returns the items of a comma-separated list, without the spaces
// around them.
func split(s string) []string {
	if s == "" {
		return nil
	}
	items := strings.Split(s, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

func timeParam(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t, nil
}

// eventsPage is how many events an alert's page of events holds.
const eventsPage = 100

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	al, err := a.Store.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, err, "alert", "")
		return
	}
	switch r.URL.Query().Get("format") {
	case "ocsf":
		server.JSON(w, http.StatusOK, ocsf.FromAlert(al, a.Version))
		return
	case "", "json":
	default:
		server.Error(w, http.StatusBadRequest, "format: want json or ocsf")
		return
	}
	events, next, err := a.Store.Events(r.Context(), al.ID, "", eventsPage)
	if err != nil {
		a.storeError(w, err, "alert", "")
		return
	}
	server.JSON(w, http.StatusOK, struct {
		*store.Alert
		Events     []event `json:"events"`
		EventsNext string  `json:"events_next"`
	}{al, eventsJSON(events), next})
}

// event is an event of an alert as the API shows it: the event itself
// as JSON, not as the base64 of its bytes.
type event struct {
	ID    string          `json:"id"`
	Time  *time.Time      `json:"time"`
	Event json.RawMessage `json:"event,omitempty"`
}

// eventsJSON returns the events as the API shows them. An event kept
// with bytes that are not JSON, which ingestion does not let through,
// shows as a JSON string of them.
func eventsJSON(events []store.Event) []event {
	out := make([]event, len(events))
	for i, e := range events {
		out[i] = event{ID: e.ID, Time: e.Time}
		switch {
		case len(e.JSON) == 0:
		case json.Valid(e.JSON):
			out[i].Event = e.JSON
		default:
			out[i].Event, _ = json.Marshal(string(e.JSON))
		}
	}
	return out
}

func (a *API) events(w http.ResponseWriter, r *http.Request) {
	limit := eventsPage
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxPage {
			server.Error(w, http.StatusBadRequest, fmt.Sprintf("limit %q: want 1 to %d", s, store.MaxPage))
			return
		}
		limit = n
	}
	events, next, err := a.Store.Events(r.Context(), r.PathValue("id"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		a.storeError(w, err, "alert", "")
		return
	}
	server.JSON(w, http.StatusOK, map[string]any{"events": eventsJSON(events), "next": next})
}

// change is the body of a PATCH.
type change struct {
	Status  store.Status `json:"status"`
	Comment string       `json:"comment"`
}

func (a *API) patch(w http.ResponseWriter, r *http.Request) {
	var c change
	if !readJSON(w, r, &c, `{"status": ..., "comment": ...}`) {
		return
	}
	if !c.Status.Valid() {
		server.Error(w, http.StatusBadRequest, fmt.Sprintf("status %q: want open, acknowledged, resolved or false_positive", c.Status))
		return
	}
	t := auth.FromContext(r.Context())
	al, err := a.Store.SetStatus(r.Context(), r.PathValue("id"), c.Status, c.Comment, actor(t))
	if err != nil {
		a.storeError(w, err, "alert", "cannot change the status: ")
		return
	}
	a.Log.Info("alert status changed", "alert", al.ID, "status", c.Status, "by", t.Name)
	if a.audit(w, r, t, audit.ActionAlertStatus, al.ID, audit.ResultSuccess, string(c.Status)+": "+c.Comment) {
		server.JSON(w, http.StatusOK, al)
	}
}

// maxBody bounds the JSON body of a request.
const maxBody = 64 << 10

// readJSON reads the body of a request, one JSON object of v's fields
// and nothing after it, into v. When it cannot, it answers the request,
// with want to say what the body should be, and returns false.
func readJSON(w http.ResponseWriter, r *http.Request, v any, want string) bool {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		server.Error(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send application/json", ct))
		return false
	}
	err := decodeJSON(http.MaxBytesReader(w, r.Body, maxBody), v)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		server.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: more than %d bytes", maxBody))
		return false
	case err != nil:
		server.Error(w, http.StatusBadRequest, fmt.Sprintf("body: %v (want %s)", err, want))
		return false
	}
	return true
}

// decodeJSON reads one JSON object of v's fields, and nothing after it.
func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return errors.New("data after the JSON object")
	}
	return nil
}

// actor names a token wherever what it did is recorded — an alert's
// notes, a silence, an approval, the audit trail — as "api:NAME", so that
// no token passes for a user of the console (user names hold no colon).
func actor(t *store.Token) string { return "api:" + t.Name }

// audit records in the audit trail what a token did, as its actor.
// When the trail cannot take it, it answers 503 and returns false: the
// change is made, but its caller learns that it is not recorded.
func (a *API) audit(w http.ResponseWriter, r *http.Request, t *store.Token, action, target, result, detail string) bool {
	if a.Trail == nil {
		return true
	}
	e := audit.Actor{Name: actor(t), IP: server.ClientIP(r)}.Entry(action, target, result, detail)
	if err := a.Trail.Record(r.Context(), e); err != nil {
		a.Log.Error("recording in the audit trail", "action", action, "err", err)
		server.Error(w, http.StatusServiceUnavailable, "the change was made but the audit trail failed: tell an administrator")
		return false
	}
	return true
}

// storeError answers a failed store call: 404 for a thing (an alert, a
// silence...) that does not exist, 400 for a bad argument, 409 for a
// conflicting change, with its message after conflict, 503 otherwise.
func (a *API) storeError(w http.ResponseWriter, err error, thing, conflict string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		server.Error(w, http.StatusNotFound, "no such "+thing)
	case errors.Is(err, store.ErrInvalid):
		server.Error(w, http.StatusBadRequest, reason(err))
	case errors.Is(err, store.ErrConflict):
		server.Error(w, http.StatusConflict, conflict+reason(err))
	default:
		a.Log.Error("store", "err", err)
		server.Error(w, http.StatusServiceUnavailable, "the store failed; retry later")
	}
}

// reason returns the message of the innermost of a chain of wrapped
// errors: what the store found wrong, without the context it adds for
// its logs.
func reason(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
