package user

import (
	"bytes"
	"context"
	"fmt"

	"vigil/audit"
	"vigil/store"
)

// Confirm checks again who the user with the id is, before a key
// operation: approving an automatic response, or, for an administrator,
// managing users and tokens (a step-up). It is the second authentication
// the specification asks for (6.1.3). The user gives the password again
// and, when the user has a second factor, a code of it, which is used up
// as at a login.
//
// Whatever is wrong — the password, the code, a lock, a lockout — it
// returns ErrInvalid, and records why under action; a wrong password or
// code counts as a failed login, so that it cannot be guessed this way
// either, and a lockout that it brings about ends the user's sessions
// (whoever holds the session is guessing). Attempts are limited per
// user (Config.ReauthBurst): past the limit, ErrTooMany. A success is
// the caller's to record, with the operation.
func (s *Service) Confirm(ctx context.Context, by audit.Actor, id, password, code, action string) error {
	u, err := s.st.User(ctx, id)
	if err != nil {
		return notFound(err, id)
	}
	_, err = s.reauth(ctx, by, u, password, code, true, action)
	return err
}

// reattempt is the outcome of a second authentication, decided with the
// user's row locked.
type reattempt struct {
	why       string // why it failed; "" when it succeeded
	lockedOut bool   // it locked the user out
}

// reauth checks the password of the user u, as read, and when factor is
// set and the user has a second factor, the code, before a change to the
// account or a key operation (see Confirm). It returns the user as
// stored after it.
func (s *Service) reauth(ctx context.Context, by audit.Actor, u *store.User, password, code string, factor bool,
	action string) (*store.User, error) {
	if !s.reauths.allow(u.ID, s.c.Now()) {
		if err := s.record(ctx, by, action, u.Name, audit.ResultFailure, "too many second authentications"); err != nil {
			return nil, err
		}
		return nil, ErrTooMany
	}
	pw := password
	if len(pw) > maxInput {
		pw = ""
	}
	ok, err := s.verify(ctx, pw, u.Password)
	if err != nil {
		return nil, err
	}
	ok = ok && len(password) <= maxInput
	var secret []byte
	if factor && u.TOTP != nil {
		if secret, err = s.sealer.open(u.TOTP, u.ID); err != nil {
			return nil, err
		}
	}
	var a reattempt
	cur, err := s.st.UpdateUser(ctx, u.ID, func(cur *store.User) error {
		a = s.decideReauth(cur, u, ok, code, secret, factor)
		return nil
	})
	if err != nil {
		return nil, notFound(err, u.Name)
	}
	if a.why == "" {
		return cur, nil
	}
	return nil, s.refuseReauth(ctx, by, cur, a, action)
}

// decideReauth decides a second authentication on cur, the user as
// stored now (u as it was read before the password was checked), and
// changes cur to record it. The code is checked when factor is set.
func (s *Service) decideReauth(cur, u *store.User, ok bool, code string, secret []byte, factor bool) reattempt {
	now := s.c.Now()
	codeStep, why := int64(0), refusal(cur, u, now)
	switch {
	case why != "":
	case !ok:
		why = "wrong current password"
	case !factor: // the password is all it asks
	case !bytes.Equal(cur.TOTP, u.TOTP):
		why = "the second factor changed meanwhile"
	case cur.TOTP != nil:
		var good bool
		if codeStep, good = checkCode(secret, code, now, cur.TOTPStep); !good {
			why = "wrong, missing or reused code"
		}
	}
	cur.Updated = now
	if why != "" {
		return reattempt{why: why, lockedOut: s.fail(cur, now)}
	}
	cur.Failures = 0
	if codeStep > 0 {
		cur.TOTPStep = codeStep
	}
	return reattempt{}
}

// refuseReauth records a second authentication that failed, and the
// lockout it brought about, which ends the user's sessions. It returns
// ErrInvalid, or the error of recording or ending.
func (s *Service) refuseReauth(ctx context.Context, by audit.Actor, cur *store.User, a reattempt, action string) error {
	if err := s.record(ctx, by, action, cur.Name, audit.ResultFailure, a.why); err != nil {
		return err
	}
	if !a.lockedOut {
		return ErrInvalid
	}
	n, err := s.st.EndUserSessions(ctx, cur.ID, cur.Updated, store.EndLockedOut)
	if err != nil {
		return fmt.Errorf("user %q: ending the sessions of a lockout: %w", cur.Name, err)
	}
	if err := s.lockedOut(ctx, cur.Name, by, fmt.Sprintf("sessions ended (%d)", n)); err != nil {
		return err
	}
	return ErrInvalid
}
