package respond

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/store"
)

// Metrics are the dispatcher's metrics.
type Metrics struct {
	// Notifications counts delivery attempts by receiver, integration
	// and result: delivered, failed (to be retried) or dead.
	Notifications *prometheus.CounterVec
	// Latency is how long after its notification was made a delivery
	// arrived.
	Latency *prometheus.HistogramVec
	// Actions counts actions by name and the state they reached.
	Actions *prometheus.CounterVec
}

// NewMetrics registers the dispatcher's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_notifications_total",
			Help: "Attempts to deliver notifications, by receiver, integration and result (delivered, failed, dead)."},
			[]string{"receiver", "integration", "result"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vigil_notification_latency_seconds",
			Help:    "From a notification's making to its delivery, retries included.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600}},
			[]string{"receiver", "integration"}),
		Actions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_actions_total",
			Help: "Response actions, by name and the state they reached (queued, pending, dry_run, succeeded, failed, rejected)."},
			[]string{"action", "state"}),
	}
	reg.MustRegister(m.Notifications, m.Latency, m.Actions)
	return m
}

// outbox reports how many deliveries are in each state, read from the
// store at each scrape, so that every node of a cluster reports the
// whole outbox.
type outbox struct {
	db   *store.DB
	desc *prometheus.Desc
}

// Outbox returns a collector of vigil_deliveries{receiver, integration,
// state}: the deliveries pending, delivered and dead.
func Outbox(db *store.DB) prometheus.Collector {
	return &outbox{db, prometheus.NewDesc("vigil_deliveries", "Notifications in the outbox, by receiver, integration and state (pending, delivered, dead).",
		[]string{"receiver", "integration", "state"}, nil)}
}

func (o *outbox) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

func (o *outbox) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	status, err := o.db.DeliveryStatus(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(o.desc, err)
		return
	}
	for _, s := range status {
		for _, st := range []store.DeliveryState{store.Pending, store.Delivered, store.Dead} {
			ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(s.Counts[st]), s.Receiver, s.Integration, string(st))
		}
	}
}
