package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/store/storetest"
)

func TestQueue(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		changes, err := db.Record(ctx, []Observation{ob("r1", "e1", nil, 0)})
		if err != nil {
			t.Fatal(err)
		}
		qs, err := db.Queued(ctx, 10)
		if err != nil || len(qs) != 1 || qs[0].AlertID != changes[0].AlertID {
			t.Fatalf("queued after recording: %+v, %v", qs, err)
		}
		// A change while the first is being routed stays queued.
		if _, err := db.SetStatus(ctx, qs[0].AlertID, Acknowledged, "", "ana"); err != nil {
			t.Fatal(err)
		}
		if err := db.Dequeue(ctx, qs); err != nil {
			t.Fatal(err)
		}
		again, err := db.Queued(ctx, 10)
		if err != nil || len(again) != 1 || again[0].Version != qs[0].Version+1 {
			t.Fatalf("queued after a change: %+v, %v", again, err)
		}
		if err := db.Dequeue(ctx, again); err != nil {
			t.Fatal(err)
		}
		if qs, _ := db.Queued(ctx, 10); len(qs) != 0 {
			t.Errorf("still queued: %+v", qs)
		}
	})
}

func TestGroups(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		g := Group{ID: "g1", Route: "{}/0", Key: `{}:{rule="r1"}`, Receiver: "pager", Labels: map[string]string{"rule": "r1"},
			NextFlush: t0.Add(10 * time.Second), Created: t0}
		for _, a := range []string{"a1", "a2", "a1"} {
			g.NextFlush = g.NextFlush.Add(time.Minute) // joining an existing group keeps its time
			if err := db.JoinGroup(ctx, g, a); err != nil {
				t.Fatal(err)
			}
		}
		if due, _ := db.DueGroups(ctx, t0.Add(time.Minute), 10); len(due) != 0 {
			t.Fatalf("due early: %+v", due)
		}
		due, err := db.DueGroups(ctx, t0.Add(time.Minute+10*time.Second), 10)
		if err != nil || len(due) != 1 || len(due[0].Alerts) != 2 || due[0].Labels["rule"] != "r1" {
			t.Fatalf("due: %+v, %v", due, err)
		}
		f := Flush{Group: "g1", Was: due[0].NextFlush, Next: t0.Add(2 * time.Minute), At: t0.Add(time.Minute),
			Log:        map[string]LogEntry{"slack[0]": {Firing: []string{"a1", "a2"}, At: t0.Add(time.Minute)}},
			Deliveries: []Delivery{{ID: NewDeliveryID(t0), Receiver: "pager", Integration: "slack[0]", GroupKey: g.Key, Status: "firing", Alerts: 2, Notification: []byte(`{}`), NextAttempt: t0, Created: t0}},
			Remove:     []string{"a2"}}
		if ok, err := db.Flush(ctx, f); !ok || err != nil {
			t.Fatalf("flush: %v, %v", ok, err)
		}
		// A second flush of the same due time, from another node, does
		// nothing.
		f.Deliveries[0].ID = NewDeliveryID(t0.Add(time.Second))
		if ok, err := db.Flush(ctx, f); ok || err != nil {
			t.Fatalf("second flush: %v, %v", ok, err)
		}
		if ds, _, _ := db.Deliveries(ctx, DeliveryQuery{}); len(ds) != 1 {
			t.Errorf("%d deliveries, want 1", len(ds))
		}
		due, _ = db.DueGroups(ctx, t0.Add(time.Hour), 10)
		if len(due) != 1 || len(due[0].Alerts) != 1 || due[0].Log["slack[0]"].Firing[1] != "a2" {
			t.Fatalf("after the flush: %+v", due)
		}
		// An alert joins after the group was read for its flush: the flush
		// that removes the last alert it saw leaves the group to the new one.
		if err := db.JoinGroup(ctx, g, "a3"); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.Flush(ctx, Flush{Group: "g1", Was: due[0].NextFlush, Next: t0.Add(time.Hour), At: t0, Remove: []string{"a1"}}); !ok || err != nil {
			t.Fatal(ok, err)
		}
		due, _ = db.DueGroups(ctx, t0.Add(24*time.Hour), 10)
		if len(due) != 1 || !slices.Equal(due[0].Alerts, []string{"a3"}) {
			t.Fatalf("the alert that joined during the flush: %+v", due)
		}
		// Once empty, the group goes; disbanding queues its alerts again.
		if err := db.DisbandGroup(ctx, due[0], t0); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueGroups(ctx, t0.Add(24*time.Hour), 10); len(due) != 0 {
			t.Errorf("disbanded group still due: %+v", due)
		}
		if qs, _ := db.Queued(ctx, 10); len(qs) != 1 || qs[0].AlertID != "a3" {
			t.Errorf("queued after disbanding: %+v", qs)
		}
	})
}

func TestDeliveries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		f := Flush{Group: "g", Was: t0, Next: t0, At: t0}
		if err := db.JoinGroup(ctx, Group{ID: "g", Labels: map[string]string{}, NextFlush: t0, Created: t0}, "a"); err != nil {
			t.Fatal(err)
		}
		for i, group := range []string{"g-a", "g-b", "g-a"} {
			f.Deliveries = append(f.Deliveries, Delivery{ID: NewDeliveryID(t0.Add(time.Duration(i) * time.Millisecond)), Receiver: "team",
				Integration: "webhook[0]", GroupKey: group, Status: "firing", Alerts: 1, Notification: []byte(`{"n":1}`), NextAttempt: t0, Created: t0})
		}
		if _, err := db.Flush(ctx, f); err != nil {
			t.Fatal(err)
		}
		d, err := db.NextDelivery(ctx, "team", "webhook[0]", t0, time.Minute)
		if err != nil || d.ID != f.Deliveries[0].ID || d.Attempts != 1 || string(d.Notification) != `{"n":1}` {
			t.Fatalf("first claim: %+v, %v", d, err)
		}
		// The claimed one is leased: the next claim takes the other group's,
		// while the later one of the first group waits for it.
		d2, err := db.NextDelivery(ctx, "team", "webhook[0]", t0, time.Minute)
		if err != nil || d2.ID != f.Deliveries[1].ID {
			t.Fatalf("second claim: %+v, %v", d2, err)
		}
		if _, err := db.NextDelivery(ctx, "team", "webhook[0]", t0.Add(30*time.Second), time.Minute); !errors.Is(err, ErrNotFound) {
			t.Fatalf("third claim: %v", err)
		}
		// A node that died while sending: the lease runs out.
		d3, err := db.NextDelivery(ctx, "team", "webhook[0]", t0.Add(2*time.Minute), time.Minute)
		if err != nil || d3.ID != d.ID || d3.Attempts != 2 {
			t.Fatalf("after the lease: %+v, %v", d3, err)
		}
		// The first node, back after its lease, cannot undo the outcome of
		// the node that took over.
		if err := db.Delivered(ctx, d3, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.DeliveryFailed(ctx, d, "late", t0.Add(3*time.Minute), t0.Add(3*time.Minute), false); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Delivery(ctx, d.ID); got.State != Delivered || got.LastError != "" {
			t.Fatalf("a stale claim changed the delivery: %+v", got)
		}
		if err := db.DeliveryFailed(ctx, d2, "503 from webhook", t0, t0, true); err != nil {
			t.Fatal(err)
		}
		// The third, of the first group, goes now that the first went.
		d4, err := db.NextDelivery(ctx, "team", "webhook[0]", t0.Add(2*time.Minute), time.Minute)
		if err != nil || d4.ID != f.Deliveries[2].ID {
			t.Fatalf("the later delivery of the group: %+v, %v", d4, err)
		}
		if err := db.Delivered(ctx, d4, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		dead, _, _ := db.Deliveries(ctx, DeliveryQuery{State: Dead})
		if len(dead) != 1 || dead[0].LastError != "503 from webhook" || dead[0].Notification != nil {
			t.Fatalf("dead letters: %+v", dead)
		}
		st, err := db.DeliveryStatus(ctx)
		if err != nil || len(st) != 1 || st[0].Counts[Dead] != 1 || st[0].Counts[Delivered] != 2 || st[0].LastDelivered == nil ||
			st[0].LastError != "503 from webhook" {
			t.Fatalf("status: %+v, %v", st, err)
		}
		if n, err := db.PruneDeliveries(ctx, t0.Add(3*time.Minute)); n != 2 || err != nil {
			t.Errorf("pruned %d, %v; want the delivered ones", n, err)
		}
		if _, err := db.Discard(ctx, d2.ID); err != nil {
			t.Errorf("discard a dead letter: %v", err)
		}
		if _, err := db.Redrive(ctx, "nope", t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("redrive of nothing: %v", err)
		}
		if _, _, err := db.Deliveries(ctx, DeliveryQuery{State: "lost"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown state: %v", err)
		}
	})
}

func TestSilences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		later, err := db.CreateSilence(ctx, Silence{Matchers: []string{`rule="r1"`}, StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(2 * time.Hour),
			CreatedBy: "ana", Comment: "change 42", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSilence(ctx, Silence{Matchers: []string{`rule="r1"`}, StartsAt: t0, EndsAt: t0}); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty window: %v", err)
		}
		s, err := db.ExpireSilence(ctx, later.ID, t0)
		if err != nil || !s.EndsAt.Equal(t0) || !s.StartsAt.Equal(t0) {
			t.Fatalf("expired: %+v, %v", s, err)
		}
		if _, err := db.ExpireSilence(ctx, later.ID, t0.Add(time.Minute)); !errors.Is(err, ErrConflict) {
			t.Errorf("expiring twice: %v", err)
		}
		if ss, _ := db.Silences(ctx, t0); len(ss) != 0 {
			t.Errorf("live silences: %+v", ss)
		}
		if ss, _ := db.Silences(ctx, time.Time{}); len(ss) != 1 || ss[0].Comment != "change 42" {
			t.Errorf("all silences: %+v", ss)
		}
	})
}

func TestAddAction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		a := Action{AlertID: "a1", Name: "deactivate", Type: "t", Mode: "auto", State: ActionQueued, Request: "{}", Created: t0}
		if ok, err := db.AddAction(ctx, a, 1); !ok || err != nil {
			t.Fatal(ok, err)
		}
		if ok, err := db.AddAction(ctx, a, 1); ok || err != nil {
			t.Fatalf("the same action of the same alert twice: %v, %v", ok, err)
		}
		a.AlertID = "a2"
		if ok, err := db.AddAction(ctx, a, 1); !ok || err != nil {
			t.Fatal(ok, err)
		}
		held, _, _ := db.Actions(ctx, ActionQuery{AlertID: "a2"})
		if len(held) != 1 || held[0].State != ActionPending || held[0].Reason == "" {
			t.Fatalf("over the limit: %+v", held)
		}
		got, err := db.NextAction(ctx, "deactivate", t0, time.Minute)
		if err != nil || got.AlertID != "a1" || got.Attempts != 1 {
			t.Fatalf("next: %+v, %v", got, err)
		}
		if _, err := db.NextAction(ctx, "deactivate", t0, time.Minute); !errors.Is(err, ErrNotFound) {
			t.Errorf("the held action ran: %v", err)
		}
		if err := db.FinishAction(ctx, got, ActionSucceeded, `{"summary":"done"}`, "", t0, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Decide(ctx, got.ID, true, "ana", "", t0); !errors.Is(err, ErrConflict) {
			t.Errorf("approving a finished action: %v", err)
		}
		d, err := db.Decide(ctx, held[0].ID, false, "ana", "known rotation", t0)
		if err != nil || d.State != ActionRejected || d.DecidedBy != "ana" || d.Comment != "known rotation" {
			t.Errorf("rejected: %+v, %v", d, err)
		}
	})
}

func TestDeliveryConflicts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		if err := db.JoinGroup(ctx, Group{ID: "g", Labels: map[string]string{}, NextFlush: t0, Created: t0}, "a"); err != nil {
			t.Fatal(err)
		}
		mk := func(i int, integ string) Delivery {
			return Delivery{ID: NewDeliveryID(t0.Add(time.Duration(i) * time.Second)), Receiver: "pager", Integration: integ,
				GroupKey: "k", Status: "firing", Alerts: 1, Notification: []byte(`{}`), NextAttempt: t0, Created: t0}
		}
		f := Flush{Group: "g", Was: t0, Next: t0, At: t0, Deliveries: []Delivery{mk(0, "pagerduty[0]"), mk(1, "pagerduty[0]"), mk(2, "gone[0]")}}
		if _, err := db.Flush(ctx, f); err != nil {
			t.Fatal(err)
		}
		first, _ := db.NextDelivery(ctx, "pager", "pagerduty[0]", t0, time.Minute)
		if err := db.DeliveryFailed(ctx, first, "400 bad key", t0, t0, true); err != nil {
			t.Fatal(err)
		}
		second, _ := db.NextDelivery(ctx, "pager", "pagerduty[0]", t0, time.Minute)
		if err := db.Delivered(ctx, second, t0); err != nil {
			t.Fatal(err)
		}
		// The page is dead, but the receiver was told of the group since:
		// sending it now would tell of a past state.
		if _, err := db.Redrive(ctx, first.ID, t0); !errors.Is(err, ErrConflict) {
			t.Errorf("redrive of a dead letter older than a delivered one: %v", err)
		}
		if _, err := db.Discard(ctx, second.ID); !errors.Is(err, ErrConflict) {
			t.Errorf("discard of a delivered notification: %v", err)
		}
		// An integration the configuration no longer has.
		n, err := db.Orphans(ctx, map[string][]string{"pager": {"pagerduty[0]"}}, t0)
		if err != nil || n != 1 {
			t.Fatalf("orphans: %d, %v", n, err)
		}
		if d, _ := db.Delivery(ctx, f.Deliveries[2].ID); d.State != Dead || !strings.Contains(d.LastError, "no longer has") {
			t.Errorf("orphan: %+v", d)
		}
	})
}

func TestCancelActions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		for _, a := range []Action{
			{AlertID: "a", Name: "deactivate", Target: "e1", Mode: "approve", State: ActionPending},
			{AlertID: "a", Name: "deactivate", Target: "e2", Mode: "auto", State: ActionQueued},
			{AlertID: "a", Name: "soar", Mode: "dry-run", State: ActionDryRun},
		} {
			a.Request, a.Created = "{}", t0
			if ok, err := db.AddAction(ctx, a, 10); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}
		if n, err := db.CancelActions(ctx, "a", "the alert was closed", t0); n != 2 || err != nil {
			t.Fatalf("cancelled %d, %v", n, err)
		}
		as, _, _ := db.Actions(ctx, ActionQuery{AlertID: "a", State: ActionRejected})
		if len(as) != 2 || as[0].DecidedBy != "system" {
			t.Errorf("cancelled: %+v", as)
		}
	})
}
