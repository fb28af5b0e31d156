package respond

import (
	"context"
	"encoding/json"
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

// flushDue notifies the groups that are due. A group that cannot be
// flushed is logged and left for the next tick, without holding up the
// others.
func (d *Dispatcher) flushDue(ctx context.Context) error {
	now := d.now()
	sil, err := d.silences(ctx, now)
	if err != nil {
		return err
	}
	m := &mutes{silences: sil}
	for {
		groups, err := d.Store.DueGroups(ctx, now, batch)
		if err != nil || len(groups) == 0 {
			return err
		}
		failed := 0
		for i := range groups {
			if err := d.flush(ctx, &groups[i], m, now); err != nil {
				if ctx.Err() != nil {
					return err
				}
				d.Log.Error("respond: notifying a group; it is tried again later", "group", groups[i].Key, "receiver", groups[i].Receiver, "err", err)
				failed++
			}
		}
		if len(groups) < batch || failed == len(groups) {
			return nil
		}
	}
}

// firingAlerts returns the alerts that may inhibit others: those firing,
// and changed within InhibitMaxAge.
func (d *Dispatcher) firingAlerts(ctx context.Context, m *mutes, now time.Time) ([]route.Alert, error) {
	if m.loaded {
		return m.firing, nil
	}
	alerts, err := d.Store.FiringAlerts(ctx, now.Add(-d.InhibitMaxAge))
	if err != nil {
		return nil, err
	}
	for i := range alerts {
		m.firing = append(m.firing, route.Alert{ID: alerts[i].ID, Labels: Labels(&alerts[i])})
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
// schedules its next flush. A group whose route the configuration no
// longer has is disbanded: its alerts are routed again, through the
// routes of the configuration in force.
func (d *Dispatcher) flush(ctx context.Context, g *store.Group, m *mutes, now time.Time) error {
	r := d.routes[routeKey(g.Route, g.Receiver)]
	if r == nil {
		d.Log.Info("respond: a group's route is no longer configured; its alerts are routed again", "group", g.Key, "receiver", g.Receiver)
		return d.Store.DisbandGroup(ctx, *g, now)
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
	_, err = d.Store.Flush(ctx, f)
	return err
}

// members returns the group's alerts that fire and are resolved, left
// out those silenced or inhibited, and those that no longer exist or
// were resolved while muted.
func (d *Dispatcher) members(ctx context.Context, g *store.Group, m *mutes, now time.Time) (firingM, resolvedM []member, gone []string, err error) {
	alerts, err := d.Store.AlertsByID(ctx, g.Alerts)
	if err != nil {
		return nil, nil, nil, err
	}
	found := map[string]bool{}
	for i := range alerts {
		a := &alerts[i]
		found[a.ID] = true
		x := member{a, Labels(a)}
		muted, err := d.muted(ctx, x, m, now)
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case !firing(a) && muted:
			gone = append(gone, a.ID)
		case !firing(a):
			resolvedM = append(resolvedM, x)
		case !muted:
			firingM = append(firingM, x)
		}
	}
	for _, id := range g.Alerts {
		if !found[id] {
			gone = append(gone, id)
		}
	}
	return firingM, resolvedM, gone, nil
}

func (d *Dispatcher) muted(ctx context.Context, x member, m *mutes, now time.Time) (bool, error) {
	if m.silences.Silencing(x.labels, now) != "" {
		return true, nil
	}
	if d.Inhibitor.Empty() {
		return false, nil
	}
	all, err := d.firingAlerts(ctx, m, now)
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
	var all *notify.Notification // made once, for the first integration to be told
	for _, in := range d.Receivers[g.Receiver] {
		name := in.String()
		prev, told := g.Log[name]
		if !needsUpdate(told, prev, fired, resolved, in.SendResolved(), r.Opts.RepeatInterval, now, open) {
			continue
		}
		f.Log[name] = store.LogEntry{Firing: fired, Resolved: resolved, At: now}
		if all == nil {
			all = d.notification(g, slices.Concat(firingM, resolvedM), now)
		}
		if n := all.For(in.SendResolved()); n != nil {
			f.Deliveries = append(f.Deliveries, delivery(g, name, *n, now))
		}
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
	in := make(map[string]bool, len(b))
	for _, x := range b {
		in[x] = true
	}
	for _, x := range a {
		if !in[x] {
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

// notification returns the notification of a group's alerts.
func (d *Dispatcher) notification(g *store.Group, ms []member, now time.Time) *notify.Notification {
	n := &notify.Notification{
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
	return n
}

// delivery returns the delivery of a notification to an integration,
// under an id of its own.
func delivery(g *store.Group, integration string, n notify.Notification, now time.Time) store.Delivery {
	n.ID = store.NewDeliveryID(now)
	return store.Delivery{ID: n.ID, Receiver: g.Receiver, Integration: integration, GroupKey: g.Key, Status: n.Status,
		Alerts: len(n.Alerts), Notification: []byte(mustJSON(n)), NextAttempt: now, Created: now}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only types that always marshal come here
	}
	return string(b)
}
