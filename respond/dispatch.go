package respond

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"vigil/action"
	"vigil/route"
	"vigil/silence"
	"vigil/store"
)

// batch bounds how many queued alerts or due groups one step takes.
const batch = 200

// routeQueued routes a batch of queued alerts: puts each in the groups of
// the routes it matches, plans the actions of those that fire, cancels
// those of the alerts that closed, and takes them off the queue. An alert
// that cannot be routed stays queued, logged, without holding up the
// others. It reports whether more alerts may wait.
func (d *Dispatcher) routeQueued(ctx context.Context) (bool, error) {
	qs, err := d.Store.Queued(ctx, batch)
	if err != nil || len(qs) == 0 {
		return false, err
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.AlertID
	}
	alerts, err := d.Store.AlertsByID(ctx, ids)
	if err != nil {
		return false, err
	}
	now := d.now()
	sil, err := d.silences(ctx, now)
	if err != nil {
		return false, err
	}
	byID := map[string]*store.Alert{}
	for i := range alerts {
		byID[alerts[i].ID] = &alerts[i]
	}
	var (
		done []store.Queued
		ms   []store.Membership
	)
	for _, q := range qs {
		if a := byID[q.AlertID]; a != nil {
			joins, err := d.routeAlert(ctx, a, sil, now)
			if err != nil {
				d.Log.Error("respond: routing an alert; it stays queued", "alert", a.ID, "err", err)
				continue
			}
			ms = append(ms, joins...)
		}
		done = append(done, q)
	}
	return len(qs) == batch, d.Store.Routed(ctx, ms, done)
}

// silences returns the silences in force at now.
func (d *Dispatcher) silences(ctx context.Context, now time.Time) (*silence.Set, error) {
	ss, err := d.Store.Silences(ctx, now)
	if err != nil {
		return nil, err
	}
	set, err := silence.NewSet(ss)
	if err != nil {
		d.Log.Warn("respond: silences left out", "err", err)
	}
	return set, nil
}

// routeAlert returns the groups of the routes an alert matches, and
// plans its actions, or cancels them when it closed.
func (d *Dispatcher) routeAlert(ctx context.Context, a *store.Alert, sil *silence.Set, now time.Time) ([]store.Membership, error) {
	ls := Labels(a)
	routes := d.Tree.Match(ls)
	ms := make([]store.Membership, len(routes))
	for i, r := range routes {
		gl := r.GroupLabels(ls)
		ms[i] = store.Membership{AlertID: a.ID, Group: store.Group{ID: groupID(r, gl), Route: r.Key(), Key: r.GroupKey(gl),
			Receiver: r.Opts.Receiver, Labels: labelMap(gl), NextFlush: now.Add(r.Opts.GroupWait), Created: now}}
	}
	if !firing(a) {
		_, err := d.Store.CancelActions(ctx, a.ID, "the alert was closed: "+string(a.Status), now)
		return ms, err
	}
	return ms, d.plan(ctx, a, routes, sil.Silencing(ls, now), now)
}

// groupID returns the id of the group of a route with the labels.
func groupID(r *route.Route, gl model.LabelSet) string {
	sum := sha256.Sum256([]byte(routeKey(r.Key(), r.Opts.Receiver) + "\x00" + gl.String()))
	return hex.EncodeToString(sum[:16])
}

func labelMap(ls model.LabelSet) map[string]string {
	m := make(map[string]string, len(ls))
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	return m
}

// actionNames returns the names of the configured actions an alert calls
// for: its rule's, then its routes', each once. Rules may name actions
// the configuration lacks (check warns of them at start); routes cannot.
func (d *Dispatcher) actionNames(a *store.Alert, routes []*route.Route) []string {
	var names []string
	if r := d.rule(a.Rule.ID); r != nil {
		names = append(names, r.Response...)
	}
	for _, r := range routes {
		names = append(names, r.Actions...)
	}
	names = slices.DeleteFunc(names, func(n string) bool { _, ok := d.Actions[n]; return !ok })
	slices.Sort(names)
	return slices.Compact(names)
}

// plan records the actions a firing alert calls for that it does not
// have yet: one per target — each event that names one, so that an
// attacker who repeats what was undone (re-enables the key vigil
// disabled) is answered again — queued to run, waiting for approval, or
// recorded as a dry run, by the action's mode; failed when no event names
// a target. A silence in force holds automatic actions for approval: it
// marks activity the team expects, such as a planned key rotation.
func (d *Dispatcher) plan(ctx context.Context, a *store.Alert, routes []*route.Route, silencedBy string, now time.Time) error {
	names := d.actionNames(a, routes)
	if len(names) == 0 {
		return nil
	}
	have, _, err := d.Store.Actions(ctx, store.ActionQuery{AlertID: a.ID, Limit: store.MaxPage})
	if err != nil {
		return err
	}
	events, err := d.events(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, name := range names {
		spec := d.Actions[name]
		for _, rec := range d.planned(a, name, spec, events, now) {
			if slices.ContainsFunc(have, func(x store.Action) bool { return x.Name == name && x.Target == rec.Target }) {
				continue
			}
			if rec.State == store.ActionQueued && silencedBy != "" {
				rec.State, rec.Reason = store.ActionPending, "held for approval: silence "+silencedBy+" matches the alert"
			}
			added, err := d.Store.AddAction(ctx, rec, spec.Limit)
			if err != nil {
				return err
			}
			if added {
				d.Metrics.Actions.WithLabelValues(name, string(rec.State)).Inc()
				d.Log.Info("respond: action planned", "alert", a.ID, "action", name, "target", rec.Target, "mode", rec.Mode, "state", rec.State)
			}
		}
	}
	return nil
}

// events returns the JSON of the events an alert keeps, oldest first.
func (d *Dispatcher) events(ctx context.Context, alertID string) ([][]byte, error) {
	evs, _, err := d.Store.Events(ctx, alertID, "", store.KeepEvents)
	if err != nil {
		return nil, err
	}
	out := [][]byte{}
	for _, e := range evs {
		if e.JSON != nil {
			out = append(out, e.JSON)
		}
	}
	return out, nil
}

// planned returns the records of an action for the targets an alert's
// events name: one per event for actions on what an event did, one for
// the alert for the others, or one failed record when no event names a
// target.
func (d *Dispatcher) planned(a *store.Alert, name string, spec Action, events [][]byte, now time.Time) []store.Action {
	base := store.Action{AlertID: a.ID, Name: name, Type: spec.Type, Mode: spec.Mode, Request: "{}", Created: now}
	var out []store.Action
	for _, ev := range events {
		req, err := safePlan(spec.Exec, a, [][]byte{ev})
		if err != nil {
			continue
		}
		rec := base
		rec.Target, rec.Request = req.Params["event_id"], mustJSON(req)
		if !slices.ContainsFunc(out, func(x store.Action) bool { return x.Target == rec.Target }) {
			out = append(out, withMode(rec))
		}
	}
	if len(out) == 0 {
		_, err := safePlan(spec.Exec, a, events)
		rec := base
		rec.State, rec.Error = store.ActionFailed, fmt.Sprint(err)
		out = append(out, rec)
	}
	return out
}

// withMode sets the state a planned action starts in, by its mode.
func withMode(rec store.Action) store.Action {
	switch rec.Mode {
	case "auto":
		rec.State = store.ActionQueued
	case "approve":
		rec.State = store.ActionPending
	default:
		rec.State, rec.Result = store.ActionDryRun, `{"summary":"not run: the action is in dry-run mode"}`
	}
	return rec
}

// safePlan plans an action, turning a panic of the executor into an
// error: a malformed event must not stop responding.
func safePlan(e action.Executor, a *store.Alert, events [][]byte) (req action.Request, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("planning failed: %v", p)
		}
	}()
	return e.Plan(a, events)
}
