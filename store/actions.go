package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Action is a response action called for by an alert: what it does, how
// it was decided and what it did.
type Action struct {
	ID      string `json:"id"`
	AlertID string `json:"alert_id"`
	Name    string `json:"name"` // as configured: "deactivate-access-key"
	// Target is what the action acts on within its alert: the id of the
	// event that named it, or "" for an action on the whole alert. An
	// alert has one action of a name per target.
	Target string `json:"target,omitempty"`
	Type   string `json:"type"` // "aws_iam_deactivate_access_key"
	// Mode is how it was to run: auto, approve or dry-run.
	Mode  string      `json:"mode"`
	State ActionState `json:"state"`
	// Reason says why it is in its state when that is not its mode's
	// plain course: the rate limit that held it for approval, the target
	// the alert lacks.
	Reason string `json:"reason,omitempty"`
	// Request is what it does (JSON), Result what it did (JSON), Error
	// why it failed.
	Request     string    `json:"request"`
	Result      string    `json:"result,omitempty"`
	Error       string    `json:"error,omitempty"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"-"`
	// DecidedBy approved or rejected it, at DecidedAt, with Comment.
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Comment   string     `json:"comment,omitempty"`
	Created   time.Time  `json:"created_at"`
	Updated   time.Time  `json:"updated_at"`
}

// ActionState is where an action is.
type ActionState string

// The states of an action.
const (
	ActionPending   ActionState = "pending"   // waits for an analyst's approval
	ActionQueued    ActionState = "queued"    // to run
	ActionSucceeded ActionState = "succeeded" // ran
	ActionFailed    ActionState = "failed"    // could not run, or ran and failed
	ActionRejected  ActionState = "rejected"  // an analyst said no
	ActionDryRun    ActionState = "dry_run"   // recorded, not run
)

// Valid reports whether s is one of the states.
func (s ActionState) Valid() bool {
	switch s {
	case ActionPending, ActionQueued, ActionSucceeded, ActionFailed, ActionRejected, ActionDryRun:
		return true
	}
	return false
}

const actionColumns = `id, alert_id, name, target, type, mode, state, reason, request, result, error, attempts, next_attempt,
	decided_by, decided_at, comment, created_at, updated_at`

// AddAction records an action an alert calls for, unless the alert
// already has one of that name and target: it returns false then. An
// action to run automatically (queued, mode auto) is held for approval
// instead when limit actions of its name were queued automatically in
// the hour before it, so that a flood of alerts — or of forged events —
// cannot make vigil act without bound. Nodes count in turn.
func (db *DB) AddAction(ctx context.Context, a Action, limit int) (bool, error) {
	added := false
	err := db.write(ctx, func(tx runner) error {
		if a.State == ActionQueued && a.Mode == "auto" {
			if err := db.d.lockName(ctx, tx, "action:"+a.Name); err != nil {
				return err
			}
			var n int64
			err := tx.queryRow(ctx, `SELECT COUNT(*) FROM actions WHERE name = $1 AND mode = 'auto' AND decided_by = ''
AND (state = 'queued' OR attempts > 0) AND created_at > $2`, a.Name, encodeTime(a.Created.Add(-time.Hour))).Scan(&n)
			if err != nil {
				return err
			}
			if n >= int64(limit) {
				a.State = ActionPending
				a.Reason = fmt.Sprintf("held for approval: %d automatic %s actions in the last hour, the limit", n, a.Name)
			}
		}
		res, err := tx.exec(ctx, `INSERT INTO actions (`+actionColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, '', NULL, '', $12, $12) ON CONFLICT (alert_id, name, target) DO NOTHING`,
			newULID(a.Created), a.AlertID, a.Name, cleanText(a.Target), a.Type, a.Mode, string(a.State), cleanText(a.Reason),
			cleanText(a.Request), cleanText(a.Result), cleanText(a.Error), encodeTime(a.Created))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: add action %s of alert %s: %w", a.Name, a.AlertID, err)
	}
	return added, nil
}

// CancelActions rejects, on behalf of vigil, the actions of an alert that
// still wait for approval or have not started: the alert was closed, and
// what it called for is moot. It returns how many.
func (db *DB) CancelActions(ctx context.Context, alertID, reason string, now time.Time) (int64, error) {
	t := encodeTime(now)
	res, err := db.writer().exec(ctx, `UPDATE actions SET state = 'rejected', decided_by = 'system', decided_at = $1, comment = $2,
	updated_at = $1 WHERE alert_id = $3 AND (state = 'pending' OR state = 'queued' AND attempts = 0)`, t, cleanText(reason), alertID)
	if err != nil {
		return 0, fmt.Errorf("store: cancel actions of alert %s: %w", alertID, err)
	}
	return res.RowsAffected()
}

// Decide approves (the action is queued to run) or rejects an action
// that waits for approval. It returns ErrNotFound when there is no such
// action and ErrConflict when it does not wait for approval.
func (db *DB) Decide(ctx context.Context, id string, approve bool, by, comment string, now time.Time) (*Action, error) {
	state := ActionRejected
	if approve {
		state = ActionQueued
	}
	t := encodeTime(now)
	res, err := db.writer().exec(ctx, `UPDATE actions SET state = $1, decided_by = $2, decided_at = $3, comment = $4, next_attempt = $3,
	updated_at = $3 WHERE id = $5 AND state = 'pending'`, string(state), cleanText(by), t, cleanText(comment), id)
	if err != nil {
		return nil, fmt.Errorf("store: decide action %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		a, err := db.Action(ctx, id)
		if err != nil {
			return nil, err
		}
		return nil, conflictf("action %s is %s: only pending actions are approved or rejected", id, a.State)
	}
	return db.Action(ctx, id)
}

// NextAction claims a queued action of a name due at now and returns it
// with its attempt counted. As with deliveries, the claim is a lease: the
// action is due again after lease unless FinishAction is called first.
// It returns ErrNotFound when none is due.
func (db *DB) NextAction(ctx context.Context, name string, now time.Time, lease time.Duration) (*Action, error) {
	for {
		a, err := scanAction(db.reader().queryRow(ctx, `SELECT `+actionColumns+` FROM actions
WHERE name = $1 AND state = 'queued' AND next_attempt <= $2 ORDER BY next_attempt, id LIMIT 1`, name, encodeTime(now)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("store: next action: %w", err)
		}
		ok, err := db.claim(ctx, "actions", string(ActionQueued), a.ID, a.NextAttempt, now, lease)
		if err != nil {
			return nil, fmt.Errorf("store: claim action %s: %w", a.ID, err)
		}
		if ok {
			a.Attempts++
			return a, nil
		}
	}
}

// FinishAction records the outcome of running a claimed action: state
// succeeded, failed, dry_run or pending (the configuration changed its
// mode since it was queued), or queued to try again at next. As with
// deliveries, it counts only while the claim holds.
func (db *DB) FinishAction(ctx context.Context, a *Action, state ActionState, result, reason string, now, next time.Time) error {
	_, err := db.writer().exec(ctx, `UPDATE actions SET state = $1, result = $2, error = $3, next_attempt = $4, updated_at = $5
WHERE id = $6 AND state = 'queued' AND attempts = $7`,
		string(state), cleanText(result), cleanText(reason), encodeTime(next), encodeTime(now), a.ID, a.Attempts)
	if err != nil {
		return fmt.Errorf("store: finish action %s: %w", a.ID, err)
	}
	return nil
}

// Action returns an action.
func (db *DB) Action(ctx context.Context, id string) (*Action, error) {
	a, err := scanAction(db.reader().queryRow(ctx, `SELECT `+actionColumns+` FROM actions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: action %s: %w", id, err)
	}
	return a, nil
}

// ActionQuery selects actions. Zero fields do not filter.
type ActionQuery struct {
	State   ActionState
	AlertID string
	Cursor  string
	Limit   int
}

const scopeActions = "actions"

// Actions returns the actions q selects, newest first, and the cursor of
// the next page ("" at the end).
func (db *DB) Actions(ctx context.Context, q ActionQuery) ([]Action, string, error) {
	limit, err := pageSize(q.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("store: actions: %w", err)
	}
	w := &where{}
	if q.State != "" {
		if !q.State.Valid() {
			return nil, "", fmt.Errorf("store: actions: %w", invalidf("unknown state %q", q.State))
		}
		w.add(`state = ` + w.param(string(q.State)))
	}
	if q.AlertID != "" {
		w.add(`alert_id = ` + w.param(q.AlertID))
	}
	if q.Cursor != "" {
		parts, err := decodeCursor(scopeActions, q.Cursor, 1)
		if err != nil {
			return nil, "", fmt.Errorf("store: actions: %w", err)
		}
		w.add(`id < ` + w.param(parts[0]))
	}
	rows, err := db.reader().query(ctx, `SELECT `+actionColumns+` FROM actions`+w.clause()+` ORDER BY id DESC LIMIT `+w.param(limit+1), w.args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: actions: %w", err)
		}
		out = append(out, *a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: actions: %w", err)
	}
	if len(out) <= limit {
		return out, "", nil
	}
	return out[:limit], encodeCursor(scopeActions, out[limit-1].ID), nil
}

func scanAction(row interface{ Scan(...any) error }) (*Action, error) {
	var (
		a                Action
		state            string
		attempts, next   int64
		created, updated int64
		decided          sql.NullInt64
	)
	err := row.Scan(&a.ID, &a.AlertID, &a.Name, &a.Target, &a.Type, &a.Mode, &state, &a.Reason, &a.Request, &a.Result, &a.Error,
		&attempts, &next, &a.DecidedBy, &decided, &a.Comment, &created, &updated)
	if err != nil {
		return nil, err
	}
	a.State, a.Attempts = ActionState(state), int(attempts)
	a.NextAttempt, a.DecidedAt, a.Created, a.Updated = decodeTime(next), decodeOptionalTime(decided), decodeTime(created), decodeTime(updated)
	return &a, nil
}
