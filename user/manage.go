package user

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/audit"
	"vigil/store"
)

// errChanged aborts an update when the user changed since it was read.
var errChanged = errors.New("the user changed meanwhile: try again")

// Add creates a user with the role and a one-time password, which it
// returns: the user must change it at the first login, within
// Config.OneTimeFor.
func (s *Service) Add(ctx context.Context, by audit.Actor, name string, role store.Role) (password string, err error) {
	n, err := Name(name)
	if err != nil {
		return "", err
	}
	if !validRole(role) {
		return "", fmt.Errorf("user %q: role %q: want admin, analyst or auditor", n, role)
	}
	pw := s.oneTime(n)
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	now := s.c.Now()
	err = s.st.CreateUser(ctx, store.User{ID: rand.Text(), Name: n, Role: role, Password: hash, MustChange: true,
		PasswordChanged: now, Created: now, Updated: now})
	if errors.Is(err, store.ErrConflict) {
		return "", fmt.Errorf("user %q: %w", n, ErrExists)
	}
	if err != nil {
		return "", err
	}
	return pw, s.record(ctx, by, audit.ActionUserAdd, n, audit.ResultSuccess, "role "+string(role))
}

// FirstAdmin adds an administrator named name when there is no user at
// all, and returns the one-time password; when there are users, it
// returns "". It is the way in to a new installation.
func (s *Service) FirstAdmin(ctx context.Context, by audit.Actor, name string) (string, error) {
	users, err := s.st.Users(ctx)
	if err != nil || len(users) > 0 {
		return "", err
	}
	pw, err := s.Add(ctx, by, name, store.Admin)
	if errors.Is(err, ErrExists) { // another node was first
		return "", nil
	}
	return pw, err
}

// oneTime returns a new one-time password for the user named name: 100
// random bits, as five groups of letters and digits.
func (s *Service) oneTime(name string) string {
	for {
		t := rand.Text()[:20]
		pw := strings.Join([]string{t[:4], t[4:8], t[8:12], t[12:16], t[16:]}, "-")
		if checkPassword(pw, name, s.c.MinLength) == nil {
			return pw
		}
	}
}

// ResetPassword gives the user named name a new one-time password, which
// it returns, and ends the user's sessions. It is for administrators,
// for a user who lost the password.
func (s *Service) ResetPassword(ctx context.Context, by audit.Actor, name string) (string, error) {
	u, err := s.byName(ctx, name)
	if err != nil {
		return "", err
	}
	pw := s.oneTime(u.Name)
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return "", err
	}
	err = s.update(ctx, u, func(cur *store.User) error {
		cur.Password, cur.MustChange, cur.PasswordChanged = hash, true, cur.Updated
		return nil
	})
	if err != nil {
		return "", err
	}
	if err := s.record(ctx, by, audit.ActionPasswordReset, u.Name, audit.ResultSuccess, "one-time password given; sessions ended"); err != nil {
		return "", err
	}
	s.notify(ctx, u.Name, "password reset by "+by.Name, by)
	return pw, nil
}

// ChangePassword changes the password of the user with the id from
// current to next, and ends the user's sessions: the user logs in again
// with the new password. The current password is checked first, as
// Confirm checks it (a wrong one counts as a failed login, and is
// ErrInvalid); then next must meet the policy, else a *PolicyError —
// whether current was right or not, so that a new password the policy
// refuses does not tell whether the current one was right.
func (s *Service) ChangePassword(ctx context.Context, by audit.Actor, id, current, next string) error {
	stored, err := s.st.User(ctx, id)
	if err != nil {
		return notFound(err, id)
	}
	u, authErr := s.reauth(ctx, by, stored, current, "", false, audit.ActionPassword)
	if authErr != nil && !errors.Is(authErr, ErrInvalid) && !errors.Is(authErr, ErrTooMany) {
		return authErr
	}
	if err := checkPassword(next, stored.Name, s.c.MinLength); err != nil {
		return err
	}
	if next == current {
		return refuse("it is the current password")
	}
	if authErr != nil {
		return authErr
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	err = s.update(ctx, u, func(cur *store.User) error {
		cur.Password, cur.MustChange, cur.PasswordChanged = hash, false, cur.Updated
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.record(ctx, by, audit.ActionPassword, u.Name, audit.ResultSuccess, "sessions ended"); err != nil {
		return err
	}
	s.notify(ctx, u.Name, "password changed", by)
	return nil
}

// update changes the user u as stored, at now (cur.Updated), unless its
// password or second factor changed since u was read.
func (s *Service) update(ctx context.Context, u *store.User, f func(cur *store.User) error) error {
	_, err := s.st.UpdateUser(ctx, u.ID, func(cur *store.User) error {
		if cur.Password != u.Password || string(cur.TOTP) != string(u.TOTP) || string(cur.TOTPPending) != string(u.TOTPPending) {
			return errChanged
		}
		cur.Updated = s.c.Now()
		return f(cur)
	})
	return notFound(err, u.Name)
}

// SetRole changes the role of the user named name, and ends the user's
// sessions: the user logs in again to act in the new role. It refuses to
// leave no administrator who can log in (ErrLastAdmin).
func (s *Service) SetRole(ctx context.Context, by audit.Actor, name string, role store.Role) error {
	if !validRole(role) {
		return fmt.Errorf("user %q: role %q: want admin, analyst or auditor", name, role)
	}
	u, err := s.byName(ctx, name)
	if err != nil {
		return err
	}
	if u.Role == role {
		return nil
	}
	err = s.updateAmongAdmins(ctx, u, role != store.Admin, func(cur *store.User) { cur.Role = role })
	if err != nil {
		return err
	}
	return s.record(ctx, by, audit.ActionUserRole, u.Name, audit.ResultSuccess,
		fmt.Sprintf("%s to %s; sessions ended", u.Role, role))
}

// updateAmongAdmins changes the user u as update does, with f, unless
// the change takes the user out of the administrators who can log in
// (leaves, when the user is one) and no other could: then it returns
// ErrLastAdmin. It decides with the administrators' rows locked, so that
// two administrators demoting or locking each other at once cannot leave
// none.
func (s *Service) updateAmongAdmins(ctx context.Context, u *store.User, leaves bool, f func(cur *store.User)) error {
	_, err := s.st.UpdateUserAmongAdmins(ctx, u.ID, func(cur *store.User, otherAdmins int) error {
		if cur.Password != u.Password || string(cur.TOTP) != string(u.TOTP) || string(cur.TOTPPending) != string(u.TOTPPending) {
			return errChanged
		}
		if leaves && cur.Role == store.Admin && !cur.Locked && otherAdmins == 0 {
			return fmt.Errorf("user %q: %w", u.Name, ErrLastAdmin)
		}
		cur.Updated = s.c.Now()
		f(cur)
		return nil
	})
	return notFound(err, u.Name)
}

// Lock keeps the user named name out until Unlock, and ends the user's
// sessions. It refuses to leave no administrator who can log in
// (ErrLastAdmin).
func (s *Service) Lock(ctx context.Context, by audit.Actor, name string) error {
	u, err := s.byName(ctx, name)
	if err != nil {
		return err
	}
	err = s.updateAmongAdmins(ctx, u, true, func(cur *store.User) { cur.Locked = true })
	if err != nil {
		return err
	}
	return s.record(ctx, by, audit.ActionUserLock, u.Name, audit.ResultSuccess, "sessions ended")
}

// Unlock lets the user named name in again: it ends a lock and a
// lockout after failed logins.
func (s *Service) Unlock(ctx context.Context, by audit.Actor, name string) error {
	u, err := s.byName(ctx, name)
	if err != nil {
		return err
	}
	err = s.update(ctx, u, func(cur *store.User) error {
		cur.Locked, cur.LockedUntil, cur.Failures = false, time.Time{}, 0
		return nil
	})
	if err != nil {
		return err
	}
	return s.record(ctx, by, audit.ActionUserUnlock, u.Name, audit.ResultSuccess, "")
}
