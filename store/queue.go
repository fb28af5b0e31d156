package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Queued is an alert whose creation or change is still to be routed.
type Queued struct {
	AlertID string
	// Version tells this change from a later one of the same alert.
	Version int64
}

// enqueue queues the alerts for routing, in the transaction that
// changed them.
func enqueue(ctx context.Context, tx runner, ids []string, now time.Time) error {
	for part := range slices.Chunk(ids, batchRows) {
		args := make([]any, 0, 2*len(part))
		rows := make([]string, len(part))
		t := encodeTime(now)
		for i, id := range part {
			rows[i] = fmt.Sprintf("($%d, 1, $%d)", len(args)+1, len(args)+2)
			args = append(args, id, t)
		}
		_, err := tx.exec(ctx, `INSERT INTO notify_queue (alert_id, version, queued_at) VALUES `+strings.Join(rows, ", ")+`
ON CONFLICT (alert_id) DO UPDATE SET version = notify_queue.version + 1, queued_at = excluded.queued_at`, args...)
		if err != nil {
			return fmt.Errorf("queue alerts for routing: %w", err)
		}
	}
	return nil
}

// Queued returns up to limit alerts to route, the longest waiting first.
func (db *DB) Queued(ctx context.Context, limit int) ([]Queued, error) {
	rows, err := db.reader().query(ctx, `SELECT alert_id, version FROM notify_queue ORDER BY queued_at, alert_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: queued alerts: %w", err)
	}
	defer rows.Close()
	var qs []Queued
	for rows.Next() {
		var q Queued
		if err := rows.Scan(&q.AlertID, &q.Version); err != nil {
			return nil, fmt.Errorf("store: queued alerts: %w", err)
		}
		qs = append(qs, q)
	}
	return qs, rows.Err()
}

// Dequeue removes routed alerts from the queue, unless they changed
// again since Queued returned them.
func (db *DB) Dequeue(ctx context.Context, qs []Queued) error {
	return db.Routed(ctx, nil, qs)
}

// Membership is an alert in a group.
type Membership struct {
	Group   Group
	AlertID string
}

// Routed records where routing put alerts, in one transaction, so that
// routing a batch of alerts holds the writer once: each alert joins its
// groups, a group that does not exist is created, to be flushed at its
// NextFlush, and the routed alerts leave the queue, unless they changed
// again since Queued returned them.
func (db *DB) Routed(ctx context.Context, ms []Membership, done []Queued) error {
	err := db.write(ctx, func(tx runner) error {
		if err := joinGroups(ctx, tx, ms); err != nil {
			return err
		}
		for _, q := range done {
			if _, err := tx.exec(ctx, `DELETE FROM notify_queue WHERE alert_id = $1 AND version = $2`, q.AlertID, q.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record routing: %w", err)
	}
	return nil
}
