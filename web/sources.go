package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"vigil/audit"
	"vigil/auth"
	"vigil/chart"
	"vigil/config"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// sourceRow is a configured source and what it took in lately.
type sourceRow struct {
	config.Source
	// State is "receiving", "silent" (no event for silentFor or more)
	// or "never" (no event in the week the store keeps).
	State     string
	SilentFor int     // minutes, when silent
	PerMinute float64 // events per minute over the last 5 minutes
	Spark     template.HTML
	LastEvent *time.Time
}

// sourceRows returns each configured source with its activity.
func (c *Console) sourceRows(r *http.Request, now time.Time) ([]sourceRow, error) {
	hour := now.Truncate(time.Minute).Add(-59 * time.Minute)
	acts, err := c.Store.SourceActivity(r.Context(), hour)
	if err != nil {
		return nil, err
	}
	lang := langOf(r)
	var rows []sourceRow
	for _, src := range c.Pages.Sources {
		row := sourceRow{Source: src, State: "never"}
		perMinute := make([]float64, 60)
		if a := acts[src.Name]; a != nil {
			row.LastEvent = a.LastEvent
			recent := int64(0)
			for _, m := range a.Minutes {
				if i := int(m.Minute.Sub(hour) / time.Minute); i >= 0 && i < len(perMinute) {
					perMinute[i] += float64(m.Events)
				}
				if !m.Minute.Before(now.Truncate(time.Minute).Add(-4 * time.Minute)) {
					recent += m.Events
				}
			}
			row.PerMinute = float64(recent) / 5
			row.State = "receiving"
			if quiet := now.Sub(*a.LastEvent); quiet >= silentFor {
				row.State, row.SilentFor = "silent", int(quiet/time.Minute)
			}
		}
		spark := chart.Sparkline{Title: lang.T("Events per minute, last hour, of %s", src.Name), Values: perMinute}
		row.Spark = template.HTML(spark.SVG()) // the chart escapes every text it writes
		rows = append(rows, row)
	}
	return rows, nil
}

// sourcesData is what the sources page shows.
type sourcesData struct {
	Sources []sourceRow
	Inputs  []config.Input
	// What administrators see: the tokens, the form to make one, the
	// one just made (shown once) and what was wrong with a request.
	Tokens   []store.Token
	Roles    []store.Role
	Form     tokenForm
	NewToken *newToken
	Problem  string
	// StepUp is the session's step-up, which making a token needs.
	StepUp stepUpView
}

// tokenForm is the form that makes a token.
type tokenForm struct {
	Name, Role, Source string
}

// newToken is a token just made, shown this once, with the key pair of
// the EventBridge API for tokens that may put events.
type newToken struct {
	Name, Token, AccessKeyID, SecretAccessKey string
}

// sources serves GET /sources.
func (c *Console) sources(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.sourcesPage(w, r, s, http.StatusOK, &sourcesData{Form: tokenForm{Role: string(store.Ingest)}})
}

// sourcesPage renders the sources page with d, adding what it shows to
// everyone and, to those who manage tokens, the tokens.
func (c *Console) sourcesPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, d *sourcesData) {
	var err error
	if d.Sources, err = c.sourceRows(r, time.Now()); err != nil {
		c.storeFail(w, r, err)
		return
	}
	d.Inputs = c.Pages.Inputs
	if user.Allowed(s.Role, user.PermTokens) {
		if d.Tokens, err = c.Store.Tokens(r.Context()); err != nil {
			c.storeFail(w, r, err)
			return
		}
		slices.Reverse(d.Tokens) // newest first
		d.Roles = []store.Role{store.Ingest, store.Analyst, store.Auditor, store.Admin}
		d.StepUp = c.stepUpOf(r, s, "/sources")
	}
	c.render(w, r, status, "sources", "Sources", d)
}

// maxTokenName bounds the names of tokens.
const maxTokenName = 64

// createToken serves POST /tokens: it makes a token and shows it once.
// A token is a credential that works without a second factor, so making
// one needs a step-up (see stepUp).
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, s *session.Session) {
	f := tokenForm{Name: formText(r, "name"), Role: formText(r, "role"), Source: formText(r, "source")}
	d := &sourcesData{Form: f}
	if d.Problem = c.checkToken(r, f); d.Problem != "" {
		c.sourcesPage(w, r, s, http.StatusBadRequest, d)
		return
	}
	if !c.steppedUp(r, s, func(status int, msg string) { d.Problem = msg; c.sourcesPage(w, r, s, status, d) }) {
		return
	}
	role := store.Role(f.Role)
	token, err := auth.Create(r.Context(), c.Store, f.Name, role, f.Source)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrInvalid) {
		d.Problem = langOf(r).T("The token was not made: %s", reason(err))
		c.sourcesPage(w, r, s, storeStatus(err), d)
		return
	}
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	id := auth.ID(token)
	detail := fmt.Sprintf("id %s, role %s", id, role)
	if f.Source != "" {
		detail += ", source " + f.Source
	}
	if !c.record(w, r, s, audit.ActionTokenCreate, f.Name, audit.ResultSuccess, detail) {
		return
	}
	d.NewToken = &newToken{Name: f.Name, Token: token}
	if (role == store.Ingest || role == store.Admin) && c.Pages.ServerKey != nil {
		d.NewToken.AccessKeyID, d.NewToken.SecretAccessKey = id, auth.AWSSecret(c.Pages.ServerKey, id)
	}
	d.Form = tokenForm{Role: string(store.Ingest)}
	c.sourcesPage(w, r, s, http.StatusOK, d)
}

// checkToken returns what is wrong with the form of a new token, in the
// request's language, or "".
func (c *Console) checkToken(r *http.Request, f tokenForm) string {
	lang := langOf(r)
	switch role := store.Role(f.Role); {
	case f.Name == "":
		return lang.T("Give the token a name.")
	case utf8.RuneCountInString(f.Name) > maxTokenName || !utf8.ValidString(f.Name):
		return lang.T("The name is too long: at most %d characters.", maxTokenName)
	case !role.Valid():
		return lang.T("Choose a role.")
	case f.Source != "" && role != store.Ingest:
		return lang.T("Only ingest tokens are limited to a source.")
	case f.Source != "" && !slices.ContainsFunc(c.Pages.Sources, func(s config.Source) bool { return s.Name == f.Source }):
		return lang.T("There is no source %q.", f.Source)
	}
	return ""
}

// revokeToken serves POST /tokens/{id}/revoke.
func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, s *session.Session) {
	id := r.PathValue("id")
	tokens, err := c.Store.Tokens(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	i := slices.IndexFunc(tokens, func(t store.Token) bool { return t.ID == id && t.Revoked == nil })
	if i < 0 {
		c.fail(w, r, http.StatusNotFound)
		return
	}
	if err := c.Store.RevokeToken(r.Context(), id); err != nil {
		c.storeFail(w, r, err)
		return
	}
	t := tokens[i]
	if !c.record(w, r, s, audit.ActionTokenRevoke, t.Name, audit.ResultSuccess, "id "+t.ID+", role "+string(t.Role)) {
		return
	}
	c.flash(w, r, "Token revoked")
	c.redirect(w, r, "/sources")
}
