package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Events returns a page of an alert's events in time order, those
// without a time last, and the cursor of the next page: "" when there is
// none. A limit of 0 means DefaultPage. It returns ErrNotFound when the
// alert does not exist.
func (db *DB) Events(ctx context.Context, alertID, cursor string, limit int) ([]Event, string, error) {
	events, next, err := db.events(ctx, alertID, cursor, limit)
	if err != nil {
		return nil, "", fmt.Errorf("store: events of alert %q: %w", alertID, err)
	}
	return events, next, nil
}

// eventPos is where a page of events starts or ends.
type eventPos struct {
	sortTime int64
	id       string
}

func (db *DB) events(ctx context.Context, alertID, cursor string, limit int) ([]Event, string, error) {
	limit, err := pageSize(limit)
	if err != nil {
		return nil, "", err
	}
	if !validULID(alertID) {
		return nil, "", ErrNotFound
	}
	scope := "events\x00" + alertID
	var after *eventPos
	if cursor != "" {
		if after, err = decodeEventPos(scope, cursor); err != nil {
			return nil, "", err
		}
	}
	var events []Event
	err = db.read(ctx, func(tx runner) error {
		if err := alertExists(ctx, tx, alertID); err != nil {
			return err
		}
		events, err = eventPage(ctx, tx, alertID, after, limit+1)
		return err
	})
	if err != nil || len(events) <= limit {
		return events, "", err
	}
	events = events[:limit]
	last := positionOf(events[limit-1])
	return events, encodeCursor(scope, strconv.FormatInt(last.sortTime, 10), last.id), nil
}

// positionOf returns where e is in the order of events.
func positionOf(e Event) eventPos {
	if e.Time == nil {
		return eventPos{noTime, e.ID}
	}
	return eventPos{encodeTime(*e.Time), e.ID}
}

func decodeEventPos(scope, cursor string) (*eventPos, error) {
	parts, err := decodeCursor(scope, cursor, 2)
	if err != nil {
		return nil, err
	}
	t, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return nil, invalidf("malformed cursor %.40q", cursor)
	}
	return &eventPos{t, parts[1]}, nil
}

func alertExists(ctx context.Context, tx runner, id string) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM alerts WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// eventPage returns up to n events of an alert after a position.
func eventPage(ctx context.Context, tx runner, alertID string, after *eventPos, n int) ([]Event, error) {
	w := &where{}
	w.add(`alert_id = ` + w.param(alertID))
	if after != nil {
		w.add(`(sort_time, event_id) > (` + w.params(after.sortTime, after.id) + `)`)
	}
	rows, err := tx.query(ctx, `SELECT event_id, event_time, body FROM events`+w.clause()+
		` ORDER BY sort_time, event_id LIMIT `+w.param(n), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var events []Event
	for rows.Next() {
		var (
			e Event
			t sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &t, &e.JSON); err != nil {
			return nil, err
		}
		e.Time = decodeOptionalTime(t)
		events = append(events, e)
	}
	return events, rows.Err()
}
