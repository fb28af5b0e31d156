package correlate

import (
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"
)

// chained are correlations of which one correlates the other, grouped on
// different fields: their groups may live in different partitions.
const chained = `title: Password spraying then a login
id: 22222222-0000-4000-8000-000000000001
correlation:
    type: temporal
    rules: [spraying, successful_login]
    group-by: [source.ip]
    timespan: 30m
    aliases:
        source.ip:
            spraying: sourceIPs
            successful_login: sourceIPs
---
title: Spraying from an address
id: 22222222-0000-4000-8000-000000000002
name: spraying
correlation:
    type: value_count
    rules: [failed_login]
    group-by: [sourceIPs]
    timespan: 10m
    condition: {field: user.username, gte: 3}
---
title: Many failures of a user
id: 22222222-0000-4000-8000-000000000003
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [user.username]
    timespan: 10m
    condition: {gte: 2}
`

func streamHits() []Hit {
	var hits []Hit
	users := []string{"alice", "bob", "carol", "dave"}
	for i := range 40 {
		ip := []string{"198.51.100.7", "203.0.113.9", "192.0.2.1"}[i%3]
		hits = append(hits, hit(failed, float64(i)/4, "f"+string(rune('A'+i)), "user.username", users[i%4], "sourceIPs", ip))
	}
	hits = append(hits, hit(success, 11, "s1", "user.username", "alice", "sourceIPs", "198.51.100.7"))
	return hits
}

// partitioned runs hits over n engines, each hit and fire going to the
// engine of its correlation and group, and restarting every engine from
// a snapshot halfway, as a node taking over a partition would.
func partitioned(t *testing.T, n int, hits []Hit) []string {
	corrs := compile(t, chained)
	engines := make([]*Engine, n)
	for i := range engines {
		engines[i] = New(corrs, 5*time.Minute, 1000)
	}
	part := func(r Route) int {
		h := fnv.New32a()
		h.Write([]byte(r.Corr + "\x00" + r.Group))
		return int(h.Sum32() % uint32(n))
	}
	var out []string
	var send func(h Hit)
	deliver := func(fs []Fire) {
		for _, f := range fs {
			out = append(out, describe(f))
			send(f.Hit())
		}
	}
	send = func(h Hit) {
		for _, r := range engines[0].Routes(h) {
			deliver(engines[part(r)].AddTo(r.Corr, h))
		}
	}
	for i, h := range hits {
		if i == len(hits)/2 {
			for k, e := range engines {
				snap, err := e.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				engines[k] = New(corrs, 5*time.Minute, 1000)
				if err := engines[k].Restore(snap); err != nil {
					t.Fatal(err)
				}
			}
		}
		send(h)
	}
	for _, e := range engines {
		deliver(e.Advance(t0.Add(24 * time.Hour)))
	}
	slices.Sort(out)
	return out
}

func describe(f Fire) string {
	s := f.Corr.Title
	for _, k := range f.Corr.GroupBy {
		s += " " + f.Group[k]
	}
	for _, e := range f.Events {
		s += " " + e.ID
	}
	return s
}

// TestPartitioned checks that correlations spread over partitions, with
// restarts from snapshots, fire as one engine does.
func TestPartitioned(t *testing.T) {
	hits := streamHits()
	e := New(compile(t, chained), 5*time.Minute, 1000)
	var want []string
	for _, h := range hits {
		for _, f := range e.Add(h) {
			want = append(want, describe(f))
		}
	}
	for _, f := range e.Flush() {
		want = append(want, describe(f))
	}
	slices.Sort(want)
	if !slices.ContainsFunc(want, func(s string) bool { return strings.HasPrefix(s, "Password spraying then a login 198.51.100.7 ") }) {
		t.Fatalf("the scenario fires too little: %q", want)
	}
	for _, n := range []int{1, 3, 8} {
		if got := partitioned(t, n, hits); !slices.Equal(got, want) {
			t.Errorf("%d partitions:\ngot  %q\nwant %q", n, got, want)
		}
	}
}

func TestRestoreErrors(t *testing.T) {
	e := New(compile(t, chained), time.Minute, 10)
	for _, data := range []string{`nope`, `{"version":2}`} {
		if err := e.Restore([]byte(data)); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
}
