package respond

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/common/model"

	"vigil/action"
	"vigil/route"
	"vigil/store"
)

// batch bounds how many queued alerts or due groups one step takes.
const batch = 200

// routeQueued puts the queued alerts in the groups of the routes they
// match, plans the actions of those that fire, and takes them off the
// queue.
func (d *Dispatcher) routeQueued(ctx context.Context) error {
	for {
		qs, err := d.Store.Queued(ctx, batch)
		if err != nil || len(qs) == 0 {
			return err
		}
		for _, q := range qs {
			if err := d.routeAlert(ctx, q.AlertID); err != nil {
				return err
			}
		}
		if err := d.Store.Dequeue(ctx, qs); err != nil {
			return err
		}
		if len(qs) < batch {
			return nil
		}
	}
}

func (d *Dispatcher) routeAlert(ctx context.Context, id string) error {
	a, err := d.Store.Alert(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ls := Labels(a)
	routes := d.Tree.Match(ls)
	now := d.now()
	for _, r := range routes {
		gl := r.GroupLabels(ls)
		g := store.Group{ID: groupID(r, gl), Route: r.ID(), Key: r.GroupKey(gl), Receiver: r.Opts.Receiver,
			Labels: labelMap(gl), NextFlush: now.Add(r.Opts.GroupWait), Created: now}
		if err := d.Store.JoinGroup(ctx, g, a.ID); err != nil {
			return err
		}
	}
	if !firing(a) {
		return nil
	}
	return d.plan(ctx, a, routes)
}

// groupID returns the id of the group of a route with the labels.
func groupID(r *route.Route, gl model.LabelSet) string {
	sum := sha256.Sum256([]byte(r.ID() + "\x00" + gl.String()))
	return hex.EncodeToString(sum[:16])
}

func labelMap(ls model.LabelSet) map[string]string {
	m := make(map[string]string, len(ls))
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	return m
}

// actionNames returns the names of the actions an alert calls for: its
// rule's, then its routes', each once.
func (d *Dispatcher) actionNames(a *store.Alert, routes []*route.Route) []string {
	var names []string
	if r := d.rule(a.Rule.ID); r != nil {
		names = append(names, r.Response...)
	}
	for _, r := range routes {
		names = append(names, r.Actions...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// plan records the actions an alert calls for that it does not have yet:
// queued to run, waiting for approval, or recorded as a dry run, by the
// action's mode; failed when it is not configured or the alert names no
// target for it.
func (d *Dispatcher) plan(ctx context.Context, a *store.Alert, routes []*route.Route) error {
	names := d.actionNames(a, routes)
	if len(names) == 0 {
		return nil
	}
	have, _, err := d.Store.Actions(ctx, store.ActionQuery{AlertID: a.ID, Limit: store.MaxPage})
	if err != nil {
		return err
	}
	var events [][]byte
	for _, name := range names {
		if slices.ContainsFunc(have, func(x store.Action) bool { return x.Name == name }) {
			continue
		}
		if events == nil {
			if events, err = d.events(ctx, a.ID); err != nil {
				return err
			}
		}
		rec, limit := d.planned(a, name, events)
		added, err := d.Store.AddAction(ctx, rec, limit)
		if err != nil {
			return err
		}
		if added {
			d.Metrics.Actions.WithLabelValues(name, string(rec.State)).Inc()
			d.Log.Info("respond: action planned", "alert", a.ID, "action", name, "mode", rec.Mode, "state", rec.State)
		}
	}
	return nil
}

// events returns the JSON of the events an alert keeps.
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

// planned returns the record of an action an alert calls for, and the
// action's limit of automatic runs an hour.
func (d *Dispatcher) planned(a *store.Alert, name string, events [][]byte) (store.Action, int) {
	rec := store.Action{AlertID: a.ID, Name: name, Request: "{}", Created: d.now()}
	spec, ok := d.Actions[name]
	if !ok {
		rec.State, rec.Error = store.ActionFailed, fmt.Sprintf("%v: %q is not in response.actions", action.ErrNotConfigured, name)
		return rec, 0
	}
	rec.Type, rec.Mode = spec.Type, spec.Mode
	req, err := spec.Exec.Plan(a, events)
	if err != nil {
		rec.State, rec.Error = store.ActionFailed, err.Error()
		return rec, spec.Limit
	}
	rec.Request = mustJSON(req)
	switch spec.Mode {
	case "auto":
		rec.State = store.ActionQueued
	case "approve":
		rec.State = store.ActionPending
	default:
		rec.State, rec.Result = store.ActionDryRun, `{"summary":"not run: the action is in dry-run mode"}`
	}
	return rec, spec.Limit
}
