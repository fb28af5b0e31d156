package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"vigil/audit"
	"vigil/auth"
	"vigil/server"
	"vigil/silence"
	"vigil/store"
)

// registerRespond adds the routes of responding: receivers and their
// deliveries, dead letters, silences and actions.
func (a *API) registerRespond(mux *http.ServeMux, read, write []store.Role) {
	mux.Handle("GET /api/v1/receivers", a.guard(read, a.receivers))
	mux.Handle("GET /api/v1/deliveries", a.guard(read, a.deliveries))
	mux.Handle("GET /api/v1/deliveries/{id}", a.guard(read, a.delivery))
	mux.Handle("POST /api/v1/deliveries/{id}/redrive", a.guard(write, a.redrive))
	mux.Handle("DELETE /api/v1/deliveries/{id}", a.guard(write, a.discard))
	mux.Handle("GET /api/v1/silences", a.guard(read, a.silences))
	mux.Handle("GET /api/v1/silences/{id}", a.guard(read, a.silence))
	mux.Handle("POST /api/v1/silences", a.guard(write, a.createSilence))
	mux.Handle("DELETE /api/v1/silences/{id}", a.guard(write, a.expireSilence))
	mux.Handle("GET /api/v1/actions", a.guard(read, a.actions))
	mux.Handle("GET /api/v1/actions/{id}", a.guard(read, a.action))
	mux.Handle("POST /api/v1/actions/{id}/approve", a.guard(write, a.decide(true)))
	mux.Handle("POST /api/v1/actions/{id}/reject", a.guard(write, a.decide(false)))
}

// receiver is a receiver as the API shows it: its integrations and how
// their deliveries stand.
type receiver struct {
	Name         string                    `json:"name"`
	Integrations []store.IntegrationStatus `json:"integrations"`
}

func (a *API) receivers(w http.ResponseWriter, r *http.Request) {
	status, err := a.Store.DeliveryStatus(r.Context())
	if err != nil {
		a.storeError(w, err, "receiver", "")
		return
	}
	out := []receiver{}
	for _, name := range a.ReceiverNames {
		rc := receiver{Name: name, Integrations: []store.IntegrationStatus{}}
		for _, in := range a.Receivers[name] {
			st := store.IntegrationStatus{Receiver: name, Integration: in, Counts: map[store.DeliveryState]int{}}
			for _, s := range status {
				if s.Receiver == name && s.Integration == in {
					st = s
				}
			}
			rc.Integrations = append(rc.Integrations, st)
		}
		out = append(out, rc)
	}
	server.JSON(w, http.StatusOK, map[string]any{"receivers": out})
}

func (a *API) deliveries(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.DeliveryQuery{Receiver: v.Get("receiver"), State: store.DeliveryState(v.Get("state")), Cursor: v.Get("cursor")}
	var err error
	if q.Limit, err = limit(v.Get("limit")); err != nil {
		server.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	ds, next, err := a.Store.Deliveries(r.Context(), q)
	if err != nil {
		a.storeError(w, err, "delivery", "")
		return
	}
	if ds == nil {
		ds = []store.Delivery{}
	}
	server.JSON(w, http.StatusOK, map[string]any{"deliveries": ds, "next": next})
}

// deliveryJSON is a delivery with the notification it sends.
type deliveryJSON struct {
	*store.Delivery
	Notification rawJSON `json:"notification"`
}

// rawJSON is JSON text kept as it is.
type rawJSON []byte

func (j rawJSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

func (a *API) delivery(w http.ResponseWriter, r *http.Request) {
	d, err := a.Store.Delivery(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, err, "delivery", "")
		return
	}
	server.JSON(w, http.StatusOK, deliveryJSON{d, d.Notification})
}

func (a *API) redrive(w http.ResponseWriter, r *http.Request) {
	d, err := a.Store.Redrive(r.Context(), r.PathValue("id"), time.Now())
	if err != nil {
		a.storeError(w, err, "delivery", "cannot re-drive: ")
		return
	}
	t := auth.FromContext(r.Context())
	a.Log.Info("dead letter re-driven", "delivery", d.ID, "receiver", d.Receiver, "by", t.Name)
	if a.audit(w, r, t, audit.ActionRedrive, d.ID, audit.ResultSuccess, d.Receiver+" "+d.Integration) {
		server.JSON(w, http.StatusOK, d)
	}
}

// discard deletes a dead letter that is not to be sent.
func (a *API) discard(w http.ResponseWriter, r *http.Request) {
	d, err := a.Store.Discard(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, err, "delivery", "cannot discard: ")
		return
	}
	t := auth.FromContext(r.Context())
	a.Log.Info("dead letter discarded", "delivery", d.ID, "receiver", d.Receiver, "by", t.Name)
	if a.audit(w, r, t, audit.ActionDiscard, d.ID, audit.ResultSuccess, d.Receiver+" "+d.Integration+": "+d.LastError) {
		w.WriteHeader(http.StatusNoContent)
	}
}

// silenceJSON is a silence with its state.
type silenceJSON struct {
	*store.Silence
	State silence.State `json:"state"`
}

func (a *API) silences(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	switch s := r.URL.Query().Get("state"); s {
	case "", "live": // active or pending
		since = time.Now()
	case "all":
	default:
		server.Error(w, http.StatusBadRequest, fmt.Sprintf("state %q: want live (active or pending, the default) or all", s))
		return
	}
	ss, err := a.Store.Silences(r.Context(), since)
	if err != nil {
		a.storeError(w, err, "silence", "")
		return
	}
	now := time.Now()
	out := make([]silenceJSON, len(ss))
	for i := range ss {
		out[i] = silenceJSON{&ss[i], silence.StateAt(&ss[i], now)}
	}
	server.JSON(w, http.StatusOK, map[string]any{"silences": out})
}

func (a *API) silence(w http.ResponseWriter, r *http.Request) {
	s, err := a.Store.Silence(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, err, "silence", "")
		return
	}
	server.JSON(w, http.StatusOK, silenceJSON{s, silence.StateAt(s, time.Now())})
}

// newSilence is the body of a POST of a silence: its matchers, when it
// starts (now when absent) and either when it ends or how long it lasts.
type newSilence struct {
	Matchers []string   `json:"matchers"`
	StartsAt *time.Time `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at"`
	Duration string     `json:"duration"`
	Comment  string     `json:"comment"`
}

func (a *API) createSilence(w http.ResponseWriter, r *http.Request) {
	var ns newSilence
	if !readJSON(w, r, &ns, `{"matchers": [...], "ends_at" or "duration": ..., "comment": ...}`) {
		return
	}
	now := time.Now()
	s, err := ns.silence(now, actor(auth.FromContext(r.Context())))
	if err == nil {
		err = silence.Check(s, now)
	}
	if err != nil {
		server.Error(w, http.StatusBadRequest, "silence: "+err.Error())
		return
	}
	s, err = a.Store.CreateSilence(r.Context(), *s)
	if err != nil {
		a.storeError(w, err, "silence", "")
		return
	}
	a.Log.Info("silence created", "silence", s.ID, "by", s.CreatedBy)
	if a.audit(w, r, auth.FromContext(r.Context()), audit.ActionSilenceAdd, s.ID, audit.ResultSuccess, silence.Describe(s)) {
		server.JSON(w, http.StatusCreated, silenceJSON{s, silence.StateAt(s, now)})
	}
}

func (ns *newSilence) silence(now time.Time, by string) (*store.Silence, error) {
	s := &store.Silence{Matchers: ns.Matchers, StartsAt: now, CreatedBy: by, Comment: ns.Comment, CreatedAt: now}
	if ns.StartsAt != nil {
		s.StartsAt = *ns.StartsAt
	}
	switch {
	case ns.EndsAt != nil && ns.Duration != "":
		return nil, fmt.Errorf("give ends_at or duration, not both")
	case ns.EndsAt != nil:
		s.EndsAt = *ns.EndsAt
	case ns.Duration != "":
		d, err := time.ParseDuration(ns.Duration)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("duration %q: want a positive duration such as 2h or 30m", ns.Duration)
		}
		s.EndsAt = s.StartsAt.Add(d)
	default:
		return nil, fmt.Errorf("give ends_at or duration")
	}
	return s, nil
}

func (a *API) expireSilence(w http.ResponseWriter, r *http.Request) {
	s, err := a.Store.ExpireSilence(r.Context(), r.PathValue("id"), time.Now())
	if err != nil {
		a.storeError(w, err, "silence", "cannot expire: ")
		return
	}
	t := auth.FromContext(r.Context())
	a.Log.Info("silence expired", "silence", s.ID, "by", t.Name)
	if a.audit(w, r, t, audit.ActionSilenceRemove, s.ID, audit.ResultSuccess, silence.Describe(s)) {
		server.JSON(w, http.StatusOK, silenceJSON{s, silence.Expired})
	}
}

func (a *API) actions(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := store.ActionQuery{State: store.ActionState(v.Get("state")), AlertID: v.Get("alert"), Cursor: v.Get("cursor")}
	var err error
	if q.Limit, err = limit(v.Get("limit")); err != nil {
		server.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	as, next, err := a.Store.Actions(r.Context(), q)
	if err != nil {
		a.storeError(w, err, "action", "")
		return
	}
	if as == nil {
		as = []store.Action{}
	}
	server.JSON(w, http.StatusOK, map[string]any{"actions": as, "next": next})
}

func (a *API) action(w http.ResponseWriter, r *http.Request) {
	act, err := a.Store.Action(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, err, "action", "")
		return
	}
	server.JSON(w, http.StatusOK, act)
}

// decision is the body of an approval or rejection.
type decision struct {
	Comment string `json:"comment"`
}

// decide approves or rejects a pending action.
func (a *API) decide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var d decision
		if !readJSON(w, r, &d, `{"comment": ...}`) {
			return
		}
		t := auth.FromContext(r.Context())
		act, err := a.Store.Decide(r.Context(), r.PathValue("id"), approve, actor(t), d.Comment, time.Now())
		if err != nil {
			a.storeError(w, err, "action", "cannot decide: ")
			return
		}
		a.Log.Info("action decided", "action", act.ID, "name", act.Name, "alert", act.AlertID, "approved", approve, "by", t.Name)
		kind := audit.ActionReject
		if approve {
			kind = audit.ActionApprove
		}
		if a.audit(w, r, t, kind, act.ID, audit.ResultSuccess, act.Name+" of alert "+act.AlertID+": "+d.Comment) {
			server.JSON(w, http.StatusOK, act)
		}
	}
}

// limit reads the limit of a page: 1 to store.MaxPage, 0 when absent.
func limit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > store.MaxPage {
		return 0, fmt.Errorf("limit %q: want 1 to %d", s, store.MaxPage)
	}
	return n, nil
}
