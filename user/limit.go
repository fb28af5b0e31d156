package user

import (
	"sync"
	"time"
)

// limiter limits what each key may do: a burst of attempts, then one
// every so often. It keeps, for each key, when its next attempt would be
// due if it took them at that pace (GCRA), so that it needs no timer.
type limiter struct {
	burst int
	every time.Duration

	mu  sync.Mutex
	due map[string]time.Time
}

// maxLimited bounds the keys a limiter keeps; beyond, those that are due
// are forgotten.
const maxLimited = 4096

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: burst, every: every, due: map[string]time.Time{}}
}

// allow reports whether the key may make an attempt at now, and counts
// it when it may.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	due := l.due[key]
	if due.Before(now) {
		due = now
	}
	if due.Sub(now) > time.Duration(l.burst-1)*l.every {
		return false
	}
	if len(l.due) >= maxLimited {
		l.forget(now)
	}
	l.due[key] = due.Add(l.every)
	return true
}

// forget drops the keys whose attempts are all due again at now.
func (l *limiter) forget(now time.Time) {
	for k, due := range l.due {
		if !due.After(now) {
			delete(l.due, k)
		}
	}
}
