package store

import (
	"testing"
	"time"

	"vigil/store/storetest"
)

func TestSourceActivity(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		m0 := t0.Truncate(time.Minute)
		add := []SourceMinute{
			{Source: "cloudtrail", Minute: m0, Events: 5, LastEvent: m0.Add(10 * time.Second)},
			{Source: "cloudtrail", Minute: m0, Events: 2, LastEvent: m0.Add(5 * time.Second)}, // another node's
			{Source: "cloudtrail", Minute: m0.Add(-time.Hour), Events: 9, LastEvent: m0.Add(-time.Hour)},
			{Source: "k8s-audit", Minute: m0.Add(-2 * time.Hour), Events: 1, LastEvent: m0.Add(-2 * time.Hour)},
		}
		if err := db.AddSourceMinutes(ctx, add); err != nil {
			t.Fatal(err)
		}
		act, err := db.SourceActivity(ctx, m0.Add(-30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ct, k8s := act["cloudtrail"], act["k8s-audit"]
		switch {
		case ct == nil || ct.Events != 7 || len(ct.Minutes) != 1 || !ct.LastEvent.Equal(m0.Add(10*time.Second)):
			t.Errorf("cloudtrail: %+v", ct)
		case k8s == nil || k8s.Events != 0 || !k8s.LastEvent.Equal(m0.Add(-2*time.Hour)):
			t.Errorf("k8s-audit: %+v", k8s)
		}
		if err := db.PruneSourceMinutes(ctx, m0.Add(-90*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if act, _ := db.SourceActivity(ctx, time.Time{}); act["k8s-audit"] != nil || act["cloudtrail"].Events != 16 {
			t.Errorf("after pruning: %+v", act)
		}
	})
}
