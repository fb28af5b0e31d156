package ingest

import "github.com/prometheus/client_golang/prometheus"

// Metrics are what ingest counts.
type Metrics struct {
	Events   *prometheus.CounterVec // accepted, by source
	Rejected *prometheus.CounterVec // by source and reason
	Requests *prometheus.CounterVec // by endpoint and status code
	Files    *prometheus.CounterVec // files read by directory inputs, by input and state
}

// NewMetrics returns ingest's metrics, registered with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_ingest_events_total",
			Help: "Events accepted and stored on the bus, by source."}, []string{"source"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_ingest_rejected_total",
			Help: "Events and requests refused, by source and reason."}, []string{"source", "reason"}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_ingest_requests_total",
			Help: "Ingest requests, by endpoint and status code."}, []string{"endpoint", "code"}),
		Files: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_input_files_total",
			Help: "Files read by directory inputs, by input and outcome (done, partial, corrupt)."}, []string{"input", "state"}),
	}
	reg.MustRegister(m.Events, m.Rejected, m.Requests, m.Files)
	return m
}

func (m *Metrics) accepted(source string, n int) { m.Events.WithLabelValues(source).Add(float64(n)) }

func (m *Metrics) reject(source, reason string) { m.Rejected.WithLabelValues(source, reason).Inc() }
