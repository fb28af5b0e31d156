package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/audit"
)

// oneTimePassword returns the one-time password a page shows.
func oneTimePassword(t *testing.T, body string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `id="one-time-password" class="secret">`)
	if !ok {
		t.Fatalf("no one-time password in:\n%s", body)
	}
	pw, _, _ := strings.Cut(rest, "<")
	return pw
}

func TestAddUser(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	admin.stepUp()
	w := admin.post("/users", url.Values{"name": {"Zhang.Wei"}, "role": {"analyst"}})
	if w.Code != http.StatusOK {
		t.Fatalf("add: %d\n%s", w.Code, w.Body.String())
	}
	pw := oneTimePassword(t, w.Body.String())
	if e := tc.lastEntry(audit.ActionUserAdd); e == nil || e.Actor != "admin" || e.Target != "zhang.wei" || strings.Contains(e.Detail, pw) {
		t.Errorf("recorded %+v", e)
	}
	if strings.Contains(admin.get("/users").Body.String(), pw) {
		t.Error("the list shows the one-time password again")
	}
	cl := tc.anonymous()
	if w := cl.login("zhang.wei", pw, ""); w.Code != http.StatusSeeOther {
		t.Fatalf("login with the one-time password: %d", w.Code)
	}
	if w := cl.get("/account"); location(w) != "/account/password" {
		t.Errorf("a one-time password need not be changed: %d %q", w.Code, location(w))
	}
	for _, c := range []struct {
		name, role string
		status     int
		msg        string
	}{
		{"zhang.wei", "analyst", http.StatusConflict, "A user of that name exists."},
		{"a b", "analyst", http.StatusBadRequest, "A user name is 2 to 64"},
		{"cli:root", "analyst", http.StatusBadRequest, "A user name is 2 to 64"},
		{"bob", "ingest", http.StatusBadRequest, "Choose a role."},
	} {
		w := admin.post("/users", url.Values{"name": {c.name}, "role": {c.role}})
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.msg) {
			t.Errorf("add %q as %q: %d, want %d with %q", c.name, c.role, w.Code, c.status, c.msg)
		}
	}
}

// TestUserActions locks, unlocks and resets a user from the user's page,
// each recorded as done by the administrator.
func TestUserActions(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	page := admin.get("/users/target").Body.String()
	for _, action := range []string{"lock", "password", "role"} {
		form := strings.Split(page, `action="/users/target/`+action+`"`)
		if len(form) < 2 {
			t.Fatalf("no form to %s", action)
		}
		if !strings.Contains(strings.Split(form[1], "</form>")[0], "data-confirm=") {
			t.Errorf("%s: no confirmation", action)
		}
	}

	victim := tc.as("target")
	admin.stepUp()
	if w := admin.post("/users/target/lock", nil); w.Code != http.StatusSeeOther || location(w) != "/users/target" {
		t.Fatalf("lock: %d %q", w.Code, location(w))
	}
	wantLogin(t, victim.get("/account"))
	if w := tc.anonymous().login("target", analystPassword, ""); w.Code != http.StatusOK {
		t.Errorf("a locked user logs in: %d", w.Code)
	}
	if body := admin.get("/users").Body.String(); !strings.Contains(body, ">locked<") {
		t.Error("the list does not show the lock")
	}
	admin.post("/users/target/unlock", nil)
	if w := tc.anonymous().login("target", analystPassword, ""); w.Code != http.StatusSeeOther {
		t.Errorf("an unlocked user cannot log in: %d", w.Code)
	}

	w := admin.post("/users/target/password", nil)
	pw := oneTimePassword(t, w.Body.String())
	if w := tc.anonymous().login("target", pw, ""); w.Code != http.StatusSeeOther {
		t.Errorf("the new one-time password: %d", w.Code)
	}
	if w := admin.post("/users/target/totp", nil); w.Code != http.StatusSeeOther {
		t.Errorf("second factor reset: %d", w.Code)
	}
	if w := admin.post("/users/nobody/lock", nil); w.Code != http.StatusNotFound {
		t.Errorf("lock nobody: %d", w.Code)
	}
	var actions []string
	for _, e := range tc.entries() {
		if e.Actor == "admin" && e.Target == "target" {
			actions = append(actions, e.Action)
		}
	}
	want := []string{audit.ActionUserLock, audit.ActionUserUnlock, audit.ActionPasswordReset, audit.ActionTOTPReset}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("recorded %v, want %v", actions, want)
	}
}

// TestOwnAccount refuses an administrator's changes of their own account
// on the users pages, stepped up or not: one's own account is changed
// under /account, with the password and code again.
func TestOwnAccount(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	if body := admin.get("/users/admin").Body.String(); strings.Contains(body, `action="/users/admin/`) ||
		!strings.Contains(body, `href="/account"`) {
		t.Errorf("the page of one's own account offers changes:\n%s", body)
	}
	admin.stepUp()
	for _, c := range []struct {
		path string
		form url.Values
	}{{"/users/admin/lock", nil}, {"/users/admin/role", url.Values{"role": {"analyst"}}}, {"/users/ADMIN/password", nil},
		{"/users/admin/totp", nil}, {"/users/admin/unlock", nil}} {
		w := admin.post(c.path, c.form)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.path, w.Code)
		}
		if e := tc.lastEntry(audit.ActionAccessDenied); e == nil || e.Actor != "admin" || !strings.Contains(e.Detail, "own account") {
			t.Errorf("%s: recorded %+v", c.path, e)
		}
	}
	if a, _ := tc.con.Users.ByName(t.Context(), "admin"); a.Locked || a.Role != "admin" || !a.TOTP || a.MustChangePassword {
		t.Errorf("the administrator changed: %+v", a)
	}
}

// TestUsersMasked shows a user named by a phone number masked.
func TestUsersMasked(t *testing.T) {
	tc := newConsole(t)
	admin := tc.as("admin")
	admin.stepUp()
	admin.post("/users", url.Values{"name": {"13800138000"}, "role": {"auditor"}})
	body := admin.get("/users").Body.String()
	if !strings.Contains(body, "138****8000") || strings.Contains(body, ">13800138000<") {
		t.Errorf("the phone number is not masked:\n%s", body)
	}
}
