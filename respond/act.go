package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/action"
	"vigil/notify"
	"vigil/store"
)

// maxActionAttempts bounds the tries of an action that fails in a way
// that retrying may help (throttling, a service unavailable).
const maxActionAttempts = 5

// act runs the queued actions, one at a time, until ctx is done.
func (d *Dispatcher) act(ctx context.Context) {
	for ctx.Err() == nil {
		if !d.actNext(ctx) {
			sleep(ctx, d.Tick)
		}
	}
}

// actNext runs the next due action, if any, and reports whether there
// was one.
func (d *Dispatcher) actNext(ctx context.Context) bool {
	a, err := d.Store.NextAction(ctx, d.now(), d.actionLease())
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			d.Log.Error("respond: next action", "err", err)
		}
		return false
	}
	d.run(ctx, a)
	return true
}

// actionLease is how long a node that claims an action has to run it:
// the longest timeout of the actions, and some.
func (d *Dispatcher) actionLease() time.Duration {
	var longest time.Duration
	for _, a := range d.Actions {
		longest = max(longest, a.Timeout)
	}
	return longest + 10*time.Second
}

// run runs one action and records what it did.
func (d *Dispatcher) run(ctx context.Context, a *store.Action) {
	state, result, reason, next := d.attempt(ctx, a)
	bg := context.WithoutCancel(ctx)
	if err := d.Store.FinishAction(bg, a.ID, state, result, reason, d.now(), next); err != nil {
		d.Log.Error("respond: record action", "action", a.ID, "err", err)
		return
	}
	d.Metrics.Actions.WithLabelValues(a.Name, string(state)).Inc()
	log := d.Log.Info
	if state != store.ActionSucceeded {
		log = d.Log.Warn
	}
	log("respond: action run", "action", a.ID, "name", a.Name, "alert", a.AlertID, "state", state, "attempts", a.Attempts,
		"approved_by", a.DecidedBy, "result", result, "err", reason)
}

// attempt runs an action once and returns the state it reaches, its
// result, why it failed, and when to try again if it is queued again.
func (d *Dispatcher) attempt(ctx context.Context, a *store.Action) (store.ActionState, string, string, time.Time) {
	now := d.now()
	spec, ok := d.Actions[a.Name]
	if !ok {
		return store.ActionFailed, "", fmt.Sprintf("%v: %q is not in response.actions", action.ErrNotConfigured, a.Name), now
	}
	var req action.Request
	if err := json.Unmarshal([]byte(a.Request), &req); err != nil {
		return store.ActionFailed, "", "the recorded request is not valid: " + err.Error(), now
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), spec.Timeout)
	res, err := spec.Exec.Run(rctx, req)
	cancel()
	switch {
	case err == nil:
		return store.ActionSucceeded, mustJSON(res), "", d.now()
	case notify.IsPermanent(err) || a.Attempts >= maxActionAttempts:
		return store.ActionFailed, "", err.Error(), d.now()
	}
	return store.ActionQueued, "", err.Error(), d.now().Add(d.backoff(a.Attempts))
}
