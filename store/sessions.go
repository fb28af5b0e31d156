package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a session of the console. The store keeps the SHA-256 of
// its id, not the id.
type Session struct {
	Hash     []byte // SHA-256 of the session's id
	UserID   string
	IP       string // where it was made from
	Created  time.Time
	LastSeen time.Time // the last request
	Expires  time.Time // when it ends, however busy
	// Ended is when it ended, zero while it has not; EndReason why.
	Ended     time.Time
	EndReason string

	// Read with the session, from its user:
	User       string // name
	Role       Role
	MustChange bool // the user has a one-time password
	TOTP       bool // the user has a second factor
}

// Why sessions end.
const (
	EndLogout   = "logout"
	EndReplaced = "replaced" // by a new login of the same user
	EndIdle     = "idle"
	EndExpired  = "expired" // its lifetime is over
	EndRole     = "role changed"
	EndPassword = "password changed"
	EndLocked   = "user locked"
	EndTOTP     = "second factor removed"
	// EndLockedOut is a lockout after failed attempts to prove who the
	// user is from within a session.
	EndLockedOut = "locked out"
)

const sessionColumns = `s.id_hash, s.user_id, s.ip, s.created, s.last_seen, s.expires, s.ended, s.end_reason,
u.name, u.role, u.must_change, CASE WHEN u.totp IS NULL THEN 0 ELSE 1 END`

// CreateSession stores a new session and ends the user's other sessions
// (EndReplaced, at s.Created), returning how many: a user has one
// session at a time. It returns ErrNotFound when there is no such user,
// and ErrConflict when the user is locked.
func (db *DB) CreateSession(ctx context.Context, s Session) (replaced int, err error) {
	if replaced, err = db.createSession(ctx, s); err != nil {
		return 0, fmt.Errorf("store: create session of user %q: %w", s.UserID, err)
	}
	return replaced, nil
}

func (db *DB) createSession(ctx context.Context, s Session) (int, error) {
	switch {
	case len(s.Hash) != sha256.Size:
		return 0, invalidf("id hash of %d bytes, not a SHA-256", len(s.Hash))
	case !isClean(s.IP):
		return 0, invalidf("address is not UTF-8 text")
	case s.Created.IsZero() || s.LastSeen.IsZero() || !s.Expires.After(s.Created):
		return 0, invalidf("no creation time, or it does not end after it starts")
	case !s.Ended.IsZero():
		return 0, invalidf("already ended")
	}
	var replaced int64
	err := db.write(ctx, func(tx runner) error {
		// Locking the user makes logins of one user take turns: each
		// ends the session of the one before.
		u, err := lockUser(ctx, tx, s.UserID)
		if err != nil {
			return err
		}
		if u.Locked {
			return conflictf("user %q is locked", u.Name)
		}
		if replaced, err = endSessions(ctx, tx, `user_id = $3`, s.Created, EndReplaced, s.UserID); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO sessions (id_hash, user_id, ip, created, last_seen, expires, ended, end_reason)
VALUES ($1, $2, $3, $4, $5, $6, NULL, '')`, s.Hash, s.UserID, s.IP, encodeTime(s.Created), encodeTime(s.LastSeen), encodeTime(s.Expires))
		if db.d.isUniqueViolation(err) {
			return conflictf("a session with the same id exists")
		}
		return err
	})
	return int(replaced), err
}

// Session returns the session whose id has the hash, ended or not, or
// ErrNotFound.
func (db *DB) Session(ctx context.Context, hash []byte) (*Session, error) {
	s, err := scanSession(db.reader().queryRow(ctx, `SELECT `+sessionColumns+`
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

func scanSession(row interface{ Scan(...any) error }) (*Session, error) {
	var (
		s                         Session
		created, lastSeen, expire int64
		ended                     sql.NullInt64
		mustChange, totp          int64
	)
	err := row.Scan(&s.Hash, &s.UserID, &s.IP, &created, &lastSeen, &expire, &ended, &s.EndReason,
		&s.User, &s.Role, &mustChange, &totp)
	if err != nil {
		return nil, err
	}
	s.Created, s.LastSeen, s.Expires = decodeTime(created), decodeTime(lastSeen), decodeTime(expire)
	s.Ended = optionalTime(ended)
	s.MustChange, s.TOTP = mustChange != 0, totp != 0
	return &s, nil
}

// TouchSession records a request of the session whose id has the hash,
// at: if, at that time, it has not ended, was last seen at or after
// idleSince and does not expire. Otherwise it returns ErrNotFound. The
// check and the change are one statement, so a session that runs out
// meanwhile is never refreshed.
func (db *DB) TouchSession(ctx context.Context, hash []byte, at, idleSince time.Time) error {
	res, err := db.writer().exec(ctx, `UPDATE sessions SET last_seen = $1
WHERE id_hash = $2 AND ended IS NULL AND last_seen >= $3 AND expires > $1`, encodeTime(at), hash, encodeTime(idleSince))
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// EndSession ends the session whose id has the hash, at, for the
// reason. It returns ErrNotFound when there is no such session that has
// not ended.
func (db *DB) EndSession(ctx context.Context, hash []byte, at time.Time, reason string) error {
	n, err := endSessions(ctx, db.writer(), `id_hash = $3`, at, reason, hash)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: end session: %w", err)
	}
	return nil
}

// EndUserSessions ends the sessions of the user, at, for the reason,
// and returns how many it ended.
func (db *DB) EndUserSessions(ctx context.Context, userID string, at time.Time, reason string) (int, error) {
	n, err := endSessions(ctx, db.writer(), `user_id = $3`, at, reason, userID)
	if err != nil {
		return 0, fmt.Errorf("store: end sessions of user %q: %w", userID, err)
	}
	return int(n), nil
}

// EndStaleSessions ends, at, the sessions last seen before idleSince
// (EndIdle) and those that expire at or before at (EndExpired), and
// returns them.
func (db *DB) EndStaleSessions(ctx context.Context, at, idleSince time.Time) ([]Session, error) {
	var ended []Session
	err := db.write(ctx, func(tx runner) error {
		for _, c := range []struct {
			cond   string
			reason string
			arg    time.Time
		}{{`expires <= $3`, EndExpired, at}, {`last_seen < $3`, EndIdle, idleSince}} {
			ss, err := endReturning(ctx, tx, c.cond, at, c.reason, encodeTime(c.arg))
			if err != nil {
				return err
			}
			ended = append(ended, ss...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: end stale sessions: %w", err)
	}
	return ended, nil
}

// endReturning ends the live sessions that meet cond (written with $3)
// and returns them, with their users.
func endReturning(ctx context.Context, tx runner, cond string, at time.Time, reason string, arg any) ([]Session, error) {
	rows, err := tx.query(ctx, `UPDATE sessions SET ended = $1, end_reason = $2
WHERE ended IS NULL AND `+cond+` RETURNING id_hash`, encodeTime(at), reason, arg)
	if err != nil {
		return nil, err
	}
	var hashes [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return nil, err
		}
		hashes = append(hashes, h)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	out := make([]Session, 0, len(hashes))
	for _, h := range hashes {
		s, err := scanSession(tx.queryRow(ctx, `SELECT `+sessionColumns+`
FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`, h))
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

// PurgeSessions deletes the sessions that ended before, and returns how
// many.
func (db *DB) PurgeSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := db.writer().exec(ctx, `DELETE FROM sessions WHERE ended < $1`, encodeTime(before))
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, fmt.Errorf("store: purge sessions: %w", err)
	}
	return int(n), nil
}

// endSessions ends the live sessions that meet cond, written with $3 and
// on for args, at, for the reason.
func endSessions(ctx context.Context, r runner, cond string, at time.Time, reason string, args ...any) (int64, error) {
	res, err := r.exec(ctx, `UPDATE sessions SET ended = $1, end_reason = $2 WHERE ended IS NULL AND `+cond,
		append([]any{encodeTime(at), reason}, args...)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// oneRow returns ErrNotFound when res changed no row.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}
