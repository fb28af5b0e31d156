package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sample is one series' value in a Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape is what /metrics said at a time.
type scrape struct {
	at      time.Time
	samples []sample
}

// parseMetrics reads the Prometheus text format: comments are skipped,
// every other line is a name, optional labels, a value and an optional
// timestamp.
func parseMetrics(r io.Reader) ([]sample, error) {
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		x, err := parseSample(s)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %v", line, err)
		}
		out = append(out, x)
	}
	return out, sc.Err()
}

func parseSample(s string) (sample, error) {
	x := sample{labels: map[string]string{}}
	i := strings.IndexAny(s, "{ \t")
	if i <= 0 {
		return x, fmt.Errorf("no value in %q", s)
	}
	x.name, s = s[:i], s[i:]
	if s[0] == '{' {
		s = s[1:]
		for {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				return x, fmt.Errorf("unterminated labels of %s", x.name)
			}
			if s[0] == '}' {
				s = s[1:]
				break
			}
			eq := strings.IndexByte(s, '=')
			if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
				return x, fmt.Errorf("bad label in %s", x.name)
			}
			key := strings.TrimSpace(s[:eq])
			s = s[eq+2:]
			var v strings.Builder
			closed := false
			for j := 0; j < len(s); j++ {
				c := s[j]
				if c == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						v.WriteByte('\n')
					default:
						v.WriteByte(s[j])
					}
					continue
				}
				if c == '"' {
					s, closed = s[j+1:], true
					break
				}
				v.WriteByte(c)
			}
			if !closed {
				return x, fmt.Errorf("unterminated label value in %s", x.name)
			}
			x.labels[key] = v.String()
		}
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return x, fmt.Errorf("no value for %s", x.name)
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return x, fmt.Errorf("value of %s: %v", x.name, err)
	}
	x.value = v
	return x, nil
}

// sum returns the sum of the series of a name whose labels include
// those given as pairs, and whether there was any.
func (s *scrape) sum(name string, labels ...string) (float64, bool) {
	total, found := 0.0, false
next:
	for _, x := range s.samples {
		if x.name != name {
			continue
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if x.labels[labels[i]] != labels[i+1] {
				continue next
			}
		}
		total += x.value
		found = true
	}
	return total, found
}

// get returns sum's total alone: 0 for a series not exposed yet (the
// counters of a vector appear on their first increment).
func (s *scrape) get(name string, labels ...string) float64 {
	v, _ := s.sum(name, labels...)
	return v
}

// bucket is a cumulative histogram bucket: count observations at most le.
type bucket struct {
	le    float64
	count float64
}

// histogram returns the cumulative buckets of a histogram, by bound.
func (s *scrape) histogram(name string) []bucket {
	var out []bucket
	for _, x := range s.samples {
		if x.name != name+"_bucket" {
			continue
		}
		le, err := strconv.ParseFloat(x.labels["le"], 64)
		if err != nil {
			continue
		}
		out = append(out, bucket{le, x.value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].le < out[j].le })
	return out
}

// delta returns the buckets of after less those of before: the
// observations made between two scrapes.
func delta(before, after []bucket) []bucket {
	prev := map[float64]float64{}
	for _, b := range before {
		prev[b.le] = b.count
	}
	out := make([]bucket, len(after))
	for i, b := range after {
		out[i] = bucket{b.le, b.count - prev[b.le]}
	}
	return out
}

// quantile returns the q-quantile of cumulative buckets as Prometheus's
// histogram_quantile computes it: the bucket holding the rank is found and
// the value interpolated linearly within it, from 0 for the first bucket;
// a rank in the +Inf bucket gives the highest finite bound. It returns NaN
// when there are no observations.
func quantile(q float64, buckets []bucket) float64 {
	if len(buckets) < 2 || !math.IsInf(buckets[len(buckets)-1].le, 1) {
		return math.NaN()
	}
	// Counts may go down between buckets only through scraping races:
	// make them monotonic, as Prometheus does.
	bs := append([]bucket(nil), buckets...)
	for i := 1; i < len(bs); i++ {
		bs[i].count = max(bs[i].count, bs[i-1].count)
	}
	total := bs[len(bs)-1].count
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	b := sort.Search(len(bs)-1, func(i int) bool { return bs[i].count >= rank })
	if b == len(bs)-1 {
		return bs[len(bs)-2].le
	}
	if b == 0 && bs[0].le <= 0 {
		return bs[0].le
	}
	start, end, count := 0.0, bs[b].le, bs[b].count
	if b > 0 {
		start = bs[b-1].le
		count -= bs[b-1].count
		rank -= bs[b-1].count
	}
	return start + (end-start)*(rank/count)
}
