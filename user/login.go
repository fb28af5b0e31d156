package user

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/audit"
	"vigil/store"
)

// Credentials are what a login form sends: all of it at once, so that
// nothing is checked before everything is in.
type Credentials struct {
	Name     string
	Password string
	Code     string // the second factor's code; "" for users without one
	IP       string // where the request comes from
}

// Login is a successful login.
type Login struct {
	Account
	// Previous is the attempt before this one, to show the user: when,
	// from where, and whether it succeeded. Zero at a first login.
	Previous store.LoginAttempt
	// FailedSince counts the failed attempts since the last success.
	FailedSince int
	// MustEnrolTOTP is set when the user's role needs a second factor
	// the user does not have: the user must enrol one, as the user with
	// MustChangePassword must change the password, before anything else.
	MustEnrolTOTP bool
}

// maxInput bounds what a login hashes.
const maxInput = 1024

// Login checks credentials and returns the login, or ErrInvalid for
// whatever was wrong: an unknown name, a wrong password or code, a
// locked user, a one-time password expired. MaxFailures failures in a
// row lock the user out for LockFor; a success resets the count. Other
// errors mean the login could not be checked or recorded.
//
// A login does not make a session: use LoginWith to make one before the
// success is recorded.
func (s *Service) Login(ctx context.Context, c Credentials) (*Login, error) {
	return s.LoginWith(ctx, c, nil)
}

// LoginWith is Login that calls start, when the credentials are good,
// before it records the success: start makes the session (package
// session), so that the audit trail shows a login that succeeded only
// once it has one. When start fails, the failure is recorded and its
// error returned.
//
// A name no user has costs what a known one does — a password hash, a
// second-factor secret opened, a write transaction — so that the time a
// login takes does not tell which names exist; and it is recorded under
// a hash (see Actor), not as typed.
func (s *Service) LoginWith(ctx context.Context, c Credentials, start func(context.Context, *Login) error) (*Login, error) {
	name, nameErr := Name(c.Name)
	var u *store.User
	if nameErr == nil {
		var err error
		if u, err = s.st.UserByName(ctx, name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	hash := s.dummy()
	if u != nil {
		hash = u.Password
	}
	pw := c.Password
	if len(pw) > maxInput {
		pw = "" // checked all the same, so that it takes as long
	}
	ok, err := s.verify(ctx, pw, hash)
	if err != nil {
		return nil, err
	}
	ok = ok && len(c.Password) <= maxInput
	if u == nil {
		return nil, s.unknownLogin(ctx, c)
	}
	return s.login(ctx, u, c, ok, audit.Actor{Name: u.Name, IP: c.IP}, start)
}

// unknownLogin fails the login of a name no user has, doing the work of
// a failed login of a known user: it opens a sealed secret, and writes
// and discards a user in a transaction as a failure is counted.
func (s *Service) unknownLogin(ctx context.Context, c Credentials) error {
	if _, err := s.sealer.open(s.decoy, decoyID); err != nil {
		return err
	}
	if err := s.st.DecoyUserUpdate(ctx); err != nil {
		return err
	}
	who := audit.Actor{Name: s.unknownName(c.Name), IP: c.IP}
	if err := s.record(ctx, who, audit.ActionLogin, "console", audit.ResultFailure, "no such user"); err != nil {
		return err
	}
	return ErrInvalid
}

// attempt is the outcome of a login attempt, decided with the user's
// row locked.
type attempt struct {
	why       string // why it failed; "" when it succeeded
	lockedOut bool   // it locked the user out
	login     *Login
}

// login decides and records the attempt of u, whose password was ok or
// not, calling start on a success before it records it.
func (s *Service) login(ctx context.Context, u *store.User, c Credentials, ok bool, who audit.Actor,
	start func(context.Context, *Login) error) (*Login, error) {
	var secret []byte
	if u.TOTP != nil {
		var err error
		if secret, err = s.sealer.open(u.TOTP, u.ID); err != nil {
			return nil, err
		}
	}
	rehash := ""
	if ok && needsRehash(u.Password, s.c.Hash) {
		var err error
		if rehash, err = s.hash(ctx, c.Password); err != nil {
			return nil, err
		}
	}
	var a attempt
	_, err := s.st.UpdateUser(ctx, u.ID, func(cur *store.User) error {
		a = s.decide(cur, u, c, ok, secret, rehash)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	if a.login != nil && start != nil {
		if err := start(ctx, a.login); err != nil {
			return nil, errors.Join(err, s.record(ctx, who, audit.ActionLogin, "console", audit.ResultFailure,
				"the credentials were good, but no session could be made"))
		}
	}
	return s.recordLogin(ctx, u, a, who)
}

// decide decides the attempt on cur, the user as stored now (u is as it
// was read before the password was checked), and changes cur to record
// it.
func (s *Service) decide(cur, u *store.User, c Credentials, ok bool, secret []byte, rehash string) attempt {
	now := s.c.Now()
	codeStep, why := int64(0), refusal(cur, u, now)
	switch {
	case why != "":
	case !ok:
		why = "wrong password"
	case cur.MustChange && now.Sub(cur.PasswordChanged) > s.c.OneTimeFor:
		why = "one-time password expired"
	case !bytes.Equal(cur.TOTP, u.TOTP):
		why = "the second factor changed meanwhile"
	case cur.TOTP != nil:
		var good bool
		if codeStep, good = checkCode(secret, c.Code, now, cur.TOTPStep); !good {
			why = "wrong, missing or reused code"
		}
	}
	prev, failed := cur.LastLogin, cur.FailedSince
	cur.Updated = now
	if why != "" {
		cur.LastLogin = store.LoginAttempt{Time: now, Result: store.LoginFailure, IP: c.IP}
		return attempt{why: why, lockedOut: s.fail(cur, now)}
	}
	cur.LastLogin = store.LoginAttempt{Time: now, Result: store.LoginSuccess, IP: c.IP}
	cur.Failures, cur.FailedSince = 0, 0
	if codeStep > 0 {
		cur.TOTPStep = codeStep
	}
	if rehash != "" {
		cur.Password = rehash
	}
	return attempt{login: &Login{Account: *account(cur), Previous: prev, FailedSince: failed,
		MustEnrolTOTP: cur.TOTP == nil && s.NeedsTOTP(cur.Role)}}
}

// refusal returns why a user, as stored now (cur) and as read before
// the password was checked (u), may not prove who it is at now, whatever
// it gives: a lock, a lockout, a password changed meanwhile; or "". It
// ends a lockout that is over.
func refusal(cur, u *store.User, now time.Time) string {
	if !cur.LockedUntil.IsZero() && !now.Before(cur.LockedUntil) {
		cur.LockedUntil, cur.Failures = time.Time{}, 0
	}
	switch {
	case cur.Locked:
		return "locked by an administrator"
	case now.Before(cur.LockedUntil):
		return "locked out until " + cur.LockedUntil.UTC().Format(time.RFC3339)
	case cur.Password != u.Password:
		return "the password changed meanwhile"
	}
	return ""
}

// fail counts a failed attempt to prove who the user is (a login, or a
// second authentication), and reports whether it locks the user out.
// Attempts while locked out count as failures since the last success,
// not towards another lockout.
func (s *Service) fail(cur *store.User, now time.Time) bool {
	cur.FailedSince++
	if cur.Locked || now.Before(cur.LockedUntil) {
		return false
	}
	cur.Failures++
	if cur.Failures < s.c.MaxFailures {
		return false
	}
	cur.LockedUntil = now.Add(s.c.LockFor)
	return true
}

// recordLogin records an attempt in the audit trail, and returns what
// Login returns.
func (s *Service) recordLogin(ctx context.Context, u *store.User, a attempt, who audit.Actor) (*Login, error) {
	if a.login != nil {
		detail := "password"
		if u.TOTP != nil {
			detail = "password and second factor"
		}
		if err := s.record(ctx, who, audit.ActionLogin, "console", audit.ResultSuccess, detail); err != nil {
			return nil, err
		}
		return a.login, nil
	}
	if err := s.record(ctx, who, audit.ActionLogin, "console", audit.ResultFailure, a.why); err != nil {
		return nil, err
	}
	if a.lockedOut {
		if err := s.lockedOut(ctx, u.Name, who, ""); err != nil {
			return nil, err
		}
	}
	return nil, ErrInvalid
}

// lockedOut records and tells of a lockout; ended, when not "", says
// that the user's sessions ended with it, and why.
func (s *Service) lockedOut(ctx context.Context, name string, who audit.Actor, ended string) error {
	detail := fmt.Sprintf("%d failed attempts in a row; locked out for %s", s.c.MaxFailures, s.c.LockFor)
	if ended != "" {
		detail += "; " + ended
	}
	if err := s.record(ctx, who, audit.ActionLockout, name, audit.ResultSuccess, detail); err != nil {
		return err
	}
	event := "locked out after failed logins"
	if ended != "" {
		event = "locked out after failed second authentications; sessions ended"
	}
	s.notify(ctx, name, event, who)
	return nil
}
