package detect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"vigil/bus"
	"vigil/engine"
	"vigil/event"
	"vigil/store"
)

// Detector evaluates the batches of events on the bus: the first stage.
type Detector struct {
	Deps
	// Workers is how many batches are evaluated at once.
	Workers int
	// Partitions is the number of correlation partitions.
	Partitions int
	// reloaded holds the rules SetRules gave, which replace Deps.Rules.
	reloaded atomic.Pointer[Rules]
}

// SetRules makes the detector run r from its next batch on: the rules
// changed in the console. Correlations stay those it started with.
func (d *Detector) SetRules(r *Rules) { d.reloaded.Store(r) }

// rules returns the rules in force.
func (d *Detector) rules() *Rules {
	if r := d.reloaded.Load(); r != nil {
		return r
	}
	return d.Rules
}

// detectConsumer is the durable consumer all nodes' detectors share.
const detectConsumer = "detect"

// ackWait is how long a batch may take before JetStream hands it to
// another detector: far longer than a batch takes (processing gives up
// at half of it), short enough that the batches of a node that died are
// soon evaluated by another.
const ackWait = 30 * time.Second

// Run evaluates batches until ctx is done, then finishes the batches in
// hand and returns.
func (d *Detector) Run(ctx context.Context) error {
	cons, err := d.Bus.JS.CreateOrUpdateConsumer(ctx, bus.EventStream, jetstream.ConsumerConfig{
		Durable:       detectConsumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ackWait,
		MaxAckPending: 64 * max(d.Workers, 1),
		MaxDeliver:    -1,
	})
	if err != nil {
		return fmt.Errorf("detect: consumer %s: %w", detectConsumer, err)
	}
	var wg sync.WaitGroup
	for range max(d.Workers, 1) {
		wg.Go(func() { d.work(ctx, cons) })
	}
	wg.Go(func() { watchPending(ctx, cons, d.Metrics, detectConsumer) })
	wg.Wait()
	return nil
}

// work fetches and evaluates batches until ctx is done.
func (d *Detector) work(ctx context.Context, cons jetstream.Consumer) {
	rules := d.rules()
	x := rules.Engine.NewEvaluator()
	for ctx.Err() == nil {
		if r := d.rules(); r != rules {
			rules, x = r, r.Engine.NewEvaluator()
		}
		batch, err := cons.Fetch(8, jetstream.FetchMaxWait(250*time.Millisecond))
		if err != nil {
			if ctx.Err() == nil {
				d.Log.Warn("fetching events", "err", err)
				time.Sleep(time.Second)
			}
			continue
		}
		var msgs []jetstream.Msg
		for m := range batch.Messages() {
			msgs = append(msgs, m)
		}
		if len(msgs) > 0 {
			d.process(rules, x, msgs)
		}
	}
}

// process evaluates messages, stores the alerts, sends the hits on and
// acknowledges the messages; on failure it has them redelivered. It runs
// to the end even when the server is shutting down, within a bound.
func (d *Detector) process(rules *Rules, x *engine.Evaluator, msgs []jetstream.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), ackWait/2)
	defer cancel()
	var obs []store.Observation
	var hits []*nats.Msg
	var ok []jetstream.Msg
	for _, m := range msgs {
		b, err := bus.ReadBatch(m.Headers(), m.Data())
		if err != nil { // never redelivered: it would fail again
			d.Log.Error("dropping an unreadable batch", "err", err)
			m.TermWithReason(err.Error())
			continue
		}
		o, h, err := d.batch(rules, x, b)
		if err != nil {
			d.Log.Error("detecting", "batch", b.ID, "err", err)
			m.NakWithDelay(5 * time.Second)
			continue
		}
		obs, hits = append(obs, o...), append(hits, h...)
		ok = append(ok, m)
	}
	if err := d.store(ctx, obs); err != nil {
		nakAll(ok)
		return
	}
	if err := d.Bus.Publish(ctx, hits); err != nil {
		d.Log.Error("sending hits to correlation", "err", err)
		nakAll(ok)
		return
	}
	for _, m := range ok {
		m.Ack()
	}
}

// batch evaluates the events of a batch and returns the observations of
// stateless rules and the hits of correlated ones.
func (d *Detector) batch(rs *Rules, x *engine.Evaluator, b *bus.Batch) ([]store.Observation, []*nats.Msg, error) {
	var obs []store.Observation
	var hits []*nats.Msg
	for _, raw := range b.Events {
		ev := event.Event{Raw: raw}
		d.Metrics.Evaluated.Inc()
		rules, err := x.Eval(&ev)
		if err == nil && len(rules) > 0 {
			var matches []engine.Match
			if matches, err = x.Describe(&ev, rules); err == nil {
				for _, m := range matches {
					if rs.Feeds(m.Rule.ID) {
						h, err := rs.hitMsgs(HitOf(m), b.Received, d.Partitions)
						if err != nil {
							return nil, nil, err
						}
						hits = append(hits, h...)
					}
					if !m.Rule.Silent {
						o := observation(m, raw, b.Received)
						o.Source = b.Source
						obs = append(obs, o)
					}
				}
			}
		}
		if err != nil { // ingest checked the event: this is not expected
			d.Metrics.Malformed.Inc()
			d.Log.Warn("malformed event in a batch", "batch", b.ID, "err", err)
		}
	}
	return obs, hits, nil
}

// store records observations, counting what it did.
func (d *Deps) store(ctx context.Context, obs []store.Observation) error {
	if len(obs) == 0 {
		return nil
	}
	changes, err := d.Store.Record(ctx, obs)
	if err != nil {
		d.Metrics.StoreErrors.WithLabelValues("record").Inc()
		d.Log.Error("storing alerts", "err", err)
		return err
	}
	now := time.Now()
	for _, o := range obs {
		d.Metrics.Latency.Observe(now.Sub(o.Received).Seconds())
	}
	d.Metrics.recorded(changes, func(id string) string {
		for _, o := range obs {
			if o.Rule.ID == id {
				return o.Rule.Severity.String()
			}
		}
		return ""
	})
	if len(changes) > 0 && d.Recorded != nil {
		d.Recorded()
	}
	return nil
}

func nakAll(msgs []jetstream.Msg) {
	for _, m := range msgs {
		m.NakWithDelay(5 * time.Second)
	}
}

// watchPending keeps a consumer's lag in the metrics.
func watchPending(ctx context.Context, cons jetstream.Consumer, m *Metrics, name string) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		if info, err := cons.Info(ctx); err == nil {
			m.Pending.WithLabelValues(name).Set(float64(info.NumPending + uint64(info.NumAckPending)))
		} else if errors.Is(err, context.Canceled) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
