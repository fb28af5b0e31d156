package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Group is a group of alerts of one route with the same group labels,
// notified together (Alertmanager's aggregation group).
type Group struct {
	ID       string // a digest of the route's key, the receiver and the labels
	Route    string // the route's key, as Alertmanager keys routes
	Key      string // the group key receivers see
	Receiver string
	Labels   map[string]string
	// NextFlush is when the group is next notified.
	NextFlush time.Time
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
	err := db.write(ctx, func(tx runner) error { return joinGroups(ctx, tx, []Membership{{g, alertID}}) })
	if err != nil {
		return fmt.Errorf("store: add alert %s to group %s: %w", alertID, g.ID, err)
	}
	return nil
}

// joinGroups adds alerts to groups, creating the groups that do not
// exist.
func joinGroups(ctx context.Context, tx runner, ms []Membership) error {
	for _, m := range ms {
		g := m.Group
		_, err := tx.exec(ctx, `INSERT INTO notify_groups (id, route, group_key, receiver, labels, next_flush, flushed_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (id) DO NOTHING`,
			g.ID, g.Route, cleanText(g.Key), g.Receiver, mustJSON(g.Labels), encodeTime(g.NextFlush), encodeTime(g.Created))
		if err != nil {
			return fmt.Errorf("group %s: %w", g.ID, err)
		}
		_, err = tx.exec(ctx, `INSERT INTO notify_group_alerts (group_id, alert_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, g.ID, m.AlertID)
		if err != nil {
			return fmt.Errorf("alert %s in group %s: %w", m.AlertID, g.ID, err)
		}
	}
	return nil
}

const groupColumns = `id, route, group_key, receiver, labels, next_flush, created_at`

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
		)
		if err := rows.Scan(&g.ID, &g.Route, &g.Key, &g.Receiver, &labels, &next, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(labels), &g.Labels); err != nil {
			return nil, fmt.Errorf("group %s: decode labels: %w", g.ID, err)
		}
		g.NextFlush, g.Created = decodeTime(next), decodeTime(created)
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
	// Remove are alerts that leave the group. A group left without
	// alerts goes away; one that an alert joined meanwhile stays.
	Remove []string
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
		done = true
		return deleteEmptyGroup(ctx, tx, f.Group)
	})
	if err != nil {
		return false, fmt.Errorf("store: flush group %s: %w", f.Group, err)
	}
	return done, nil
}

// deleteEmptyGroup deletes a group that has no alerts left. An alert that
// another node adds at the same time either commits first, and the group
// stays, or finds the group gone and is routed again.
func deleteEmptyGroup(ctx context.Context, tx runner, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM notify_groups WHERE id = $1
AND NOT EXISTS (SELECT 1 FROM notify_group_alerts WHERE group_id = $1)`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = tx.exec(ctx, `DELETE FROM notify_log WHERE group_id = $1`, id)
	return err
}

// DisbandGroup removes a group whose route the configuration no longer
// has, and queues its alerts to be routed again: into the groups of the
// routes they match now.
func (db *DB) DisbandGroup(ctx context.Context, g Group, now time.Time) error {
	err := db.write(ctx, func(tx runner) error {
		if err := enqueue(ctx, tx, g.Alerts, now); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM notify_log WHERE group_id = $1`, `DELETE FROM notify_group_alerts WHERE group_id = $1`,
			`DELETE FROM notify_groups WHERE id = $1`} {
			if _, err := tx.exec(ctx, q, g.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: disband group %s: %w", g.ID, err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
