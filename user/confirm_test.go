package user

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"vigil/audit"
	"vigil/store"
)

func TestConfirm(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{MaxFailures: 2}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); err != nil {
			t.Fatalf("the right password: %v", err)
		}
		if err := e.Confirm(ctx, by, a.ID, "wrong", "", audit.ActionApprove); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a wrong password: %v, want ErrInvalid", err)
		}
		if l := e.rec.Last(); l.Action != audit.ActionApprove || l.Result != audit.ResultFailure || l.Target != "alice" {
			t.Errorf("recorded %+v", l)
		}
		// A second wrong password in a row locks alice out, as failed
		// logins do.
		e.Confirm(ctx, by, a.ID, "wrong again", "", audit.ActionApprove)
		if acc, _ := e.ByName(ctx, "alice"); !acc.LockedOut(e.now) {
			t.Errorf("not locked out after %d wrong passwords", 2)
		}
	})
}

// TestConfirmLockedOut checks that a second authentication is refused
// while the user is locked out or locked, whatever the password, with
// the same error as a wrong one: it is no way around the lockout.
func TestConfirmLockedOut(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		for range 5 {
			e.login("alice", "wrong", "")
		}
		for name, try := range map[string]func() error{
			"Confirm": func() error { return e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove) },
			"BeginTOTP": func() error {
				_, err := e.BeginTOTP(ctx, by, a.ID, pw, "")
				return err
			},
			"ChangePassword": func() error { return e.ChangePassword(ctx, by, a.ID, pw, "Copper kettle at dawn 9") },
		} {
			if err := try(); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(e.rec.Last().Detail, "locked out until") {
				t.Errorf("%s while locked out, with the right password: %v, recorded %+v", name, err, e.rec.Last())
			}
		}
		if u, _ := e.db.User(ctx, a.ID); u.TOTPPending != nil {
			t.Error("a second factor was begun while locked out")
		}
		e.advance(30 * time.Minute)
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); err != nil {
			t.Errorf("after the lockout: %v", err)
		}
		if err := e.Lock(ctx, admin, "alice"); err != nil {
			t.Fatal(err)
		}
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); !errors.Is(err, ErrInvalid) ||
			e.rec.Last().Detail != "locked by an administrator" {
			t.Errorf("locked, with the right password: %v, recorded %+v", err, e.rec.Last())
		}
	})
}

// TestConfirmLockoutEndsSessions fails second authentications until a
// lockout: whoever holds the session is guessing, and the lockout ends
// it.
func TestConfirmLockoutEndsSessions(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{MaxFailures: 3}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		hash := sha256.Sum256([]byte("a session id"))
		_, err := e.db.CreateSession(ctx, store.Session{Hash: hash[:], UserID: a.ID, Created: e.now, LastSeen: e.now,
			Expires: e.now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		for i := range 3 {
			if s, _ := e.db.Session(ctx, hash[:]); !s.Ended.IsZero() {
				t.Fatalf("the session ended after %d failures", i)
			}
			if err := e.Confirm(ctx, by, a.ID, "wrong", "", audit.ActionApprove); !errors.Is(err, ErrInvalid) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if s, _ := e.db.Session(ctx, hash[:]); s.Ended.IsZero() || s.EndReason != store.EndLockedOut {
			t.Errorf("the session after the lockout: %+v", s)
		}
		if l := e.rec.Last(); l.Action != audit.ActionLockout || !strings.Contains(l.Detail, "sessions ended (1)") {
			t.Errorf("recorded %+v", l)
		}
		if n := e.notices[len(e.notices)-1]; !strings.Contains(n.Event, "locked out") {
			t.Errorf("notice %+v", n)
		}
		// A lockout by failed logins does not end sessions: anyone who
		// knows a name could end that user's session.
		e.advance(30 * time.Minute)
		hash2 := sha256.Sum256([]byte("another session id"))
		e.db.CreateSession(ctx, store.Session{Hash: hash2[:], UserID: a.ID, Created: e.now, LastSeen: e.now,
			Expires: e.now.Add(time.Hour)})
		for range 3 {
			e.login("alice", "wrong", "")
		}
		if s, _ := e.db.Session(ctx, hash2[:]); !s.Ended.IsZero() {
			t.Errorf("a lockout by failed logins ended the session: %s", s.EndReason)
		}
	})
}

// TestConfirmRateLimit tries second authentications of one user past
// the limit, with the right password: refused until the limit allows.
func TestConfirmRateLimit(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{ReauthBurst: 3, ReauthEvery: time.Minute}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		b := e.add(t, "bob", store.Analyst, pw)
		e.advance(3 * time.Minute) // changing the one-time passwords took a turn
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		for i := range 3 {
			if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); err != nil {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); !errors.Is(err, ErrTooMany) {
			t.Errorf("past the limit: %v, want ErrTooMany", err)
		}
		if l := e.rec.Last(); l.Result != audit.ResultFailure || !strings.Contains(l.Detail, "too many") {
			t.Errorf("recorded %+v", l)
		}
		if err := e.Confirm(ctx, audit.Actor{Name: "bob"}, b.ID, pw, "", audit.ActionApprove); err != nil {
			t.Errorf("another user: %v", err)
		}
		e.advance(time.Minute)
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); err != nil {
			t.Errorf("a minute later: %v", err)
		}
		if err := e.Confirm(ctx, by, a.ID, pw, "", audit.ActionApprove); !errors.Is(err, ErrTooMany) {
			t.Errorf("past the limit again: %v, want ErrTooMany", err)
		}
	})
}

// TestConfirmNeedsCode checks that a user with a second factor gives a
// code besides the password, once only, to confirm and to replace the
// factor.
func TestConfirmNeedsCode(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "root", store.Admin, pw)
		by := audit.Actor{Name: "root", IP: "192.0.2.1"}
		if _, err := e.BeginTOTP(ctx, by, a.ID, pw, ""); err != nil {
			t.Fatalf("a first factor needs no code: %v", err)
		}
		if err := e.ConfirmTOTP(ctx, by, a.ID, e.code(t, "root", e.now)); err != nil {
			t.Fatal(err)
		}
		e.advance(30 * time.Second)
		code := e.code(t, "root", e.now)
		for name, c := range map[string]string{"no code": "", "a wrong code": "000000"} {
			if err := e.Confirm(ctx, by, a.ID, pw, c, audit.ActionApprove); !errors.Is(err, ErrInvalid) {
				t.Errorf("Confirm with %s: %v", name, err)
			}
			if _, err := e.BeginTOTP(ctx, by, a.ID, pw, c); !errors.Is(err, ErrInvalid) {
				t.Errorf("replacing the factor with %s: %v", name, err)
			}
		}
		if l := e.rec.Last(); l.Action != audit.ActionTOTP || l.Detail != "wrong, missing or reused code" {
			t.Errorf("recorded %+v", l)
		}
		if err := e.Confirm(ctx, by, a.ID, pw, code, audit.ActionApprove); err != nil {
			t.Errorf("Confirm with the code: %v", err)
		}
		if err := e.Confirm(ctx, by, a.ID, pw, code, audit.ActionApprove); !errors.Is(err, ErrInvalid) {
			t.Errorf("Confirm with the code again: %v", err)
		}
		e.advance(30 * time.Second)
		if _, err := e.BeginTOTP(ctx, by, a.ID, pw, e.code(t, "root", e.now)); err != nil {
			t.Errorf("replacing the factor with a code: %v", err)
		}
	})
}

// TestChangePasswordNoOracle checks that a new password the policy
// refuses gets the same answer whether the current one is right or not,
// and that a wrong current one counts either way.
func TestChangePasswordNoOracle(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		right := e.ChangePassword(ctx, by, a.ID, pw, "Password1")
		wrong := e.ChangePassword(ctx, by, a.ID, "wrong", "Password1")
		var pe *PolicyError
		if !errors.As(right, &pe) || wrong == nil || right.Error() != wrong.Error() {
			t.Errorf("a weak new password: %v with the right current one, %v with a wrong one; want the same refusal", right, wrong)
		}
		if u, _ := e.db.User(ctx, a.ID); u.Failures != 1 {
			t.Errorf("failures = %d, want 1", u.Failures)
		}
		if err := e.ChangePassword(ctx, by, a.ID, "wrong", "Copper kettle at dawn 9"); !errors.Is(err, ErrInvalid) {
			t.Errorf("a wrong current password: %v", err)
		}
		if err := e.ChangePassword(ctx, by, a.ID, pw, "Copper kettle at dawn 9"); err != nil {
			t.Errorf("the right one: %v", err)
		}
	})
}
