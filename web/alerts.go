package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"vigil/audit"
	"vigil/mask"
	"vigil/rule"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// statuses are the statuses of alerts, in the order of their handling.
var statuses = []store.Status{store.Open, store.Acknowledged, store.Resolved, store.FalsePositive}

// alertsData is what the list of alerts shows.
type alertsData struct {
	Filter   url.Values // the filters, as the form shows them
	Alerts   []alertRow
	Next     string // the next page, "" on the last
	First    string // the first page, "" on it
	Back     string // this page, where a bulk change returns
	Statuses []store.Status
	Sizes    []int
	CanWrite bool
	Problem  string
}

// alertRow is an alert as the list shows it, with the entities that say
// who did it from where, masked.
type alertRow struct {
	store.Alert
	Principal, IP, Account string
}

// alerts serves GET /alerts.
func (c *Console) alerts(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.alertsPage(w, r, s, http.StatusOK, r.URL.Query(), "")
}

// alertsPage renders the alerts the query v selects, and a problem.
func (c *Console) alertsPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, v url.Values, problem string) {
	d := &alertsData{Filter: v, Statuses: statuses, Sizes: []int{25, 50, 100, 200}, Problem: problem,
		CanWrite: user.Allowed(s.Role, user.PermAlertsWrite), Back: withQuery("/alerts", v)}
	q, err := alertQuery(v)
	if err != nil {
		d.Problem = langOf(r).T("The filter is not valid: %s", err)
		c.render(w, r, http.StatusBadRequest, "alerts", "Alerts", d)
		return
	}
	alerts, next, err := c.Store.Alerts(r.Context(), q)
	if errors.Is(err, store.ErrInvalid) {
		d.Problem = langOf(r).T("The filter is not valid: %s", reason(err))
		c.render(w, r, http.StatusBadRequest, "alerts", "Alerts", d)
		return
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	for _, a := range alerts {
		d.Alerts = append(d.Alerts, alertRow{a, entity(a, "principal"), entity(a, "source_ip"), entity(a, "account")})
	}
	if next != "" {
		d.Next = withQuery("/alerts", with(v, "cursor", next))
	}
	if v.Get("cursor") != "" {
		d.First = withQuery("/alerts", with(v, "cursor", ""))
	}
	c.render(w, r, status, "alerts", "Alerts", d)
}

// with returns a copy of v with key set to value, or without key when
// value is "".
func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Del(key)
	if value != "" {
		out.Set(key, value)
	}
	return out
}

// entity returns the first value of an entity of an alert, masked, and
// how many more there are.
func entity(a store.Alert, name string) string {
	vs := a.Entities[name]
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return mask.String(vs[0])
	}
	return fmt.Sprintf("%s +%d", mask.String(vs[0]), len(vs)-1)
}

// alertQuery reads the filters of the list of alerts: severity and
// status (repeated or comma-separated), min_severity, rule, entity, from
// and to (UTC), cursor and limit.
func alertQuery(v url.Values) (store.Query, error) {
	q := store.Query{Rule: strings.TrimSpace(v.Get("rule")), Entity: strings.TrimSpace(v.Get("entity")),
		Cursor: v.Get("cursor"), Limit: pageSize(v.Get("limit"))}
	for _, s := range values(v, "severity") {
		sev, err := rule.ParseSeverity(s)
		if err != nil {
			return q, err
		}
		q.Severity = append(q.Severity, sev)
	}
	if s := v.Get("min_severity"); s != "" {
		sev, err := rule.ParseSeverity(s)
		if err != nil {
			return q, err
		}
		q.MinSeverity = &sev
	}
	for _, s := range values(v, "status") {
		if !store.Status(s).Valid() {
			return q, fmt.Errorf("unknown status %q", s)
		}
		q.Status = append(q.Status, store.Status(s))
	}
	for _, f := range []struct {
		key string
		t   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		t, ok := parseWhen(v.Get(f.key))
		if !ok {
			return q, fmt.Errorf("%s: %q is not a time: write 2026-03-14T09:30 (UTC)", f.key, v.Get(f.key))
		}
		*f.t = t
	}
	return q, nil
}

// values returns the values of a key of a query, whether repeated or
// separated by commas, without empty ones.
func values(v url.Values, key string) []string {
	var out []string
	for _, x := range v[key] {
		for _, s := range strings.Split(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// alertData is what the page of an alert shows.
type alertData struct {
	Alert    *store.Alert
	Rule     *rule.Rule // nil when no rule of that id is defined now
	Events   []store.Event
	Next     string // the next page of events, "" on the last
	Actions  []store.Action
	Statuses []store.Status
	Silence  string // the silences page, with matchers of the alert
	CanWrite bool
	Problem  string
}

// eventsPerPage is how many events the page of an alert shows at once.
const eventsPerPage = 10

// alert serves GET /alerts/{id}.
func (c *Console) alert(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.alertPage(w, r, s, http.StatusOK, "")
}

// alertPage renders the page of an alert, with a problem.
func (c *Console) alertPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, problem string) {
	ctx := r.Context()
	id := r.PathValue("id")
	a, err := c.Store.Alert(ctx, id)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	d := &alertData{Alert: a, Statuses: statuses, Problem: problem, CanWrite: user.Allowed(s.Role, user.PermAlertsWrite),
		Silence: withQuery("/silences", url.Values{"matcher": {fmt.Sprintf("rule=%q", a.Rule.ID)}})}
	events, next, err := c.Store.Events(ctx, id, r.URL.Query().Get("events"), eventsPerPage)
	if errors.Is(err, store.ErrInvalid) { // a cursor of another alert, or mangled
		events, next, err = c.Store.Events(ctx, id, "", eventsPerPage)
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	d.Events = events
	if next != "" {
		d.Next = withQuery("/alerts/"+url.PathEscape(id), url.Values{"events": {next}})
	}
	if d.Actions, _, err = c.Store.Actions(ctx, store.ActionQuery{AlertID: id, Limit: maxPageSize}); err != nil {
		c.storeFail(w, r, err)
		return
	}
	if cat, err := c.catalog(ctx); err == nil {
		if e := cat.byID[a.Rule.ID]; e != nil {
			d.Rule = e.Rule
		}
	}
	c.render(w, r, status, "alert", a.Rule.Title, d)
}

// alertStatus serves POST /alerts/{id}/status: fields status and
// comment.
func (c *Console) alertStatus(w http.ResponseWriter, r *http.Request, s *session.Session) {
	st := store.Status(formText(r, "status"))
	comment, problem := comment(r)
	if problem == "" && !st.Valid() {
		problem = langOf(r).T("Choose a status.")
	}
	if problem != "" {
		c.alertPage(w, r, s, http.StatusBadRequest, problem)
		return
	}
	id := r.PathValue("id")
	ok, err := c.setStatus(w, r, s, id, st, comment)
	switch {
	case !ok:
		return
	case errors.Is(err, store.ErrConflict):
		c.alertPage(w, r, s, http.StatusConflict, langOf(r).T("The status was not changed: %s", reason(err)))
	case err != nil:
		c.storeFail(w, r, err)
	default:
		c.flash(w, r, "Status changed")
		c.redirect(w, r, "/alerts/"+url.PathEscape(id))
	}
}

// maxBulk bounds the alerts one bulk change changes: a page of them.
const maxBulk = maxPageSize

// bulkStatus serves POST /alerts/bulk: the alerts checked in a list
// (fields id), a status and a comment. It returns to the list (field
// back).
func (c *Console) bulkStatus(w http.ResponseWriter, r *http.Request, s *session.Session) {
	lang := langOf(r)
	back, _ := url.Parse(localPath(r.PostFormValue("back")))
	if back == nil || back.Path != "/alerts" {
		back, _ = url.Parse("/alerts")
	}
	ids := r.PostForm["id"]
	st := store.Status(formText(r, "status"))
	comment, problem := comment(r)
	switch {
	case problem != "":
	case len(ids) == 0:
		problem = lang.T("Choose at least one alert.")
	case len(ids) > maxBulk:
		problem = lang.T("Change at most %d alerts at once.", maxBulk)
	case !st.Valid():
		problem = lang.T("Choose a status.")
	}
	if problem != "" {
		c.alertsPage(w, r, s, http.StatusBadRequest, back.Query(), problem)
		return
	}
	changed, failed := 0, []string{}
	for _, id := range ids {
		ok, err := c.setStatus(w, r, s, id, st, comment)
		switch {
		case !ok:
			return
		case err != nil:
			failed = append(failed, id+": "+reason(err))
		default:
			changed++
		}
	}
	msg := lang.T("%d alerts changed.", changed)
	if len(failed) > 0 {
		msg += " " + lang.T("Not changed: %s", strings.Join(failed, "; "))
	}
	c.flash(w, r, msg)
	c.redirect(w, r, back.String())
}

// setStatus changes the status of an alert for the session's user and
// records it, a failure too, in the audit trail. It returns false when
// the trail failed, having answered the request; else the store's error.
func (c *Console) setStatus(w http.ResponseWriter, r *http.Request, s *session.Session, id string, st store.Status, comment string) (bool, error) {
	a, err := c.Store.SetStatus(r.Context(), id, st, comment, s.User)
	detail := string(st)
	if comment != "" {
		detail += ": " + comment
	}
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict):
		return c.record(w, r, s, audit.ActionAlertStatus, id, audit.ResultFailure, detail+" ("+reason(err)+")"), err
	case err != nil:
		return true, err
	}
	return c.record(w, r, s, audit.ActionAlertStatus, id, audit.ResultSuccess, a.Rule.ID+" "+detail), nil
}
