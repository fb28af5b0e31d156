package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/audit"
	"vigil/store"
)

// Outcomes of a request in the authorization matrix.
const (
	ok       = http.StatusOK
	found    = http.StatusSeeOther // sent on, to a page of the console other than the login
	toLogin  = -1                  // sent to log in
	denied   = http.StatusForbidden
	noLogin  = http.StatusUnauthorized // a request that changes something, without a session
	bad      = http.StatusBadRequest
	notFound = http.StatusNotFound
	stepUp   = -2 // refused with 403 and the form of a step-up, which the operation needs
)

// access is what a route answers to each caller.
type access struct {
	anonymous, admin, analyst, auditor int
}

// matrixRow is a route of the matrix: the request that tries it, and
// what each caller gets.
type matrixRow struct {
	path string     // with its wildcards filled; the query too, for a GET
	form url.Values // for a POST, besides the CSRF token
	want access
}

// Common rows of access.
var (
	anyUser   = access{toLogin, ok, ok, ok}
	adminOnly = access{toLogin, ok, denied, denied}
	auditors  = access{toLogin, ok, denied, ok}
)

// matrix is every route of the console and what each caller gets: the
// authorization matrix of docs/console.md. A route the console has that
// the matrix lacks fails the test. Paths name what tc seeded.
func matrix(tc *testConsole) map[string]matrixRow {
	id := tc.ids["alert"]
	return map[string]matrixRow{
		// The security team's pages.
		"GET /{$}":                                 {path: "/", want: anyUser},
		"GET /alerts":                              {path: "/alerts?status=open", want: anyUser},
		"GET /alerts/{id}":                         {path: "/alerts/" + id, want: anyUser},
		"POST /alerts/{id}/status":                 {path: "/alerts/" + id + "/status", form: url.Values{"status": {"acknowledged"}}, want: analystOnly(found)},
		"POST /alerts/bulk":                        {path: "/alerts/bulk", form: url.Values{"id": {id}, "status": {"open"}}, want: analystOnly(found)},
		"GET /rules":                               {path: "/rules", want: anyUser},
		"GET /rules/{id}":                          {path: "/rules/bank-transfer-large", want: anyUser},
		"POST /rules/{id}/settings":                {path: "/rules/bank-transfer-large/settings", form: url.Values{"state": {"x"}}, want: adminOnlyPost(bad)},
		"POST /rules/{id}/exceptions":              {path: "/rules/bank-transfer-large/exceptions", form: url.Values{"pattern": {"{"}}, want: adminOnlyPost(bad)},
		"POST /rules/{id}/exceptions/{exc}/delete": {path: "/rules/bank-transfer-large/exceptions/nothing/delete", want: adminOnlyPost(notFound)},
		"POST /rules/upload":                       {path: "/rules/upload", want: adminOnlyPost(bad)},
		"POST /rules/uploads/{id}/delete":          {path: "/rules/uploads/nothing/delete", want: adminOnlyPost(notFound)},
		"GET /rules/test":                          {path: "/rules/test", want: anyUser},
		"POST /rules/test":                         {path: "/rules/test", form: url.Values{"pattern": {`{"source": ["aws.iam"]}`}, "event": {testEvent}}, want: access{noLogin, ok, ok, ok}},
		"GET /sources":                             {path: "/sources", want: anyUser},
		"POST /tokens":                             {path: "/tokens", form: url.Values{"name": {""}}, want: adminOnlyPost(bad)},
		"POST /tokens/{id}/revoke":                 {path: "/tokens/nothing/revoke", want: adminOnlyPost(notFound)},
		"GET /silences":                            {path: "/silences", want: anyUser},
		"POST /silences":                           {path: "/silences", form: url.Values{"matchers": {""}}, want: analystOnly(bad)},
		"POST /silences/{id}/expire":               {path: "/silences/nothing/expire", want: analystOnly(notFound)},
		"GET /actions":                             {path: "/actions", want: anyUser},
		"POST /actions/{id}/approve":               {path: "/actions/nothing/approve", want: analystOnly(bad)},
		"POST /actions/{id}/reject":                {path: "/actions/nothing/reject", want: analystOnly(notFound)},
		"POST /deliveries/{id}/redrive":            {path: "/deliveries/nothing/redrive", want: analystOnly(notFound)},

		// Logging in and out, languages.
		"GET /lang":    {path: "/lang?to=zh-CN&next=/alerts", want: access{found, found, found, found}},
		"GET /login":   {path: "/login", want: access{ok, ok, ok, ok}},
		"POST /login":  {path: "/login", form: url.Values{"username": {"ana"}}, want: access{denied, denied, denied, denied}},
		"POST /logout": {path: "/logout", want: access{noLogin, found, found, found}},

		// Everyone's own account.
		"GET /account":           {path: "/account", want: anyUser},
		"GET /account/password":  {path: "/account/password", want: anyUser},
		"POST /account/password": {path: "/account/password", form: url.Values{"new": {"a"}, "repeat": {"b"}}, want: access{noLogin, ok, ok, ok}},
		"GET /account/totp":      {path: "/account/totp", want: anyUser},
		"POST /account/totp":     {path: "/account/totp", form: url.Values{"step": {"begin"}}, want: access{noLogin, ok, ok, ok}},
		"POST /account/stepup":   {path: "/account/stepup", form: url.Values{"next": {"/users"}}, want: access{noLogin, found, denied, denied}},

		// Users, for administrators.
		"GET /users":                  {path: "/users", want: adminOnly},
		"POST /users":                 {path: "/users", form: url.Values{"name": {"x"}, "role": {"analyst"}}, want: access{noLogin, bad, denied, denied}},
		"GET /users/{name}":           {path: "/users/target", want: adminOnly},
		"POST /users/{name}/role":     {path: "/users/target/role", form: url.Values{"role": {"root"}}, want: access{noLogin, bad, denied, denied}},
		"POST /users/{name}/lock":     {path: "/users/target/lock", want: access{noLogin, found, denied, denied}},
		"POST /users/{name}/unlock":   {path: "/users/target/unlock", want: access{noLogin, stepUp, denied, denied}},
		"POST /users/{name}/password": {path: "/users/target/password", want: access{noLogin, stepUp, denied, denied}},
		"POST /users/{name}/totp":     {path: "/users/target/totp", want: access{noLogin, stepUp, denied, denied}},

		// The audit trail, for auditors and administrators.
		"GET /audit":            {path: "/audit", want: auditors},
		"POST /audit/verify":    {path: "/audit/verify", want: access{noLogin, found, denied, found}},
		"GET /audit/stats":      {path: "/audit/stats", want: auditors},
		"GET /audit/export.csv": {path: "/audit/export.csv", want: auditors},
	}
}

// testEvent is an event for the pattern tester.
const testEvent = `{"version": "0", "id": "1", "account": "1", "source": "aws.iam", "time": "2026-03-14T09:00:00Z",
"region": "us-east-1", "detail-type": "AWS API Call via CloudTrail", "resources": [], "detail": {}}`

// analystOnly is a change only analysts may make, which answers them
// with status.
func analystOnly(status int) access { return access{noLogin, denied, status, denied} }

// adminOnlyPost is a change only administrators may make, which answers
// them with status.
func adminOnlyPost(status int) access { return access{noLogin, status, denied, denied} }

// matrixConsole returns a console with something on every page: the
// pages' console, its first alert the one the matrix's paths name.
func matrixConsole(t *testing.T) *testConsole {
	tc, ids := newPagesConsole(t)
	tc.ids = map[string]string{"alert": ids.key}
	return tc
}

// callers are who the matrix tries each route as: "" is anonymous.
var callers = []store.Role{"", store.Admin, store.Analyst, store.Auditor}

// of returns what the row says the caller gets.
func (a access) of(role store.Role) int {
	switch role {
	case store.Admin:
		return a.admin
	case store.Analyst:
		return a.analyst
	case store.Auditor:
		return a.auditor
	}
	return a.anonymous
}

// TestAuthorizationMatrix calls every route of the console as every role
// and as anonymous, and checks each answer against the matrix, and the
// headers of every answer. A refusal of a logged-in user is recorded.
func TestAuthorizationMatrix(t *testing.T) {
	tc := matrixConsole(t)
	rows := matrix(tc)
	seen := map[string]bool{}
	for _, rt := range tc.con.Routes() {
		seen[rt.Pattern] = true
		row, ok := rows[rt.Pattern]
		if !ok {
			t.Errorf("%s: not in the authorization matrix", rt.Pattern)
			continue
		}
		method, _, _ := strings.Cut(rt.Pattern, " ")
		for _, role := range callers {
			t.Run(rt.Pattern+" as "+string(orAnonymous(role)), func(t *testing.T) {
				cl := tc.anonymous()
				if role != "" {
					cl = tc.as(roleUsers[role])
				}
				var w *httptest.ResponseRecorder
				if method == http.MethodGet {
					w = cl.get(row.path)
				} else {
					w = cl.post(row.path, row.form)
				}
				checkOutcome(t, tc, w, row.want.of(role), role, rt.Perm != Public)
				checkHeaders(t, w, role != "" && rt.Perm != Public)
			})
		}
	}
	for p := range rows {
		if !seen[p] {
			t.Errorf("%s: in the matrix, but the console has no such route", p)
		}
	}
}

func orAnonymous(r store.Role) store.Role {
	if r == "" {
		return "anonymous"
	}
	return r
}

// checkOutcome checks an answer against the outcome the matrix wants;
// guarded routes record their refusals.
func checkOutcome(t *testing.T, tc *testConsole, w *httptest.ResponseRecorder, want int, role store.Role, guarded bool) {
	t.Helper()
	switch want {
	case toLogin:
		wantLogin(t, w)
		return
	case stepUp:
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `action="/account/stepup"`) {
			t.Fatalf("got %d, want 403 with the form of a step-up; body:\n%.600s", w.Code, w.Body.String())
		}
		return
	case found:
		if w.Code != http.StatusSeeOther || strings.HasPrefix(location(w), "/login?") {
			t.Fatalf("got %d to %q, want 303 to a page", w.Code, location(w))
		}
		return
	}
	if w.Code != want {
		t.Fatalf("got %d (to %q), want %d; body:\n%.600s", w.Code, location(w), want, w.Body.String())
	}
	if want == denied && role != "" && guarded {
		e := tc.lastEntry(audit.ActionAccessDenied)
		if e == nil || e.Actor != roleUsers[role] || e.Result != audit.ResultDenied {
			t.Errorf("the refusal is not recorded: %+v", e)
		}
	}
}

// checkHeaders checks the headers every answer of the console carries,
// and that every header is ASCII.
func checkHeaders(t *testing.T, w *httptest.ResponseRecorder, authenticated bool) {
	t.Helper()
	h := w.Header()
	for k, want := range map[string]string{
		"Strict-Transport-Security": "max-age=",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Content-Security-Policy":   "default-src 'none'; script-src 'self'; style-src 'self';",
	} {
		if !strings.Contains(h.Get(k), want) {
			t.Errorf("%s: %q, want it to hold %q", k, h.Get(k), want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
		!strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q is not strict", csp)
	}
	if authenticated && h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control: %q, want no-store", h.Get("Cache-Control"))
	}
	if authenticated && w.Code != http.StatusUnauthorized && !strings.HasPrefix(location(w), "/login") &&
		h.Get("Pragma") != "no-cache" {
		t.Errorf("Pragma: %q, want no-cache on the answers of a session", h.Get("Pragma"))
	}
	for k, vs := range h {
		for _, v := range append([]string{k}, vs...) {
			for i := 0; i < len(v); i++ {
				if v[i] < ' ' || v[i] > '~' {
					t.Errorf("header %s: %q is not printable ASCII", k, v)
					break
				}
			}
		}
	}
}

// TestCSRF sends every request that changes something as a user allowed
// to make it, without its CSRF token and with another session's: both
// are refused and recorded, and nothing changes.
func TestCSRF(t *testing.T) {
	tc := matrixConsole(t)
	rows := matrix(tc)
	other := tc.as("target").csrf()
	for _, rt := range tc.con.Routes() {
		row := rows[rt.Pattern]
		method, _, _ := strings.Cut(rt.Pattern, " ")
		if method == http.MethodGet || rt.Pattern == "POST /login" {
			continue
		}
		role := allowedRole(row.want)
		if role == "" {
			t.Errorf("%s: no role may use it", rt.Pattern)
			continue
		}
		for name, token := range map[string]string{"none": "", "another session's": other} {
			t.Run(rt.Pattern+" with "+name, func(t *testing.T) {
				cl := tc.as(roleUsers[role])
				before := len(tc.entries())
				f := url.Values{csrfField: {token}}
				for k, v := range row.form {
					f[k] = v
				}
				w := cl.do(http.MethodPost, row.path, f)
				if w.Code != http.StatusForbidden {
					t.Fatalf("got %d, want 403", w.Code)
				}
				es := tc.entries()[before:]
				if len(es) != 1 || es[0].Action != audit.ActionAccessDenied || !strings.Contains(es[0].Detail, "CSRF") {
					t.Errorf("recorded %+v, want one access.denied for the CSRF token", es)
				}
			})
		}
	}
}

// allowedRole returns a role the matrix lets use a route.
func allowedRole(a access) store.Role {
	for _, r := range callers[1:] {
		if w := a.of(r); w != denied && w != toLogin {
			return r
		}
	}
	return ""
}
