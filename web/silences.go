package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"vigil/audit"
	"vigil/session"
	"vigil/silence"
	"vigil/store"
	"vigil/user"
)

// silencesData is what the silences page shows.
type silencesData struct {
	Silences []silenceRow
	All      bool // expired silences too
	Form     silenceForm
	CanWrite bool
	Problem  string
}

// silenceRow is a silence and its state now, and the words for it.
type silenceRow struct {
	store.Silence
	State silence.State
	Label string
}

// silenceLabels are the words pages use for the states of silences.
var silenceLabels = map[silence.State]string{
	silence.Pending: "not yet in effect",
	silence.Active:  "in effect",
	silence.Expired: "expired",
}

// silenceForm is the form that makes a silence: matchers one per line,
// a duration (Alertmanager's: 2h, 1d) or an end, and a comment.
type silenceForm struct {
	Matchers, Duration, End, Comment string
}

// silences serves GET /silences: live silences, all with all=1. Each
// matcher= prefills the form, as the page of an alert asks.
func (c *Console) silences(w http.ResponseWriter, r *http.Request, s *session.Session) {
	f := silenceForm{Matchers: strings.Join(r.URL.Query()["matcher"], "\n"), Duration: "2h"}
	c.silencesPage(w, r, s, http.StatusOK, f, "")
}

// silencesPage renders the silences with a form and a problem.
func (c *Console) silencesPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, f silenceForm, problem string) {
	d := &silencesData{All: r.URL.Query().Get("all") == "1", Form: f, Problem: problem,
		CanWrite: user.Allowed(s.Role, user.PermSilences)}
	now := time.Now()
	since := now
	if d.All {
		since = time.Time{}
	}
	ss, err := c.Store.Silences(r.Context(), since)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	for _, x := range ss {
		st := silence.StateAt(&x, now)
		d.Silences = append(d.Silences, silenceRow{x, st, silenceLabels[st]})
	}
	c.render(w, r, status, "silences", "Silences", d)
}

// createSilence serves POST /silences.
func (c *Console) createSilence(w http.ResponseWriter, r *http.Request, s *session.Session) {
	f := silenceForm{Matchers: r.PostFormValue("matchers"), Duration: formText(r, "duration"), End: formText(r, "end"),
		Comment: formText(r, "comment")}
	now := time.Now()
	sil, problem := f.silence(r, s.User, now)
	if problem == "" {
		if err := silence.Check(sil, now); err != nil {
			problem = langOf(r).T("The silence was not created: %s", err)
		}
	}
	if problem != "" {
		c.silencesPage(w, r, s, http.StatusBadRequest, f, problem)
		return
	}
	sil, err := c.Store.CreateSilence(r.Context(), *sil)
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionSilenceAdd, sil.ID, audit.ResultSuccess, silence.Describe(sil)) {
		c.flash(w, r, "Silence created")
		c.redirect(w, r, "/silences")
	}
}

// silence returns the silence the form describes, made by a user now,
// or what is wrong with it in the request's language.
func (f silenceForm) silence(r *http.Request, by string, now time.Time) (*store.Silence, string) {
	lang := langOf(r)
	sil := &store.Silence{StartsAt: now, CreatedBy: by, Comment: f.Comment, CreatedAt: now}
	for _, l := range strings.Split(f.Matchers, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sil.Matchers = append(sil.Matchers, l)
		}
	}
	switch {
	case len(sil.Matchers) == 0:
		return nil, lang.T("Write at least one matcher, such as rule=\"aws-iam-access-key-created\".")
	case f.Comment == "":
		return nil, lang.T("Say why in the comment.")
	case (f.Duration == "") == (f.End == ""):
		return nil, lang.T("Give a duration or an end, not both.")
	case f.Duration != "":
		d, err := model.ParseDuration(f.Duration)
		if err != nil || d <= 0 {
			return nil, lang.T("%q is not a duration: write 30m, 2h or 1d.", f.Duration)
		}
		sil.EndsAt = now.Add(time.Duration(d))
	default:
		end, ok := parseWhen(f.End)
		if !ok {
			return nil, lang.T("%q is not a time: write 2026-03-14T09:30 (UTC).", f.End)
		}
		sil.EndsAt = end
	}
	return sil, ""
}

// expireSilence serves POST /silences/{id}/expire: it ends a silence now.
func (c *Console) expireSilence(w http.ResponseWriter, r *http.Request, s *session.Session) {
	sil, err := c.Store.ExpireSilence(r.Context(), r.PathValue("id"), time.Now())
	if errors.Is(err, store.ErrConflict) {
		c.silencesPage(w, r, s, http.StatusConflict, silenceForm{Duration: "2h"}, langOf(r).T("The silence had already ended."))
		return
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionSilenceRemove, sil.ID, audit.ResultSuccess, silence.Describe(sil)) {
		c.flash(w, r, "Silence expired")
		c.redirect(w, r, "/silences")
	}
}
