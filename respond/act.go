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

// act runs the queued actions of one name, one at a time, until ctx is
// done. Each action has its own loop, so that a slow SOAR platform never
// delays the deactivation of a key.
func (d *Dispatcher) act(ctx context.Context, name string) {
	for ctx.Err() == nil {
		if !d.actNext(ctx, name) {
			sleep(ctx, d.Tick)
		}
	}
}

// actNext runs the next due action of a name, if any, and reports
// whether there was one.
func (d *Dispatcher) actNext(ctx context.Context, name string) bool {
	spec := d.Actions[name]
	a, err := d.Store.NextAction(ctx, name, d.now(), spec.Timeout+10*time.Second)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			d.Log.Error("respond: next action", "action", name, "err", err)
		}
		return false
	}
	d.run(ctx, a, spec)
	return true
}

// run runs one action and records what it did.
func (d *Dispatcher) run(ctx context.Context, a *store.Action, spec Action) {
	state, result, reason, next := d.attempt(ctx, a, spec)
	if err := d.Store.FinishAction(context.WithoutCancel(ctx), a, state, result, reason, d.now(), next); err != nil {
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
// The action's mode is read again first: switching an action to dry-run
// or approve in the configuration stops what it had queued, the brake of
// an operator who sees it misfire.
func (d *Dispatcher) attempt(ctx context.Context, a *store.Action, spec Action) (store.ActionState, string, string, time.Time) {
	now := d.now()
	switch {
	case spec.Mode == "dry-run":
		return store.ActionDryRun, `{"summary":"not run: the action was switched to dry-run mode"}`, "", now
	case spec.Mode == "approve" && a.DecidedBy == "":
		return store.ActionPending, "", "held for approval: the action was switched to approve mode", now
	}
	var req action.Request
	if err := json.Unmarshal([]byte(a.Request), &req); err != nil {
		return store.ActionFailed, "", "the recorded request is not valid: " + err.Error(), now
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), spec.Timeout)
	res, err := safeRun(rctx, spec.Exec, req)
	cancel()
	switch {
	case err == nil:
		return store.ActionSucceeded, mustJSON(res), "", d.now()
	case notify.IsPermanent(err) || a.Attempts >= maxActionAttempts:
		return store.ActionFailed, "", err.Error(), d.now()
	}
	return store.ActionQueued, "", err.Error(), d.now().Add(d.backoff(a.Attempts))
}

// safeRun runs an action, turning a panic of the executor into an error.
func safeRun(ctx context.Context, e action.Executor, r action.Request) (res action.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = notify.Permanent(fmt.Errorf("the action failed: %v", p))
		}
	}()
	return e.Run(ctx, r)
}
