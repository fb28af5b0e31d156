package respond

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"vigil/notify"
	"vigil/store"
)

// deliver sends the deliveries of one integration, oldest first, until
// ctx is done. Each integration has its own loop, so that a slow or dead
// receiver holds up only itself. After failures in a row, the loop waits
// longer and longer, as each delivery does, before trying the
// integration again; a success ends the wait, so that one notification
// the service keeps refusing does not hold back the others.
func (d *Dispatcher) deliver(ctx context.Context, receiver string, in notify.Integration) {
	failures := 0
	for ctx.Err() == nil {
		switch ok, found := d.deliverNext(ctx, receiver, in); {
		case !found:
			sleep(ctx, d.Tick)
		case ok:
			failures = 0
		default:
			failures++
			sleep(ctx, d.backoff(failures))
		}
	}
}

// deliverNext makes an attempt at the integration's next due delivery,
// if any. It reports whether there was one, and whether it arrived.
func (d *Dispatcher) deliverNext(ctx context.Context, receiver string, in notify.Integration) (ok, found bool) {
	lease := time.Duration(d.Delivery.Timeout) + 10*time.Second
	dl, err := d.Store.NextDelivery(ctx, receiver, in.String(), d.now(), lease)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, false
	case err != nil:
		if ctx.Err() == nil {
			d.Log.Error("respond: next delivery", "receiver", receiver, "integration", in.String(), "err", err)
		}
		return false, false
	}
	return d.send(ctx, receiver, in, dl), true
}

// send makes one attempt at a delivery and records its outcome. It
// reports whether the delivery arrived.
func (d *Dispatcher) send(ctx context.Context, receiver string, in notify.Integration, dl *store.Delivery) bool {
	name := in.String()
	var n notify.Notification
	err := json.Unmarshal(dl.Notification, &n)
	if err == nil {
		// A notification under way when vigil stops is let finish.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(d.Delivery.Timeout))
		err = in.Notify(sctx, &n)
		cancel()
	} else {
		err = notify.Permanent(err)
	}
	now := d.now()
	bg := context.WithoutCancel(ctx)
	if err == nil {
		d.Metrics.Notifications.WithLabelValues(receiver, name, "delivered").Inc()
		d.Metrics.Latency.WithLabelValues(receiver, name).Observe(now.Sub(dl.Created).Seconds())
		if err := d.Store.Delivered(bg, dl, now); err != nil {
			d.Log.Error("respond: record delivery", "delivery", dl.ID, "err", err)
		}
		return true
	}
	dead := notify.IsPermanent(err) || dl.Attempts >= d.Delivery.MaxAttempts
	wait := d.backoff(dl.Attempts)
	if ra, ok := notify.RetryAfter(err); ok && ra > wait {
		wait = ra
	}
	result := "failed"
	if dead {
		result, wait = "dead", 0
		d.Log.Error("respond: notification set aside as a dead letter", "delivery", dl.ID, "receiver", receiver,
			"integration", name, "attempts", dl.Attempts, "err", err)
	} else {
		d.Log.Warn("respond: notification failed; retrying", "delivery", dl.ID, "receiver", receiver, "integration", name,
			"attempts", dl.Attempts, "retry_in", wait.String(), "err", err)
	}
	d.Metrics.Notifications.WithLabelValues(receiver, name, result).Inc()
	if err := d.Store.DeliveryFailed(bg, dl, err.Error(), now, now.Add(wait), dead); err != nil {
		d.Log.Error("respond: record failed delivery", "delivery", dl.ID, "err", err)
	}
	return false
}

// backoff returns the wait after a failed attempt: MinBackoff doubled
// with each attempt up to MaxBackoff, less up to a fifth at random so
// that nodes and integrations do not retry in step.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	lo, hi := time.Duration(d.Delivery.MinBackoff), time.Duration(d.Delivery.MaxBackoff)
	w := lo
	for i := 1; i < attempts && w < hi; i++ {
		w *= 2
	}
	w = min(w, hi)
	return w - time.Duration(rand.Int64N(int64(w)/5+1))
}
