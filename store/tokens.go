package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const tokenColumns = `id, name, role, source, hash, created, revoked`

// CreateToken stores a new token. Its ID, Name, Role, Hash (a SHA-256)
// and Created are required; Revoked must be nil. It returns ErrConflict
// when its id or hash is taken, or its name is that of a token not
// revoked.
func (db *DB) CreateToken(ctx context.Context, t Token) error {
	if err := db.createToken(ctx, t); err != nil {
		return fmt.Errorf("store: create token %q: %w", t.Name, err)
	}
	return nil
}

func (db *DB) createToken(ctx context.Context, t Token) error {
	if err := checkToken(t); err != nil {
		return err
	}
	_, err := db.writer().exec(ctx, `INSERT INTO tokens (`+tokenColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, NULL)`, t.ID, t.Name, string(t.Role), t.Source, t.Hash, encodeTime(t.Created))
	if db.d.isUniqueViolation(err) {
		return db.tokenConflict(ctx, t)
	}
	return err
}

// checkToken checks what CreateToken requires of t.
func checkToken(t Token) error {
	switch {
	case t.ID == "":
		return invalidf("no id")
	case t.Name == "":
		return invalidf("no name")
	case !isClean(t.ID) || !isClean(t.Name) || !isClean(t.Source):
		return invalidf("id, name or source is not UTF-8 text")
	case !t.Role.Valid():
		return invalidf("unknown role %q", t.Role)
	case len(t.Hash) != sha256.Size:
		return invalidf("hash of %d bytes, not a SHA-256", len(t.Hash))
	case t.Created.IsZero():
		return invalidf("no creation time")
	case t.Revoked != nil:
		return invalidf("already revoked")
	}
	return nil
}

// tokenConflict explains which uniqueness rule t breaks.
func (db *DB) tokenConflict(ctx context.Context, t Token) error {
	var id, name, hash int
	err := db.reader().queryRow(ctx, `SELECT
	(SELECT COUNT(*) FROM tokens WHERE id = $1),
	(SELECT COUNT(*) FROM tokens WHERE name = $2 AND revoked IS NULL),
	(SELECT COUNT(*) FROM tokens WHERE hash = $3)`, t.ID, t.Name, t.Hash).Scan(&id, &name, &hash)
	switch {
	case err != nil:
		return err
	case name > 0:
		return conflictf("a token named %q exists", t.Name)
	case id > 0:
		return conflictf("a token with id %q exists", t.ID)
	}
	return conflictf("a token with the same secret exists")
}

// TokenByHash returns the token, not revoked, whose secret has the hash,
// or ErrNotFound.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*Token, error) {
	t, err := db.liveToken(ctx, `hash`, hash)
	if err != nil {
		return nil, fmt.Errorf("store: token by hash: %w", err)
	}
	return t, nil
}

// TokenByID returns the token, not revoked, with the id, or ErrNotFound.
func (db *DB) TokenByID(ctx context.Context, id string) (*Token, error) {
	t, err := db.liveToken(ctx, `id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: token %q: %w", id, err)
	}
	return t, nil
}

// liveToken returns the token, not revoked, whose column col has value.
func (db *DB) liveToken(ctx context.Context, col string, value any) (*Token, error) {
	if s, ok := value.(string); ok && !isClean(s) {
		return nil, ErrNotFound // no token has it
	}
	t, err := scanToken(db.reader().queryRow(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE `+col+` = $1 AND revoked IS NULL`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// Tokens returns all tokens, revoked ones included, oldest first.
func (db *DB) Tokens(ctx context.Context) ([]Token, error) {
	tokens, err := db.tokens(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return tokens, nil
}

func (db *DB) tokens(ctx context.Context) ([]Token, error) {
	rows, err := db.reader().query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tokens []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, *t)
	}
	return tokens, rows.Err()
}

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var (
		t       Token
		created int64
		revoked sql.NullInt64
	)
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Source, &t.Hash, &created, &revoked); err != nil {
		return nil, err
	}
	t.Created, t.Revoked = decodeTime(created), decodeOptionalTime(revoked)
	return &t, nil
}

// RevokeToken revokes the token, not revoked, with the id or, when none
// has it, the name. It returns ErrNotFound when there is no such token.
func (db *DB) RevokeToken(ctx context.Context, idOrName string) error {
	now := encodeTime(time.Now())
	err := ErrNotFound // when idOrName is not text, which no token has
	if isClean(idOrName) {
		err = db.write(ctx, func(tx runner) error { return revoke(ctx, tx, idOrName, now) })
	}
	if err != nil {
		return fmt.Errorf("store: revoke token %q: %w", idOrName, err)
	}
	return nil
}

// revoke revokes the token with the id or, when none has it, the name.
func revoke(ctx context.Context, tx runner, idOrName string, now int64) error {
	for _, col := range []string{`id`, `name`} {
		res, err := tx.exec(ctx, `UPDATE tokens SET revoked = $1 WHERE `+col+` = $2 AND revoked IS NULL`, now, idOrName)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n > 0 {
			return err
		}
	}
	return ErrNotFound
}
