package user

import (
	"context"
	"crypto/rand"

	"vigil/audit"
	"vigil/store"
)

// Enrollment is a second factor being enrolled: what the user puts into
// an authenticator app, by hand or as a QR code.
type Enrollment struct {
	Secret string // base32, as apps take it typed
	URI    string // otpauth://totp/..., for a QR code
}

// BeginTOTP starts the enrolment of a second factor for the user with
// the id, who gives the password again and, to replace a factor, a code
// of the present one: a second authentication as Confirm makes it (a
// wrong password or code counts as a failed login). The new factor
// replaces the present one, if any, once ConfirmTOTP has a code from it.
func (s *Service) BeginTOTP(ctx context.Context, by audit.Actor, id, password, code string) (*Enrollment, error) {
	u, err := s.st.User(ctx, id)
	if err != nil {
		return nil, notFound(err, id)
	}
	if u, err = s.reauth(ctx, by, u, password, code, true, audit.ActionTOTP); err != nil {
		return nil, err
	}
	secret := make([]byte, secretLen)
	rand.Read(secret)
	sealed := s.sealer.seal(secret, u.ID)
	if err := s.update(ctx, u, func(cur *store.User) error { cur.TOTPPending = sealed; return nil }); err != nil {
		return nil, err
	}
	return &Enrollment{Secret: b32.EncodeToString(secret), URI: keyURI(s.c.Issuer, u.Name, secret)}, nil
}

// ConfirmTOTP ends the enrolment that BeginTOTP started with a code of
// the new factor, which from then on the user's logins need. A wrong
// code returns ErrCode, and the enrolment goes on.
func (s *Service) ConfirmTOTP(ctx context.Context, by audit.Actor, id, code string) error {
	u, err := s.st.User(ctx, id)
	if err != nil {
		return notFound(err, id)
	}
	if u.TOTPPending == nil {
		return ErrCode
	}
	secret, err := s.sealer.open(u.TOTPPending, u.ID)
	if err != nil {
		return err
	}
	at, ok := checkCode(secret, code, s.c.Now(), 0)
	if !ok {
		if err := s.record(ctx, by, audit.ActionTOTP, u.Name, audit.ResultFailure, "wrong code"); err != nil {
			return err
		}
		return ErrCode
	}
	err = s.update(ctx, u, func(cur *store.User) error {
		cur.TOTP, cur.TOTPPending, cur.TOTPStep = cur.TOTPPending, nil, at
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.record(ctx, by, audit.ActionTOTP, u.Name, audit.ResultSuccess, "second factor enrolled"); err != nil {
		return err
	}
	s.notify(ctx, u.Name, "second factor enrolled", by)
	return nil
}

// ResetTOTP removes the second factor of the user named name, for one
// who lost it, and ends the user's sessions; a user whose role needs a
// factor enrols another at the next login.
func (s *Service) ResetTOTP(ctx context.Context, by audit.Actor, name string) error {
	u, err := s.byName(ctx, name)
	if err != nil {
		return err
	}
	err = s.update(ctx, u, func(cur *store.User) error {
		cur.TOTP, cur.TOTPPending, cur.TOTPStep = nil, nil, 0
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.record(ctx, by, audit.ActionTOTPReset, u.Name, audit.ResultSuccess, "sessions ended"); err != nil {
		return err
	}
	s.notify(ctx, u.Name, "second factor removed by "+by.Name, by)
	return nil
}
