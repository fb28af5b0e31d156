package detect

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/bus"
	"vigil/pattern"
	"vigil/rule"
	"vigil/sigma"
	"vigil/store"
)

// rules are a pattern rule on IAM user creation, and a Sigma correlation
// of three failed console logins of a user, all on CloudTrail.
const sigmaRules = `title: Failed console login
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}
    condition: sel
---
title: Password guessing
id: 3c0e1d7a-0000-4000-8000-000000000001
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [userIdentity.userName]
    timespan: 10m
    condition: {gte: 3}
level: high
`

func testRules(t *testing.T) *Rules {
	t.Helper()
	var c sigma.Collection
	c.Add("r.yml", []byte(sigmaRules))
	c.Compile(nil)
	if len(c.Problems) > 0 {
		t.Fatal(c.Problems)
	}
	p, err := pattern.Parse([]byte(`{"detail":{"eventName":["CreateUser"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	rules := []*rule.Rule{{ID: "create-user", Title: "User created", Severity: rule.High, Pattern: p, Dedup: []string{"detail.userIdentity.arn"}}}
	for _, r := range c.Rules {
		rules = append(rules, rule.FromSigma(r))
	}
	r, err := Compile(rules, c.Correlations, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func record(id, name, user string, minute int, failed bool) []byte {
	resp := `"responseElements":null`
	if name == "ConsoleLogin" {
		resp = `"responseElements":{"ConsoleLogin":"Success"}`
		if failed {
			resp = `"responseElements":{"ConsoleLogin":"Failure"}`
		}
	}
	return []byte(fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","userName":%q},"eventTime":"2026-11-20T09:%02d:00Z","eventSource":"signin.amazonaws.com","eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7",%s,"eventID":%q,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
		user, user, minute, name, resp, id))
}

// env is a node's worth of detection on an embedded bus and SQLite.
type env struct {
	t     *testing.T
	bus   *bus.Bus
	db    *store.DB
	rules *Rules
	deps  Deps
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{Dir: t.TempDir(), Name: "t", MaxBytes: 64 << 20, Duplicates: time.Minute, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	db, err := store.OpenDB(ctx, filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, bus: b, db: db, rules: testRules(t)}
	e.deps = Deps{Bus: b, Store: db, Rules: e.rules, Metrics: NewMetrics(prometheus.NewRegistry()),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

// send publishes events in one batch.
func (e *env) send(id string, events ...[]byte) {
	e.t.Helper()
	b := &bus.Batch{Source: "cloudtrail", ID: id, Received: time.Now(), Events: events}
	if err := e.bus.Publish(context.Background(), []*nats.Msg{b.Msg()}); err != nil {
		e.t.Fatal(err)
	}
}

// start runs a goroutine until the test ends or stop is called.
func start(t *testing.T, run func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := run(ctx); err != nil {
			t.Error(err)
		}
	})
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls the alerts until cond holds of them.
func (e *env) waitFor(what string, cond func([]store.Alert) bool) []store.Alert {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		alerts, _, err := e.db.Alerts(context.Background(), store.Query{Limit: store.MaxPage})
		if err != nil {
			e.t.Fatal(err)
		}
		if cond(alerts) {
			return alerts
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waiting for %s: alerts %+v", what, alerts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func byRule(alerts []store.Alert, id string) []store.Alert {
	var out []store.Alert
	for _, a := range alerts {
		if a.Rule.ID == id {
			out = append(out, a)
		}
	}
	return out
}

// TestDetector checks that batches on the bus become alerts, and that a
// batch sent again, or its events in another batch, adds nothing.
func TestDetector(t *testing.T) {
	e := newEnv(t)
	start(t, (&Detector{Deps: e.deps, Workers: 2, Partitions: 4}).Run)
	e.send("b1", record("e1", "CreateUser", "mallory", 1, false), record("e2", "GetUser", "mallory", 2, false),
		record("e3", "CreateUser", "mallory", 3, false))
	e.send("b1", record("e1", "CreateUser", "mallory", 1, false)) // the same batch id: stored once by the bus
	e.send("b2", record("e3", "CreateUser", "mallory", 3, false), record("e4", "CreateUser", "trent", 4, false))
	alerts := e.waitFor("two alerts", func(a []store.Alert) bool { return len(byRule(a, "create-user")) == 2 })
	time.Sleep(500 * time.Millisecond) // anything more would show now
	alerts = e.waitFor("two alerts", func(a []store.Alert) bool { return len(byRule(a, "create-user")) == 2 })
	counts := map[string]int{}
	for _, a := range byRule(alerts, "create-user") {
		counts[*a.Dedup["detail.userIdentity.arn"]] = a.Count
	}
	if counts["arn:aws:iam::111122223333:user/mallory"] != 2 || counts["arn:aws:iam::111122223333:user/trent"] != 1 {
		t.Errorf("counts %v", counts)
	}
}

// TestCorrelatorHandover runs a correlation whose events straddle one
// node handing its partitions to another: the window survives.
func TestCorrelatorHandover(t *testing.T) {
	e := newEnv(t)
	start(t, (&Detector{Deps: e.deps, Workers: 1, Partitions: 4}).Run)
	a := &Correlator{Deps: e.deps, Node: "a", Partitions: 4, Checkpoint: time.Second}
	stopA := start(t, a.Run)
	e.send("b1", record("f1", "ConsoleLogin", "treasury-ops", 1, true), record("f2", "ConsoleLogin", "treasury-ops", 2, true),
		record("f9", "ConsoleLogin", "alice", 2, true))
	e.waitFor("the hits counted", func([]store.Alert) bool {
		info, err := e.bus.JS.Stream(context.Background(), bus.HitStream)
		return err == nil && info.CachedInfo().State.Msgs == 0 && a.ownedCount() == 4
	})
	stopA() // checkpoints and lets go
	start(t, (&Correlator{Deps: e.deps, Node: "b", Partitions: 4, Checkpoint: time.Second}).Run)
	e.send("b2", record("f3", "ConsoleLogin", "treasury-ops", 3, true))
	alerts := e.waitFor("the correlation", func(a []store.Alert) bool {
		return len(byRule(a, "3c0e1d7a-0000-4000-8000-000000000001")) == 1
	})
	got := byRule(alerts, "3c0e1d7a-0000-4000-8000-000000000001")[0]
	al, err := e.db.Alert(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids := al.EventIDs; !slices.Equal(ids, []string{"f1", "f2", "f3"}) || *al.Dedup["userIdentity.userName"] != "treasury-ops" {
		t.Errorf("alert %+v", al)
	}
	if len(byRule(alerts, "failed_login")) != 0 {
		t.Error("the rule that feeds the correlation alerted")
	}
}

func (c *Correlator) ownedCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.owned)
}

// TestOwner checks that partitions spread over members, and that a
// member joining takes partitions only from others, never moving the
// rest.
func TestOwner(t *testing.T) {
	two, three := map[string]int{}, map[string]int{}
	moved := 0
	for p := range 256 {
		o2 := owner(p, []string{"a", "b"})
		o3 := owner(p, []string{"a", "b", "c"})
		two[o2]++
		three[o3]++
		if o2 != o3 {
			moved++
			if o3 != "c" {
				t.Errorf("partition %d moved from %s to %s", p, o2, o3)
			}
		}
	}
	if two["a"] < 90 || two["b"] < 90 || three["c"] < 50 {
		t.Errorf("uneven: %v, %v", two, three)
	}
	if owner(7, []string{"b", "a"}) != owner(7, []string{"a", "b"}) {
		t.Error("the order of members matters")
	}
}
