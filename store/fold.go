package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// openAlert is an alert that takes the events of a group.
type openAlert struct {
	g           *group
	id          string
	new         bool // created by this transaction
	count       int64
	first, last sql.NullInt64
	entities    map[string][]string
	fields      map[string][]string
	added       []Observation // the events of g this transaction added
}

// upsertAlerts creates the alerts of groups or, when a rule has an open
// or acknowledged alert with the same dedup values, locks that one.
// Either way it returns their state.
const upsertAlerts = `INSERT INTO alerts (id, rule_id, rule_title, severity, severity_rank,
	scenario, tags, dedup_key, dedup, status, event_count, entities, fields, created_at, updated_at, source)
VALUES %s
ON CONFLICT (rule_id, dedup_key) WHERE status IN ('open', 'acknowledged')
DO UPDATE SET event_count = alerts.event_count
RETURNING id, rule_id, dedup_key, event_count, first_seen, last_seen, entities, fields`

// takeAlerts returns the alerts of the groups, in the same order.
func takeAlerts(ctx context.Context, tx runner, groups []*group, now time.Time) ([]*openAlert, error) {
	const cols = 16
	byKey := map[[2]string]*openAlert{}
	alerts := make([]*openAlert, len(groups))
	for i, g := range groups {
		alerts[i] = &openAlert{g: g, id: newULID(now)}
		byKey[[2]string{g.rule.ID, g.key}] = alerts[i]
	}
	t := encodeTime(now)
	for part := range slices.Chunk(alerts, batchRows) {
		args := make([]any, 0, len(part)*cols)
		for _, a := range part {
			r := a.g.rule
			tags := r.Tags
			if tags == nil {
				tags = []string{}
			}
			args = append(args, a.id, r.ID, r.Title, r.Severity.String(), int64(r.Severity), string(r.Scenario),
				mustJSON(tags), a.g.key, mustJSON(a.g.dedup), string(Open), 0, "{}", "{}", t, t, a.g.obs[0].Source)
		}
		if err := scanAlertStates(ctx, tx, byKey, fmt.Sprintf(upsertAlerts, rowParams(len(part), cols)), args...); err != nil {
			return nil, fmt.Errorf("create or lock alerts: %w", err)
		}
	}
	return alerts, nil
}

// scanAlertStates runs an upsertAlerts and reads its rows into the
// alerts of their rule and dedup key.
func scanAlertStates(ctx context.Context, tx runner, byKey map[[2]string]*openAlert, query string, args ...any) error {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, entities, fields string
			key                  [2]string
			count                int64
			first, last          sql.NullInt64
		)
		if err := rows.Scan(&id, &key[0], &key[1], &count, &first, &last, &entities, &fields); err != nil {
			return err
		}
		a := byKey[key]
		if a == nil {
			return fmt.Errorf("alert %s is of rule %s and dedup key %s, which no group has", id, key[0], key[1])
		}
		a.new, a.id, a.count, a.first, a.last = id == a.id, id, count, first, last
		if err := json.Unmarshal([]byte(entities), &a.entities); err != nil {
			return fmt.Errorf("alert %s: decode entities: %w", id, err)
		}
		if err := json.Unmarshal([]byte(fields), &a.fields); err != nil {
			return fmt.Errorf("alert %s: decode fields: %w", id, err)
		}
	}
	return rows.Err()
}

// insertEvents adds the events of the alerts' groups to them, and sets
// the alerts' added to those it added: all of them but those another
// transaction added first. An event keeps its JSON while its alert has
// fewer than KeepEvents events.
func insertEvents(ctx context.Context, tx runner, alerts []*openAlert) error {
	const cols = 7
	var rows []any
	for _, a := range alerts {
		pos := a.count
		for _, o := range a.g.obs {
			t := encodeOptionalTime(o.Time)
			sortTime := int64(noTime)
			if t.Valid {
				sortTime = t.Int64
			}
			var body any
			if pos < KeepEvents && len(o.Event) > 0 {
				body = o.Event
			}
			pos++
			rows = append(rows, a.g.rule.ID, o.EventID, a.id, t, sortTime, encodeTime(o.Received), body)
		}
	}
	inserted := map[[2]string]bool{}
	for part := range slices.Chunk(rows, cols*batchRows) {
		q := `INSERT INTO events (rule_id, event_id, alert_id, event_time, sort_time, received, body)
VALUES ` + rowParams(len(part)/cols, cols) + `
ON CONFLICT (rule_id, event_id) DO NOTHING RETURNING rule_id, event_id`
		if err := collectPairs(ctx, tx, inserted, q, part...); err != nil {
			return fmt.Errorf("add events: %w", err)
		}
	}
	for _, a := range alerts {
		a.added = slices.DeleteFunc(slices.Clone(a.g.obs), func(o Observation) bool {
			return !inserted[[2]string{a.g.rule.ID, o.EventID}]
		})
	}
	return nil
}

// entityRow is one entity of an alert.
type entityRow struct{ alertID, typ, value string }

// fold folds the added events into a and returns the entities new to it.
func (a *openAlert) fold() []entityRow {
	entities, fields := newValueSet(a.entities), newValueSet(a.fields)
	var fresh []entityRow
	for _, o := range a.added {
		a.count++
		if !o.Time.IsZero() {
			t := encodeTime(o.Time)
			if !a.first.Valid || t < a.first.Int64 {
				a.first = sql.NullInt64{Int64: t, Valid: true}
			}
			if !a.last.Valid || t > a.last.Int64 {
				a.last = sql.NullInt64{Int64: t, Valid: true}
			}
		}
		for typ, values := range o.Entities {
			for _, v := range values {
				if entities.add(typ, v) {
					fresh = append(fresh, entityRow{a.id, typ, v})
				}
			}
		}
		for name, values := range o.Fields {
			for _, v := range values {
				fields.add(name, v)
			}
		}
	}
	return fresh
}

// deleteAlerts deletes the alerts this transaction created for events
// another one recorded meanwhile.
func deleteAlerts(ctx context.Context, tx runner, ids []any) error {
	for part := range slices.Chunk(ids, batchRows) {
		if _, err := tx.exec(ctx, `DELETE FROM alerts WHERE id IN (`+params(1, len(part))+`)`, part...); err != nil {
			return fmt.Errorf("delete empty alerts: %w", err)
		}
	}
	return nil
}

// insertEntities adds rows of alert_entities.
func insertEntities(ctx context.Context, tx runner, entities []entityRow) error {
	const cols = 4
	for part := range slices.Chunk(entities, batchRows) {
		args := make([]any, 0, len(part)*cols)
		for _, e := range part {
			args = append(args, e.alertID, e.typ, e.value, valueKey(e.value))
		}
		q := `INSERT INTO alert_entities (alert_id, type, value, value_key) VALUES ` + rowParams(len(part), cols)
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("add entities: %w", err)
		}
	}
	return nil
}

// saveAlerts writes what fold changed. The columns of VALUES are named
// column1, column2... in both databases.
func saveAlerts(ctx context.Context, tx runner, alerts []*openAlert, now time.Time) error {
	types := []string{"TEXT", "BIGINT", "BIGINT", "BIGINT", "TEXT", "TEXT"}
	for part := range slices.Chunk(alerts, batchRows) {
		args := []any{encodeTime(now)}
		rows := make([]string, len(part))
		for i, a := range part {
			rows[i] = typedRow(len(args)+1, types)
			args = append(args, a.id, a.count, a.first, a.last, mustJSON(a.entities), mustJSON(a.fields))
		}
		q := `UPDATE alerts SET event_count = v.column2, first_seen = v.column3, last_seen = v.column4,
	entities = v.column5, fields = v.column6, updated_at = $1
FROM (VALUES ` + strings.Join(rows, ", ") + `) AS v WHERE alerts.id = v.column1`
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("update alerts: %w", err)
		}
	}
	return nil
}

// valueSet adds distinct values to the lists of a map, in the order they
// come.
type valueSet struct {
	lists map[string][]string
	seen  map[string]map[string]bool
}

func newValueSet(lists map[string][]string) *valueSet {
	return &valueSet{lists: lists, seen: map[string]map[string]bool{}}
}

// add adds v to the list of k unless it is there, and reports whether it
// added it.
func (s *valueSet) add(k, v string) bool {
	seen := s.seen[k]
	if seen == nil {
		seen = map[string]bool{}
		for _, x := range s.lists[k] {
			seen[x] = true
		}
		s.seen[k] = seen
	}
	if seen[v] {
		return false
	}
	seen[v] = true
	s.lists[k] = append(s.lists[k], v)
	return true
}
