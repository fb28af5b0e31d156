package correlate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/sigma"
)

// base are two detection rules for the correlations of the tests, on
// Kubernetes audit events: a failed and a successful login.
const base = `title: Failed login
id: 11111111-0000-4000-8000-000000000001
name: failed_login
logsource: {product: kubernetes, service: audit}
detection: {sel: {verb: fail}, condition: sel}
---
title: Successful login
id: 11111111-0000-4000-8000-000000000002
name: successful_login
logsource: {product: kubernetes, service: audit}
detection: {sel: {verb: login}, condition: sel}
`

func compile(t *testing.T, docs string) []*sigma.Correlation {
	t.Helper()
	var c sigma.Collection
	c.Add("c.yml", []byte(base+"---\n"+docs))
	c.Compile(nil)
	for _, p := range c.Problems {
		t.Fatal(p)
	}
	return c.Correlations
}

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// hit is an event of a rule at t0 plus minutes, with field values.
func hit(rule string, min float64, id string, kv ...string) Hit {
	h := Hit{Rule: rule, Time: t0.Add(time.Duration(min * float64(time.Minute))), EventID: id, Values: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Values[kv[i]] = kv[i+1]
	}
	return h
}

const failed, success = "11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002"

// run feeds hits in order, flushes, and returns each fire as
// "title group ids".
func run(e *Engine, hits ...Hit) []string {
	var out []string
	add := func(fs []Fire) {
		for _, f := range fs {
			var group []string
			for _, k := range f.Corr.GroupBy {
				group = append(group, k+"="+f.Group[k])
			}
			if f.Corr.Type == sigma.ValuePercentile {
				group = append(group, f.Corr.Field[0]+"="+f.Group[f.Corr.Field[0]])
			}
			out = append(out, fmt.Sprintf("%s %s %s", f.Corr.Title, strings.Join(group, ","), strings.Join(ids(f), ",")))
		}
	}
	for _, h := range hits {
		add(e.Add(h))
	}
	add(e.Flush())
	return out
}

func TestTypes(t *testing.T) {
	tests := []struct {
		name, corr string
		hits       []Hit
		want       []string
	}{
		{
			"event_count fires on the third, then needs three new",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 3}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "bob"), hit(failed, 2, "c", "user.username", "alice"),
				hit(failed, 3, "d", "user.username", "alice"), hit(failed, 4, "e", "user.username", "alice"), hit(failed, 5, "f", "user.username", "alice"),
				hit(failed, 6, "g", "user.username", "alice")},
			[]string{"C user.username=alice a,c,d", "C user.username=alice e,f,g"},
		},
		{
			"event_count: events outside the timespan do not count",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 3}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice"), hit(failed, 6, "b", "user.username", "alice"), hit(failed, 12, "c", "user.username", "alice")},
			nil,
		},
		{
			"event_count: out of order within the lateness bound",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 3}}",
			[]Hit{hit(failed, 2, "c", "user.username", "alice"), hit(failed, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "alice")},
			[]string{"C user.username=alice a,b,c"},
		},
		{
			"event_count: a repeated event counts once",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 2}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice"), hit(failed, 0, "a", "user.username", "alice")},
			nil,
		},
		{
			"event_count: no group-by field, no group",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 1}}",
			[]Hit{hit(failed, 0, "a")},
			nil,
		},
		{
			"event_count lt: judged when the window closes",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {lt: 2}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "bob"), hit(failed, 2, "c", "user.username", "bob")},
			[]string{"C user.username=alice a"},
		},
		{
			"event_count range",
			"title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gt: 1, lte: 2}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "bob"), hit(failed, 2, "c", "user.username", "bob")},
			[]string{"C user.username=bob b,c"},
		},
		{
			"value_count: distinct users from one address",
			"title: V\ncorrelation: {type: value_count, rules: [failed_login], group-by: [sourceIPs], timespan: 10m, condition: {field: user.username, gte: 3}}",
			[]Hit{hit(failed, 0, "a", "sourceIPs", "1.1.1.1", "user.username", "alice"), hit(failed, 1, "b", "sourceIPs", "1.1.1.1", "user.username", "alice"),
				hit(failed, 2, "c", "sourceIPs", "1.1.1.1", "user.username", "bob"), hit(failed, 3, "d", "sourceIPs", "1.1.1.1", "user.username", "carol")},
			[]string{"V sourceIPs=1.1.1.1 a,b,c,d"},
		},
		{
			"temporal: both rules, either order",
			"title: T\ncorrelation: {type: temporal, rules: [failed_login, successful_login], group-by: [user.username], timespan: 5m}",
			[]Hit{hit(success, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "alice"), hit(failed, 2, "c", "user.username", "bob")},
			[]string{"T user.username=alice a,b"},
		},
		{
			"temporal_ordered: in order only",
			"title: O\ncorrelation: {type: temporal_ordered, rules: [failed_login, successful_login], group-by: [user.username], timespan: 5m}",
			[]Hit{hit(success, 0, "a", "user.username", "alice"), hit(failed, 1, "b", "user.username", "alice"),
				hit(failed, 10, "c", "user.username", "bob"), hit(success, 11, "d", "user.username", "bob")},
			[]string{"O user.username=bob c,d"},
		},
		{
			"value_sum",
			"title: S\ncorrelation: {type: value_sum, rules: [failed_login], group-by: [user.username], timespan: 1h, condition: {field: bytes, gt: 1000}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice", "bytes", "600"), hit(failed, 1, "b", "user.username", "alice", "bytes", "300"),
				hit(failed, 2, "c", "user.username", "alice", "bytes", "200")},
			[]string{"S user.username=alice a,b,c"},
		},
		{
			"value_avg: judged when the window closes",
			"title: A\ncorrelation: {type: value_avg, rules: [failed_login], group-by: [user.username], timespan: 1h, condition: {field: bytes, gt: 500}}",
			[]Hit{hit(failed, 0, "a", "user.username", "alice", "bytes", "900"), hit(failed, 1, "b", "user.username", "alice", "bytes", "300"),
				hit(failed, 2, "c", "user.username", "bob", "bytes", "100")},
			[]string{"A user.username=alice a,b"},
		},
		{
			"value_percentile: a rare value",
			"title: P\ncorrelation: {type: value_percentile, rules: [failed_login], group-by: [host], timespan: 1h, condition: {field: image, lte: 10}}",
			append(func() []Hit {
				var hs []Hit
				for i := range 19 {
					hs = append(hs, hit(failed, float64(i), fmt.Sprint("n", i), "host", "h1", "image", "/usr/bin/ls"))
				}
				return hs
			}(), hit(failed, 30, "rare", "host", "h1", "image", "/tmp/x")),
			[]string{"P host=h1,image=/tmp/x rare"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(compile(t, tt.corr), 5*time.Minute, 1000)
			if got := run(e, tt.hits...); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestChained runs the example of the specification: many failed logins
// followed by a successful one.
func TestChained(t *testing.T) {
	corrs := compile(t, `title: Many failed logins followed by a success
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
correlation:
    type: temporal_ordered
    rules: [multiple_failed_login, successful_login]
    group-by: [user.username]
    timespan: 10m
level: high
---
title: Multiple failed logins
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [user.username]
    timespan: 10m
    condition: {gte: 3}
`)
	e := New(corrs, 5*time.Minute, 1000)
	got := run(e, hit(failed, 0, "f1", "user.username", "alice"), hit(failed, 1, "f2", "user.username", "alice"),
		hit(failed, 2, "f3", "user.username", "alice"), hit(success, 3, "s1", "user.username", "alice"),
		hit(success, 4, "s2", "user.username", "bob"))
	want := []string{
		"Multiple failed logins user.username=alice f1,f2,f3",
		"Many failed logins followed by a success user.username=alice f1,f2,f3,s1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if !e.Feeds(failed) || e.Feeds("nope") {
		t.Error("Feeds")
	}
}

func TestAliases(t *testing.T) {
	corrs := compile(t, `title: Same address, two roles
correlation:
    type: temporal
    rules: [failed_login, successful_login]
    group-by: [ip]
    timespan: 10s
    aliases:
        ip:
            failed_login: sourceIPs
            successful_login: requestObject.clientIP
`)
	e := New(corrs, time.Minute, 1000)
	if n := e.Needs(failed); !slices.Equal(n, []string{"sourceIPs"}) {
		t.Errorf("needs %v", n)
	}
	got := run(e, hit(failed, 0, "a", "sourceIPs", "10.0.0.1"), hit(success, 0.1, "b", "requestObject.clientIP", "10.0.0.1"))
	if len(got) != 1 || !strings.HasSuffix(got[0], "ip=10.0.0.1 a,b") {
		t.Errorf("got %q", got)
	}
}

func TestLateAndEvicted(t *testing.T) {
	corrs := compile(t, "title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 10m, condition: {gte: 2}}")
	e := New(corrs, 5*time.Minute, 2)
	run(e, hit(failed, 60, "new", "user.username", "a"), hit(failed, 30, "late", "user.username", "a"))
	if e.Stats().Late != 1 {
		t.Errorf("late %d", e.Stats().Late)
	}
	e = New(corrs, 5*time.Minute, 2)
	got := run(e, hit(failed, 0, "a1", "user.username", "a"), hit(failed, 1, "b1", "user.username", "b"),
		hit(failed, 2, "c1", "user.username", "c"), hit(failed, 3, "a2", "user.username", "a"), hit(failed, 4, "c2", "user.username", "c"))
	if e.Stats().Evicted != 2 || !slices.Equal(got, []string{"C user.username=c c1,c2"}) {
		t.Errorf("evicted %d, got %q", e.Stats().Evicted, got)
	}
}

// TestBounded checks that state does not outlive its windows.
func TestBounded(t *testing.T) {
	corrs := compile(t, "title: C\ncorrelation: {type: event_count, rules: [failed_login], group-by: [user.username], timespan: 1m, condition: {gte: 1000}}")
	e := New(corrs, time.Minute, 1_000_000)
	for i := range 10000 {
		e.Add(hit(failed, float64(i), fmt.Sprint(i), "user.username", fmt.Sprint("u", i)))
	}
	if n := len(e.corrs[0].groups); n > 5 {
		t.Errorf("%d groups kept for a 1m window at one event a minute", n)
	}
}

func ids(f Fire) []string {
	var out []string
	for _, e := range f.Events {
		out = append(out, e.ID)
	}
	return out
}
