package store

import (
	"testing"
	"time"

	"vigil/rule"
	"vigil/store/storetest"
)

func TestStats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		obs := []Observation{ob("r1", "e1", str("alice"), 0), ob("r1", "e2", str("bob"), 1), ob("r2", "e1", str("alice"), 2)}
		for i := range obs {
			obs[i].Entities = map[string][]string{"principal": {"arn:aws:iam::1:user/mallory"}}
		}
		mustRecord(t, db, obs...)
		now := time.Now()
		bs, err := db.AlertCounts(ctx, now.Add(-time.Hour), now.Add(time.Minute), 10*time.Minute)
		if err != nil || len(bs) != 7 {
			t.Fatalf("buckets: %d, %v", len(bs), err)
		}
		total := 0
		for _, b := range bs {
			total += b.Counts[rule.High]
		}
		if total != 3 || bs[6].Counts[rule.High] == 0 && bs[5].Counts[rule.High] == 0 {
			t.Errorf("buckets: %+v", bs)
		}
		if _, err := db.AlertCounts(ctx, now, now, time.Minute); err == nil {
			t.Error("an empty range is not an error")
		}
		rules, err := db.TopRules(ctx, t0.Add(-time.Hour), 10)
		if err != nil || len(rules) != 2 || rules[0].ID != "r1" || rules[0].Alerts != 2 || rules[0].Severity != rule.High {
			t.Errorf("top rules: %+v, %v", rules, err)
		}
		ents, err := db.TopEntities(ctx, t0.Add(-time.Hour), 1)
		if err != nil || len(ents) != 1 || ents[0].Alerts != 3 {
			t.Errorf("top entities: %+v, %v", ents, err)
		}
		changes, err := db.Record(ctx, []Observation{ob("r3", "e9", str("carol"), 3)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetStatus(ctx, changes[0].AlertID, Resolved, "", "alice"); err != nil {
			t.Fatal(err)
		}
		r1, _, err := db.Alerts(ctx, Query{Rule: "r1", Limit: 1})
		if err != nil || len(r1) != 1 {
			t.Fatalf("alerts of r1: %v, %v", r1, err)
		}
		if _, err := db.SetStatus(ctx, r1[0].ID, Acknowledged, "", "alice"); err != nil {
			t.Fatal(err)
		}
		in, err := db.AlertsInHand(ctx)
		if err != nil || in.Open[rule.High] != 2 || in.Acknowledged[rule.High] != 1 || in.Open[rule.Low] != 0 {
			t.Errorf("alerts in hand: %+v, %v", in, err)
		}
	})
}
