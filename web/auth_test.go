package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vigil/audit"
	"vigil/auth"
	"vigil/session"
	"vigil/store"
)

// loginError returns the error a login page shows, "" when none.
func loginError(body string) string {
	_, rest, ok := strings.Cut(body, `class="error-box" role="alert">`)
	if !ok {
		return ""
	}
	msg, _, _ := strings.Cut(rest, "<")
	return msg
}

func TestLogin(t *testing.T) {
	tc := newConsole(t)
	cl := tc.anonymous()
	w := cl.login("ana", analystPassword, "")
	if w.Code != http.StatusSeeOther || location(w) != "/" {
		t.Fatalf("got %d to %q, want 303 to /", w.Code, location(w))
	}
	ck := w.Result().Cookies()
	var sess *http.Cookie
	for _, c := range ck {
		if c.Name == session.CookieName {
			sess = c
		}
	}
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" ||
		sess.MaxAge != 0 || !sess.Expires.IsZero() {
		t.Fatalf("session cookie %+v, want HttpOnly, Secure, SameSite=Strict, Path=/, no expiry", sess)
	}
	if len(sess.Value) < 22 { // 128 bits in base64
		t.Errorf("session id %q: fewer than 128 bits", sess.Value)
	}
	if _, ok := cl.jar[loginCookie]; ok {
		t.Error("the login form's token outlives the login")
	}
	if w := cl.get("/account"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ana") {
		t.Fatalf("after login: %d", w.Code)
	}
	if e := tc.lastEntry(audit.ActionLogin); e == nil || e.Actor != "ana" || e.Result != audit.ResultSuccess || e.SourceIP != cl.ip {
		t.Errorf("login recorded as %+v", e)
	}
}

// TestLoginForm checks what the login form asks and how: by POST, with
// no autocompletion of credentials.
func TestLoginForm(t *testing.T) {
	tc := newConsole(t)
	body := tc.anonymous().get("/login").Body.String()
	for _, want := range []string{`method="post" action="/login"`, `name="username"`, `name="password" type="password"`,
		`name="code"`, `name="csrf"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	for _, input := range strings.Split(body, "<input")[1:] {
		if strings.Contains(input, `type="hidden"`) {
			continue
		}
		if !strings.Contains(input, `autocomplete="off"`) {
			t.Errorf("an input without autocomplete=off: <input%.80s", input)
		}
	}
}

// TestLoginGenericError fails logins in every way there is and checks
// that each gets the same answer, while the trail records what it was.
func TestLoginGenericError(t *testing.T) {
	tc := newConsole(t)
	if err := tc.con.Users.Lock(t.Context(), by, "target"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, user, password, code, why string }{
		{"unknown user", "nobody", analystPassword, "", "no such user"},
		{"not a user name", "a b", analystPassword, "", "no such user"},
		{"wrong password", "ana", analystPassword + "x", "", "wrong password"},
		{"no code", "admin", adminPassword, "", "code"},
		{"wrong code", "admin", adminPassword, "000000", "code"},
		{"locked user", "target", analystPassword, "", "locked"},
		{"empty", "", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := tc.anonymous().login(c.user, c.password, c.code)
			if w.Code != http.StatusOK || loginError(w.Body.String()) != "invalid user name or password" {
				t.Fatalf("got %d, error %q", w.Code, loginError(w.Body.String()))
			}
			if strings.Contains(w.Body.String(), c.password) && c.password != "" {
				t.Error("the page holds the password")
			}
			if _, ok := tc.anonymous().jar[session.CookieName]; ok {
				t.Error("a session for a failed login")
			}
			e := tc.lastEntry(audit.ActionLogin)
			if e == nil || e.Result != audit.ResultFailure || !strings.Contains(e.Detail, c.why) {
				t.Errorf("recorded %+v, want a failure for %q", e, c.why)
			}
		})
	}
}

// TestLockout fails 5 logins in a row: the user is locked out, even
// with the right password and the same generic error, until the lockout
// ends 30 minutes later.
func TestLockout(t *testing.T) {
	tc := newConsole(t)
	cl := tc.anonymous()
	for range 5 {
		cl.login("ana", "wrong password 1", "")
	}
	if e := tc.lastEntry(audit.ActionLockout); e == nil || e.Target != "ana" {
		t.Fatalf("no lockout recorded: %+v", e)
	}
	w := cl.login("ana", analystPassword, "")
	if loginError(w.Body.String()) != "invalid user name or password" {
		t.Fatalf("locked out, the right password: %d %q", w.Code, loginError(w.Body.String()))
	}
	tc.clock.Add(29 * time.Minute)
	if w := cl.login("ana", analystPassword, ""); w.Code != http.StatusOK {
		t.Fatalf("29 minutes into the lockout: %d", w.Code)
	}
	tc.clock.Add(time.Minute)
	w = cl.login("ana", analystPassword, "")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("after the lockout: %d %q", w.Code, loginError(w.Body.String()))
	}
	// The flash of the next page tells of the previous attempt, a
	// failure, and of the attempts that failed since the last success.
	body := cl.get("/account").Body.String()
	for _, want := range []string{"failed", "192.0.2.10", "Failed attempts since your last successful login: 7."} {
		if !strings.Contains(body, want) {
			t.Errorf("the page after login does not tell %q:\n%s", want, body)
		}
	}
}

// TestLoginCSRF refuses a login without the form's token, or with
// another than the cookie's.
func TestLoginCSRF(t *testing.T) {
	tc := newConsole(t)
	cl := tc.anonymous()
	cl.get("/login")
	for name, token := range map[string]string{"none": "", "another": strings.Repeat("A", 26)} {
		w := cl.do(http.MethodPost, "/login", url.Values{csrfField: {token}, "username": {"ana"}, "password": {analystPassword}})
		if w.Code != http.StatusForbidden || cl.jar[session.CookieName] != "" {
			t.Errorf("%s: got %d, want 403 and no session", name, w.Code)
		}
	}
	if e := tc.lastEntry(audit.ActionLogin); e == nil || !strings.Contains(e.Detail, "CSRF") {
		t.Errorf("recorded %+v", e)
	}
}

// TestLoginRateLimit refuses logins from an address past its burst,
// whatever the credentials.
func TestLoginRateLimit(t *testing.T) {
	tc := newConsole(t, func(c *Console) { c.LoginLimit = auth.NewLimiter(1e-9, 2) })
	cl := tc.anonymous()
	cl.login("ana", "wrong password 1", "")
	cl.login("ana", "wrong password 1", "")
	w := cl.login("ana", analystPassword, "")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || cl.jar[session.CookieName] != "" {
		t.Fatalf("got %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	other := tc.anonymous()
	other.ip = "192.0.2.11"
	if w := other.login("ana", analystPassword, ""); w.Code != http.StatusSeeOther {
		t.Errorf("another address: %d", w.Code)
	}
}

// TestSessionRotation logs in with a session cookie already set: the
// login makes a new id, and the old one is dead.
func TestSessionRotation(t *testing.T) {
	tc := newConsole(t)
	cl := tc.as("ana")
	old := cl.jar[session.CookieName]
	if w := cl.login("ana", analystPassword, ""); w.Code != http.StatusSeeOther {
		t.Fatalf("login: %d", w.Code)
	}
	if id := cl.jar[session.CookieName]; id == "" || id == old {
		t.Fatalf("the login kept the session id")
	}
	stale := tc.anonymous()
	stale.jar[session.CookieName] = old
	wantLogin(t, stale.get("/account"))
}

// TestIdleTimeout ends a session 15 minutes after its last request.
func TestIdleTimeout(t *testing.T) {
	tc := newConsole(t)
	cl := tc.as("ana")
	tc.clock.Add(14 * time.Minute)
	if w := cl.get("/account"); w.Code != http.StatusOK {
		t.Fatalf("after 14 minutes: %d", w.Code)
	}
	tc.clock.Add(15*time.Minute + time.Second)
	wantLogin(t, cl.get("/account"))
	if e := tc.lastEntry(audit.ActionSessionInvalid); e == nil || e.Actor != "ana" || !strings.Contains(e.Detail, "idle") {
		t.Errorf("recorded %+v", e)
	}
	if _, ok := cl.jar[session.CookieName]; ok {
		t.Error("the cookie of an expired session is kept")
	}
}

// TestIdleTimeoutConfigured ends sessions after the configured idle time.
func TestIdleTimeoutConfigured(t *testing.T) {
	tc := newConsole(t)
	s, err := session.New(tc.db, tc.con.Trail, session.Config{Idle: 5 * time.Minute, Now: tc.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tc.con.Sessions = s
	cl := tc.as("ana")
	tc.clock.Add(5*time.Minute + time.Second)
	wantLogin(t, cl.get("/account"))
	if _, err := session.New(tc.db, tc.con.Trail, session.Config{Idle: 31 * time.Minute}); err == nil {
		t.Error("an idle timeout over 30 minutes is accepted")
	}
}

// TestAbsoluteLifetime ends a busy session 8 hours after login.
func TestAbsoluteLifetime(t *testing.T) {
	tc := newConsole(t)
	cl := tc.as("ana")
	for range 47 {
		tc.clock.Add(10 * time.Minute)
		if w := cl.get("/account"); w.Code != http.StatusOK {
			t.Fatalf("at %s: %d", tc.clock.Now().Sub(t0), w.Code)
		}
	}
	tc.clock.Add(10 * time.Minute)
	wantLogin(t, cl.get("/account"))
	if e := tc.lastEntry(audit.ActionSessionInvalid); e == nil || !strings.Contains(e.Detail, "lifetime") {
		t.Errorf("recorded %+v", e)
	}
}

// TestSingleSession logs the same user in twice: the first session ends.
func TestSingleSession(t *testing.T) {
	tc := newConsole(t)
	first, second := tc.anonymous(), tc.anonymous()
	second.ip = "192.0.2.20"
	first.login("ana", analystPassword, "")
	second.login("ana", analystPassword, "")
	wantLogin(t, first.get("/account"))
	if w := second.get("/account"); w.Code != http.StatusOK {
		t.Fatalf("the second session: %d", w.Code)
	}
	e := tc.lastEntry(audit.ActionSessionInvalid)
	if e == nil || !strings.Contains(e.Detail, store.EndReplaced) {
		t.Errorf("recorded %+v", e)
	}
}

// TestLogout ends the session on the server: its id no longer works.
func TestLogout(t *testing.T) {
	tc := newConsole(t)
	cl := tc.as("ana")
	id := cl.jar[session.CookieName]
	w := cl.post("/logout", nil)
	if w.Code != http.StatusSeeOther || location(w) != "/login" || cl.jar[session.CookieName] != "" {
		t.Fatalf("logout: %d to %q", w.Code, location(w))
	}
	if e := tc.lastEntry(audit.ActionLogout); e == nil || e.Actor != "ana" {
		t.Errorf("recorded %+v", e)
	}
	replay := tc.anonymous()
	replay.jar[session.CookieName] = id
	wantLogin(t, replay.get("/account"))
	if w := cl.get("/login"); !strings.Contains(w.Body.String(), "You have logged out.") {
		t.Error("no word of the logout")
	}
}

// TestLogoutOnEveryPage checks that every page of a logged-in user has
// the logout form.
func TestLogoutOnEveryPage(t *testing.T) {
	tc := matrixConsole(t)
	rows := matrix(tc)
	for _, rt := range tc.con.Routes() {
		row := rows[rt.Pattern]
		if !strings.HasPrefix(rt.Pattern, "GET ") || rt.Perm == Public {
			continue
		}
		role := allowedRole(row.want)
		w := tc.as(roleUsers[role]).get(row.path)
		if ct := w.Header().Get("Content-Type"); w.Code == http.StatusOK && strings.HasPrefix(ct, "text/html") &&
			!strings.Contains(w.Body.String(), `action="/logout"`) {
			t.Errorf("%s: no logout", rt.Pattern)
		}
	}
}

// TestRoleChangeEndsSessions changes a user's role from the users page:
// the user's session ends.
func TestRoleChangeEndsSessions(t *testing.T) {
	tc := newConsole(t)
	victim := tc.as("target")
	admin := tc.as("admin")
	admin.stepUp()
	if w := admin.post("/users/target/role", url.Values{"role": {"auditor"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("role change: %d", w.Code)
	}
	wantLogin(t, victim.get("/account"))
	if e := tc.lastEntry(audit.ActionUserRole); e == nil || e.Actor != "admin" || e.Target != "target" {
		t.Errorf("recorded %+v", e)
	}
}

// TestPasswordChange changes a password from the account page: it needs
// the current one, ends the session, and the new one works.
func TestPasswordChange(t *testing.T) {
	tc := newConsole(t)
	cl := tc.as("ana")
	const next = "Copper kettle at dawn 9"
	w := cl.post("/account/password", url.Values{"current": {"not it"}, "new": {next}, "repeat": {next}})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "The current password was not accepted.") {
		t.Fatalf("a wrong current password: %d", w.Code)
	}
	w = cl.post("/account/password", url.Values{"current": {analystPassword}, "new": {"ana12345"}, "repeat": {"ana12345"}})
	if !strings.Contains(w.Body.String(), "Password not accepted") {
		t.Fatalf("a weak password is not refused:\n%s", w.Body.String())
	}
	w = cl.post("/account/password", url.Values{"current": {analystPassword}, "new": {next}, "repeat": {next}})
	if w.Code != http.StatusSeeOther || location(w) != "/login" {
		t.Fatalf("change: %d to %q", w.Code, location(w))
	}
	wantLogin(t, cl.get("/account"))
	if w := cl.login("ana", next, ""); w.Code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", w.Code)
	}
}

// TestFirstLogin walks a new administrator through the first login: the
// one-time password, then a password of one's own, then a second factor,
// before any other page.
func TestFirstLogin(t *testing.T) {
	tc := newConsole(t)
	once, err := tc.con.Users.Add(t.Context(), by, "newadmin", store.Admin)
	if err != nil {
		t.Fatal(err)
	}
	cl := tc.anonymous()
	w := cl.login("newadmin", once, "")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("login: %d", w.Code)
	}
	for _, p := range []string{"/users", "/account", "/audit", "/account/totp"} {
		if w := cl.get(p); w.Code != http.StatusSeeOther || location(w) != "/account/password" {
			t.Errorf("GET %s before the password changes: %d to %q", p, w.Code, location(w))
		}
	}
	if body := cl.get("/account/password").Body.String(); !strings.Contains(body, "You must choose your own password") ||
		strings.Contains(body, `href="/users"`) {
		t.Errorf("the setup page:\n%s", body)
	}
	const mine = "Lantern over the river 3"
	if w := cl.post("/account/password", url.Values{"current": {once}, "new": {mine}, "repeat": {mine}}); w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", w.Code, w.Body.String())
	}
	cl.login("newadmin", mine, "")
	if w := cl.get("/users"); w.Code != http.StatusSeeOther || location(w) != "/account/totp" {
		t.Fatalf("GET /users before a second factor: %d to %q", w.Code, location(w))
	}
	secret := enrol(t, cl, mine)
	if w := cl.get("/users"); w.Code != http.StatusOK {
		t.Fatalf("GET /users after the setup: %d", w.Code)
	}
	cl.post("/logout", nil)
	tc.clock.Add(30 * time.Second)
	if w := cl.login("newadmin", mine, ""); w.Code != http.StatusOK {
		t.Fatalf("login without the code: %d", w.Code)
	}
	if w := cl.login("newadmin", mine, totpCode(t, secret, tc.clock.Now())); w.Code != http.StatusSeeOther {
		t.Fatalf("login with the code: %d", w.Code)
	}
}

// enrol enrols a second factor through the pages, and returns its
// secret.
func enrol(t *testing.T, cl *client, password string) string {
	t.Helper()
	if w := cl.post("/account/totp", url.Values{"step": {"begin"}, "password": {"wrong"}}); !strings.Contains(w.Body.String(),
		"The password or code was not accepted.") {
		t.Fatalf("a wrong password: %d", w.Code)
	}
	w := cl.post("/account/totp", url.Values{"step": {"begin"}, "password": {password}})
	body := w.Body.String()
	_, rest, ok := strings.Cut(body, `id="totp-secret" class="secret">`)
	if !ok {
		t.Fatalf("no secret:\n%s", body)
	}
	secret, _, _ := strings.Cut(rest, "<")
	if !strings.Contains(body, "otpauth://totp/vigil:") || !strings.Contains(body, `<svg class="qr"`) {
		t.Errorf("no URI or QR code:\n%s", body)
	}
	if w := cl.post("/account/totp", url.Values{"step": {"confirm"}, "code": {"000000"}}); !strings.Contains(w.Body.String(),
		"The code is not valid.") {
		t.Fatalf("a wrong code: %d", w.Code)
	}
	code := totpCode(t, secret, cl.tc.clock.Now())
	if w := cl.post("/account/totp", url.Values{"step": {"confirm"}, "code": {code[:3] + " " + code[3:]}}); w.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", w.Code, w.Body.String())
	}
	return secret
}

// TestOpenRedirect tries to send the browser elsewhere through every
// parameter that says where to go.
func TestOpenRedirect(t *testing.T) {
	tc := newConsole(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
		"javascript:alert(1)", "/\r\nSet-Cookie: x=y", "/\t/evil.example", "evil.example", "/%2F%2Fevil.example", "/告警"} {
		w := tc.anonymous().get("/lang?to=en&next=" + url.QueryEscape(next))
		checkLocal(t, "/lang", next, location(w))
		cl := tc.anonymous()
		page := cl.get("/login?next=" + url.QueryEscape(next))
		w = cl.do(http.MethodPost, "/login", url.Values{csrfField: {field(t, page.Body.String(), csrfField)},
			"username": {"ana"}, "password": {analystPassword}, "next": {next}})
		checkLocal(t, "POST /login", next, location(w))
		if got := field(t, page.Body.String(), "next"); strings.HasPrefix(got, "//") || !strings.HasPrefix(got, "/") {
			t.Errorf("GET /login?next=%q keeps next=%q in its form", next, got)
		}
	}
	if w := tc.anonymous().get("/audit?actor=ana"); location(w) != "/login?next=%2Faudit%3Factor%3Dana" {
		t.Errorf("to the login from a page: %q", location(w))
	}
}

// checkLocal fails unless a redirect stays on the console, in ASCII.
func checkLocal(t *testing.T, where, next, loc string) {
	t.Helper()
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
		t.Errorf("%s with next=%q sends the browser to %q", where, next, loc)
	}
	for i := 0; i < len(loc); i++ {
		if loc[i] <= ' ' || loc[i] > '~' {
			t.Errorf("%s with next=%q: Location %q is not ASCII", where, next, loc)
			break
		}
	}
}

// TestOversizedForm refuses bodies over the limit, before reading them
// as forms, on public pages and the others.
func TestOversizedForm(t *testing.T) {
	tc := newConsole(t)
	big := url.Values{"username": {strings.Repeat("a", maxForm)}}
	if w := tc.anonymous().do(http.MethodPost, "/login", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /login: %d, want 413", w.Code)
	}
	cl := tc.as("ana")
	big.Set(csrfField, cl.csrf())
	if w := cl.do(http.MethodPost, "/account/password", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /account/password: %d, want 413", w.Code)
	}
}

// TestErrorPages checks that error pages are generic: no stack, no
// version, no detail of what went wrong, the usual headers.
func TestErrorPages(t *testing.T) {
	tc := newConsole(t)
	panicky := tc.con.guard(Route{Pattern: "GET /boom"}, func(http.ResponseWriter, *http.Request, *session.Session) {
		panic("the database password is hunter2")
	})
	cl := tc.as("admin")
	req, w := newRequest(cl, "/boom")
	panicky.ServeHTTP(w, req)
	for name, w := range map[string]interface {
		Result() *http.Response
	}{"panic": w, "not found": cl.get("/users/nobody"), "denied": tc.as("ana").get("/users"),
		"bad request": cl.do(http.MethodPost, "/account/totp", url.Values{csrfField: {cl.csrf()}, "step": {"x"}})} {
		res := w.Result()
		b := new(strings.Builder)
		res.Write(b)
		text := b.String()
		if res.StatusCode < 400 || !strings.Contains(text, `<section class="error">`) {
			t.Errorf("%s: %d, not the error page:\n%s", name, res.StatusCode, text)
		}
		for _, leak := range []string{"goroutine", "panic", "hunter2", ".go:", "go1.", "vigil/", "Server:", "X-Powered-By", "sql"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s: the answer holds %q:\n%s", name, leak, text)
			}
		}
	}
}
