package respond

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"vigil/notify"
	"vigil/route"
	"vigil/silence"
	"vigil/store"
)

// mutes is what mutes alerts during one flush: silences, and the alerts
// that fire, for inhibition rules.
type mutes struct {
	silences *silence.Set
	firing   []route.Alert // loaded once, when an inhibition rule needs them
	loaded   bool
}

// flushDue notifies the groups that are due.
func (d *Dispatcher) flushDue(ctx context.Context) error {
	for {
		now := d.now()
		groups, err := d.Store.DueGroups(ctx, now, batch)
		if err != nil || len(groups) == 0 {
			return err
		}
		m, err := d.mutes(ctx, now)
		if err != nil {
			return err
		}
		for i := range groups {
			if err := d.flush(ctx, &groups[i], m, now); err != nil {
				return err
			}
		}
		if len(groups) < batch {
			return nil
		}
	}
}

func (d *Dispatcher) mutes(ctx context.Context, now time.Time) (*mutes, error) {
	ss, err := d.Store.Silences(ctx, now)
	if err != nil {
		return nil, err
	}
	set, err := silence.NewSet(ss)
	if err != nil {
		d.Log.Warn("respond: silences left out", "err", err)
	}
	return &mutes{silences: set}, nil
}

// firingAlerts returns the alerts that fire, for inhibition rules.
func (d *Dispatcher) firingAlerts(ctx context.Context, m *mutes) ([]route.Alert, error) {
	if m.loaded {
		return m.firing, nil
	}
	q := store.Query{Status: []store.Status{store.Open, store.Acknowledged}, Limit: store.MaxPage}
	for {
		page, next, err := d.Store.Alerts(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page {
			m.firing = append(m.firing, route.Alert{ID: page[i].ID, Labels: Labels(&page[i])})
		}
		if next == "" {
			break
		}
		q.Cursor = next
	}
	m.loaded = true
	return m.firing, nil
}

// member is an alert of a group being flushed.
type member struct {
	alert  *store.Alert
	labels model.LabelSet
}

// flush notifies one group's integrations of what changed since they were
// last told, as Alertmanager's notification pipeline decides, and
// schedules its next flush.
func (d *Dispatcher) flush(ctx context.Context, g *store.Group, m *mutes, now time.Time) error {
	r := d.routes[g.Route]
	if r == nil { // the configuration no longer has the route
		return d.Store.DeleteGroup(ctx, g.ID)
	}
	firingM, resolvedM, gone, err := d.members(ctx, g, m, now)
	if err != nil {
		return err
	}
	f := store.Flush{Group: g.ID, Was: g.NextFlush, Next: now.Add(r.Opts.GroupInterval), At: now, Log: map[string]store.LogEntry{}}
	if !r.Muted(d.Intervals, now) {
		d.notifications(g, r, firingM, resolvedM, now, &f)
	}
	f.Remove = gone
	for _, x := range resolvedM {
		f.Remove = append(f.Remove, x.alert.ID)
	}
	f.Delete = len(f.Remove) == len(g.Alerts)
	_, err = d.Store.Flush(ctx, f)
	return err
}

// members returns the group's alerts that fire and are resolved, left
// out those silenced or inhibited, and those that no longer exist.
func (d *Dispatcher) members(ctx context.Context, g *store.Group, m *mutes, now time.Time) (firingM, resolvedM []member, gone []string, err error) {
	for _, id := range g.Alerts {
		a, err := d.Store.Alert(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			gone = append(gone, id)
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		x := member{a, Labels(a)}
		muted, err := d.muted(ctx, x, m, now)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case !firing(a):
			if !muted {
				resolvedM = append(resolvedM, x)
			} else {
				gone = append(gone, id)
			}
		case !muted:
			firingM = append(firingM, x)
		}
	}
	return firingM, resolvedM, gone, nil
}

func (d *Dispatcher) muted(ctx context.Context, x member, m *mutes, now time.Time) (bool, error) {
	if m.silences.Silencing(x.labels, now) != "" {
		return true, nil
	}
	if d.Inhibitor.Empty() || !firing(x.alert) {
		return false, nil
	}
	all, err := d.firingAlerts(ctx, m)
	if err != nil {
		return false, err
	}
	return d.Inhibitor.Inhibited(route.Alert{ID: x.alert.ID, Labels: x.labels}, all) != "", nil
}

// notifications adds to f a delivery for each integration of the group's
// receiver that needs to be told, and what it is told.
func (d *Dispatcher) notifications(g *store.Group, r *route.Route, firingM, resolvedM []member, now time.Time, f *store.Flush) {
	fired, resolved := ids(firingM), ids(resolvedM)
	open := slices.ContainsFunc(firingM, func(x member) bool { return x.alert.Status == store.Open })
	for _, in := range d.Receivers[g.Receiver] {
		name := in.String()
		prev, told := g.Log[name]
		if !needsUpdate(told, prev, fired, resolved, in.SendResolved(), r.Opts.RepeatInterval, now, open) {
			continue
		}
		f.Log[name] = store.LogEntry{Firing: fired, Resolved: resolved, At: now}
		send := firingM
		if in.SendResolved() {
			send = append(slices.Clone(firingM), resolvedM...)
		}
		if len(send) == 0 {
			continue
		}
		f.Deliveries = append(f.Deliveries, d.delivery(g, name, send, now))
	}
}

// needsUpdate reports whether an integration must be told of a group, as
// Alertmanager's deduplication decides: when it was never told and
// alerts fire; when alerts fire that did not when it was last told; when
// all alerts it was told of are resolved; when it is told of resolved
// alerts and some were resolved since; or when repeat has passed since it
// was last told. vigil repeats only while an alert is open: an
// acknowledged alert is being handled and needs no reminder.
func needsUpdate(told bool, prev store.LogEntry, firing, resolved []string, sendResolved bool, repeat time.Duration, now time.Time, open bool) bool {
	switch {
	case !told:
		return len(firing) > 0
	case !subset(firing, prev.Firing):
		return true
	case len(firing) == 0:
		return len(prev.Firing) > 0
	case sendResolved && !subset(resolved, prev.Resolved):
		return true
	}
	return open && prev.At.Before(now.Add(-repeat))
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func ids(ms []member) []string {
	out := make([]string, len(ms))
	for i, x := range ms {
		out[i] = x.alert.ID
	}
	return out
}

// delivery returns the delivery of a notification of alerts to an
// integration.
func (d *Dispatcher) delivery(g *store.Group, integration string, ms []member, now time.Time) store.Delivery {
	n := notify.Notification{
		ID:          store.NewDeliveryID(now),
		Receiver:    g.Receiver,
		GroupKey:    g.Key,
		Status:      "resolved",
		GroupLabels: g.Labels,
		ExternalURL: d.ExternalURL,
		Created:     now,
	}
	for i, x := range ms {
		desc := ""
		if r := d.rule(x.alert.Rule.ID); r != nil {
			desc = r.Description
		}
		na := noteAlert(x.alert, x.labels, desc, d.ExternalURL)
		if na.Status == "firing" {
			n.Status = "firing"
		}
		n.Alerts = append(n.Alerts, na)
		if i == 0 {
			n.CommonLabels = maps.Clone(na.Labels)
		} else {
			for k, v := range n.CommonLabels {
				if na.Labels[k] != v {
					delete(n.CommonLabels, k)
				}
			}
		}
	}
	return store.Delivery{ID: n.ID, Receiver: g.Receiver, Integration: integration, GroupKey: g.Key, Status: n.Status,
		Alerts: len(ms), Notification: []byte(mustJSON(n)), NextAttempt: now, Created: now}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only types that always marshal come here
	}
	return string(b)
}
