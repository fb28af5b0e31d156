// Package respond answers alerts: it routes them through the routing tree
// into groups, notifies each group's receiver when Alertmanager would,
// minus what silences, inhibition rules and time intervals mute, delivers
// the notifications from an outbox in the store with retries and dead
// letters, and runs the response actions alerts call for.
//
// Everything it decides is in the store before it acts on it, so that a
// restart, or another node sharing the store, carries on where it
// stopped. Every step is safe to run on several nodes at once: groups are
// flushed, deliveries and actions claimed and finished, with conditional
// updates.
package respond

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"

	"vigil/action"
	"vigil/config"
	"vigil/notify"
	"vigil/route"
	"vigil/rule"
	"vigil/store"
)

// Dispatcher routes and notifies alerts, and runs their actions.
type Dispatcher struct {
	Store     *store.DB
	Tree      *route.Route
	Inhibitor *route.Inhibitor
	// InhibitMaxAge is how recently an alert must have taken an event or
	// changed to inhibit others: vigil's alerts fire until an analyst
	// closes them, and one forgotten for months must not mute its
	// account for months.
	InhibitMaxAge time.Duration
	Intervals     *timeinterval.Intervener
	// Receivers are the integrations of each receiver, by name.
	Receivers map[string][]notify.Integration
	// Actions are the configured actions, by name.
	Actions     map[string]Action
	ExternalURL string
	Delivery    config.Delivery
	Metrics     *Metrics
	Log         *slog.Logger
	// Tick is how often the store is looked at for work; 0 means 1s.
	Tick time.Duration

	rules  atomic.Pointer[map[string]*rule.Rule]
	now    func() time.Time
	routes map[string]*route.Route // the tree's nodes by routeKey
	wake   chan struct{}
	once   sync.Once
}

// Action is a configured action.
type Action struct {
	Type string
	Mode string // auto, approve or dry-run
	// Limit is how many times an hour it may run automatically before
	// it waits for approval.
	Limit int
	// Timeout bounds one run.
	Timeout time.Duration
	Exec    action.Executor
}

// routeKey names a node of the tree as its groups remember it: by its
// matchers and receiver, which reordering the tree does not change.
func routeKey(key, receiver string) string { return key + "\x00" + receiver }

func (d *Dispatcher) init() {
	d.once.Do(func() {
		if d.now == nil {
			d.now = time.Now
		}
		if d.Tick == 0 {
			d.Tick = time.Second
		}
		d.wake = make(chan struct{}, 1)
		d.routes = map[string]*route.Route{}
		d.Tree.Walk(func(r *route.Route) {
			k := routeKey(r.Key(), r.Opts.Receiver)
			if _, dup := d.routes[k]; !dup { // siblings alike share their groups
				d.routes[k] = r
			}
		})
	})
}

// SetRules gives the rules alerts come from, by id: for the actions they
// name and their descriptions.
func (d *Dispatcher) SetRules(rules map[string]*rule.Rule) { d.rules.Store(&rules) }

// rule returns the rule of an id, or nil.
func (d *Dispatcher) rule(id string) *rule.Rule {
	if m := d.rules.Load(); m != nil {
		return (*m)[id]
	}
	return nil
}

// Wake tells the dispatcher that alerts changed, so that it routes them
// at once rather than at its next tick.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run routes, notifies and acts until ctx is done. Notifications and
// actions in flight then are let finish, within their timeouts.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	d.check(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { d.dispatch(ctx) })
	for name, ins := range d.Receivers {
		for _, in := range ins {
			wg.Go(func() { d.deliver(ctx, name, in) })
		}
	}
	for name := range d.Actions {
		wg.Go(func() { d.act(ctx, name) })
	}
	wg.Wait()
	d.close()
	return nil
}

// check says at start what the configuration leaves undone: routes whose
// receiver sends nowhere, actions rules name that are not configured,
// and deliveries of integrations the configuration no longer has, which
// become dead letters.
func (d *Dispatcher) check(ctx context.Context) {
	d.Tree.Walk(func(r *route.Route) {
		if len(d.Receivers[r.Opts.Receiver]) == 0 {
			d.Log.Warn("respond: a route's receiver sends nowhere: give it integrations", "route", r.Key(), "receiver", r.Opts.Receiver)
		}
	})
	if m := d.rules.Load(); m != nil {
		missing := map[string][]string{}
		for id, r := range *m {
			for _, name := range r.Response {
				if _, ok := d.Actions[name]; !ok {
					missing[name] = append(missing[name], id)
				}
			}
		}
		for name, ids := range missing {
			slices.Sort(ids)
			d.Log.Warn("respond: rules name an action response.actions does not configure; it is left out", "action", name, "rules", ids)
		}
	}
	known := map[string][]string{}
	for name, ins := range d.Receivers {
		for _, in := range ins {
			known[name] = append(known[name], in.String())
		}
	}
	if n, err := d.Store.Orphans(ctx, known, d.now()); err != nil {
		d.Log.Error("respond: looking for orphaned deliveries", "err", err)
	} else if n > 0 {
		d.Log.Warn("respond: deliveries of receivers or integrations no longer configured set aside as dead letters", "deliveries", n)
	}
}

// close closes the integrations that hold connections of their own.
func (d *Dispatcher) close() {
	for _, ins := range d.Receivers {
		for _, in := range ins {
			if c, ok := in.(io.Closer); ok {
				c.Close()
			}
		}
	}
}

// dispatch routes queued alerts and flushes the groups that are due, at
// each tick or wake-up, and at once again while alerts wait to be
// routed: routing takes a batch at a time, so that a storm of alerts
// does not hold back the flushes that page people.
func (d *Dispatcher) dispatch(ctx context.Context) {
	t := time.NewTicker(d.Tick)
	defer t.Stop()
	var pruned time.Time
	for {
		if now := d.now(); now.Sub(pruned) > time.Hour {
			d.prune(ctx, now)
			pruned = now
		}
		more, err := d.routeQueued(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Error("respond: routing alerts", "err", err)
		}
		if err := d.flushDue(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("respond: notifying groups", "err", err)
		}
		if more && err == nil {
			if ctx.Err() != nil {
				return
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// prune deletes the deliveries delivered, and the silences ended, longer
// ago than the retention.
func (d *Dispatcher) prune(ctx context.Context, now time.Time) {
	before := now.Add(-time.Duration(d.Delivery.Retention))
	n, err := d.Store.PruneDeliveries(ctx, before)
	if err == nil {
		var s int64
		s, err = d.Store.PruneSilences(ctx, before)
		n += s
	}
	switch {
	case err != nil && ctx.Err() == nil:
		d.Log.Error("respond: pruning", "err", err)
	case n > 0:
		d.Log.Info("respond: old deliveries and silences pruned", "deleted", n)
	}
}

// sleep waits for d or ctx, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
