// Package web is vigil's console: server-rendered pages over the store,
// for the security team (alerts, rules, sources, silences, responses),
// its administrators (users) and its auditors (the audit trail).
//
// The console meets the financial security specification it protects
// (docs/console.md): users log in with a password and, for the roles
// that need one, a second factor; sessions live in HttpOnly, Secure,
// SameSite=Strict cookies only; every page checks the user's role
// against one table of permissions; every form carries a CSRF token;
// every page is served no-store under a strict Content-Security-Policy
// that allows no inline script; errors show a generic page.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"vigil/audit"
	"vigil/auth"
	"vigil/server"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// Console serves the console's pages.
type Console struct {
	Store    *store.DB
	Users    *user.Service
	Sessions *session.Manager
	Trail    *audit.Trail
	Log      *slog.Logger
	// FlashKey signs the messages a page leaves for the next one: 32
	// bytes or more, the server key.
	FlashKey []byte
	// Pages holds what the pages need beyond the store: the sources,
	// the rules in force...
	Pages Pages
	// LoginLimit bounds login attempts per client address; nil means a
	// burst of 20, then one every 5 seconds.
	LoginLimit *auth.Limiter

	routes []Route
	tmpl   *templates
}

// Route is a page of the console and what it takes to use it.
type Route struct {
	Pattern string // as http.ServeMux takes it: "GET /alerts/{id}"
	// Perm is the permission it needs; "" for pages any logged-in user
	// may use, Public for pages anyone may (the login page).
	Perm user.Permission
	// Setup pages are those a user who must first change a password or
	// enrol a second factor may use.
	Setup bool
}

// Public marks a page anyone may use, without a session.
const Public user.Permission = "public"

// Routes returns the console's pages, for tests that check every one.
func (c *Console) Routes() []Route { return c.routes }

// Register adds the console's pages to mux.
func (c *Console) Register(mux *http.ServeMux) error {
	t, err := parseTemplates()
	if err != nil {
		return err
	}
	c.tmpl = t
	mux.Handle("GET /static/", static())
	c.registerAuth(mux)
	c.registerPages(mux)
	c.registerUsers(mux)
	c.registerAudit(mux)
	mux.HandleFunc("/", c.notFound)
	return nil
}

// notFound answers what no page or API route takes: the generic error
// page, or for the API a JSON error, never the server's plain text.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		server.Error(w, http.StatusNotFound, "no such API route: see docs/serve.md")
		return
	}
	c.fail(w, r, http.StatusNotFound)
}

// page is a handler of a page, given the request's session (nil on
// public pages).
type page func(w http.ResponseWriter, r *http.Request, s *session.Session)

// handle registers a page that needs perm.
func (c *Console) handle(mux *http.ServeMux, pattern string, perm user.Permission, h page) {
	c.add(mux, Route{Pattern: pattern, Perm: perm}, h)
}

// add registers a page.
func (c *Console) add(mux *http.ServeMux, rt Route, h page) {
	c.routes = append(c.routes, rt)
	mux.Handle(rt.Pattern, c.guard(rt, h))
}

type sessionKey struct{}

// guard serves a page to those it is for: with a live session, the
// permission, the setup done, and a CSRF token on every request that
// changes something. Everyone else is sent to log in or refused, and
// refusals of a logged-in user are recorded.
func (c *Console) guard(rt Route, h page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer c.recoverPanic(w, r)
		if mutating(r) {
			if status := readForm(w, r); status != 0 {
				c.fail(w, r, status)
				return
			}
		}
		if rt.Perm == Public {
			h(w, r, nil)
			return
		}
		id := session.ID(r)
		s, err := c.Sessions.Get(r.Context(), id, server.ClientIP(r))
		if err != nil {
			c.noSession(w, r, err)
			return
		}
		// Cache-Control: no-store is on every answer (server.Secure);
		// pages of a session say it the HTTP/1.0 way too, as the
		// specification asks (7.1.10).
		w.Header().Set("Pragma", "no-cache")
		if mutating(r) && !session.CheckCSRF(id, r.PostFormValue(csrfField)) {
			c.deny(w, r, s, "a missing or wrong CSRF token")
			return
		}
		if to := c.setupPage(s); to != "" && !rt.during(to) {
			c.redirect(w, r, to)
			return
		}
		if rt.Perm != "" && !user.Allowed(s.Role, rt.Perm) {
			c.deny(w, r, s, "role "+string(s.Role)+" lacks "+string(rt.Perm))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)), s)
	})
}

// recoverPanic answers a request whose handler panicked with the generic
// error page, and logs what happened: the browser never sees a stack.
func (c *Console) recoverPanic(w http.ResponseWriter, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	c.Log.Error("console: a page failed", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
	c.fail(w, r, http.StatusInternalServerError)
}

// mutating reports whether a request may change something: every method
// but GET and HEAD.
func mutating(r *http.Request) bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// The pages of setting up an account, in the order a user goes through
// them.
const (
	passwordStep = "/account/password"
	totpStep     = "/account/totp"
)

// during reports whether a route may be used while a user must go
// through the setup step at a path: the step's own pages, and the setup
// pages that are no step (logging out), but not a later step's.
func (rt Route) during(step string) bool {
	_, path, _ := strings.Cut(rt.Pattern, " ")
	return rt.Setup && (path == step || path != passwordStep && path != totpStep)
}

// setupPage returns the page a user must go through before any other,
// or "".
func (c *Console) setupPage(s *session.Session) string {
	switch {
	case s.MustChangePassword:
		return passwordStep
	case c.Users.NeedsTOTP(s.Role) && !s.TOTP:
		return totpStep
	}
	return ""
}

// noSession answers a request without a live session: to the login page
// for pages, 401 for the rest.
func (c *Console) noSession(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, session.ErrUnknown) && !errors.Is(err, session.ErrExpired) && !errors.Is(err, session.ErrEnded) {
		c.Log.Error("console: checking a session", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	if session.ID(r) != "" {
		http.SetCookie(w, session.ClearCookie())
	}
	if r.Method == http.MethodGet {
		c.redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		return
	}
	c.fail(w, r, http.StatusUnauthorized)
}

// deny refuses a request of a logged-in user, and records it.
func (c *Console) deny(w http.ResponseWriter, r *http.Request, s *session.Session, why string) {
	e := audit.Actor{Name: s.User, IP: server.ClientIP(r)}.Entry(audit.ActionAccessDenied, r.Method+" "+r.URL.Path, "denied", why)
	if err := c.Trail.Record(r.Context(), e); err != nil {
		c.Log.Error("console: recording a refusal", "err", err)
	}
	c.fail(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)), http.StatusForbidden)
}

// record adds an entry to the audit trail for what the session's user
// did. When the trail cannot take it, it answers the request with an
// error and returns false: what is not recorded must not be done.
func (c *Console) record(w http.ResponseWriter, r *http.Request, s *session.Session, action, target, result, detail string) bool {
	e := audit.Actor{Name: s.User, IP: server.ClientIP(r)}.Entry(action, target, result, detail)
	if err := c.Trail.Record(r.Context(), e); err != nil {
		c.Log.Error("console: recording in the audit trail", "action", action, "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return false
	}
	return true
}

// redirect sends the browser to a path of the console, with 303 so that
// a form's POST becomes a GET.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, localPath(path), http.StatusSeeOther)
}

// localPath returns path when it is a path of this site, and "/"
// otherwise: redirects never leave the console. It percent-encodes
// spaces and what is not ASCII, since headers hold ASCII only.
func localPath(path string) string {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.HasPrefix(path, "/\\") ||
		strings.ContainsAny(path, "\\\r\n\t") {
		return "/"
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if c := path[i]; c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sessionOf returns the session of a request that guard served.
func sessionOf(r *http.Request) *session.Session {
	s, _ := r.Context().Value(sessionKey{}).(*session.Session)
	return s
}
