package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/alert"
	"vigil/rule"
)

// batchRows bounds the rows of one multi-row statement.
const batchRows = 50

// Record folds observations into alerts, in one transaction, and returns
// one Change for each alert it added events to.
//
// An observation whose event its rule already has, in any alert, open or
// closed, changes nothing: retries, redeliveries and replays never count
// an event twice nor open an alert again. Otherwise the event joins the
// rule's open or acknowledged alert with the same dedup values, or a new
// open alert. Observations of the same alert are folded together.
//
// Every observation needs a rule id, an event id and a received time.
// Whatever the events say, the store stores them, on both databases
// alike: text PostgreSQL cannot store (invalid UTF-8, NUL) with U+FFFD in
// its place, times before 1678 or after 2262 as the nearest time of those
// years, and event ids longer than 256 bytes as their first 128 bytes,
// "…" and the hex SHA-256 of the whole id.
func (db *DB) Record(ctx context.Context, obs []Observation) ([]Change, error) {
	groups, err := groupObservations(obs)
	if err != nil {
		return nil, fmt.Errorf("store: record: %w", err)
	}
	var changes []Change
	err = db.write(ctx, func(tx runner) error {
		changes, err = record(ctx, tx, groups, time.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: record: %w", err)
	}
	return changes, nil
}

// record folds the events of the groups that their rules do not have
// into alerts.
func record(ctx context.Context, tx runner, groups []*group, now time.Time) ([]Change, error) {
	groups, err := dropRecorded(ctx, tx, groups)
	if err != nil || len(groups) == 0 {
		return nil, err
	}
	changes, err := addEvents(ctx, tx, groups, now)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(changes))
	for i, c := range changes {
		ids[i] = c.AlertID
	}
	return changes, enqueue(ctx, tx, ids, now)
}

// addEvents adds the events of the groups to their alerts, but those
// another transaction added since dropRecorded.
func addEvents(ctx context.Context, tx runner, groups []*group, now time.Time) ([]Change, error) {
	alerts, err := takeAlerts(ctx, tx, groups, now)
	if err != nil {
		return nil, err
	}
	if err := insertEvents(ctx, tx, alerts); err != nil {
		return nil, err
	}
	var (
		changes  []Change
		touched  []*openAlert
		entities []entityRow
		empty    []any
	)
	for _, a := range alerts {
		if len(a.added) == 0 { // another transaction recorded them meanwhile
			if a.new {
				empty = append(empty, a.id)
			}
			continue
		}
		entities = append(entities, a.fold()...)
		touched = append(touched, a)
		changes = append(changes, Change{AlertID: a.id, Rule: a.g.rule.ID, New: a.new, Events: len(a.added)})
	}
	if err := deleteAlerts(ctx, tx, empty); err != nil {
		return nil, err
	}
	if err := insertEntities(ctx, tx, entities); err != nil {
		return nil, err
	}
	return changes, saveAlerts(ctx, tx, touched, now)
}

// group is the observations of one rule and dedup values, one per event.
type group struct {
	rule  alert.RuleRef
	dedup map[string]*string
	key   string        // dedupKey(dedup)
	obs   []Observation // in the order they came
}

// groupObservations checks and cleans obs and groups them by alert,
// dropping repeated events. The groups are in the order of their rule and
// key, so that concurrent transactions lock alerts in the same order.
func groupObservations(obs []Observation) ([]*group, error) {
	seen := map[[2]string]bool{}
	byKey := map[[2]string]*group{}
	var groups []*group
	for i := range obs {
		o, err := cleanObservation(obs[i])
		if err != nil {
			return nil, fmt.Errorf("observation %d: %w", i, err)
		}
		event := [2]string{o.Rule.ID, o.EventID}
		if seen[event] {
			continue
		}
		seen[event] = true
		k := [2]string{o.Rule.ID, dedupKey(o.Dedup)}
		g := byKey[k]
		if g == nil {
			g = &group{rule: o.Rule, dedup: o.Dedup, key: k[1]}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.obs = append(g.obs, o)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(strings.Compare(a.rule.ID, b.rule.ID), strings.Compare(a.key, b.key))
	})
	return groups, nil
}

// cleanObservation checks o and returns it with its text made storable.
func cleanObservation(o Observation) (Observation, error) {
	switch {
	case o.Rule.ID == "":
		return o, invalidf("no rule id")
	case o.EventID == "":
		return o, invalidf("rule %q: no event id", o.Rule.ID)
	case o.Received.IsZero():
		return o, invalidf("rule %q, event %q: no received time", o.Rule.ID, o.EventID)
	}
	o.Rule = cleanRule(o.Rule)
	o.EventID = boundID(cleanText(o.EventID))
	o.Source = cleanText(o.Source)
	o.Dedup = cleanDedup(o.Dedup)
	o.Entities = cleanValues(o.Entities)
	o.Fields = cleanValues(o.Fields)
	return o, nil
}

// cleanRule returns r with cleanText applied to its text.
func cleanRule(r alert.RuleRef) alert.RuleRef {
	r.ID, r.Title, r.Scenario = cleanText(r.ID), cleanText(r.Title), rule.Scenario(cleanText(string(r.Scenario)))
	if slices.ContainsFunc(r.Tags, func(t string) bool { return !isClean(t) }) {
		tags := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			tags[i] = cleanText(t)
		}
		r.Tags = tags
	}
	return r
}

// dropRecorded removes from the groups the events their rules have, and
// returns the groups left with events.
func dropRecorded(ctx context.Context, tx runner, groups []*group) ([]*group, error) {
	byRule := map[string][]any{} // event ids
	var rules []string
	for _, g := range groups {
		if byRule[g.rule.ID] == nil {
			rules = append(rules, g.rule.ID)
		}
		for _, o := range g.obs {
			byRule[g.rule.ID] = append(byRule[g.rule.ID], o.EventID)
		}
	}
	known := map[[2]string]bool{}
	for _, r := range rules {
		for part := range slices.Chunk(byRule[r], batchRows) {
			q := `SELECT rule_id, event_id FROM events WHERE rule_id = $1 AND event_id IN (` + params(2, len(part)) + `)`
			if err := collectPairs(ctx, tx, known, q, append([]any{r}, part...)...); err != nil {
				return nil, fmt.Errorf("look up events of rule %s: %w", r, err)
			}
		}
	}
	var left []*group
	for _, g := range groups {
		g.obs = slices.DeleteFunc(g.obs, func(o Observation) bool { return known[[2]string{g.rule.ID, o.EventID}] })
		if len(g.obs) > 0 {
			left = append(left, g)
		}
	}
	return left, nil
}

// collectPairs adds to set the pairs of strings query returns.
func collectPairs(ctx context.Context, tx runner, set map[[2]string]bool, query string, args ...any) error {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return err
		}
		set[p] = true
	}
	return rows.Err()
}
