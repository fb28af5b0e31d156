package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/action"
	"vigil/alert"
	"vigil/config"
	"vigil/notify"
	"vigil/route"
	"vigil/rule"
	"vigil/store"
	"vigil/store/storetest"
)

// recorder is an integration that keeps what it is sent, and fails while
// fail says so.
type recorder struct {
	name     string
	resolved bool
	mu       sync.Mutex
	got      []notify.Notification
	fail     error
}

func (r *recorder) Notify(_ context.Context, n *notify.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, *n)
	return nil
}
func (r *recorder) SendResolved() bool { return r.resolved }
func (r *recorder) String() string     { return r.name }

func (r *recorder) take() []notify.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	r.fail = err
	r.mu.Unlock()
}

// executor is an action that records its runs.
type executor struct {
	mu   sync.Mutex
	runs []action.Request
	fail error
}

// Plan takes the key the first event names, as the IAM executors do.
func (e *executor) Plan(a *store.Alert, events [][]byte) (action.Request, error) {
	for _, ev := range events {
		var rec struct{ Key, EventID string }
		if json.Unmarshal(ev, &rec) == nil && rec.Key != "" {
			return action.Request{Type: "test", Params: map[string]string{"key": rec.Key, "event_id": rec.EventID}}, nil
		}
	}
	return action.Request{}, errors.New("the alert names no created access key")
}

func (e *executor) Run(_ context.Context, r action.Request) (action.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return action.Result{}, e.fail
	}
	e.runs = append(e.runs, r)
	return action.Result{Summary: "key " + r.Params["key"] + " deactivated"}, nil
}

// env is a dispatcher over a real store, on a clock the test moves.
type env struct {
	t     *testing.T
	db    *store.DB
	d     *Dispatcher
	clock time.Time
	recv  map[string]*recorder
	exec  *executor
	seq   int
}

const testTree = `
route:
  receiver: archive
  group_by: [rule]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 1h
  routes:
  - matchers: ['severity=~"critical|high"']
    receiver: pager
    group_wait: 0s
    continue: true
  - matchers: [severity="medium"]
    receiver: team
    continue: true
  - receiver: archive
receivers:
- name: pager
- name: team
- name: archive
inhibit_rules:
- source_matchers: [severity="critical"]
  target_matchers: [severity="high"]
  equal: [account]
`

func newEnv(t *testing.T, dsn, tree string, actions map[string]Action) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := loadAlerting(t, tree)
	e := &env{t: t, db: db, clock: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), exec: &executor{},
		recv: map[string]*recorder{
			"pager":   {name: "pagerduty[0]", resolved: true},
			"team":    {name: "slack[0]"},
			"archive": {name: "file[0]", resolved: true},
		}}
	receivers := map[string][]notify.Integration{}
	for name, r := range e.recv {
		receivers[name] = []notify.Integration{r}
	}
	for name, a := range actions {
		if a.Exec == nil {
			a.Exec = e.exec
		}
		a.Timeout = 5 * time.Second
		actions[name] = a
	}
	e.d = &Dispatcher{
		Store: db, Tree: route.New(c.Route), Inhibitor: route.NewInhibitor(c.InhibitRules),
		Intervals: timeinterval.NewIntervener(c.Intervals()), Receivers: receivers, Actions: actions,
		ExternalURL: "https://vigil.example.com:8443/",
		Delivery:    config.Delivery{MaxAttempts: 3, MinBackoff: config.Duration(time.Second), MaxBackoff: config.Duration(time.Minute), Timeout: config.Duration(5 * time.Second), Retention: config.Duration(24 * time.Hour)},
		Metrics:     NewMetrics(prometheus.NewRegistry()),
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	e.d.SetRules(map[string]*rule.Rule{"key-created": {ID: "key-created", Description: "A key was created.",
		Response: []string{"deactivate"}}})
	e.d.now = func() time.Time { return e.clock }
	e.d.init()
	return e
}

func loadAlerting(t *testing.T, tree string) config.Alerting {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vigil.yaml")
	var b strings.Builder
	b.WriteString("alerting:\n")
	for _, line := range strings.Split(strings.Trim(tree, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("response:\n  actions: [{name: deactivate, type: aws_iam_deactivate_access_key, mode: auto}]\n")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return c.Alerting
}

// fire records an event of a rule and returns its alert's id.
func (e *env) fire(ruleID string, sev rule.Severity, account string, entities map[string][]string) string {
	e.t.Helper()
	e.seq++
	ents := map[string][]string{"account": {account}}
	for k, v := range entities {
		ents[k] = v
	}
	dedup := "d-" + account
	id := fmt.Sprintf("ev-%d-%s", e.seq, account)
	key := ""
	if k := entities["created_access_key"]; len(k) > 0 {
		key = k[0]
	}
	changes, err := e.db.Record(context.Background(), []store.Observation{{
		Rule:    alert.RuleRef{ID: ruleID, Title: "Title of " + ruleID, Severity: sev, Tags: []string{"attack.t1"}},
		Dedup:   map[string]*string{"k": &dedup},
		EventID: id, Time: e.clock, Received: e.clock, Entities: ents,
		Event: []byte(fmt.Sprintf(`{"n":%d,"eventID":%q,"key":%q}`, e.seq, id, key)), Source: "cloudtrail",
	}})
	if err != nil || len(changes) != 1 {
		e.t.Fatalf("record: %v, %v", changes, err)
	}
	return changes[0].AlertID
}

// step routes, flushes, delivers and acts at the current time, and
// moves the clock on by d.
func (e *env) step(d time.Duration) {
	e.t.Helper()
	ctx := context.Background()
	for more := true; more; {
		var err error
		if more, err = e.d.routeQueued(ctx); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.d.flushDue(ctx); err != nil {
		e.t.Fatal(err)
	}
	for name, r := range e.recv {
		for {
			if _, found := e.d.deliverNext(ctx, name, r); !found {
				break
			}
		}
	}
	for name := range e.d.Actions {
		for e.d.actNext(ctx, name) {
		}
	}
	e.clock = e.clock.Add(d)
}

// got returns the alert ids of each notification a receiver was sent.
func (e *env) got(receiver string) []string {
	var out []string
	for _, n := range e.recv[receiver].take() {
		var ids []string
		for _, a := range n.Alerts {
			ids = append(ids, a.Status[:1]+":"+a.ID)
		}
		out = append(out, strings.Join(ids, ","))
	}
	return out
}

func (e *env) expect(receiver string, want ...string) {
	e.t.Helper()
	if got := e.got(receiver); !slices.Equal(sorted(got...), sorted(want...)) {
		e.t.Errorf("%s got %q, want %q", receiver, got, want)
	}
}

func TestTiers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, testTree, map[string]Action{})
		crit := e.fire("root-login", rule.Critical, "1", nil)
		med := e.fire("key-created", rule.Medium, "1", nil)
		low := e.fire("describe", rule.Low, "1", nil)
		e.step(10 * time.Second)     // t=0
		e.expect("pager", "f:"+crit) // group_wait 0s
		e.expect("team")
		e.expect("archive")
		e.step(50 * time.Second) // t=10s
		e.expect("pager")
		e.expect("team", "f:"+med) // group_wait 10s, from the root
		e.expect("archive", "f:"+crit, "f:"+med, "f:"+low)

		// A second alert of the same rule joins the pager's group and is
		// told with the first at the group's next flush (t=60s).
		crit2 := e.fire("root-login", rule.Critical, "2", nil)
		e.step(time.Hour + time.Minute) // t=60s
		e.expect("pager", sorted("f:"+crit, "f:"+crit2)[0]+","+sorted("f:"+crit, "f:"+crit2)[1])
		e.expect("team")

		// An hour later, the open alerts are repeated; the acknowledged
		// one is not.
		if _, err := e.db.SetStatus(context.Background(), med, store.Acknowledged, "on it", "ana"); err != nil {
			t.Fatal(err)
		}
		e.step(time.Minute)
		e.expect("pager", sorted("f:"+crit, "f:"+crit2)[0]+","+sorted("f:"+crit, "f:"+crit2)[1])
		e.expect("team")

		// Resolving tells the integrations that are told of resolutions;
		// the group then goes away.
		for _, id := range []string{crit, crit2} {
			if _, err := e.db.SetStatus(context.Background(), id, store.Resolved, "done", "ana"); err != nil {
				t.Fatal(err)
			}
		}
		e.step(time.Minute)
		got := e.got("pager")
		if len(got) != 1 || !strings.HasPrefix(got[0], "r:") || strings.Contains(got[0], "f:") {
			t.Errorf("pager got %q after resolution, want one notification of two resolved alerts", got)
		}
		e.step(time.Hour)
		e.expect("pager")
	})
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func TestNotificationContent(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{})
	id := e.fire("root-login", rule.Critical, "111122223333", map[string][]string{"principal": {"arn:aws:iam::111122223333:root"}})
	e.step(time.Second)
	ns := e.recv["pager"].take()
	if len(ns) != 1 || len(ns[0].Alerts) != 1 {
		t.Fatalf("notifications %+v", ns)
	}
	n, a := ns[0], ns[0].Alerts[0]
	switch {
	case n.Receiver != "pager" || n.Status != "firing" || n.ID == "" || n.GroupKey == "":
		t.Errorf("notification %+v", n)
	case n.GroupLabels["rule"] != "root-login" || n.CommonLabels["severity"] != "critical":
		t.Errorf("labels: group %v, common %v", n.GroupLabels, n.CommonLabels)
	case a.ID != id || a.URL != "https://vigil.example.com:8443/alerts/"+id:
		t.Errorf("alert %s at %q", a.ID, a.URL)
	case a.Rule.ID != "root-login" || a.Rule.Severity != "critical" || *a.Dedup["k"] != "d-111122223333":
		t.Errorf("alert %+v", a)
	case a.Entities["principal"][0] != "arn:aws:iam::111122223333:root" || a.Labels["account"] != "111122223333":
		t.Errorf("entities %v, labels %v", a.Entities, a.Labels)
	case a.Labels["source"] != "cloudtrail" || a.Labels["tags"] != "attack.t1" || a.Labels["alertname"] != "Title of root-login":
		t.Errorf("labels %v", a.Labels)
	}
}

func TestSilence(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{})
	ctx := context.Background()
	s, err := e.db.CreateSilence(ctx, store.Silence{Matchers: []string{`rule="root-login"`, `account="1"`},
		StartsAt: e.clock, EndsAt: e.clock.Add(time.Hour), CreatedBy: "ana", Comment: "break-glass drill", CreatedAt: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	silenced := e.fire("root-login", rule.Critical, "1", nil)
	other := e.fire("root-login", rule.Critical, "2", nil)
	e.step(2 * time.Minute)
	e.expect("pager", "f:"+other)
	if a, err := e.db.Alert(ctx, silenced); err != nil || a.Status != store.Open {
		t.Errorf("the silenced alert is not stored: %v, %v", a, err)
	}
	if _, err := e.db.ExpireSilence(ctx, s.ID, e.clock); err != nil {
		t.Fatal(err)
	}
	e.step(time.Minute)
	e.expect("pager", sorted("f:"+silenced, "f:"+other)[0]+","+sorted("f:"+silenced, "f:"+other)[1])
}

func TestInhibition(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{})
	e.fire("trail-stopped", rule.Critical, "1", nil)
	e.step(0)
	e.recv["pager"].take()
	e.fire("sg-open", rule.High, "1", nil)
	other := e.fire("sg-open", rule.High, "2", nil)
	e.step(time.Second)
	e.expect("pager", "f:"+other)
}

func TestRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, testTree, map[string]Action{})
		ctx := context.Background()
		pager := e.recv["pager"]
		pager.setFail(errors.New("connection refused"))
		id := e.fire("root-login", rule.Critical, "1", nil)
		e.step(0)
		ds, _, _ := e.db.Deliveries(ctx, store.DeliveryQuery{Receiver: "pager"})
		if len(ds) != 1 || ds[0].State != store.Pending || ds[0].Attempts != 1 || ds[0].LastError != "connection refused" {
			t.Fatalf("after a failure: %+v", ds)
		}
		e.step(2 * time.Second) // the backoffs are at most 1s, 2s
		e.step(3 * time.Second)
		e.step(time.Second)
		ds, _, _ = e.db.Deliveries(ctx, store.DeliveryQuery{Receiver: "pager"})
		if ds[0].State != store.Dead || ds[0].Attempts != 3 {
			t.Fatalf("after three failures: %+v", ds[0])
		}
		pager.setFail(nil)
		e.step(30 * time.Minute)
		e.expect("pager") // a dead letter waits to be re-driven
		if _, err := e.db.Redrive(ctx, ds[0].ID, e.clock); err != nil {
			t.Fatal(err)
		}
		e.step(time.Second)
		e.expect("pager", "f:"+id)
		if _, err := e.db.Redrive(ctx, ds[0].ID, e.clock); !errors.Is(err, store.ErrConflict) {
			t.Errorf("re-driving a delivered notification: %v", err)
		}

		// A permanent error sets the delivery aside at once.
		pager.setFail(notify.Permanent(errors.New("400 invalid routing key")))
		e.fire("root-login", rule.Critical, "3", nil)
		e.step(time.Minute)
		e.step(time.Minute)
		dead, _, _ := e.db.Deliveries(ctx, store.DeliveryQuery{Receiver: "pager", State: store.Dead})
		if len(dead) != 1 || dead[0].Attempts != 1 {
			t.Errorf("dead letters: %+v", dead)
		}
	})
}

func TestActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		for _, tt := range []struct {
			mode  string
			state store.ActionState
		}{{"auto", store.ActionSucceeded}, {"approve", store.ActionPending}, {"dry-run", store.ActionDryRun}} {
			e := newEnv(t, dsn, testTree, map[string]Action{"deactivate": {Type: "test", Mode: tt.mode, Limit: 2}})
			id := e.fire("key-created", rule.Medium, "m-"+tt.mode, map[string][]string{"created_access_key": {"AKIANEW"}})
			e.step(time.Second)
			// Routed again (a change of status), the alert calls for nothing new.
			if _, err := e.db.SetStatus(ctx, id, store.Acknowledged, "", "ana"); err != nil {
				t.Fatal(err)
			}
			e.step(time.Second)
			as, _, err := e.db.Actions(ctx, store.ActionQuery{AlertID: id})
			if err != nil || len(as) != 1 || as[0].State != tt.state {
				t.Fatalf("%s: actions %+v, %v", tt.mode, as, err)
			}
			if !strings.Contains(as[0].Request, "AKIANEW") {
				t.Errorf("%s: request %s", tt.mode, as[0].Request)
			}
			runs := len(e.exec.runs)
			if tt.mode == "auto" && runs != 1 || tt.mode != "auto" && runs != 0 {
				t.Errorf("%s: %d runs", tt.mode, runs)
			}
			if tt.mode != "approve" {
				continue
			}
			if _, err := e.db.Decide(ctx, as[0].ID, true, "ana", "confirmed with the owner", e.clock); err != nil {
				t.Fatal(err)
			}
			e.step(time.Second)
			a, _ := e.db.Action(ctx, as[0].ID)
			if a.State != store.ActionSucceeded || a.DecidedBy != "ana" || len(e.exec.runs) != 1 || !strings.Contains(a.Result, "deactivated") {
				t.Errorf("after approval: %+v, %d runs", a, len(e.exec.runs))
			}
			if _, err := e.db.Decide(ctx, as[0].ID, false, "bob", "", e.clock); !errors.Is(err, store.ErrConflict) {
				t.Errorf("deciding twice: %v", err)
			}
		}
	})
}

// TestRepeatedAttack: an attacker who re-enables the key vigil disabled
// adds an event to the same open alert, and is answered again.
func TestRepeatedAttack(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{"deactivate": {Type: "test", Mode: "auto", Limit: 10}})
	id := e.fire("key-created", rule.Medium, "1", map[string][]string{"created_access_key": {"AKIAAGAIN"}})
	e.step(time.Second)
	if again := e.fire("key-created", rule.Medium, "1", map[string][]string{"created_access_key": {"AKIAAGAIN"}}); again != id {
		t.Fatalf("the second event opened alert %s, not %s", again, id)
	}
	e.step(time.Second)
	if len(e.exec.runs) != 2 {
		t.Errorf("%d runs for two events of the key, want 2", len(e.exec.runs))
	}
}

// TestSilenceHoldsActions: a silence marks activity the team expects (a
// planned key rotation): automatic actions wait for approval.
func TestSilenceHoldsActions(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{"deactivate": {Type: "test", Mode: "auto", Limit: 10}})
	ctx := context.Background()
	s, err := e.db.CreateSilence(ctx, store.Silence{Matchers: []string{`rule="key-created"`}, StartsAt: e.clock,
		EndsAt: e.clock.Add(time.Hour), CreatedBy: "ana", Comment: "CHG-4711", CreatedAt: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	id := e.fire("key-created", rule.Medium, "1", map[string][]string{"created_access_key": {"AKIAROTATED"}})
	e.step(time.Second)
	as, _, _ := e.db.Actions(ctx, store.ActionQuery{AlertID: id})
	if len(as) != 1 || as[0].State != store.ActionPending || !strings.Contains(as[0].Reason, s.ID) || len(e.exec.runs) != 0 {
		t.Errorf("actions %+v, %d runs", as, len(e.exec.runs))
	}
}

// TestModeSwitch: switching an action to dry-run stops what it queued;
// closing an alert cancels what waits.
func TestModeSwitch(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{"deactivate": {Type: "test", Mode: "auto", Limit: 10}})
	ctx := context.Background()
	queued := e.fire("key-created", rule.Medium, "1", map[string][]string{"created_access_key": {"AKIAQUEUED"}})
	if _, err := e.d.routeQueued(ctx); err != nil {
		t.Fatal(err)
	}
	spec := e.d.Actions["deactivate"]
	spec.Mode = "dry-run"
	e.d.Actions["deactivate"] = spec
	e.step(time.Second)
	if as, _, _ := e.db.Actions(ctx, store.ActionQuery{AlertID: queued}); len(as) != 1 || as[0].State != store.ActionDryRun || len(e.exec.runs) != 0 {
		t.Errorf("after the switch to dry-run: %+v, %d runs", as, len(e.exec.runs))
	}
	spec.Mode = "approve"
	e.d.Actions["deactivate"] = spec
	waiting := e.fire("key-created", rule.Medium, "2", map[string][]string{"created_access_key": {"AKIAWAITING"}})
	e.step(time.Second)
	if _, err := e.db.SetStatus(ctx, waiting, store.FalsePositive, "a drill", "ana"); err != nil {
		t.Fatal(err)
	}
	e.step(time.Second)
	as, _, _ := e.db.Actions(ctx, store.ActionQuery{AlertID: waiting})
	if len(as) != 1 || as[0].State != store.ActionRejected || as[0].DecidedBy != "system" {
		t.Errorf("after the alert closed: %+v", as)
	}
}

func TestActionLimit(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{"deactivate": {Type: "test", Mode: "auto", Limit: 2}})
	ctx := context.Background()
	// Alerts that name no key come first: their failed plans must not
	// use up the limit.
	e.fire("key-created", rule.Medium, "nokey-1", nil)
	e.fire("key-created", rule.Medium, "nokey-2", nil)
	var ids []string
	for i := range 4 {
		ids = append(ids, e.fire("key-created", rule.Medium, fmt.Sprint(i), map[string][]string{"created_access_key": {"AKIA" + fmt.Sprint(i)}}))
	}
	e.step(time.Second)
	var states []string
	for _, id := range ids {
		as, _, _ := e.db.Actions(ctx, store.ActionQuery{AlertID: id})
		states = append(states, string(as[0].State))
	}
	if want := []string{"pending", "pending", "succeeded", "succeeded"}; !slices.Equal(sorted(states...), want) {
		t.Errorf("states %v, want %v", states, want)
	}
	failed, _, _ := e.db.Actions(ctx, store.ActionQuery{State: store.ActionFailed})
	if len(failed) != 2 || failed[0].Error != "the alert names no created access key" {
		t.Errorf("failed: %+v", failed)
	}
	// An hour later the limit allows automatic runs again.
	e.clock = e.clock.Add(time.Hour)
	e.fire("key-created", rule.Medium, "later", map[string][]string{"created_access_key": {"AKIALATER"}})
	e.step(time.Second)
	if len(e.exec.runs) != 3 {
		t.Errorf("%d runs, want 3", len(e.exec.runs))
	}
}

// reconfigure gives the dispatcher another routing tree, as a restart
// with a changed configuration does.
func (e *env) reconfigure(tree string) {
	c := loadAlerting(e.t, tree)
	d := &Dispatcher{Store: e.d.Store, Tree: route.New(c.Route), Inhibitor: route.NewInhibitor(c.InhibitRules),
		InhibitMaxAge: e.d.InhibitMaxAge, Intervals: timeinterval.NewIntervener(c.Intervals()), Receivers: e.d.Receivers,
		Actions: e.d.Actions, ExternalURL: e.d.ExternalURL, Delivery: e.d.Delivery, Metrics: e.d.Metrics, Log: e.d.Log}
	d.rules.Store(e.d.rules.Load())
	d.now = e.d.now
	d.init()
	e.d = d
}

func TestConfigChange(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{})
	med := e.fire("key-created", rule.Medium, "1", nil)
	e.step(5 * time.Second) // in group_wait
	// A route added before the others moves them all: their groups stay.
	e.reconfigure(strings.Replace(testTree, "  routes:\n", "  routes:\n  - matchers: [rule=\"never\"]\n    receiver: archive\n", 1))
	e.step(5 * time.Second)
	e.step(time.Second) // at group_wait
	e.expect("team", "f:"+med)
	e.expect("archive", "f:"+med)
	// The medium route now pages: the team's group is disbanded and its
	// alert routed again, to the pager.
	e.reconfigure(strings.Replace(testTree, "    receiver: team\n", "    receiver: pager\n", 1))
	e.step(time.Minute)
	e.step(10 * time.Second) // the old group is due, found without its route
	e.step(10 * time.Second) // the alert, routed again, waits group_wait
	e.step(0)
	e.expect("pager", "f:"+med)
	e.expect("team")
}

func TestOrder(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), testTree, map[string]Action{})
	ctx := context.Background()
	pager := e.recv["pager"]
	pager.setFail(errors.New("503 from PagerDuty"))
	id := e.fire("root-login", rule.Critical, "1", nil)
	e.step(time.Second) // the page fails
	if _, err := e.db.SetStatus(ctx, id, store.Resolved, "", "ana"); err != nil {
		t.Fatal(err)
	}
	e.step(time.Minute) // the resolution is made; it waits for the page
	if got := e.got("pager"); len(got) != 0 {
		t.Fatalf("pager got %v while down", got)
	}
	pager.setFail(nil)
	e.step(time.Minute)
	e.step(time.Minute)
	if got := e.got("pager"); !slices.Equal(got, []string{"f:" + id, "r:" + id}) {
		t.Errorf("pager got %v, want the page and then its resolution", got)
	}
}
