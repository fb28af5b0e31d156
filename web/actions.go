package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"vigil/audit"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// actionsData is what the responses page shows: the actions waiting for
// approval, then the recent ones, and how notifications are delivered.
type actionsData struct {
	Pending    []store.Action
	Recent     []store.Action
	Next       string // the next page of recent actions
	First      string // the first page, when not on it
	Receivers  []receiverRow
	Dead       []store.Delivery
	CanApprove bool
	CanRedrive bool
	Problem    string
}

// receiverRow is how the deliveries of one integration stand.
type receiverRow struct {
	store.IntegrationStatus
	Pending, Delivered, Dead int
}

// actions serves GET /actions: cursor pages through the recent actions.
func (c *Console) actions(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.actionsPage(w, r, s, http.StatusOK, "")
}

// actionsPage renders the responses page with a problem.
func (c *Console) actionsPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, problem string) {
	ctx := r.Context()
	d := &actionsData{Problem: problem, CanApprove: user.Allowed(s.Role, user.PermApprove),
		CanRedrive: user.Allowed(s.Role, user.PermAlertsWrite)}
	var err error
	if d.Pending, _, err = c.Store.Actions(ctx, store.ActionQuery{State: store.ActionPending, Limit: maxPageSize}); err != nil {
		c.storeFail(w, r, err)
		return
	}
	cursor := r.URL.Query().Get("cursor")
	recent, next, err := c.Store.Actions(ctx, store.ActionQuery{Cursor: cursor, Limit: pageSize(r.URL.Query().Get("limit"))})
	if errors.Is(err, store.ErrInvalid) {
		recent, next, err = c.Store.Actions(ctx, store.ActionQuery{Limit: defaultPageSize})
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	d.Recent = recent
	if next != "" {
		d.Next = withQuery("/actions", url.Values{"cursor": {next}})
	}
	if cursor != "" {
		d.First = "/actions"
	}
	deliveries, err := c.Store.DeliveryStatus(ctx)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	for _, st := range deliveries {
		d.Receivers = append(d.Receivers, receiverRow{st, st.Counts[store.Pending], st.Counts[store.Delivered], st.Counts[store.Dead]})
	}
	if d.Dead, _, err = c.Store.Deliveries(ctx, store.DeliveryQuery{State: store.Dead, Limit: defaultPageSize}); err != nil {
		c.storeFail(w, r, err)
		return
	}
	c.render(w, r, status, "actions", "Responses", d)
}

// decide serves POST /actions/{id}/approve and /reject: field comment,
// and for an approval the user's password again (field password), the
// second authentication a key operation needs.
func (c *Console) decide(approve bool) page {
	kind, flash := audit.ActionReject, "Action rejected"
	if approve {
		kind, flash = audit.ActionApprove, "Action approved"
	}
	return func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		lang := langOf(r)
		comment, problem := comment(r)
		if problem != "" {
			c.actionsPage(w, r, s, http.StatusBadRequest, problem)
			return
		}
		if approve && !c.confirm(w, r, s, kind) {
			return
		}
		a, err := c.Store.Decide(r.Context(), r.PathValue("id"), approve, s.User, comment, time.Now())
		if errors.Is(err, store.ErrConflict) {
			if c.record(w, r, s, kind, r.PathValue("id"), audit.ResultFailure, reason(err)) {
				c.actionsPage(w, r, s, http.StatusConflict, lang.T("The action was not decided: %s", reason(err)))
			}
			return
		}
		if err != nil {
			c.storeFail(w, r, err)
			return
		}
		detail := a.Name + " of alert " + a.AlertID
		if comment != "" {
			detail += ": " + comment
		}
		if c.record(w, r, s, kind, a.ID, audit.ResultSuccess, detail) {
			c.flash(w, r, flash)
			c.redirect(w, r, "/actions")
		}
	}
}

// confirm checks who the session's user is again: the password (field
// password) and, for a user with a second factor, a code of it (field
// code). When either is wrong, it answers the request and returns
// false. The user service records the failure.
func (c *Console) confirm(w http.ResponseWriter, r *http.Request, s *session.Session, action string) bool {
	pw := r.PostFormValue("password")
	if pw == "" {
		c.actionsPage(w, r, s, http.StatusBadRequest, langOf(r).T("Enter your password to approve."))
		return false
	}
	code := strings.ReplaceAll(r.PostFormValue("code"), " ", "")
	err := c.Users.Confirm(r.Context(), actor(r, s), s.UserID, pw, code, action)
	switch {
	case errors.Is(err, user.ErrInvalid):
		c.actionsPage(w, r, s, http.StatusForbidden, langOf(r).T("The password or code was not accepted. Nothing was approved."))
		return false
	case errors.Is(err, user.ErrTooMany):
		c.actionsPage(w, r, s, http.StatusTooManyRequests, langOf(r).T("Too many attempts. Please wait a minute and try again."))
		return false
	case err != nil:
		c.Log.Error("console: confirming a password", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return false
	}
	return true
}

// redrive serves POST /deliveries/{id}/redrive: it sends a dead letter
// again.
func (c *Console) redrive(w http.ResponseWriter, r *http.Request, s *session.Session) {
	d, err := c.Store.Redrive(r.Context(), r.PathValue("id"), time.Now())
	if errors.Is(err, store.ErrConflict) {
		c.actionsPage(w, r, s, http.StatusConflict, langOf(r).T("The delivery was not re-driven: %s", reason(err)))
		return
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionRedrive, d.ID, audit.ResultSuccess, d.Receiver+" "+d.Integration) {
		c.flash(w, r, "Delivery re-driven")
		c.redirect(w, r, "/actions")
	}
}
