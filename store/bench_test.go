package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/store/storetest"
)

// BenchmarkRecord records batches of 500 observations over 50 rules and
// dedup values (5 rules, 10 users), each naming three entities and a
// field, with 600 bytes of event JSON; every event is new.
func BenchmarkRecord(b *testing.B) {
	for _, backend := range []struct {
		name string
		url  func(testing.TB) string
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(backend.name, func(b *testing.B) {
			db := openDB(b, backend.url(b))
			const batch = 500
			body := []byte(`{"detail":{"eventName":"CreateAccessKey","padding":"` + strings.Repeat("x", 550) + `"}}`)
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				obs := make([]Observation, batch)
				for i := range obs {
					obs[i] = benchObservation(n, body)
					n++
				}
				if _, err := db.Record(b.Context(), obs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "obs/s")
		})
	}
}

// benchObservation returns the nth observation of the benchmark.
func benchObservation(n int, body []byte) Observation {
	user := fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", n%10)
	o := ob(fmt.Sprintf("rule-%d", n/10%5), fmt.Sprintf("event-%09d", n), &user, n%3600)
	o.Received = t0.Add(time.Duration(n) * time.Millisecond)
	o.Event = body
	o.Entities = map[string][]string{
		"principal":  {user},
		"source_ip":  {fmt.Sprintf("203.0.113.%d", n%50)},
		"access_key": {fmt.Sprintf("AKIA%012d", n%200)},
	}
	o.Fields = map[string][]string{"eventName": {"CreateAccessKey"}}
	return o
}
