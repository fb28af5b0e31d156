package user

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/audit"
	"vigil/audit/audittest"
	"vigil/store"
	"vigil/store/storetest"
)

// t0 is when the tests start.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// env is a service over a fresh database, its clock, what it records and
// what it tells.
type env struct {
	*Service
	db      *store.DB
	rec     *audittest.Recorder
	now     time.Time
	notices []Notice
}

func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

// admin acts in the tests.
var admin = audit.Actor{Name: "cli:root", IP: ""}

// eachDB runs f with a service over SQLite and over PostgreSQL.
func eachDB(t *testing.T, c Config, f func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, url string) { f(t, newEnv(t, url, c)) })
}

func newEnv(t testing.TB, url string, c Config) *env {
	t.Helper()
	db, err := store.OpenDB(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, rec: &audittest.Recorder{}, now: t0}
	c.Key = make([]byte, 32)
	if c.Hash == (Params{}) {
		c.Hash = fast
	}
	c.Now = func() time.Time { return e.now }
	c.Notify = func(_ context.Context, n Notice) { e.notices = append(e.notices, n) }
	if e.Service, err = New(db, e.rec, c); err != nil {
		t.Fatal(err)
	}
	return e
}

// add adds a user and changes its one-time password to pw.
func (e *env) add(t testing.TB, name string, role store.Role, pw string) *Account {
	t.Helper()
	one, err := e.Add(t.Context(), admin, name, role)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := e.ByName(t.Context(), name)
	if err := e.ChangePassword(t.Context(), audit.Actor{Name: name}, a.ID, one, pw); err != nil {
		t.Fatal(err)
	}
	a, _ = e.ByName(t.Context(), name)
	return a
}

func (e *env) login(name, pw, code string) (*Login, error) {
	return e.Login(context.Background(), Credentials{Name: name, Password: pw, Code: code, IP: "192.0.2.1"})
}

const pw = "Tq7#mLp2vX"

func TestAddAndChangePassword(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		one, err := e.Add(ctx, admin, "Alice", store.Analyst)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkPassword(one, "alice", MinPasswordLen); err != nil || len(one) != 24 {
			t.Errorf("one-time password %q: %v", one, err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionUserAdd || got.Target != "alice" || got.Actor != "cli:root" || got.Detail != "role analyst" {
			t.Errorf("recorded %+v", got)
		}
		l, err := e.login("ALICE", one, "")
		if err != nil || !l.MustChangePassword || l.MustEnrolTOTP || l.Name != "alice" || !l.Previous.Time.IsZero() {
			t.Fatalf("first login: %+v, %v", l, err)
		}
		// A wrong current password is a failed login.
		err = e.ChangePassword(ctx, audit.Actor{Name: "alice"}, l.ID, "wrong", pw)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("change with a wrong password: %v", err)
		}
		if u, _ := e.db.User(ctx, l.ID); u.Failures != 1 {
			t.Errorf("failures after a wrong current password: %d", u.Failures)
		}
		var pe *PolicyError
		for _, next := range []string{"short1!", "Password1", "Alice2026!", one} {
			if err := e.ChangePassword(ctx, audit.Actor{Name: "alice"}, l.ID, one, next); !errors.As(err, &pe) {
				t.Errorf("change to %q: %v, want a *PolicyError", next, err)
			}
		}
		e.advance(time.Minute)
		if err := e.ChangePassword(ctx, audit.Actor{Name: "alice", IP: "192.0.2.1"}, l.ID, one, pw); err != nil {
			t.Fatal(err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionPassword || got.Result != audit.ResultSuccess || got.Target != "alice" {
			t.Errorf("recorded %+v", got)
		}
		if n := e.notices[len(e.notices)-1]; n.User != "alice" || n.Event != "password changed" || !n.Time.Equal(e.now) {
			t.Errorf("notice %+v", n)
		}
		a, _ := e.Get(ctx, l.ID)
		if a.MustChangePassword || !a.PasswordChanged.Equal(e.now) {
			t.Errorf("after the change: %+v", a)
		}
		if _, err := e.login("alice", one, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("login with the one-time password after the change: %v", err)
		}
		if l, err := e.login("alice", pw, ""); err != nil || l.MustChangePassword {
			t.Errorf("login with the new password: %+v, %v", l, err)
		}
		if _, err := e.Add(ctx, admin, "alice", store.Auditor); !errors.Is(err, ErrExists) {
			t.Errorf("adding alice again: %v", err)
		}
		for _, bad := range []struct {
			name string
			role store.Role
		}{{"a", store.Analyst}, {"bob:x", store.Analyst}, {"-bob", store.Analyst}, {"bob", store.Ingest}, {"bob", "root"}} {
			if _, err := e.Add(ctx, admin, bad.name, bad.role); err == nil {
				t.Errorf("Add(%q, %q): no error", bad.name, bad.role)
			}
		}
	})
}

// TestLoginGeneric checks that every way a login fails answers the same
// error, and that the audit trail says which it was.
func TestLoginGeneric(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.add(t, "alice", store.Analyst, pw)
		e.add(t, "locked", store.Analyst, pw)
		if err := e.Lock(ctx, admin, "locked"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, user, pw, why string
		}{
			{"unknown user", "bob", pw, "no such user"},
			{"not a user name", "bob:x", pw, "no such user"},
			{"wrong password", "alice", pw + "x", "wrong password"},
			{"empty password", "alice", "", "wrong password"},
			{"huge password", "alice", strings.Repeat("x", 5000), "wrong password"},
			{"locked", "locked", pw, "locked by an administrator"},
		} {
			_, err := e.login(tc.user, tc.pw, "")
			if err != ErrInvalid || err.Error() != "invalid user name or password" {
				t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
			}
			if got := e.rec.Last(); got.Action != audit.ActionLogin || got.Result != audit.ResultFailure || got.Detail != tc.why ||
				got.SourceIP != "192.0.2.1" {
				t.Errorf("%s: recorded %+v, want a failure for %q", tc.name, got, tc.why)
			}
		}
	})
}

func TestOneTimePasswordExpires(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{OneTimeFor: time.Hour}, func(t *testing.T, e *env) {
		one, err := e.Add(t.Context(), admin, "alice", store.Analyst)
		if err != nil {
			t.Fatal(err)
		}
		e.advance(time.Hour)
		if _, err := e.login("alice", one, ""); err != nil {
			t.Errorf("login within the hour: %v", err)
		}
		e.advance(time.Second)
		if _, err := e.login("alice", one, ""); err != ErrInvalid || e.rec.Last().Detail != "one-time password expired" {
			t.Errorf("login after the hour: %v, recorded %+v", err, e.rec.Last())
		}
	})
}

func TestLockout(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.add(t, "alice", store.Analyst, pw)
		// Four failures, a success: the count starts again.
		for range 4 {
			e.login("alice", "wrong", "")
		}
		if _, err := e.login("alice", pw, ""); err != nil {
			t.Fatalf("login after 4 failures: %v", err)
		}
		for i := range 5 {
			e.advance(time.Second)
			if _, err := e.login("alice", "wrong", ""); err != ErrInvalid {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		lockedAt := e.now
		got := e.rec.Last()
		if got.Action != audit.ActionLockout || got.Target != "alice" || !strings.Contains(got.Detail, "5 failed attempts") {
			t.Errorf("recorded %+v, want the lockout", got)
		}
		if n := e.notices[len(e.notices)-1]; n.User != "alice" || !strings.Contains(n.Event, "locked out") {
			t.Errorf("notice %+v", n)
		}
		a, _ := e.ByName(ctx, "alice")
		if !a.LockedOut(e.now) || !a.LockedUntil.Equal(lockedAt.Add(30*time.Minute)) {
			t.Errorf("account %+v, want locked out until %v", a, lockedAt.Add(30*time.Minute))
		}
		// Locked out: the right password answers the same error, and
		// failures do not lengthen the lockout.
		e.advance(29 * time.Minute)
		for _, p := range []string{pw, "wrong", "wrong"} {
			if _, err := e.login("alice", p, ""); err != ErrInvalid || !strings.HasPrefix(e.rec.Last().Detail, "locked out until") {
				t.Errorf("login while locked out: %v, recorded %+v", err, e.rec.Last())
			}
		}
		e.advance(time.Minute - time.Second)
		if _, err := e.login("alice", pw, ""); err != ErrInvalid {
			t.Errorf("login a second before the end of the lockout: %v", err)
		}
		e.advance(time.Second)
		l, err := e.login("alice", pw, "")
		if err != nil {
			t.Fatalf("login at the end of the lockout: %v", err)
		}
		// 5 failures, 4 while locked out.
		if l.FailedSince != 9 || l.Previous.Result != store.LoginFailure {
			t.Errorf("login after the lockout: %d failed since, previous %+v", l.FailedSince, l.Previous)
		}
		// After a lockout ends by itself, a failure does not lock again.
		e.login("alice", "wrong", "")
		if _, err := e.login("alice", pw, ""); err != nil {
			t.Errorf("one failure after a lockout locked the user out: %v", err)
		}
		// An administrator can end a lockout.
		for range 5 {
			e.login("alice", "wrong", "")
		}
		if err := e.Unlock(ctx, admin, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.login("alice", pw, ""); err != nil {
			t.Errorf("login after unlock: %v", err)
		}
	})
}

func TestLockoutConfig(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{MaxFailures: 3, LockFor: 5 * time.Minute}, func(t *testing.T, e *env) {
		e.add(t, "alice", store.Analyst, pw)
		for range 3 {
			e.login("alice", "wrong", "")
		}
		if _, err := e.login("alice", pw, ""); err != ErrInvalid {
			t.Errorf("login after 3 failures: %v", err)
		}
		e.advance(5 * time.Minute)
		if _, err := e.login("alice", pw, ""); err != nil {
			t.Errorf("login 5 minutes later: %v", err)
		}
	})
}

// TestLockoutConcurrent fails logins at once: no failure is lost, so
// that attackers cannot try more than the limit in parallel.
func TestLockoutConcurrent(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{MaxFailures: 20}, func(t *testing.T, e *env) {
		e.add(t, "alice", store.Analyst, pw)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { e.login("alice", "wrong", "") })
		}
		wg.Wait()
		if _, err := e.login("alice", pw, ""); err != ErrInvalid {
			t.Errorf("login after 20 concurrent failures: %v", err)
		}
	})
}

func TestPreviousLogin(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		e.add(t, "alice", store.Analyst, pw)
		e.advance(time.Hour)
		if _, err := e.login("alice", pw, ""); err != nil {
			t.Fatal(err)
		}
		e.advance(time.Hour)
		failed := e.now
		e.Login(t.Context(), Credentials{Name: "alice", Password: "wrong", IP: "198.51.100.7"})
		e.advance(time.Hour)
		l, err := e.login("alice", pw, "")
		want := store.LoginAttempt{Time: failed, Result: store.LoginFailure, IP: "198.51.100.7"}
		if err != nil || l.Previous != want || l.FailedSince != 1 {
			t.Errorf("login: %+v, %v; want previous %+v and 1 failure", l, err, want)
		}
		l, _ = e.login("alice", pw, "")
		if l.Previous.Result != store.LoginSuccess || l.FailedSince != 0 || l.LastLogin.Time != e.now {
			t.Errorf("login after a success: %+v", l)
		}
	})
}

// code returns the user's code at the env's time, opening the secret as
// the service does.
func (e *env) code(t *testing.T, name string, at time.Time) string {
	t.Helper()
	u, err := e.db.UserByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	sealed := u.TOTP
	if sealed == nil {
		sealed = u.TOTPPending
	}
	secret, err := e.sealer.open(sealed, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return hotp(secret, uint64(step(at)), totpDigits)
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "root", store.Admin, pw)
		l, err := e.login("root", pw, "")
		if err != nil || !l.MustEnrolTOTP || l.TOTP {
			t.Fatalf("an admin without a second factor: %+v, %v", l, err)
		}
		by := audit.Actor{Name: "root", IP: "192.0.2.1"}
		if _, err := e.BeginTOTP(ctx, by, a.ID, "wrong", ""); err != ErrInvalid {
			t.Errorf("BeginTOTP with a wrong password: %v", err)
		}
		en, err := e.BeginTOTP(ctx, by, a.ID, pw, "")
		if err != nil {
			t.Fatal(err)
		}
		issuer, name, secret, err := parseKeyURI(en.URI)
		if err != nil || issuer != "vigil" || name != "root" || b32.EncodeToString(secret) != en.Secret {
			t.Fatalf("enrolment %+v: %q %q %v", en, issuer, name, err)
		}
		// Not enrolled until confirmed.
		if l, err := e.login("root", pw, ""); err != nil || !l.MustEnrolTOTP {
			t.Errorf("login before the confirmation: %+v, %v", l, err)
		}
		if err := e.ConfirmTOTP(ctx, by, a.ID, "000000"); err != ErrCode {
			t.Errorf("ConfirmTOTP with a wrong code: %v", err)
		}
		if err := e.ConfirmTOTP(ctx, by, a.ID, e.code(t, "root", e.now)); err != nil {
			t.Fatal(err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionTOTP || got.Result != audit.ResultSuccess {
			t.Errorf("recorded %+v", got)
		}
		// The code that confirmed does not log in.
		for _, code := range []string{"", "123456", e.code(t, "root", e.now)} {
			if _, err := e.login("root", pw, code); err != ErrInvalid {
				t.Errorf("login with code %q: %v", code, err)
			}
		}
		e.advance(30 * time.Second)
		code := e.code(t, "root", e.now)
		l, err = e.login("root", pw, code)
		if err != nil || l.MustEnrolTOTP || !l.TOTP {
			t.Fatalf("login with a fresh code: %+v, %v", l, err)
		}
		if got := e.rec.Last(); got.Detail != "password and second factor" {
			t.Errorf("recorded %+v", got)
		}
		if _, err := e.login("root", pw, code); err != ErrInvalid {
			t.Errorf("a code used twice: %v", err)
		}
		if _, err := e.login("root", "wrong", e.code(t, "root", e.now.Add(30*time.Second))); err != ErrInvalid {
			t.Errorf("a good code with a wrong password: %v", err)
		}
		e.advance(time.Minute)
		if _, err := e.login("root", pw, e.code(t, "root", e.now.Add(-30*time.Second))); err != nil {
			t.Errorf("a code a step late: %v", err)
		}
		// An analyst need not, but may.
		b := e.add(t, "bob", store.Analyst, pw)
		if l, err := e.login("bob", pw, ""); err != nil || l.MustEnrolTOTP {
			t.Errorf("an analyst's login: %+v, %v", l, err)
		}
		e.BeginTOTP(ctx, audit.Actor{Name: "bob"}, b.ID, pw, "")
		e.ConfirmTOTP(ctx, audit.Actor{Name: "bob"}, b.ID, e.code(t, "bob", e.now))
		if _, err := e.login("bob", pw, ""); err != ErrInvalid {
			t.Errorf("an enrolled analyst without a code: %v", err)
		}
		// A lost factor: an administrator removes it; the user enrols again.
		if err := e.ResetTOTP(ctx, admin, "root"); err != nil {
			t.Fatal(err)
		}
		if l, err := e.login("root", pw, ""); err != nil || !l.MustEnrolTOTP {
			t.Errorf("login after ResetTOTP: %+v, %v", l, err)
		}
		if n := e.notices[len(e.notices)-1]; n.Event != "second factor removed by cli:root" {
			t.Errorf("notice %+v", n)
		}
	})
}

func TestRolesAndLocks(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		pwFirst, err := e.FirstAdmin(ctx, admin, "root")
		if err != nil || pwFirst == "" {
			t.Fatalf("FirstAdmin: %q, %v", pwFirst, err)
		}
		if again, err := e.FirstAdmin(ctx, admin, "root2"); err != nil || again != "" {
			t.Errorf("FirstAdmin again: %q, %v", again, err)
		}
		// The only administrator cannot be demoted or locked.
		if err := e.SetRole(ctx, admin, "root", store.Analyst); !errors.Is(err, ErrLastAdmin) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := e.Lock(ctx, admin, "root"); !errors.Is(err, ErrLastAdmin) {
			t.Errorf("locking the last admin: %v", err)
		}
		e.add(t, "alice", store.Admin, pw)
		if err := e.SetRole(ctx, admin, "root", store.Auditor); err != nil {
			t.Fatal(err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionUserRole || got.Target != "root" || got.Detail != "admin to auditor; sessions ended" {
			t.Errorf("recorded %+v", got)
		}
		if a, _ := e.ByName(ctx, "root"); a.Role != store.Auditor {
			t.Errorf("role %s", a.Role)
		}
		if err := e.Lock(ctx, admin, "alice"); !errors.Is(err, ErrLastAdmin) {
			t.Errorf("locking the last admin: %v", err)
		}
		if err := e.Lock(ctx, admin, "root"); err != nil {
			t.Fatal(err)
		}
		if a, _ := e.ByName(ctx, "root"); !a.Locked {
			t.Error("not locked")
		}
		if err := e.Unlock(ctx, admin, "root"); err != nil {
			t.Fatal(err)
		}
		one, err := e.ResetPassword(ctx, admin, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if l, err := e.login("alice", one, ""); err != nil || !l.MustChangePassword {
			t.Errorf("login with the reset password: %+v, %v", l, err)
		}
		if _, err := e.login("alice", pw, ""); err != ErrInvalid {
			t.Errorf("login with the password before the reset: %v", err)
		}
		for _, err := range []error{
			e.SetRole(ctx, admin, "nobody", store.Analyst),
			e.Lock(ctx, admin, "nobody"),
			e.Unlock(ctx, admin, "Bad:Name"),
			e.ResetTOTP(ctx, admin, "nobody"),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%v, want ErrNotFound", err)
			}
		}
		if _, err := e.ResetPassword(ctx, admin, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ResetPassword of nobody: %v", err)
		}
		if err := e.SetRole(ctx, admin, "alice", store.Ingest); err == nil {
			t.Error("SetRole to ingest: no error")
		}
		list, err := e.List(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "alice" || list[1].Name != "root" {
			t.Errorf("List: %+v, %v", list, err)
		}
	})
}

// TestUnrecorded checks that what cannot be recorded is refused.
func TestUnrecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t), Config{})
	e.add(t, "alice", store.Analyst, pw)
	e.rec.Fail(errors.New("disk full"))
	if _, err := e.login("alice", pw, ""); err == nil || err == ErrInvalid {
		t.Errorf("a login that cannot be recorded: %v", err)
	}
	if _, err := e.Add(t.Context(), admin, "bob", store.Analyst); err == nil {
		t.Error("an addition that cannot be recorded: no error")
	}
}

func TestRehash(t *testing.T) {
	t.Parallel()
	url := storetest.SQLite(t)
	weak := newEnv(t, url, Config{})
	weak.add(t, "alice", store.Analyst, pw)
	strong := newEnv(t, url, Config{Hash: Params{Memory: 128, Time: 2, Threads: 1}})
	if _, err := strong.login("alice", pw, ""); err != nil {
		t.Fatal(err)
	}
	u, _ := strong.db.UserByName(t.Context(), "alice")
	if !strings.HasPrefix(u.Password, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Errorf("hash after a login with stronger parameters: %s", u.Password)
	}
	if _, err := strong.login("alice", pw, ""); err != nil {
		t.Errorf("login after the rehash: %v", err)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []Config{
		{MaxFailures: 30},
		{LockFor: time.Second},
		{MinLength: 6},
		{OneTimeFor: time.Second},
		{TOTPRoles: []store.Role{store.Ingest}},
		{Issuer: "a:b"},
		{Hash: Params{Memory: 4, Time: 1, Threads: 1}},
		{ReauthBurst: -1},
		{ReauthEvery: time.Millisecond},
	} {
		c.Key = make([]byte, 32)
		if _, err := New(nil, nil, c); err == nil {
			t.Errorf("New(%+v): no error", c)
		}
	}
	if _, err := New(nil, nil, Config{}); err == nil {
		t.Error("New without a key: no error")
	}
	s, err := New(nil, nil, Config{Key: make([]byte, 32), TOTPRoles: []store.Role{}})
	if err != nil || s.NeedsTOTP(store.Admin) {
		t.Errorf("no role needing a second factor: %v", err)
	}
}

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		role store.Role
		p    Permission
		want bool
	}{
		{store.Admin, PermUsers, true},
		{store.Admin, PermRules, true},
		{store.Admin, PermAudit, true},
		{store.Admin, PermAlertsWrite, false},
		{store.Analyst, PermAlertsWrite, true},
		{store.Analyst, PermApprove, true},
		{store.Analyst, PermUsers, false},
		{store.Analyst, PermAudit, false},
		{store.Auditor, PermAudit, true},
		{store.Auditor, PermAlertsRead, true},
		{store.Auditor, PermAlertsWrite, false},
		{store.Auditor, PermConfig, false},
		{store.Ingest, PermIngest, true},
		{store.Ingest, PermAlertsRead, false},
		{"root", PermUsers, false},
	} {
		if got := Allowed(tc.role, tc.p); got != tc.want {
			t.Errorf("Allowed(%s, %s) = %v", tc.role, tc.p, got)
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{"Alice": "alice", "zhang.wei@bank-x.cn": "zhang.wei@bank-x.cn", "a_1": "a_1"} {
		if got, err := Name(in); err != nil || got != want {
			t.Errorf("Name(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", ".a", "cli:root", "张伟", "a b", strings.Repeat("a", 65), "ａｌｉｃｅ"} {
		if _, err := Name(bad); err == nil {
			t.Errorf("Name(%q): no error", bad)
		}
	}
}

// TestLastAdminConcurrently has two administrators lock or demote each
// other at once, over two connections as two nodes would, many times:
// one change goes through, the other is refused, and an administrator
// who can log in is always left.
func TestLastAdminConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		e1, e2 := newEnv(t, url, Config{}), newEnv(t, url, Config{})
		ctx := t.Context()
		for i := range 10 {
			a, b := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
			for _, n := range []string{a, b} {
				if _, err := e1.Add(ctx, admin, n, store.Admin); err != nil {
					t.Fatal(err)
				}
			}
			change := []func() error{
				func() error { return e1.Lock(ctx, admin, b) },
				func() error { return e2.SetRole(ctx, admin, a, store.Analyst) },
			}
			if i%2 == 1 {
				change[0] = func() error { return e1.SetRole(ctx, admin, b, store.Auditor) }
			}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for k := range change {
				wg.Go(func() { errs[k] = change[k]() })
			}
			wg.Wait()
			refused := 0
			for _, err := range errs {
				if errors.Is(err, ErrLastAdmin) {
					refused++
				} else if err != nil {
					t.Fatal(err)
				}
			}
			// Before a and b, no administrator could log in: one of the
			// two changes must be refused.
			if refused != 1 {
				t.Fatalf("round %d: %d changes refused, want 1: %v", i, refused, errs)
			}
			// Leave no administrator who can log in, for the next round.
			for _, n := range []string{a, b} {
				if acc, _ := e1.ByName(ctx, n); acc.Role == store.Admin && !acc.Locked {
					if _, err := e1.db.UpdateUser(ctx, acc.ID, func(u *store.User) error { u.Locked = true; return nil }); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	})
}

// TestResetTOTPEndsSessions removes a user's second factor: the user's
// session ends with it.
func TestResetTOTPEndsSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		by := audit.Actor{Name: "alice"}
		e.BeginTOTP(ctx, by, a.ID, pw, "")
		if err := e.ConfirmTOTP(ctx, by, a.ID, e.code(t, "alice", e.now)); err != nil {
			t.Fatal(err)
		}
		hash := sha256.Sum256([]byte("a session id"))
		_, err := e.db.CreateSession(ctx, store.Session{Hash: hash[:], UserID: a.ID, Created: e.now, LastSeen: e.now,
			Expires: e.now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ResetTOTP(ctx, admin, "alice"); err != nil {
			t.Fatal(err)
		}
		if s, _ := e.db.Session(ctx, hash[:]); s.Ended.IsZero() || s.EndReason != store.EndTOTP {
			t.Errorf("the session after the second factor was removed: %+v", s)
		}
	})
}

// TestUnknownNames checks that a name no user has is recorded as a keyed
// hash, not as typed (it may be a password typed in the wrong field),
// the same each time, and a known name as it is.
func TestUnknownNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t), Config{})
	e.add(t, "alice", store.Analyst, pw)
	var actors []string
	for _, name := range []string{"Hunter2secret", "hunter2secret", "Tq7#mLp2vX", "alice"} {
		e.login(name, "wrong", "")
		actors = append(actors, e.rec.Last().Actor)
	}
	re := regexp.MustCompile(`^unknown:[0-9a-f]{12}$`)
	if !re.MatchString(actors[0]) || actors[1] != actors[0] || !re.MatchString(actors[2]) || actors[2] == actors[0] {
		t.Errorf("unknown names recorded as %q", actors[:3])
	}
	if actors[3] != "alice" {
		t.Errorf("alice recorded as %q", actors[3])
	}
	for _, a := range actors {
		if strings.Contains(strings.ToLower(a), "hunter") || strings.Contains(a, "Tq7") {
			t.Errorf("the trail holds what was typed: %q", a)
		}
	}
	if got, err := e.Actor(t.Context(), "ALICE"); err != nil || got != "alice" {
		t.Errorf("Actor(ALICE) = %q, %v", got, err)
	}
	if got, err := e.Actor(t.Context(), "hunter2secret"); err != nil || got != actors[0] {
		t.Errorf("Actor(hunter2secret) = %q, %v, want %q", got, err, actors[0])
	}
	if o, _ := New(nil, nil, Config{Key: []byte("another server key of 32 bytes!!")}); o.unknownName("hunter2secret") == actors[0] {
		t.Error("the hash does not depend on the server key")
	}
}

// TestLoginWith checks that a success is recorded once the session is
// made, and a failure to make it instead.
func TestLoginWith(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t), Config{})
	e.add(t, "alice", store.Analyst, pw)
	c := Credentials{Name: "alice", Password: pw, IP: "192.0.2.1"}
	_, err := e.LoginWith(t.Context(), c, func(context.Context, *Login) error { return errors.New("the disk is full") })
	if err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("a login without a session: %v", err)
	}
	if l := e.rec.Last(); l.Action != audit.ActionLogin || l.Result != audit.ResultFailure || !strings.Contains(l.Detail, "no session") {
		t.Errorf("recorded %+v", l)
	}
	var before int
	l, err := e.LoginWith(t.Context(), c, func(_ context.Context, l *Login) error {
		before = len(e.rec.Entries())
		return nil
	})
	if err != nil || l.Name != "alice" {
		t.Fatalf("login: %+v, %v", l, err)
	}
	if es := e.rec.Entries(); len(es) != before+1 || es[before].Result != audit.ResultSuccess {
		t.Errorf("the success is not recorded after the session is made: %d entries before, %d after", before, len(es))
	}
}

// countingStore counts the decoy updates of a store.
type countingStore struct {
	*store.DB
	decoys int
}

func (s *countingStore) DecoyUserUpdate(ctx context.Context) error {
	s.decoys++
	return s.DB.DecoyUserUpdate(ctx)
}

// TestUnknownLoginWrites checks that a login with a name no user has
// does the write a failed login of a known user does (see
// BenchmarkLogin for the time it takes), and leaves no user behind.
func TestUnknownLoginWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.SQLite(t), Config{})
	e.add(t, "alice", store.Analyst, pw)
	st := &countingStore{DB: e.db}
	s, err := New(st, e.rec, e.c)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bob", "not a name"} {
		if _, err := s.Login(t.Context(), Credentials{Name: name, Password: pw}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v", name, err)
		}
	}
	if st.decoys != 2 {
		t.Errorf("%d decoy updates for 2 unknown names", st.decoys)
	}
	if users, _ := e.db.Users(t.Context()); len(users) != 1 {
		t.Errorf("users after the logins: %+v", users)
	}
}

// BenchmarkLogin times failed logins with a known name and with an
// unknown one, which should take as long (compare their ns/op): the time
// of a login must not tell which names exist. Passwords are hashed at
// the tests' low cost, so that the rest shows.
func BenchmarkLogin(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			url := storetest.SQLite(b)
			if db == "postgres" {
				url = storetest.Postgres(b)
			}
			e := newEnv(b, url, Config{MaxFailures: 20})
			e.add(b, "alice", store.Analyst, pw)
			for _, name := range []string{"alice", "bob"} {
				b.Run(map[string]string{"alice": "known", "bob": "unknown"}[name], func(b *testing.B) {
					for b.Loop() {
						if _, err := e.login(name, "wrong", ""); !errors.Is(err, ErrInvalid) {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
