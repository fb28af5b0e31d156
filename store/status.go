package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SetStatus changes the status of an alert, notes the change with the
// comment and the actor who made it, and returns the alert as it is then.
// It returns ErrNotFound when the alert does not exist, and ErrConflict
// when reopening a closed alert while another alert of its rule and dedup
// values takes their events.
func (db *DB) SetStatus(ctx context.Context, id string, s Status, comment, actor string) (*Alert, error) {
	if err := db.setStatus(ctx, id, s, comment, actor); err != nil {
		return nil, fmt.Errorf("store: set status of alert %q to %q: %w", id, s, err)
	}
	return db.Alert(ctx, id)
}

func (db *DB) setStatus(ctx context.Context, id string, s Status, comment, actor string) error {
	if !s.Valid() {
		return invalidf("unknown status %q", s)
	}
	if !validULID(id) {
		return ErrNotFound
	}
	now := encodeTime(time.Now())
	err := db.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE alerts SET status = $1, updated_at = $2 WHERE id = $3`, string(s), now, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		_, err = tx.exec(ctx, `INSERT INTO alert_notes (alert_id, seq, at, actor, status, comment)
VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM alert_notes WHERE alert_id = $1), $2, $3, $4, $5)`,
			id, now, cleanText(actor), string(s), cleanText(comment))
		if err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		return enqueue(ctx, tx, []string{id}, decodeTime(now))
	})
	if db.d.isUniqueViolation(err) {
		return db.reopenConflict(ctx, id)
	}
	return err
}

// reopenConflict explains why alert id cannot take events again.
func (db *DB) reopenConflict(ctx context.Context, id string) error {
	var other string
	err := db.reader().queryRow(ctx, `SELECT b.id FROM alerts a JOIN alerts b
	ON b.rule_id = a.rule_id AND b.dedup_key = a.dedup_key AND b.id <> a.id
	WHERE a.id = $1 AND b.status IN ('open', 'acknowledged')`, id).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return conflictf("another alert of the same rule and dedup values takes their events")
	}
	if err != nil {
		return err
	}
	return conflictf("alert %s of the same rule and dedup values takes their events", other)
}
