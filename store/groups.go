package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	err := db.write(ctx, func(tx runner) error {
		for _, q := range qs {
			if _, err := tx.exec(ctx, `DELETE FROM notify_queue WHERE alert_id = $1 AND version = $2`, q.AlertID, q.Version); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: dequeue alerts: %w", err)
	}
	return nil
}

// Group is a group of alerts of one route with the same group labels,
// notified together (Alertmanager's aggregation group).
type Group struct {
	ID       string // a digest of the route's id and the labels
	Route    string // the route's id
	Key      string // the group key receivers see
	Receiver string
	Labels   map[string]string
	// NextFlush is when the group is next notified; FlushedAt when it
	// last was, nil before its first notification.
	NextFlush time.Time
	FlushedAt *time.Time
	Created   time.Time
	// Alerts are the ids of its alerts; Log what each integration was
	// last told, by the integration's name.
	Alerts []string
	Log    map[string]LogEntry
}

// LogEntry is what an integration was last told of a group.
type LogEntry struct {
	Firing   []string  `json:"firing"`
	Resolved []string  `json:"resolved"`
	At       time.Time `json:"at"`
}

// JoinGroup adds an alert to a group, creating the group, to be flushed
// at g.NextFlush, when it does not exist.
func (db *DB) JoinGroup(ctx context.Context, g Group, alertID string) error {
	err := db.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO notify_groups (id, route, group_key, receiver, labels, next_flush, flushed_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (id) DO NOTHING`,
			g.ID, g.Route, cleanText(g.Key), g.Receiver, mustJSON(g.Labels), encodeTime(g.NextFlush), encodeTime(g.Created))
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO notify_group_alerts (group_id, alert_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, g.ID, alertID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: add alert %s to group %s: %w", alertID, g.ID, err)
	}
	return nil
}

const groupColumns = `id, route, group_key, receiver, labels, next_flush, flushed_at, created_at`

// DueGroups returns up to limit groups to flush at now, with their
// alerts and log.
func (db *DB) DueGroups(ctx context.Context, now time.Time, limit int) ([]Group, error) {
	var groups []Group
	err := db.read(ctx, func(tx runner) error {
		var err error
		groups, err = queryGroups(ctx, tx, `SELECT `+groupColumns+` FROM notify_groups WHERE next_flush <= $1
ORDER BY next_flush, id LIMIT $2`, encodeTime(now), limit)
		if err != nil {
			return err
		}
		for i := range groups {
			if err := groupDetail(ctx, tx, &groups[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: groups due: %w", err)
	}
	return groups, nil
}

func queryGroups(ctx context.Context, tx runner, query string, args ...any) ([]Group, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var groups []Group
	for rows.Next() {
		var (
			g             Group
			labels        string
			next, created int64
			flushed       sql.NullInt64
		)
		if err := rows.Scan(&g.ID, &g.Route, &g.Key, &g.Receiver, &labels, &next, &flushed, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(labels), &g.Labels); err != nil {
			return nil, fmt.Errorf("group %s: decode labels: %w", g.ID, err)
		}
		g.NextFlush, g.FlushedAt, g.Created = decodeTime(next), decodeOptionalTime(flushed), decodeTime(created)
		groups = append(groups, g)
	}
	return groups, rows.Err()
}

// groupDetail reads the alerts and log of a group.
func groupDetail(ctx context.Context, tx runner, g *Group) error {
	rows, err := tx.query(ctx, `SELECT alert_id FROM notify_group_alerts WHERE group_id = $1 ORDER BY alert_id`, g.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		g.Alerts = append(g.Alerts, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.query(ctx, `SELECT integration, firing, resolved, at FROM notify_log WHERE group_id = $1`, g.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	g.Log = map[string]LogEntry{}
	for rows.Next() {
		var (
			name, firing, resolved string
			at                     int64
			e                      LogEntry
		)
		if err := rows.Scan(&name, &firing, &resolved, &at); err != nil {
			return err
		}
		if err := errors.Join(json.Unmarshal([]byte(firing), &e.Firing), json.Unmarshal([]byte(resolved), &e.Resolved)); err != nil {
			return fmt.Errorf("group %s: decode log of %s: %w", g.ID, name, err)
		}
		e.At = decodeTime(at)
		g.Log[name] = e
	}
	return rows.Err()
}

// Flush is what notifying a group changed: the notifications to send,
// what each integration was told, the alerts that leave the group, and
// when it is next notified.
type Flush struct {
	Group string
	// Was is the group's NextFlush as DueGroups returned it: a flush of
	// a group that another one flushed meanwhile changes nothing.
	Was        time.Time
	Next       time.Time
	At         time.Time
	Deliveries []Delivery
	Log        map[string]LogEntry
	// Remove are alerts that leave the group; Delete removes the group.
	Remove []string
	Delete bool
}

// Flush records a flush in one transaction. It returns false, changing
// nothing, when the group was flushed or deleted since DueGroups.
func (db *DB) Flush(ctx context.Context, f Flush) (bool, error) {
	done := false
	err := db.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, `UPDATE notify_groups SET next_flush = $1, flushed_at = $2 WHERE id = $3 AND next_flush = $4`,
			encodeTime(f.Next), encodeTime(f.At), f.Group, encodeTime(f.Was))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := insertDeliveries(ctx, tx, f.Deliveries); err != nil {
			return err
		}
		for name, e := range f.Log {
			_, err := tx.exec(ctx, `INSERT INTO notify_log (group_id, integration, firing, resolved, at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (group_id, integration) DO UPDATE SET firing = excluded.firing, resolved = excluded.resolved, at = excluded.at`,
				f.Group, name, mustJSON(nonNil(e.Firing)), mustJSON(nonNil(e.Resolved)), encodeTime(e.At))
			if err != nil {
				return fmt.Errorf("log of %s: %w", name, err)
			}
		}
		for _, id := range f.Remove {
			if _, err := tx.exec(ctx, `DELETE FROM notify_group_alerts WHERE group_id = $1 AND alert_id = $2`, f.Group, id); err != nil {
				return err
			}
		}
		if f.Delete {
			if err := deleteGroup(ctx, tx, f.Group); err != nil {
				return err
			}
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: flush group %s: %w", f.Group, err)
	}
	return done, nil
}

// DeleteGroup removes a group, its membership and log: the group of a
// route the configuration no longer has.
func (db *DB) DeleteGroup(ctx context.Context, id string) error {
	if err := db.write(ctx, func(tx runner) error { return deleteGroup(ctx, tx, id) }); err != nil {
		return fmt.Errorf("store: delete group %s: %w", id, err)
	}
	return nil
}

// deleteGroup deletes the rows of a group explicitly: SQLite enforces
// the foreign keys' cascade only on connections that enable them.
func deleteGroup(ctx context.Context, tx runner, id string) error {
	for _, q := range []string{`DELETE FROM notify_log WHERE group_id = $1`, `DELETE FROM notify_group_alerts WHERE group_id = $1`,
		`DELETE FROM notify_groups WHERE id = $1`} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
