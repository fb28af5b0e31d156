package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/audit"
	"vigil/auth"
	"vigil/session"
	"vigil/store"
)

// TestStepUp checks that an administrator's key operations need the
// password and a code again, at most 5 minutes before.
func TestStepUp(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	w := admin.post("/users/target/password", nil)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `action="/account/stepup"`) ||
		!strings.Contains(w.Body.String(), `name="next" value="/users/target"`) {
		t.Fatalf("a reset without a step-up: %d\n%s", w.Code, w.Body.String())
	}
	if a, _ := tc.con.Users.ByName(t.Context(), "target"); a.MustChangePassword {
		t.Fatal("the password was reset without a step-up")
	}
	// A wrong password, or no code, is refused, recorded, and counts.
	tc.clock.Add(30 * time.Second)
	code := totpCode(t, tc.secret, tc.clock.Now())
	for _, f := range []url.Values{{"password": {"wrong"}, "code": {code}}, {"password": {adminPassword}}} {
		f.Set("next", "/users/target")
		w := admin.post("/account/stepup", f)
		if w.Code != http.StatusSeeOther || location(w) != "/users/target" {
			t.Fatalf("a failed step-up: %d to %q", w.Code, location(w))
		}
		if body := admin.get("/users/target").Body.String(); !strings.Contains(body, "The password or code was not accepted.") {
			t.Errorf("the failure is not told:\n%s", body)
		}
		if e := tc.lastEntry(audit.ActionStepUp); e == nil || e.Result != audit.ResultFailure || e.Actor != "admin" {
			t.Errorf("recorded %+v", e)
		}
	}
	if w := admin.post("/users/target/password", nil); w.Code != http.StatusForbidden {
		t.Fatalf("a reset after failed step-ups: %d", w.Code)
	}
	if w := admin.stepUp(); w.Code != http.StatusSeeOther || location(w) != "/users" {
		t.Fatalf("step-up: %d to %q", w.Code, location(w))
	}
	if e := tc.lastEntry(audit.ActionStepUp); e == nil || e.Result != audit.ResultSuccess {
		t.Errorf("recorded %+v", e)
	}
	if body := admin.get("/users/target").Body.String(); !strings.Contains(body, "Confirmed until") {
		t.Errorf("the page does not tell the step-up:\n%s", body)
	}
	if w := admin.post("/users/target/password", nil); w.Code != http.StatusOK {
		t.Errorf("a reset after a step-up: %d", w.Code)
	}
	tc.clock.Add(4*time.Minute + 59*time.Second)
	if w := admin.post("/users/target/unlock", nil); w.Code != http.StatusSeeOther {
		t.Errorf("an unlock 4m59s after the step-up: %d", w.Code)
	}
	tc.clock.Add(time.Second)
	if w := admin.post("/users/target/unlock", nil); w.Code != http.StatusForbidden {
		t.Errorf("an unlock after the step-up ended: %d", w.Code)
	}
	// A step-up is of its session: another session of the same user, or
	// of another, has none.
	admin.stepUp()
	other := tc.as("admin")
	if w := other.post("/users/target/unlock", nil); w.Code != http.StatusForbidden {
		t.Errorf("another session: %d", w.Code)
	}
}

// TestSecondAuthenticationLockedOut checks that re-entering the password
// in a session is refused while the user is locked out, even when the
// password is right: it is no way around the lockout.
func TestSecondAuthenticationLockedOut(t *testing.T) {
	tc := newConsole(t)
	ana := tc.as("ana")
	for range 5 {
		tc.anonymous().login("ana", "wrong password 1", "")
	}
	w := ana.post("/account/totp", url.Values{"step": {"begin"}, "password": {analystPassword}})
	if body := w.Body.String(); !strings.Contains(body, "The password or code was not accepted.") || strings.Contains(body, "totp-secret") {
		t.Fatalf("a second factor begun while locked out:\n%s", body)
	}
	w = ana.post("/account/password", url.Values{"current": {analystPassword}, "new": {"ana12345"}, "repeat": {"ana12345"}})
	wrong := ana.post("/account/password", url.Values{"current": {"not it"}, "new": {"ana12345"}, "repeat": {"ana12345"}})
	if loginError(w.Body.String()) != loginError(wrong.Body.String()) || !strings.Contains(w.Body.String(), "Password not accepted") {
		t.Errorf("a weak new password tells whether the current one is right:\n%s\n%s", loginError(w.Body.String()),
			loginError(wrong.Body.String()))
	}
}

// TestSecondAuthenticationLockout guesses the password in a session until
// a lockout, which ends the session.
func TestSecondAuthenticationLockout(t *testing.T) {
	tc := newConsole(t)
	ana := tc.as("ana")
	for i := range 5 {
		w := ana.post("/account/totp", url.Values{"step": {"begin"}, "password": {"guess"}})
		if i < 4 && !strings.Contains(w.Body.String(), "The password or code was not accepted.") {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	if e := tc.lastEntry(audit.ActionLockout); e == nil || e.Target != "ana" || !strings.Contains(e.Detail, "sessions ended") {
		t.Errorf("recorded %+v", e)
	}
	wantLogin(t, ana.get("/account"))
	if w := tc.anonymous().login("ana", analystPassword, ""); w.Code != http.StatusOK {
		t.Errorf("a login while locked out: %d", w.Code)
	}
}

// TestReplaceFactorNeedsCode checks that a user with a second factor
// replaces it only with a code of it.
func TestReplaceFactorNeedsCode(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	body := admin.get("/account/totp").Body.String()
	if !strings.Contains(body, `id="current-code" name="code"`) {
		t.Errorf("the form asks no code of the present factor:\n%s", body)
	}
	w := admin.post("/account/totp", url.Values{"step": {"begin"}, "password": {adminPassword}})
	if strings.Contains(w.Body.String(), "totp-secret") || !strings.Contains(w.Body.String(), "The password or code was not accepted.") {
		t.Fatalf("replaced without a code:\n%s", w.Body.String())
	}
	tc.clock.Add(30 * time.Second)
	w = admin.post("/account/totp", url.Values{"step": {"begin"}, "password": {adminPassword},
		"code": {totpCode(t, tc.secret, tc.clock.Now())}})
	if !strings.Contains(w.Body.String(), "totp-secret") {
		t.Fatalf("not replaced with a code:\n%s", w.Body.String())
	}
}

// TestApproveNeedsCode has an analyst with a second factor approve a
// response: the password is not enough, a code is needed too.
func TestApproveNeedsCode(t *testing.T) {
	tc, ids := newPagesConsole(t)
	ctx := t.Context()
	acts, _, err := tc.db.Actions(ctx, store.ActionQuery{AlertID: ids.key})
	if err != nil || len(acts) != 1 {
		t.Fatal(acts, err)
	}
	id := tc.userID("ana")
	e, err := tc.con.Users.BeginTOTP(ctx, by, id, analystPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.con.Users.ConfirmTOTP(ctx, by, id, totpCode(t, e.Secret, tc.clock.Now())); err != nil {
		t.Fatal(err)
	}
	ana := tc.as("ana")
	if page := ana.get("/actions").Body.String(); !strings.Contains(page, `name="code"`) {
		t.Errorf("the approval asks no code:\n%s", page)
	}
	path := "/actions/" + acts[0].ID + "/approve"
	wantIn(t, pageOf(t, ana.post(path, url.Values{"password": {analystPassword}}), http.StatusForbidden), "Nothing was approved.")
	tc.clock.Add(30 * time.Second)
	w := ana.post(path, url.Values{"password": {analystPassword}, "code": {totpCode(t, e.Secret, tc.clock.Now())}})
	followTo(t, ana, w, "/actions")
	if a, _ := tc.db.Action(ctx, acts[0].ID); a.State != store.ActionQueued {
		t.Errorf("the action after approval: %s", a.State)
	}
}

// TestLoginLimitIPv6 counts logins from IPv6 addresses by their /64:
// one client cannot get a fresh limit by taking another address.
func TestLoginLimitIPv6(t *testing.T) {
	tc := newConsole(t, func(c *Console) { c.LoginLimit = auth.NewLimiter(1e-9, 2) })
	for _, ip := range []string{"[2001:db8:1:2::1]", "[2001:db8:1:2::2]"} {
		cl := tc.anonymous()
		cl.ip = ip
		cl.login("ana", "wrong password 1", "")
	}
	cl := tc.anonymous()
	cl.ip = "[2001:db8:1:2:ffff::3]"
	if w := cl.login("ana", analystPassword, ""); w.Code != http.StatusTooManyRequests {
		t.Errorf("a third address of the /64: %d, want 429", w.Code)
	}
	cl.ip = "[2001:db8:1:3::1]"
	if w := cl.login("ana", analystPassword, ""); w.Code != http.StatusSeeOther {
		t.Errorf("another /64: %d", w.Code)
	}
}

// TestRefusalsFolded floods the console with requests anyone can make
// without logging in — logins without the form's token, session cookies
// made up — and checks that the trail records one entry per kind,
// address and minute, then the count.
func TestRefusalsFolded(t *testing.T) {
	tc := newConsole(t, func(c *Console) { c.LoginLimit = auth.NewLimiter(1e-9, 10) })
	before := len(tc.entries())
	cl := tc.anonymous()
	for i := range 30 {
		cl.do(http.MethodPost, "/login", url.Values{"username": {"name" + string(rune('a'+i%26))}, "password": {"x"}})
		made := tc.anonymous()
		made.jar[session.CookieName] = base64.RawURLEncoding.EncodeToString([]byte(rand.Text() + rand.Text())[:32])
		made.get("/account")
	}
	es := tc.entries()[before:]
	if len(es) != 3 {
		t.Fatalf("%d entries for 60 refusals of 3 kinds, want 3: %+v", len(es), es)
	}
	tc.clock.Add(time.Minute)
	if err := tc.con.Sessions.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	var counts []string
	for _, e := range tc.entries()[before+3:] {
		counts = append(counts, e.Action+": "+e.Detail)
	}
	want := regexp.MustCompile(`^(login: 9 more like it .*CSRF|login: 19 more like it .*too many|session.invalid: 29 more like it .*unknown session id)`)
	if len(counts) != 3 {
		t.Fatalf("counts: %q", counts)
	}
	for _, c := range counts {
		if !want.MatchString(c) {
			t.Errorf("count %q", c)
		}
	}
}

// TestUnknownNameNotRecorded logs in with a password typed as the name:
// the trail does not hold it.
func TestUnknownNameNotRecorded(t *testing.T) {
	tc := newConsole(t)
	cl := tc.anonymous()
	cl.login("Hunter2-Secret", "", "")
	cl.do(http.MethodPost, "/login", url.Values{"username": {"Hunter2-Secret"}})
	for _, e := range tc.entries() {
		if strings.Contains(strings.ToLower(e.Actor+e.Target+e.Detail), "hunter2") {
			t.Errorf("the trail holds the name typed: %+v", e)
		}
	}
	if e := tc.lastEntry(audit.ActionLogin); e == nil || !strings.HasPrefix(e.Actor, "unknown:") {
		t.Errorf("recorded %+v", e)
	}
}

// TestLoginRecordedWithSession checks that a login's success is recorded
// once its session is made: after the end of the session it replaces.
func TestLoginRecordedWithSession(t *testing.T) {
	tc := newConsole(t)
	tc.anonymous().login("ana", analystPassword, "")
	before := len(tc.entries())
	tc.anonymous().login("ana", analystPassword, "")
	var got []string
	for _, e := range tc.entries()[before:] {
		got = append(got, e.Action+" "+e.Result)
	}
	if strings.Join(got, ", ") != "session.end success, login success" {
		t.Errorf("recorded %v, want the replaced session's end, then the login", got)
	}
}

// TestFlashBound checks that a message left for the next page of one
// session shows in no other.
func TestFlashBound(t *testing.T) {
	tc := newConsole(t)
	ana, aud := tc.as("ana"), tc.as("aud")
	flash := func(id, msg string) string {
		w := httptest.NewRecorder()
		tc.con.flashFor(w, id, msg)
		for _, c := range w.Result().Cookies() {
			if c.Name == flashCookie {
				return c.Value
			}
		}
		t.Fatal("no flash cookie")
		return ""
	}
	ana.jar[flashCookie] = flash(ana.jar[session.CookieName], "Silence created")
	if !strings.Contains(ana.get("/account").Body.String(), "Silence created") {
		t.Error("the flash does not show in its session")
	}
	aud.jar[flashCookie] = flash(ana.jar[session.CookieName], "Silence created")
	if strings.Contains(aud.get("/account").Body.String(), "Silence created") {
		t.Error("the flash of one session shows in another")
	}
	anonymous := tc.anonymous()
	anonymous.jar[flashCookie] = flash(ana.jar[session.CookieName], "Silence created")
	if strings.Contains(anonymous.get("/login").Body.String(), "Silence created") {
		t.Error("the flash of a session shows without it")
	}
}

// TestCookieNames checks that the console's cookies have the __Host-
// prefix, which keeps them to this host over HTTPS.
func TestCookieNames(t *testing.T) {
	tc := newConsole(t)
	cl := tc.anonymous()
	w := cl.get("/lang?to=zh-CN&next=/login")
	w2 := cl.login("ana", analystPassword, "")
	for _, c := range append(w.Result().Cookies(), w2.Result().Cookies()...) {
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %s: %+v", c.Name, c)
		}
	}
	if _, ok := cl.jar[langCookie]; !ok || langCookie != "__Host-vigil_lang" || flashCookie != "__Host-vigil_flash" {
		t.Errorf("cookies %v", cl.jar)
	}
}

// TestEveryFormAutocompleteOff checks that no form of the console lets
// the browser fill it in, as the specification asks of every form
// (7.1.10).
func TestEveryFormAutocompleteOff(t *testing.T) {
	form := regexp.MustCompile(`<form\b[^>]*>`)
	n := 0
	err := fs.WalkDir(files, "templates", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		for _, f := range form.FindAllString(string(b), -1) {
			n++
			if !strings.Contains(f, `autocomplete="off"`) {
				t.Errorf("%s: %s", name, f)
			}
		}
		return err
	})
	if err != nil || n < 20 {
		t.Errorf("%d forms, %v", n, err)
	}
}

// TestResetTOTPEndsSession removes a user's second factor: the user's
// session ends.
func TestResetTOTPEndsSession(t *testing.T) {
	tc := newConsole(t)
	ctx := context.Background()
	id := tc.userID("target")
	e, err := tc.con.Users.BeginTOTP(ctx, by, id, analystPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.con.Users.ConfirmTOTP(ctx, by, id, totpCode(t, e.Secret, tc.clock.Now())); err != nil {
		t.Fatal(err)
	}
	victim, admin := tc.as("target"), tc.as("admin")
	admin.stepUp()
	if w := admin.post("/users/target/totp", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d", w.Code)
	}
	wantLogin(t, victim.get("/account"))
}
