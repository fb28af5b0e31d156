package auth

import (
	"context"
	"time"

	"vigil/store"
)

// TokenCreator keeps new tokens; *store.DB is one.
type TokenCreator interface {
	CreateToken(ctx context.Context, t store.Token) error
}

// Create makes a new token with a name, a role and, for ingest tokens,
// the one source it may send to ("" for any), keeps its hash, and
// returns the whole token: the only time it exists outside its owner's
// hands.
func Create(ctx context.Context, st TokenCreator, name string, role store.Role, source string) (string, error) {
	id, token := New()
	err := st.CreateToken(ctx, store.Token{ID: id, Name: name, Role: role, Source: source, Hash: Hash(token), Created: time.Now()})
	if err != nil {
		return "", err
	}
	return token, nil
}
