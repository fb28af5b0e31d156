package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"vigil/bus"
	"vigil/correlate"
	"vigil/store"
)

// Correlator runs the correlation partitions this node owns: the second
// stage. Nodes agree on who owns what by rendezvous hashing over the live
// members, and a lease per partition makes sure no two nodes run one at
// once; a partition changes hands only after its owner checkpointed and
// let go, or its lease ran out.
type Correlator struct {
	Deps
	// Node names this node among the members; it must be unique.
	Node       string
	Partitions int
	// Checkpoint is how often a partition saves its state and
	// acknowledges the hits that state includes.
	Checkpoint time.Duration

	mu    sync.Mutex
	owned map[int]*partition
}

// tick is how often membership and leases are renewed.
const tick = bus.LeaseTTL / 4

// Run runs partitions until ctx is done, then checkpoints them and lets
// them go, so that other nodes take over at once.
func (c *Correlator) Run(ctx context.Context) error {
	if len(c.Rules.Correlations) == 0 {
		<-ctx.Done()
		return nil
	}
	c.owned = map[int]*partition{}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		c.balance(ctx)
		select {
		case <-ctx.Done():
			c.releaseAll()
			return nil
		case <-t.C:
		}
	}
}

// balance renews this node's membership and leases, takes the partitions
// that fall to it and are free, and lets go of the others.
func (c *Correlator) balance(ctx context.Context) {
	if _, err := c.Bus.Members.Put(ctx, c.Node, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		c.Log.Warn("renewing membership", "err", err)
	}
	members, err := c.Bus.Members.Keys(ctx)
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		c.Log.Warn("listing members", "err", err)
		return
	}
	if !slices.Contains(members, c.Node) {
		members = append(members, c.Node)
	}
	for p := range c.Partitions {
		mine := owner(p, members) == c.Node
		c.mu.Lock()
		part := c.owned[p]
		c.mu.Unlock()
		switch {
		case part != nil && !mine:
			c.release(p)
		case part != nil && part.stopped():
			c.Log.Warn("restarting a failed partition from its checkpoint", "partition", p)
			c.drop(p)
			c.Bus.Leases.Delete(ctx, leaseKey(p), jetstream.LastRevision(part.rev))
		case part != nil:
			if err := part.renew(ctx); err != nil {
				c.Log.Warn("lost the lease of a partition", "partition", p, "err", err)
				c.drop(p)
			}
		case mine:
			c.acquire(ctx, p)
		}
	}
	c.mu.Lock()
	c.Metrics.Owned.Set(float64(len(c.owned)))
	c.mu.Unlock()
}

// owner returns the member a partition falls to: the one whose hash with
// the partition is highest, so that a member joining or leaving moves
// only the partitions it takes or gives.
func owner(p int, members []string) string {
	var best string
	var top uint64
	for _, m := range members {
		h := fnv.New64a()
		h.Write([]byte(m))
		h.Write([]byte{0})
		h.Write([]byte(strconv.Itoa(p)))
		if v := mix(h.Sum64()); best == "" || v > top || v == top && m < best {
			best, top = m, v
		}
	}
	return best
}

// mix spreads the bits of a hash (the finalizer of MurmurHash3): FNV
// alone leaves the high bits of short inputs alike.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

func leaseKey(p int) string { return "partition-" + strconv.Itoa(p) }

// acquire takes a partition if its lease is free, and starts it.
func (c *Correlator) acquire(ctx context.Context, p int) {
	rev, err := c.Bus.Leases.Create(ctx, leaseKey(p), []byte(c.Node))
	if err != nil {
		if !errors.Is(err, jetstream.ErrKeyExists) {
			c.Log.Warn("taking the lease of a partition", "partition", p, "err", err)
		}
		return // another node holds it still
	}
	part := &partition{c: c, p: p, rev: rev, done: make(chan struct{})}
	if err := part.start(ctx); err != nil {
		c.Log.Error("starting a partition", "partition", p, "err", err)
		c.Bus.Leases.Delete(ctx, leaseKey(p), jetstream.LastRevision(rev))
		return
	}
	c.mu.Lock()
	c.owned[p] = part
	c.mu.Unlock()
	c.Log.Info("took a correlation partition", "partition", p)
}

// release stops a partition after a checkpoint and frees its lease.
func (c *Correlator) release(p int) {
	c.mu.Lock()
	part := c.owned[p]
	delete(c.owned, p)
	c.mu.Unlock()
	if part == nil {
		return
	}
	part.stop(true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Bus.Leases.Delete(ctx, leaseKey(p), jetstream.LastRevision(part.rev)); err != nil {
		c.Log.Warn("freeing the lease of a partition", "partition", p, "err", err)
	}
	c.Log.Info("let go of a correlation partition", "partition", p)
}

// drop stops a partition whose lease is lost, without a checkpoint:
// another node may run it now.
func (c *Correlator) drop(p int) {
	c.mu.Lock()
	part := c.owned[p]
	delete(c.owned, p)
	c.mu.Unlock()
	if part != nil {
		part.stop(false)
	}
}

func (c *Correlator) releaseAll() {
	c.mu.Lock()
	var ps []int
	for p := range c.owned {
		ps = append(ps, p)
	}
	c.mu.Unlock()
	for _, p := range ps {
		c.release(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Bus.Members.Delete(ctx, c.Node)
}

// partition is a partition this node runs.
type partition struct {
	c      *Correlator
	p      int
	rev    uint64 // of its lease
	cancel context.CancelFunc
	done   chan struct{}
	// keep is read by stop's caller before done closes: whether to
	// checkpoint before stopping.
	keep bool

	state     *correlate.Engine
	cons      jetstream.Consumer
	pending   []jetstream.Msg // hits counted and not yet acknowledged
	saved     time.Time       // when the state was last checkpointed
	seen      time.Time       // wall clock when the latest event time advanced
	latest    time.Time
	late, evd int // the engine's counters already in the metrics
}

func checkpointName(p int) string { return "correlate/partition-" + strconv.Itoa(p) }

func consumerName(p int) string { return "correlate-" + strconv.Itoa(p) }

// start restores the partition's checkpoint and runs it.
func (pt *partition) start(ctx context.Context) error {
	c := pt.c
	pt.state = c.Rules.NewCorrelator()
	data, err := c.Store.Checkpoint(ctx, checkpointName(pt.p))
	if err != nil {
		c.Metrics.StoreErrors.WithLabelValues("checkpoint").Inc()
		return fmt.Errorf("loading the checkpoint: %w", err)
	}
	if data != nil {
		if err := pt.state.Restore(data); err != nil {
			return err
		}
	}
	pt.latest, pt.seen, pt.saved = pt.state.Latest(), time.Now(), time.Now()
	pt.cons, err = c.Bus.JS.CreateOrUpdateConsumer(ctx, bus.HitStream, jetstream.ConsumerConfig{
		Durable:       consumerName(pt.p),
		FilterSubject: bus.HitSubject(pt.p),
		AckPolicy:     jetstream.AckExplicitPolicy,
		// Hits wait for a checkpoint before they are acknowledged.
		AckWait:       2*c.Checkpoint + 30*time.Second,
		MaxAckPending: 1 << 20,
		MaxDeliver:    -1,
	})
	if err != nil {
		return fmt.Errorf("consumer %s: %w", consumerName(pt.p), err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	pt.cancel = cancel
	go pt.run(runCtx)
	return nil
}

// stopped reports whether the partition stopped by itself, on an error.
func (pt *partition) stopped() bool {
	select {
	case <-pt.done:
		return true
	default:
		return false
	}
}

// renew extends the partition's lease.
func (pt *partition) renew(ctx context.Context) error {
	rev, err := pt.c.Bus.Leases.Update(ctx, leaseKey(pt.p), []byte(pt.c.Node), pt.rev)
	if err != nil {
		return err
	}
	pt.rev = rev
	return nil
}

// stop stops the partition, after a checkpoint if keep is set (and it
// has not failed).
func (pt *partition) stop(keep bool) {
	pt.keep = keep && !pt.stopped()
	pt.cancel()
	<-pt.done
}

// run counts hits until ctx is done.
func (pt *partition) run(ctx context.Context) {
	defer close(pt.done)
	for ctx.Err() == nil {
		batch, err := pt.cons.Fetch(256, jetstream.FetchMaxWait(250*time.Millisecond))
		if err != nil {
			if ctx.Err() == nil {
				pt.c.Log.Warn("fetching hits", "partition", pt.p, "err", err)
				time.Sleep(time.Second)
			}
			continue
		}
		var fires []correlate.Fire
		for m := range batch.Messages() {
			fires = append(fires, pt.count(m)...)
		}
		fires = append(fires, pt.advance()...)
		if err := pt.emit(fires); err != nil {
			pt.c.Log.Error("storing correlation alerts", "partition", pt.p, "err", err)
			return // the hits since the last checkpoint are redelivered
		}
		if time.Since(pt.saved) >= pt.c.Checkpoint {
			pt.checkpoint()
		}
	}
	if pt.keep {
		pt.checkpoint()
	}
}

// count counts a hit and returns what fired.
func (pt *partition) count(m jetstream.Msg) []correlate.Fire {
	var h hitMsg
	if err := json.Unmarshal(m.Data(), &h); err != nil {
		pt.c.Log.Error("dropping an unreadable hit", "partition", pt.p, "err", err)
		m.Term()
		return nil
	}
	pt.pending = append(pt.pending, m)
	fires := pt.state.AddTo(h.Corr, h.hit())
	if l := pt.state.Latest(); l.After(pt.latest) {
		pt.latest, pt.seen = l, time.Now()
	}
	return fires
}

// advance moves the partition's clock on by the wall time since its
// latest event, so that the windows of a quiet stream close.
func (pt *partition) advance() []correlate.Fire {
	return pt.state.Advance(pt.latest.Add(time.Since(pt.seen)))
}

// emit stores the alerts of fires and routes them to the correlations
// that correlate them.
func (pt *partition) emit(fires []correlate.Fire) error {
	c := pt.c
	st := pt.state.Stats()
	c.Metrics.Late.Add(float64(st.Late - pt.late))
	c.Metrics.Evicted.Add(float64(st.Evicted - pt.evd))
	pt.late, pt.evd = st.Late, st.Evicted
	if len(fires) == 0 {
		return nil
	}
	var obs []store.Observation
	var hits []*nats.Msg
	now := time.Now()
	for _, f := range fires {
		if r := c.Rules.CorrRules[f.Corr.Ref()]; r != nil && !r.Silent {
			for _, m := range FireMatches(r, f) {
				obs = append(obs, observation(m, nil, now))
			}
		}
		h, err := c.Rules.hitMsgs(f.Hit(), now, c.Partitions)
		if err != nil {
			return err
		}
		hits = append(hits, h...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.store(ctx, obs); err != nil {
		return err
	}
	return c.Bus.Publish(ctx, hits)
}

// checkpoint saves the state and then acknowledges every hit it counts.
func (pt *partition) checkpoint() {
	pt.saved = time.Now()
	if len(pt.pending) == 0 {
		return
	}
	data, err := pt.state.Snapshot()
	if err != nil {
		pt.c.Log.Error("snapshot of a partition", "partition", pt.p, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pt.c.Store.SaveCheckpoint(ctx, checkpointName(pt.p), data); err != nil {
		pt.c.Metrics.StoreErrors.WithLabelValues("checkpoint").Inc()
		pt.c.Log.Error("checkpoint of a partition", "partition", pt.p, "err", err)
		return
	}
	for _, m := range pt.pending {
		m.Ack()
	}
	pt.pending = pt.pending[:0]
}
