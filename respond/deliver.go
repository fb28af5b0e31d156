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
// receiver holds up only itself; after a failed attempt the loop waits
// out the backoff before trying the integration again.
func (d *Dispatcher) deliver(ctx context.Context, receiver string, in notify.Integration) {
	for ctx.Err() == nil {
		sleep(ctx, d.deliverNext(ctx, receiver, in))
	}
}

// deliverNext makes an attempt at the integration's next due delivery,
// if any, and returns how long to wait before looking again.
func (d *Dispatcher) deliverNext(ctx context.Context, receiver string, in notify.Integration) time.Duration {
	lease := time.Duration(d.Delivery.Timeout) + 10*time.Second
	dl, err := d.Store.NextDelivery(ctx, receiver, in.String(), d.now(), lease)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return d.Tick
	case err != nil:
		if ctx.Err() == nil {
			d.Log.Error("respond: next delivery", "receiver", receiver, "integration", in.String(), "err", err)
		}
		return d.Tick
	}
	return d.send(ctx, receiver, in, dl)
}

// send makes one attempt at a delivery and records its outcome. It
// returns how long to wait before the integration is tried again.
func (d *Dispatcher) send(ctx context.Context, receiver string, in notify.Integration, dl *store.Delivery) time.Duration {
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
		if err := d.Store.Delivered(bg, dl.ID, now); err != nil {
			d.Log.Error("respond: record delivery", "delivery", dl.ID, "err", err)
		}
		return 0
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
	if err := d.Store.DeliveryFailed(bg, dl.ID, err.Error(), now, now.Add(wait), dead); err != nil {
		d.Log.Error("respond: record failed delivery", "delivery", dl.ID, "err", err)
	}
	return wait
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
