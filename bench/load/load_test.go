package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

const exposition = `# HELP vigil_event_alert_latency_seconds From an event's arrival to its alert being stored.
# TYPE vigil_event_alert_latency_seconds histogram
vigil_event_alert_latency_seconds_bucket{le="0.1"} 10
vigil_event_alert_latency_seconds_bucket{le="0.5"} 60
vigil_event_alert_latency_seconds_bucket{le="1"} 90
vigil_event_alert_latency_seconds_bucket{le="+Inf"} 100
vigil_event_alert_latency_seconds_sum 42.5
vigil_event_alert_latency_seconds_count 100
vigil_consumer_pending{consumer="detect"} 7
vigil_consumer_pending{consumer="correlate-3"} 2
vigil_ingest_events_total{source="cloudtrail"} 1.5e+06
vigil_ingest_events_total{source="a \"quoted\", {odd} source"} 5 1700000000000
process_cpu_seconds_total 12.25
`

func TestParseMetrics(t *testing.T) {
	samples, err := parseMetrics(strings.NewReader(exposition))
	if err != nil {
		t.Fatal(err)
	}
	s := &scrape{samples: samples}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"vigil_consumer_pending", []string{"consumer", "detect"}, 7},
		{"vigil_consumer_pending", nil, 9},
		{"vigil_ingest_events_total", nil, 1_500_005},
		{"vigil_ingest_events_total", []string{"source", `a "quoted", {odd} source`}, 5},
		{"process_cpu_seconds_total", nil, 12.25},
		{"vigil_events_evaluated_total", nil, 0},
	} {
		if got := s.get(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if h := s.histogram("vigil_event_alert_latency_seconds"); len(h) != 4 || !math.IsInf(h[3].le, 1) || h[3].count != 100 {
		t.Errorf("histogram = %v", h)
	}
	if _, err := parseMetrics(strings.NewReader("x{a=\"b} 1\n")); err == nil {
		t.Error("an unterminated label value parsed")
	}
}

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	h := []bucket{{0.1, 10}, {0.5, 60}, {1, 90}, {inf, 100}}
	for _, c := range []struct{ q, want float64 }{
		{0.05, 0.05},   // half of the first bucket, from 0
		{0.1, 0.1},     // its top
		{0.5, 0.42},    // 40 of the 50 in (0.1, 0.5]
		{0.75, 0.75},   // 15 of the 30 in (0.5, 1]
		{0.99, 1},      // in +Inf: the highest finite bound
		{0.9, 1},       // exactly at the top of (0.5, 1]
		{0.001, 0.001}, // 0.1 of the 10 in (0, 0.1]
	} {
		if got := quantile(c.q, h); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := quantile(.5, []bucket{{1, 0}, {inf, 0}}); !math.IsNaN(got) {
		t.Errorf("no observations: %v, want NaN", got)
	}
	if got := quantile(.5, []bucket{{1, 3}}); !math.IsNaN(got) {
		t.Errorf("no +Inf bucket: %v, want NaN", got)
	}
	before := []bucket{{0.1, 5}, {0.5, 10}, {1, 10}, {inf, 10}}
	d := delta(before, h)
	if want := []bucket{{0.1, 5}, {0.5, 50}, {1, 80}, {inf, 90}}; !equalBuckets(d, want) {
		t.Errorf("delta = %v, want %v", d, want)
	}
}

func equalBuckets(a, b []bucket) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBodies checks that every body is a valid CloudTrail file of the
// templates' records, distinct from every other, with distinct eventIDs,
// and that compressed bodies hold the same.
func TestBodies(t *testing.T) {
	ts, err := newTemplates(1, 3, 20, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := &bodies{templates: ts, nonce: 0xdeadbeef}
	c := newCompressor()
	seen := map[string]bool{}
	ids := map[string]bool{}
	for n := range uint64(7) {
		body := bytes.Clone(b.body(n, c))
		if seen[string(body)] {
			t.Fatalf("body %d repeats an earlier one", n)
		}
		seen[string(body)] = true
		var file struct {
			Records []struct {
				EventID   string `json:"eventID"`
				EventName string `json:"eventName"`
			}
		}
		if err := json.Unmarshal(body, &file); err != nil {
			t.Fatalf("body %d: %v", n, err)
		}
		if len(file.Records) != 20 {
			t.Fatalf("body %d: %d records, want 20", n, len(file.Records))
		}
		for _, r := range file.Records {
			if len(r.EventID) != idLen || r.EventName == "" || ids[r.EventID] {
				t.Fatalf("body %d: eventID %q (name %q): malformed or repeated", n, r.EventID, r.EventName)
			}
			ids[r.EventID] = true
		}
	}
	if id := "deadbeef-0000-0000-0005-000000000013"; !ids[id] {
		t.Errorf("no eventID %s for record 19 of body 5", id)
	}

	b.gzip = true
	b.precompress(2)
	for n := range uint64(4) {
		z, err := gzip.NewReader(bytes.NewReader(b.body(n, c)))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if _, err := out.ReadFrom(z); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), b.plain(n, nil)) {
			t.Errorf("compressed body %d differs from the plain one", n)
		}
	}
}

func TestLoopback(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://127.0.0.1:8443", true},
		{"https://127.3.2.1:1", true},
		{"https://[::1]:8443", true},
		{"https://localhost:8443", true},
		{"https://10.0.0.1:8443", false},
		{"https://192.168.1.2:8443", false},
		{"https://example.com:8443", false},
		{"http://127.0.0.1:8443", false},
	} {
		o := options{url: c.url, token: "t", duration: time.Second, batch: 1, conns: 1}
		if _, err := checkOptions(&o); (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok %v", c.url, err, c.ok)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -50000: "-50,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
