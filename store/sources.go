package store

import (
	"context"
	"fmt"
	"time"
)

// SourceMinute is how many events a source took in during a minute, and
// when it took the last of them.
type SourceMinute struct {
	Source    string
	Minute    time.Time // truncated to the minute
	Events    int64
	LastEvent time.Time
}

// AddSourceMinutes adds counts of events to the sources' minutes.
func (db *DB) AddSourceMinutes(ctx context.Context, ms []SourceMinute) error {
	err := db.write(ctx, func(tx runner) error {
		for _, m := range ms {
			_, err := tx.exec(ctx, `INSERT INTO source_minutes (source, minute, events, last_event) VALUES ($1, $2, $3, $4)
ON CONFLICT (source, minute) DO UPDATE SET events = source_minutes.events + excluded.events,
	last_event = CASE WHEN excluded.last_event > source_minutes.last_event THEN excluded.last_event ELSE source_minutes.last_event END`,
				cleanText(m.Source), encodeTime(m.Minute.Truncate(time.Minute)), m.Events, encodeTime(m.LastEvent))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add source counts: %w", err)
	}
	return nil
}

// SourceActivity is what a source took in since some time.
type SourceActivity struct {
	Source string
	Events int64
	// LastEvent is when it last took an event, ever (within the week
	// kept); nil when it never did.
	LastEvent *time.Time
	// Minutes are the counts of each minute since then that had events.
	Minutes []SourceMinute
}

// SourceActivity returns, for each source that took events in the week
// kept, what it took since a time.
func (db *DB) SourceActivity(ctx context.Context, since time.Time) (map[string]*SourceActivity, error) {
	out := map[string]*SourceActivity{}
	err := db.read(ctx, func(tx runner) error {
		rows, err := tx.query(ctx, `SELECT source, MAX(last_event) FROM source_minutes GROUP BY source`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				src  string
				last int64
			)
			if err := rows.Scan(&src, &last); err != nil {
				rows.Close()
				return err
			}
			t := decodeTime(last)
			out[src] = &SourceActivity{Source: src, LastEvent: &t}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.query(ctx, `SELECT source, minute, events, last_event FROM source_minutes WHERE minute >= $1 ORDER BY source, minute`,
			encodeTime(since.Truncate(time.Minute)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				m            SourceMinute
				minute, last int64
			)
			if err := rows.Scan(&m.Source, &minute, &m.Events, &last); err != nil {
				return err
			}
			m.Minute, m.LastEvent = decodeTime(minute), decodeTime(last)
			if a := out[m.Source]; a != nil {
				a.Events += m.Events
				a.Minutes = append(a.Minutes, m)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: source activity: %w", err)
	}
	return out, nil
}

// PruneSourceMinutes deletes the counts of minutes before t.
func (db *DB) PruneSourceMinutes(ctx context.Context, t time.Time) error {
	if _, err := db.writer().exec(ctx, `DELETE FROM source_minutes WHERE minute < $1`, encodeTime(t)); err != nil {
		return fmt.Errorf("store: prune source counts: %w", err)
	}
	return nil
}
