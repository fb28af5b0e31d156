// Package respond answers alerts: it routes them through the routing tree
// into groups, notifies each group's receiver when Alertmanager would,
// minus what silences, inhibition rules and time intervals mute, delivers
// the notifications from an outbox in the store with retries and dead
// letters, and runs the response actions alerts call for.
//
// Everything it decides is in the store before it acts on it, so that a
// restart, or another node sharing the store, carries on where it
// stopped. Every step is safe to run on several nodes at once: groups are
// flushed, deliveries and actions claimed, with conditional updates.
package respond

import (
	"context"
	"log/slog"
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
	Intervals *timeinterval.Intervener
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
	routes map[string]*route.Route // the tree's nodes by id
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
		d.Tree.Walk(func(r *route.Route) { d.routes[r.ID()] = r })
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
// actions in flight then are let finish, within the delivery timeout.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	var wg sync.WaitGroup
	wg.Go(func() { d.dispatch(ctx) })
	for name, ins := range d.Receivers {
		for _, in := range ins {
			wg.Go(func() { d.deliver(ctx, name, in) })
		}
	}
	wg.Go(func() { d.act(ctx) })
	wg.Wait()
	return nil
}

// dispatch routes queued alerts and flushes the groups that are due, at
// each tick or wake-up.
func (d *Dispatcher) dispatch(ctx context.Context) {
	t := time.NewTicker(d.Tick)
	defer t.Stop()
	var pruned time.Time
	for {
		if now := d.now(); now.Sub(pruned) > time.Hour {
			d.prune(ctx, now)
			pruned = now
		}
		if err := d.routeQueued(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("respond: routing alerts", "err", err)
		}
		if err := d.flushDue(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("respond: notifying groups", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// prune deletes the deliveries delivered longer ago than the retention.
func (d *Dispatcher) prune(ctx context.Context, now time.Time) {
	n, err := d.Store.PruneDeliveries(ctx, now.Add(-time.Duration(d.Delivery.Retention)))
	switch {
	case err != nil && ctx.Err() == nil:
		d.Log.Error("respond: pruning deliveries", "err", err)
	case n > 0:
		d.Log.Info("respond: old deliveries pruned", "deleted", n)
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
