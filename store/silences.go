package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Silence keeps the alerts its matchers match from being notified
// between StartsAt and EndsAt. Silenced alerts are still stored.
type Silence struct {
	ID string `json:"id"`
	// Matchers are written as Alertmanager writes them:
	// severity="low", rule=~"aws-ec2-.*".
	Matchers  []string  `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const silenceColumns = `id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at`

// CreateSilence stores a new silence and returns it with its id. The
// caller checks its matchers.
func (db *DB) CreateSilence(ctx context.Context, s Silence) (*Silence, error) {
	switch {
	case len(s.Matchers) == 0:
		return nil, fmt.Errorf("store: create silence: %w", invalidf("no matchers"))
	case !s.EndsAt.After(s.StartsAt):
		return nil, fmt.Errorf("store: create silence: %w", invalidf("it ends (%s) before it starts (%s)", s.EndsAt, s.StartsAt))
	}
	s.ID = newULID(s.CreatedAt)
	s.UpdatedAt = s.CreatedAt
	_, err := db.writer().exec(ctx, `INSERT INTO silences (`+silenceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		s.ID, mustJSON(s.Matchers), encodeTime(s.StartsAt), encodeTime(s.EndsAt), cleanText(s.CreatedBy), cleanText(s.Comment),
		encodeTime(s.CreatedAt))
	if err != nil {
		return nil, fmt.Errorf("store: create silence: %w", err)
	}
	return &s, nil
}

// ExpireSilence ends a silence at now. It returns ErrNotFound when there
// is no such silence and ErrConflict when it has already ended.
func (db *DB) ExpireSilence(ctx context.Context, id string, now time.Time) (*Silence, error) {
	t := encodeTime(now)
	// A silence that has not started yet ends before it starts.
	res, err := db.writer().exec(ctx, `UPDATE silences SET ends_at = $1, starts_at = CASE WHEN starts_at > $1 THEN $1 ELSE starts_at END,
	updated_at = $1 WHERE id = $2 AND ends_at > $1`, t, id)
	if err != nil {
		return nil, fmt.Errorf("store: expire silence %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		s, err := db.Silence(ctx, id)
		if err != nil {
			return nil, err
		}
		return nil, conflictf("silence %s already ended at %s", id, s.EndsAt.Format(time.RFC3339))
	}
	return db.Silence(ctx, id)
}

// Silence returns a silence.
func (db *DB) Silence(ctx context.Context, id string) (*Silence, error) {
	s, err := scanSilence(db.reader().queryRow(ctx, `SELECT `+silenceColumns+` FROM silences WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: silence %s: %w", id, err)
	}
	return s, nil
}

// Silences returns the silences that have not ended at since, or all of
// them when since is zero, the newest first.
func (db *DB) Silences(ctx context.Context, since time.Time) ([]Silence, error) {
	w := &where{}
	if !since.IsZero() {
		w.add(`ends_at > ` + w.param(encodeTime(since)))
	}
	rows, err := db.reader().query(ctx, `SELECT `+silenceColumns+` FROM silences`+w.clause()+` ORDER BY id DESC`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: silences: %w", err)
	}
	defer rows.Close()
	var out []Silence
	for rows.Next() {
		s, err := scanSilence(rows)
		if err != nil {
			return nil, fmt.Errorf("store: silences: %w", err)
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

func scanSilence(row interface{ Scan(...any) error }) (*Silence, error) {
	var (
		s                              Silence
		matchers                       string
		starts, ends, created, updated int64
	)
	if err := row.Scan(&s.ID, &matchers, &starts, &ends, &s.CreatedBy, &s.Comment, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(matchers), &s.Matchers); err != nil {
		return nil, fmt.Errorf("silence %s: decode matchers: %w", s.ID, err)
	}
	s.StartsAt, s.EndsAt, s.CreatedAt, s.UpdatedAt = decodeTime(starts), decodeTime(ends), decodeTime(created), decodeTime(updated)
	return &s, nil
}

// PruneSilences deletes the silences that ended before t, and returns
// how many: the audit trail keeps what they were.
func (db *DB) PruneSilences(ctx context.Context, t time.Time) (int64, error) {
	res, err := db.writer().exec(ctx, `DELETE FROM silences WHERE ends_at < $1`, encodeTime(t))
	if err != nil {
		return 0, fmt.Errorf("store: prune silences: %w", err)
	}
	return res.RowsAffected()
}
