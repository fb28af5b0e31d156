package user

import (
	"context"

	"vigil/audit"
)

// Confirm checks the password of the user with the id again before a
// key operation, such as approving an automatic response: the second
// authentication the specification asks for (6.1.3). A wrong password
// is recorded under action, counts as a failed login, so that it cannot
// be guessed this way either, and returns ErrInvalid. The operation
// itself is the caller's to record.
func (s *Service) Confirm(ctx context.Context, by audit.Actor, id, password, action string) error {
	_, err := s.reauth(ctx, by, id, password, action)
	return err
}
