package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"vigil/store"
)

// Activity counts the events each source takes in, per minute, and
// writes the counts to the store, where the console reads them for every
// node of a cluster.
type Activity struct {
	Store *store.DB
	Log   *slog.Logger
	mu    sync.Mutex
	held  map[activityKey]*store.SourceMinute
}

type activityKey struct {
	source string
	minute int64
}

// Add counts n events a source took in at t.
func (a *Activity) Add(source string, n int, t time.Time) {
	if a == nil || n == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.held == nil {
		a.held = map[activityKey]*store.SourceMinute{}
	}
	k := activityKey{source, t.Unix() / 60}
	m := a.held[k]
	if m == nil {
		m = &store.SourceMinute{Source: source, Minute: t.Truncate(time.Minute)}
		a.held[k] = m
	}
	m.Events += int64(n)
	if t.After(m.LastEvent) {
		m.LastEvent = t
	}
}

// activityRetention is how long the counts are kept.
const activityRetention = 7 * 24 * time.Hour

// Run writes the counts every interval until ctx is done, and once more
// then; it prunes those older than a week every hour.
func (a *Activity) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			a.flush(context.WithoutCancel(ctx))
			return nil
		case now := <-t.C:
			a.flush(ctx)
			if now.Sub(pruned) > time.Hour {
				if err := a.Store.PruneSourceMinutes(ctx, now.Add(-activityRetention)); err != nil {
					a.Log.Warn("pruning source counts", "err", err)
				}
				pruned = now
			}
		}
	}
}

// flush writes the counts held. Counts that cannot be written are kept
// for the next try: they only feed the console.
func (a *Activity) flush(ctx context.Context) {
	a.mu.Lock()
	held := a.held
	a.held = nil
	a.mu.Unlock()
	if len(held) == 0 {
		return
	}
	ms := make([]store.SourceMinute, 0, len(held))
	for _, m := range held {
		ms = append(ms, *m)
	}
	if err := a.Store.AddSourceMinutes(ctx, ms); err != nil {
		a.Log.Warn("writing source counts", "err", err)
		for _, m := range ms {
			a.Add(m.Source, int(m.Events), m.LastEvent)
		}
	}
}
