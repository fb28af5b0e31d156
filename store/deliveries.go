package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Delivery is a notification to one integration of a receiver, in the
// outbox until it is delivered or set aside as a dead letter.
type Delivery struct {
	ID          string        `json:"id"`
	Receiver    string        `json:"receiver"`
	Integration string        `json:"integration"` // "slack[0]"
	GroupKey    string        `json:"group_key"`
	Status      string        `json:"status"` // of the notification: firing or resolved
	Alerts      int           `json:"alerts"` // how many it tells of
	State       DeliveryState `json:"state"`
	Attempts    int           `json:"attempts"`
	NextAttempt time.Time     `json:"next_attempt"`
	LastError   string        `json:"last_error,omitempty"`
	Created     time.Time     `json:"created_at"`
	Updated     time.Time     `json:"updated_at"`
	Delivered   *time.Time    `json:"delivered_at,omitempty"`
	// Notification is what is sent, as JSON.
	Notification []byte `json:"-"`
}

// DeliveryState is where a delivery is.
type DeliveryState string

// The states of a delivery.
const (
	Pending   DeliveryState = "pending"
	Delivered DeliveryState = "delivered"
	Dead      DeliveryState = "dead"
)

// Valid reports whether s is one of the states.
func (s DeliveryState) Valid() bool { return s == Pending || s == Delivered || s == Dead }

const deliveryColumns = `id, receiver, integration, group_key, status, alerts, notification, state, attempts,
	next_attempt, last_error, created_at, updated_at, delivered_at`

func insertDeliveries(ctx context.Context, tx runner, ds []Delivery) error {
	for _, d := range ds {
		_, err := tx.exec(ctx, `INSERT INTO deliveries (`+deliveryColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, '', $10, $10, NULL)`,
			d.ID, d.Receiver, d.Integration, cleanText(d.GroupKey), d.Status, d.Alerts, d.Notification, string(Pending),
			encodeTime(d.NextAttempt), encodeTime(d.Created))
		if err != nil {
			return fmt.Errorf("add delivery to %s: %w", d.Integration, err)
		}
	}
	return nil
}

// NewDeliveryID returns the id of a new delivery made at t.
func NewDeliveryID(t time.Time) string { return newULID(t) }

// NextDelivery claims the oldest pending delivery of an integration that
// is due at now, and returns it with its attempt counted. A delivery
// waits while an older one of the same group is pending, so that a
// receiver is told of a group in order: never of a resolution before
// the page it resolves. The claim is a lease: the delivery is due again
// after lease unless Delivered or DeliveryFailed is called first, so
// that a node that dies while sending loses nothing. It returns
// ErrNotFound when no delivery is due.
func (db *DB) NextDelivery(ctx context.Context, receiver, integration string, now time.Time, lease time.Duration) (*Delivery, error) {
	for {
		d, err := scanDelivery(db.reader().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries d
WHERE receiver = $1 AND integration = $2 AND state = 'pending' AND next_attempt <= $3
AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.receiver = d.receiver AND o.integration = d.integration
	AND o.group_key = d.group_key AND o.state = 'pending' AND o.id < d.id)
ORDER BY next_attempt, id LIMIT 1`, receiver, integration, encodeTime(now)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("store: next delivery to %s %s: %w", receiver, integration, err)
		}
		ok, err := db.claim(ctx, "deliveries", string(Pending), d.ID, d.NextAttempt, now, lease)
		if err != nil {
			return nil, fmt.Errorf("store: claim delivery %s: %w", d.ID, err)
		}
		if ok {
			d.Attempts++
			return d, nil
		}
	}
}

// claim takes a lease on a row of deliveries or actions that a query
// found due: it counts an attempt and moves the row's next attempt to the
// end of the lease, provided the row is still in the state and due at
// the time the query saw. It reports false when another node claimed it
// first, for the caller to look again.
func (db *DB) claim(ctx context.Context, table, state, id string, due, now time.Time, lease time.Duration) (bool, error) {
	res, err := db.writer().exec(ctx, `UPDATE `+table+` SET attempts = attempts + 1, next_attempt = $1, updated_at = $2
WHERE id = $3 AND state = $4 AND next_attempt = $5`, encodeTime(now.Add(lease)), encodeTime(now), id, state, encodeTime(due))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Delivered records that a claimed delivery arrived. The outcomes of a
// claim count only while it holds: the attempt is still the delivery's
// last, so that a node whose lease ran out cannot undo what the node
// that took over did.
func (db *DB) Delivered(ctx context.Context, d *Delivery, now time.Time) error {
	_, err := db.writer().exec(ctx, `UPDATE deliveries SET state = 'delivered', delivered_at = $1, updated_at = $1, last_error = ''
WHERE id = $2 AND attempts = $3 AND state = 'pending'`, encodeTime(now), d.ID, d.Attempts)
	if err != nil {
		return fmt.Errorf("store: delivery %s delivered: %w", d.ID, err)
	}
	return nil
}

// DeliveryFailed records a failed attempt of a claimed delivery: it is
// tried again at next, or, when dead, set aside as a dead letter.
func (db *DB) DeliveryFailed(ctx context.Context, d *Delivery, reason string, now, next time.Time, dead bool) error {
	state := Pending
	if dead {
		state = Dead
	}
	_, err := db.writer().exec(ctx, `UPDATE deliveries SET state = $1, next_attempt = $2, last_error = $3, updated_at = $4
WHERE id = $5 AND attempts = $6 AND state = 'pending'`,
		string(state), encodeTime(next), cleanText(reason), encodeTime(now), d.ID, d.Attempts)
	if err != nil {
		return fmt.Errorf("store: delivery %s failed: %w", d.ID, err)
	}
	return nil
}

// Orphans sets aside as dead letters the pending deliveries of
// integrations that the configuration no longer has, which no one would
// ever send, and returns how many. known maps each receiver to the
// names of its integrations.
func (db *DB) Orphans(ctx context.Context, known map[string][]string, now time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx runner) error {
		rows, err := tx.query(ctx, `SELECT DISTINCT receiver, integration FROM deliveries WHERE state = 'pending'`)
		if err != nil {
			return err
		}
		var gone [][2]string
		for rows.Next() {
			var r, i string
			if err := rows.Scan(&r, &i); err != nil {
				rows.Close()
				return err
			}
			if !slices.Contains(known[r], i) {
				gone = append(gone, [2]string{r, i})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range gone {
			res, err := tx.exec(ctx, `UPDATE deliveries SET state = 'dead', updated_at = $1,
	last_error = 'the configuration no longer has this receiver or integration' WHERE receiver = $2 AND integration = $3 AND state = 'pending'`,
				encodeTime(now), g[0], g[1])
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: orphaned deliveries: %w", err)
	}
	return n, nil
}

// Discard deletes a dead letter that is not to be sent: its receiver is
// gone, or what it tells is stale. It returns ErrNotFound when there is
// no such delivery and ErrConflict when it is not dead.
func (db *DB) Discard(ctx context.Context, id string) (*Delivery, error) {
	d, err := db.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	res, err := db.writer().exec(ctx, `DELETE FROM deliveries WHERE id = $1 AND state = 'dead'`, id)
	if err != nil {
		return nil, fmt.Errorf("store: discard delivery %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, conflictf("delivery %s is %s, not dead", id, d.State)
	}
	return d, nil
}

// Redrive sends a dead letter again: it is pending, due at now, with its
// attempts counted from zero. It returns ErrNotFound when there is no
// such delivery, and ErrConflict when it is not dead or when a newer
// notification of its group went to its integration: sending the old one
// then would tell the receiver of a past state (a page after its
// resolution).
func (db *DB) Redrive(ctx context.Context, id string, now time.Time) (*Delivery, error) {
	res, err := db.writer().exec(ctx, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt = $1, updated_at = $1
WHERE id = $2 AND state = 'dead' AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.receiver = deliveries.receiver
	AND n.integration = deliveries.integration AND n.group_key = deliveries.group_key AND n.id > deliveries.id AND n.state <> 'dead')`,
		encodeTime(now), id)
	if err != nil {
		return nil, fmt.Errorf("store: redrive delivery %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		d, err := db.Delivery(ctx, id)
		if err != nil {
			return nil, err
		}
		if d.State == Dead {
			return nil, conflictf("a newer notification of group %s went to %s %s since", d.GroupKey, d.Receiver, d.Integration)
		}
		return nil, conflictf("delivery %s is %s, not dead", id, d.State)
	}
	return db.Delivery(ctx, id)
}

// Delivery returns a delivery, with its notification.
func (db *DB) Delivery(ctx context.Context, id string) (*Delivery, error) {
	d, err := scanDelivery(db.reader().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: delivery %s: %w", id, err)
	}
	return d, nil
}

// DeliveryQuery selects deliveries. Zero fields do not filter.
type DeliveryQuery struct {
	Receiver string
	State    DeliveryState
	Cursor   string
	Limit    int
}

const scopeDeliveries = "deliveries"

// Deliveries returns the deliveries q selects, newest first, without
// their notifications, and the cursor of the next page ("" at the end).
func (db *DB) Deliveries(ctx context.Context, q DeliveryQuery) ([]Delivery, string, error) {
	limit, err := pageSize(q.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("store: deliveries: %w", err)
	}
	w := &where{}
	if q.Receiver != "" {
		w.add(`receiver = ` + w.param(q.Receiver))
	}
	if q.State != "" {
		if !q.State.Valid() {
			return nil, "", fmt.Errorf("store: deliveries: %w", invalidf("unknown state %q: want pending, delivered or dead", q.State))
		}
		w.add(`state = ` + w.param(string(q.State)))
	}
	if q.Cursor != "" {
		parts, err := decodeCursor(scopeDeliveries, q.Cursor, 1)
		if err != nil {
			return nil, "", fmt.Errorf("store: deliveries: %w", err)
		}
		w.add(`id < ` + w.param(parts[0]))
	}
	rows, err := db.reader().query(ctx, `SELECT `+deliveryColumns+` FROM deliveries`+w.clause()+
		` ORDER BY id DESC LIMIT `+w.param(limit+1), w.args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: deliveries: %w", err)
	}
	defer rows.Close()
	var ds []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: deliveries: %w", err)
		}
		d.Notification = nil
		ds = append(ds, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: deliveries: %w", err)
	}
	if len(ds) <= limit {
		return ds, "", nil
	}
	return ds[:limit], encodeCursor(scopeDeliveries, ds[limit-1].ID), nil
}

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var (
		d                      Delivery
		alerts, attempts       int64
		next, created, updated int64
		delivered              sql.NullInt64
		state                  string
	)
	err := row.Scan(&d.ID, &d.Receiver, &d.Integration, &d.GroupKey, &d.Status, &alerts, &d.Notification, &state, &attempts,
		&next, &d.LastError, &created, &updated, &delivered)
	if err != nil {
		return nil, err
	}
	d.Alerts, d.Attempts, d.State = int(alerts), int(attempts), DeliveryState(state)
	d.NextAttempt, d.Created, d.Updated, d.Delivered = decodeTime(next), decodeTime(created), decodeTime(updated), decodeOptionalTime(delivered)
	return &d, nil
}

// IntegrationStatus sums up the deliveries of one integration.
type IntegrationStatus struct {
	Receiver    string                `json:"receiver"`
	Integration string                `json:"integration"`
	Counts      map[DeliveryState]int `json:"deliveries"`
	// LastDelivered is when one was last delivered; LastError is the
	// error of the most recent failed attempt still pending or dead.
	LastDelivered *time.Time `json:"last_delivered,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// DeliveryStatus returns, for each integration that has deliveries, how
// many are in each state, when one was last delivered and the latest
// error.
func (db *DB) DeliveryStatus(ctx context.Context) ([]IntegrationStatus, error) {
	var out []IntegrationStatus
	err := db.read(ctx, func(tx runner) error {
		rows, err := tx.query(ctx, `SELECT receiver, integration, state, COUNT(*), MAX(delivered_at) FROM deliveries
GROUP BY receiver, integration, state ORDER BY receiver, integration`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				recv, integ, state string
				n                  int64
				last               sql.NullInt64
			)
			if err := rows.Scan(&recv, &integ, &state, &n, &last); err != nil {
				return err
			}
			if k := len(out); k == 0 || out[k-1].Receiver != recv || out[k-1].Integration != integ {
				out = append(out, IntegrationStatus{Receiver: recv, Integration: integ, Counts: map[DeliveryState]int{}})
			}
			s := &out[len(out)-1]
			s.Counts[DeliveryState(state)] = int(n)
			if last.Valid {
				s.LastDelivered = decodeOptionalTime(last)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			err := tx.queryRow(ctx, `SELECT last_error FROM deliveries WHERE receiver = $1 AND integration = $2
AND state <> 'delivered' AND last_error <> '' ORDER BY updated_at DESC LIMIT 1`, out[i].Receiver, out[i].Integration).Scan(&out[i].LastError)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: delivery status: %w", err)
	}
	return out, nil
}

// PruneDeliveries deletes the deliveries delivered before t, and
// returns how many. Pending deliveries and dead letters stay.
func (db *DB) PruneDeliveries(ctx context.Context, t time.Time) (int64, error) {
	res, err := db.writer().exec(ctx, `DELETE FROM deliveries WHERE state = 'delivered' AND delivered_at < $1`, encodeTime(t))
	if err != nil {
		return 0, fmt.Errorf("store: prune deliveries: %w", err)
	}
	return res.RowsAffected()
}
