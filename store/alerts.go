package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"vigil/rule"
)

// How many event ids alerts come with: in lists, and alone.
const (
	listEventIDs  = 100
	alertEventIDs = 10_000
)

// scopeAlerts is the scope of the cursors of Alerts.
const scopeAlerts = "alerts"

const alertColumns = `id, rule_id, rule_title, severity_rank, scenario, tags, dedup, status,
	event_count, first_seen, last_seen, entities, fields, created_at, updated_at, source`

// Alerts returns the alerts q selects, newest first, with the ids of their
// first 100 events in time order, and the cursor of the next page: "" when
// there is none.
func (db *DB) Alerts(ctx context.Context, q Query) ([]Alert, string, error) {
	alerts, next, err := db.alerts(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("store: alerts: %w", err)
	}
	return alerts, next, nil
}

func (db *DB) alerts(ctx context.Context, q Query) ([]Alert, string, error) {
	limit, err := pageSize(q.Limit)
	if err != nil {
		return nil, "", err
	}
	w, err := alertsFilter(q)
	if err != nil {
		return nil, "", err
	}
	query := `SELECT ` + alertColumns + ` FROM alerts` + w.clause() + ` ORDER BY id DESC LIMIT ` + w.param(limit+1)
	var (
		alerts []Alert
		more   bool
	)
	err = db.read(ctx, func(tx runner) error {
		alerts, err = queryAlerts(ctx, tx, query, w.args...)
		if err != nil {
			return err
		}
		if more = len(alerts) > limit; more {
			alerts = alerts[:limit]
		}
		for i := range alerts {
			if alerts[i].EventIDs, err = eventIDs(ctx, tx, alerts[i].ID, listEventIDs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || !more {
		return alerts, "", err
	}
	return alerts, encodeCursor(scopeAlerts, alerts[limit-1].ID), nil
}

// pageSize checks the size of a page; 0 is DefaultPage.
func pageSize(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultPage, nil
	case limit < 0 || limit > MaxPage:
		return 0, invalidf("page size %d out of 1..%d", limit, MaxPage)
	}
	return limit, nil
}

// alertsFilter returns the conditions of q.
func alertsFilter(q Query) (*where, error) {
	w := &where{}
	if len(q.Severity) > 0 {
		ranks := make([]any, len(q.Severity))
		for i, s := range q.Severity {
			if s > rule.Critical {
				return nil, invalidf("unknown severity %d", s)
			}
			ranks[i] = int64(s)
		}
		w.add(`severity_rank IN (` + w.params(ranks...) + `)`)
	}
	if q.MinSeverity != nil {
		w.add(`severity_rank >= ` + w.param(int64(*q.MinSeverity)))
	}
	if q.Rule != "" {
		w.add(`rule_id = ` + w.param(cleanText(q.Rule)))
	}
	if len(q.Status) > 0 {
		statuses := make([]any, len(q.Status))
		for i, s := range q.Status {
			if !s.Valid() {
				return nil, invalidf("unknown status %q", s)
			}
			statuses[i] = string(s)
		}
		w.add(`status IN (` + w.params(statuses...) + `)`)
	}
	if !q.From.IsZero() {
		w.add(`last_seen >= ` + w.param(encodeTime(q.From)))
	}
	if !q.To.IsZero() {
		w.add(`last_seen < ` + w.param(encodeTime(q.To)))
	}
	if q.Entity != "" {
		v := cleanText(q.Entity)
		w.add(`id IN (SELECT alert_id FROM alert_entities WHERE value_key = ` + w.param(valueKey(v)) +
			` AND value = ` + w.param(v) + `)`)
	}
	if q.Cursor != "" {
		parts, err := decodeCursor(scopeAlerts, q.Cursor, 1)
		if err != nil {
			return nil, err
		}
		if !validULID(parts[0]) {
			return nil, invalidf("malformed cursor %.40q", q.Cursor)
		}
		w.add(`id < ` + w.param(parts[0]))
	}
	return w, nil
}

func queryAlerts(ctx context.Context, tx runner, query string, args ...any) ([]Alert, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var alerts []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		alerts = append(alerts, *a)
	}
	return alerts, rows.Err()
}

// scanAlert reads a row of alertColumns.
func scanAlert(row interface{ Scan(...any) error }) (*Alert, error) {
	var (
		a                             Alert
		rank, count, created, updated int64
		first, last                   sql.NullInt64
		tags, dedup, entities, fields string
	)
	err := row.Scan(&a.ID, &a.Rule.ID, &a.Rule.Title, &rank, &a.Rule.Scenario, &tags, &dedup, &a.Status,
		&count, &first, &last, &entities, &fields, &created, &updated, &a.Source)
	if err != nil {
		return nil, err
	}
	a.Rule.Severity = rule.Severity(rank)
	a.Count = int(count)
	a.FirstSeen, a.LastSeen = decodeOptionalTime(first), decodeOptionalTime(last)
	a.CreatedAt, a.UpdatedAt = decodeTime(created), decodeTime(updated)
	for _, c := range []struct {
		name string
		json string
		v    any
	}{
		{"tags", tags, &a.Rule.Tags},
		{"dedup", dedup, &a.Dedup},
		{"entities", entities, &a.Entities},
		{"fields", fields, &a.Fields},
	} {
		if err := json.Unmarshal([]byte(c.json), c.v); err != nil {
			return nil, fmt.Errorf("alert %s: decode %s: %w", a.ID, c.name, err)
		}
	}
	if len(a.Fields) == 0 {
		a.Fields = nil
	}
	return &a, nil
}

// eventIDs returns the ids of the first n events of an alert, in time
// order.
func eventIDs(ctx context.Context, tx runner, alertID string, n int) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT event_id FROM events WHERE alert_id = $1
	ORDER BY sort_time, event_id LIMIT $2`, alertID, n)
	if err != nil {
		return nil, fmt.Errorf("event ids of alert %s: %w", alertID, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("event ids of alert %s: %w", alertID, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Alert returns an alert with its notes and the ids of its first 10,000
// events in time order, or ErrNotFound.
func (db *DB) Alert(ctx context.Context, id string) (*Alert, error) {
	a, err := db.alert(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("store: alert %q: %w", id, err)
	}
	return a, nil
}

func (db *DB) alert(ctx context.Context, id string) (*Alert, error) {
	if !validULID(id) {
		return nil, ErrNotFound
	}
	var a *Alert
	err := db.read(ctx, func(tx runner) error {
		var err error
		a, err = scanAlert(tx.queryRow(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if a.Notes, err = notes(ctx, tx, id); err != nil {
			return err
		}
		a.EventIDs, err = eventIDs(ctx, tx, id, alertEventIDs)
		return err
	})
	return a, err
}

func notes(ctx context.Context, tx runner, alertID string) ([]Note, error) {
	rows, err := tx.query(ctx, `SELECT at, actor, status, comment FROM alert_notes
	WHERE alert_id = $1 ORDER BY seq`, alertID)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		var (
			n  Note
			at int64
		)
		if err := rows.Scan(&at, &n.Actor, &n.Status, &n.Comment); err != nil {
			return nil, fmt.Errorf("notes: %w", err)
		}
		n.At = decodeTime(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// AlertsByID returns the alerts of the ids that exist, without their
// notes or event ids: what routing and notifying need, in few queries.
func (db *DB) AlertsByID(ctx context.Context, ids []string) ([]Alert, error) {
	var out []Alert
	err := db.read(ctx, func(tx runner) error {
		for part := range slices.Chunk(ids, batchRows) {
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			page, err := queryAlerts(ctx, tx, `SELECT `+alertColumns+` FROM alerts WHERE id IN (`+params(1, len(part))+`)`, args...)
			if err != nil {
				return err
			}
			out = append(out, page...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: alerts by id: %w", err)
	}
	return out, nil
}

// FiringAlerts returns the open and acknowledged alerts that took an
// event or changed since a time (by vigil's clock, not the events'),
// without their notes or event ids: the alerts that may inhibit others.
func (db *DB) FiringAlerts(ctx context.Context, since time.Time) ([]Alert, error) {
	var out []Alert
	err := db.read(ctx, func(tx runner) error {
		var err error
		out, err = queryAlerts(ctx, tx, `SELECT `+alertColumns+` FROM alerts WHERE status IN ('open', 'acknowledged') AND updated_at >= $1`,
			encodeTime(since))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: firing alerts: %w", err)
	}
	return out, nil
}
