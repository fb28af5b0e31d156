package web

import (
	"crypto/hmac"
	"crypto/sha1"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/alert"
	"vigil/audit"
	"vigil/auth"
	"vigil/rule"
	"vigil/server"
	"vigil/session"
	"vigil/store"
	"vigil/store/storetest"
	"vigil/user"
)

// t0 is when the tests start, on the clock of the console under test.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// testKey is the server key of the consoles under test.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// The passwords the seeded users choose.
const (
	adminPassword   = "Night-Shift-Kettle-42"
	analystPassword = "Quiet harbour lamps 7"
	auditorPassword = "Ledger & lantern 1981x"
)

// clock is the console's clock, which tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConsole is a console over a fresh SQLite store, with the real
// users, sessions and audit trail, served with the headers vigil serve
// sets, its clock at t0.
type testConsole struct {
	t     *testing.T
	con   *Console
	h     http.Handler
	db    *store.DB
	raw   *sql.DB
	clock *clock
	// secret is the second factor of the seeded administrator.
	secret string
	// ids are the ids of what seedData adds, by kind: "alert"...
	ids map[string]string
}

// newConsole returns a console whose users are an administrator
// (admin, with a second factor), an analyst (ana) and an auditor (aud),
// each with the password they chose, and a spare analyst (target) that
// tests may change. mods change the console before it registers.
func newConsole(t *testing.T, mods ...func(*Console)) *testConsole {
	t.Helper()
	tc := openConsole(t, mods...)
	tc.seed()
	return tc
}

// openConsole returns a console without users.
func openConsole(t *testing.T, mods ...func(*Console)) *testConsole {
	t.Helper()
	ctx := t.Context()
	dsn := storetest.SQLite(t)
	db, err := store.OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: t0}
	trail, err := audit.Open(ctx, db, audit.Config{KeyFile: filepath.Join(t.TempDir(), "audit.key"), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	users, err := user.New(db, trail, user.Config{Key: testKey, Hash: user.Params{Memory: 64, Time: 1, Threads: 1},
		Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := session.New(db, trail, session.Config{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	con := &Console{Store: db, Users: users, Sessions: sessions, Trail: trail, FlashKey: testKey,
		Log: slog.New(slog.DiscardHandler), LoginLimit: auth.NewLimiter(1000, 1000)}
	for _, m := range mods {
		m(con)
	}
	mux := http.NewServeMux()
	if err := con.Register(mux); err != nil {
		t.Fatal(err)
	}
	return &testConsole{t: t, con: con, h: server.Secure(mux), db: db, raw: storetest.Open(t, dsn), clock: clk}
}

// by is who seeds the console.
var by = audit.Actor{Name: "cli:root"}

// seed adds the users of the tests.
func (tc *testConsole) seed() {
	tc.t.Helper()
	ctx := tc.t.Context()
	for _, u := range []struct {
		name, password string
		role           store.Role
	}{{"admin", adminPassword, store.Admin}, {"ana", analystPassword, store.Analyst},
		{"aud", auditorPassword, store.Auditor}, {"target", analystPassword, store.Analyst}} {
		once, err := tc.con.Users.Add(ctx, by, u.name, u.role)
		if err != nil {
			tc.t.Fatal(err)
		}
		id := tc.userID(u.name)
		if err := tc.con.Users.ChangePassword(ctx, by, id, once, u.password); err != nil {
			tc.t.Fatal(err)
		}
	}
	e, err := tc.con.Users.BeginTOTP(ctx, by, tc.userID("admin"), adminPassword, "")
	if err != nil {
		tc.t.Fatal(err)
	}
	tc.secret = e.Secret
	if err := tc.con.Users.ConfirmTOTP(ctx, by, tc.userID("admin"), totpCode(tc.t, e.Secret, tc.clock.Now())); err != nil {
		tc.t.Fatal(err)
	}
}

// seedData adds what the pages show: an alert, and the ids that
// requests use.
func (tc *testConsole) seedData() {
	tc.t.Helper()
	tc.ids = map[string]string{"alert": tc.seedAlert()}
}

// seedAlert records an alert and returns its id.
func (tc *testConsole) seedAlert() string {
	tc.t.Helper()
	user := "arn:aws:iam::123456789012:user/ci-deployer"
	at := tc.clock.Now().Add(-time.Hour)
	changes, err := tc.db.Record(tc.t.Context(), []store.Observation{{
		Rule: alert.RuleRef{ID: "aws-iam-access-key-created", Title: "IAM access key created for another user",
			Severity: rule.High, Scenario: rule.Privilege, Tags: []string{"attack.persistence", "attack.t1098.001"}},
		Dedup:    map[string]*string{"userIdentity.arn": &user},
		EventID:  "9a1c0f3e-6f1d-4a53-9d55-0c3f8e1a2b7d",
		Time:     at,
		Received: at.Add(40 * time.Second),
		Entities: map[string][]string{"aws_principal": {user}, "ip": {"203.0.113.45"}},
		Fields:   map[string][]string{"eventName": {"CreateAccessKey"}, "requestParameters.userName": {"backup-admin"}},
		Event:    []byte(`{"eventName":"CreateAccessKey","eventSource":"iam.amazonaws.com","sourceIPAddress":"203.0.113.45"}`),
		Source:   "cloudtrail",
	}})
	if err != nil || len(changes) != 1 {
		tc.t.Fatalf("recording an alert: %v, %d changes", err, len(changes))
	}
	return changes[0].AlertID
}

// userID returns the id of the user named name.
func (tc *testConsole) userID(name string) string {
	tc.t.Helper()
	a, err := tc.con.Users.ByName(tc.t.Context(), name)
	if err != nil {
		tc.t.Fatal(err)
	}
	return a.ID
}

// The users that stand for each role.
var roleUsers = map[store.Role]string{store.Admin: "admin", store.Analyst: "ana", store.Auditor: "aud"}

// as returns a client logged in as the user named name, with a session
// made directly (the login form has tests of its own).
func (tc *testConsole) as(name string) *client {
	tc.t.Helper()
	cl := tc.anonymous()
	id, _, err := tc.con.Sessions.Create(tc.t.Context(), tc.userID(name), cl.ip)
	if err != nil {
		tc.t.Fatal(err)
	}
	cl.jar[session.CookieName] = id
	return cl
}

// anonymous returns a client without a session.
func (tc *testConsole) anonymous() *client {
	return &client{tc: tc, jar: map[string]string{}, ip: "192.0.2.10"}
}

// client is a browser: it keeps the cookies the console sets.
type client struct {
	tc  *testConsole
	jar map[string]string
	ip  string
}

// do sends a request; a form, when not nil, goes in the body, as a
// browser posts it.
func (cl *client) do(method, target string, form url.Values) *httptest.ResponseRecorder {
	cl.tc.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, "https://vigil.test"+target, body)
	r.RemoteAddr = cl.ip + ":51234"
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range cl.jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	cl.tc.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(cl.jar, c.Name)
		} else {
			cl.jar[c.Name] = c.Value
		}
	}
	return w
}

// get sends a GET.
func (cl *client) get(target string) *httptest.ResponseRecorder {
	return cl.do(http.MethodGet, target, nil)
}

// post sends a form with the session's CSRF token.
func (cl *client) post(target string, form url.Values) *httptest.ResponseRecorder {
	cl.tc.t.Helper()
	f := url.Values{csrfField: {cl.csrf()}}
	for k, v := range form {
		f[k] = v
	}
	return cl.do(http.MethodPost, target, f)
}

// csrf returns the CSRF token of the client's session, as the pages of
// the session carry it.
func (cl *client) csrf() string {
	cl.tc.t.Helper()
	id := cl.jar[session.CookieName]
	if id == "" {
		return ""
	}
	s, err := cl.tc.con.Sessions.Get(cl.tc.t.Context(), id, cl.ip)
	if err != nil {
		return ""
	}
	return s.CSRF
}

// login logs in through the form, as a browser does: it reads the form
// and its token, then posts the credentials.
func (cl *client) login(name, password, code string) *httptest.ResponseRecorder {
	cl.tc.t.Helper()
	page := cl.get("/login")
	token := field(cl.tc.t, page.Body.String(), csrfField)
	return cl.do(http.MethodPost, "/login", url.Values{csrfField: {token}, "username": {name}, "password": {password},
		"code": {code}})
}

// stepUp confirms the seeded administrator again, with the password and
// a code of the next time step, as the pages of key operations ask.
func (cl *client) stepUp() *httptest.ResponseRecorder {
	cl.tc.t.Helper()
	cl.tc.clock.Add(30 * time.Second)
	return cl.post("/account/stepup", url.Values{"password": {adminPassword},
		"code": {totpCode(cl.tc.t, cl.tc.secret, cl.tc.clock.Now())}, "next": {"/users"}})
}

// loginAdmin logs in as the seeded administrator, with a code of the
// next time step.
func (cl *client) loginAdmin() *httptest.ResponseRecorder {
	cl.tc.clock.Add(30 * time.Second)
	return cl.login("admin", adminPassword, totpCode(cl.tc.t, cl.tc.secret, cl.tc.clock.Now()))
}

// field returns the value of the form field named name in a page.
func field(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no field %s in the page:\n%s", name, page)
	}
	return html.UnescapeString(m[1])
}

// totpCode computes the code of a second factor at t, as RFC 6238 and
// authenticator apps do: HMAC-SHA-1 of the 30-second step, 6 digits.
func totpCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// entries returns the audit trail, oldest first.
func (tc *testConsole) entries() []store.AuditEntry {
	tc.t.Helper()
	es, err := tc.db.AuditEntries(tc.t.Context(), store.AuditQuery{Limit: store.MaxAuditPage})
	if err != nil {
		tc.t.Fatal(err)
	}
	return es
}

// lastEntry returns the last entry of the trail with the action.
func (tc *testConsole) lastEntry(action string) *store.AuditEntry {
	tc.t.Helper()
	es := tc.entries()
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Action == action {
			return &es[i]
		}
	}
	return nil
}

// exec runs SQL on the database behind the store's back, as one who
// tampers with it would.
func (tc *testConsole) exec(query string, args ...any) {
	tc.t.Helper()
	if _, err := tc.raw.Exec(strings.ReplaceAll(query, "$", "?"), args...); err != nil {
		tc.t.Fatalf("%s: %v", query, err)
	}
}

// location returns where a response sends the browser, "" when nowhere.
func location(w *httptest.ResponseRecorder) string { return w.Header().Get("Location") }

// wantLogin fails unless w sends the browser to log in.
func wantLogin(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(location(w), "/login") {
		t.Fatalf("got %d to %q, want 303 to /login", w.Code, location(w))
	}
}

// newRequest returns a GET of the client, and a recorder of its answer,
// for handlers the console does not route.
func newRequest(cl *client, target string) (*http.Request, *httptest.ResponseRecorder) {
	r := httptest.NewRequest(http.MethodGet, "https://vigil.test"+target, nil)
	r.RemoteAddr = cl.ip + ":51234"
	for k, v := range cl.jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return r, httptest.NewRecorder()
}

func TestNotFound(t *testing.T) {
	tc := newConsole(t)
	for _, tt := range []struct {
		path, ctype, body string
	}{
		{"/no/such/page", "text/html; charset=utf-8", "There is no such page."},
		{"/api/v1/nothing", "application/json", "no such API route"},
	} {
		w := tc.anonymous().get(tt.path)
		if w.Code != http.StatusNotFound || !strings.HasPrefix(w.Header().Get("Content-Type"), tt.ctype) || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("GET %s: %d %s %q", tt.path, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
	}
}
