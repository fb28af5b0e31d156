package user

import (
	"errors"
	"testing"

	"vigil/audit"
	"vigil/store"
)

func TestConfirm(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{MaxFailures: 2}, func(t *testing.T, e *env) {
		ctx := t.Context()
		a := e.add(t, "alice", store.Analyst, pw)
		by := audit.Actor{Name: "alice", IP: "192.0.2.1"}
		if err := e.Confirm(ctx, by, a.ID, pw, audit.ActionApprove); err != nil {
			t.Fatalf("the right password: %v", err)
		}
		if err := e.Confirm(ctx, by, a.ID, "wrong", audit.ActionApprove); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a wrong password: %v, want ErrInvalid", err)
		}
		if l := e.rec.Last(); l.Action != audit.ActionApprove || l.Result != audit.ResultFailure || l.Target != "alice" {
			t.Errorf("recorded %+v", l)
		}
		// A second wrong password in a row locks alice out, as failed
		// logins do.
		e.Confirm(ctx, by, a.ID, "wrong again", audit.ActionApprove)
		if acc, _ := e.ByName(ctx, "alice"); !acc.LockedOut(e.now) {
			t.Errorf("not locked out after %d wrong passwords", 2)
		}
	})
}
