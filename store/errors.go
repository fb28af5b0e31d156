package store

import (
	"errors"
	"fmt"
)

// Errors that callers tell apart with errors.Is, besides ErrNotFound.
var (
	// ErrInvalid is returned for a malformed argument: a query, a
	// cursor, a status, a token.
	ErrInvalid = errors.New("invalid argument")
	// ErrConflict is returned when a change conflicts with what the
	// store holds: a name or id in use (tokens, users, sessions), an
	// alert reopened while another of its rule and dedup values takes
	// its events, or a record in a state that forbids the change (a
	// locked user, an action not pending, a delivery not dead, a silence
	// that has ended).
	ErrConflict = errors.New("conflict")
)

// kindError is an error of one of the kinds above, with its own message.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

func invalidf(format string, args ...any) error {
	return &kindError{ErrInvalid, fmt.Sprintf(format, args...)}
}

func conflictf(format string, args ...any) error {
	return &kindError{ErrConflict, fmt.Sprintf(format, args...)}
}
