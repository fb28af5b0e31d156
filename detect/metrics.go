package detect

import (
	"github.com/prometheus/client_golang/prometheus"

	"vigil/store"
)

// Metrics are what detection counts.
type Metrics struct {
	Evaluated   prometheus.Counter
	Malformed   prometheus.Counter
	Alerts      *prometheus.CounterVec // new alerts, by severity
	AlertEvents prometheus.Counter
	Latency     prometheus.Histogram
	StoreErrors *prometheus.CounterVec // by operation
	Pending     *prometheus.GaugeVec   // messages not yet processed, by consumer
	Late        prometheus.Counter
	Evicted     prometheus.Counter
	Owned       prometheus.Gauge
}

// NewMetrics returns detection's metrics, registered with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Evaluated: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_events_evaluated_total",
			Help: "Events run through the rules."}),
		Malformed: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_events_malformed_total",
			Help: "Events detection could not read."}),
		Alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_alerts_total",
			Help: "Alerts opened, by severity."}, []string{"severity"}),
		AlertEvents: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_alert_events_total",
			Help: "Events added to alerts."}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vigil_event_alert_latency_seconds",
			Help:    "From an event's arrival to its alert being stored.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_store_errors_total",
			Help: "Failed store operations, by operation."}, []string{"op"}),
		Pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vigil_consumer_pending",
			Help: "Messages waiting for or in processing, by consumer: the lag."}, []string{"consumer"}),
		Late: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_correlation_late_total",
			Help: "Hits too late for any open correlation window."}),
		Evicted: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_correlation_evicted_total",
			Help: "Correlation groups dropped at the cap on groups."}),
		Owned: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigil_partitions_owned",
			Help: "Correlation partitions this node owns."}),
	}
	reg.MustRegister(m.Evaluated, m.Malformed, m.Alerts, m.AlertEvents, m.Latency, m.StoreErrors, m.Pending, m.Late, m.Evicted, m.Owned)
	return m
}

// recorded counts what storing observations did; severity gives the
// severity of a rule by id.
func (m *Metrics) recorded(changes []store.Change, severity func(rule string) string) {
	for _, c := range changes {
		if c.New {
			m.Alerts.WithLabelValues(severity(c.Rule)).Inc()
		}
		m.AlertEvents.Add(float64(c.Events))
	}
}
