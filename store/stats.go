package store

import (
	"context"
	"fmt"
	"time"

	"vigil/rule"
)

// Bucket is the alerts created in a span of time, by severity.
type Bucket struct {
	Start time.Time
	// Counts are indexed by rule.Severity: info, low, medium, high,
	// critical.
	Counts [rule.Critical + 1]int
}

// AlertCounts returns the alerts created since a time, by severity, in
// buckets of a span: every bucket up to now, empty ones included.
func (db *DB) AlertCounts(ctx context.Context, since, now time.Time, span time.Duration) ([]Bucket, error) {
	if span <= 0 || !now.After(since) {
		return nil, fmt.Errorf("store: alert counts: %w", invalidf("want a positive span and since before now"))
	}
	n := int((now.Sub(since) + span - 1) / span)
	if n > 10_000 {
		return nil, fmt.Errorf("store: alert counts: %w", invalidf("%d buckets: at most 10000", n))
	}
	out := make([]Bucket, n)
	for i := range out {
		out[i].Start = since.Add(time.Duration(i) * span)
	}
	s := encodeTime(since)
	rows, err := db.reader().query(ctx, `SELECT (created_at - $1) / $2, severity_rank, COUNT(*) FROM alerts
WHERE created_at >= $1 AND created_at < $3 GROUP BY 1, 2`, s, int64(span), encodeTime(now))
	if err != nil {
		return nil, fmt.Errorf("store: alert counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b, sev, count int64
		if err := rows.Scan(&b, &sev, &count); err != nil {
			return nil, fmt.Errorf("store: alert counts: %w", err)
		}
		if b >= 0 && b < int64(n) && sev >= 0 && sev <= int64(rule.Critical) {
			out[b].Counts[sev] += int(count)
		}
	}
	return out, rows.Err()
}

// RuleCount is how many alerts, and events in them, a rule raised.
type RuleCount struct {
	ID       string
	Title    string
	Severity rule.Severity
	Alerts   int
	Events   int64
}

// TopRules returns the n rules with the most alerts seen since a time.
func (db *DB) TopRules(ctx context.Context, since time.Time, n int) ([]RuleCount, error) {
	rows, err := db.reader().query(ctx, `SELECT rule_id, MAX(rule_title), MAX(severity_rank), COUNT(*), SUM(event_count) FROM alerts
WHERE last_seen >= $1 GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id LIMIT $2`, encodeTime(since), n)
	if err != nil {
		return nil, fmt.Errorf("store: top rules: %w", err)
	}
	defer rows.Close()
	var out []RuleCount
	for rows.Next() {
		var (
			r          RuleCount
			sev, count int64
		)
		if err := rows.Scan(&r.ID, &r.Title, &sev, &count, &r.Events); err != nil {
			return nil, fmt.Errorf("store: top rules: %w", err)
		}
		r.Severity, r.Alerts = rule.Severity(sev), int(count)
		out = append(out, r)
	}
	return out, rows.Err()
}

// EntityCount is how many alerts name an entity.
type EntityCount struct {
	Type   string
	Value  string
	Alerts int
}

// TopEntities returns the n entities named by the most alerts seen since
// a time.
func (db *DB) TopEntities(ctx context.Context, since time.Time, n int) ([]EntityCount, error) {
	rows, err := db.reader().query(ctx, `SELECT e.type, e.value, COUNT(DISTINCT e.alert_id) FROM alert_entities e
JOIN alerts a ON a.id = e.alert_id WHERE a.last_seen >= $1
GROUP BY e.type, e.value ORDER BY COUNT(DISTINCT e.alert_id) DESC, e.type, e.value LIMIT $2`, encodeTime(since), n)
	if err != nil {
		return nil, fmt.Errorf("store: top entities: %w", err)
	}
	defer rows.Close()
	var out []EntityCount
	for rows.Next() {
		var (
			e     EntityCount
			count int64
		)
		if err := rows.Scan(&e.Type, &e.Value, &count); err != nil {
			return nil, fmt.Errorf("store: top entities: %w", err)
		}
		e.Alerts = int(count)
		out = append(out, e)
	}
	return out, rows.Err()
}

// InHand is how many alerts are being handled, by severity: open ones,
// which nobody has taken up yet, and acknowledged ones.
type InHand struct {
	Open, Acknowledged [rule.Critical + 1]int
}

// AlertsInHand returns how many alerts are open and acknowledged, by
// severity.
func (db *DB) AlertsInHand(ctx context.Context) (*InHand, error) {
	rows, err := db.reader().query(ctx, `SELECT status, severity_rank, COUNT(*) FROM alerts
WHERE status IN ('open', 'acknowledged') GROUP BY status, severity_rank`)
	if err != nil {
		return nil, fmt.Errorf("store: alerts in hand: %w", err)
	}
	defer rows.Close()
	var out InHand
	for rows.Next() {
		var (
			status     string
			sev, count int64
		)
		if err := rows.Scan(&status, &sev, &count); err != nil {
			return nil, fmt.Errorf("store: alerts in hand: %w", err)
		}
		if sev < 0 || sev > int64(rule.Critical) {
			continue
		}
		if Status(status) == Open {
			out.Open[sev] = int(count)
		} else {
			out.Acknowledged[sev] = int(count)
		}
	}
	return &out, rows.Err()
}
