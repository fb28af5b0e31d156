package alert

import (
	"testing"
	"time"

	"vigil/engine"
	"vigil/rule"
)

func match(r *rule.Rule, id string, min int, who string, dedup ...engine.Value) engine.Match {
	return engine.Match{Rule: r, EventID: id, Time: time.Date(2026, 11, 20, 10, min, 0, 0, time.UTC), Dedup: dedup,
		Entities: []engine.Entity{{Type: "principal", Value: who}}}
}

func TestAggregator(t *testing.T) {
	high := &rule.Rule{ID: "b-high", Severity: rule.High, Dedup: []string{"user"}}
	low := &rule.Rule{ID: "a-low", Severity: rule.Low}
	g, h := NewAggregator(false), NewAggregator(false)
	alice, bob := engine.Value{Text: "alice", Present: true}, engine.Value{}
	g.Add(match(high, "e2", 2, "p1", alice))
	g.Add(match(high, "e1", 1, "p2", alice))
	g.Add(match(high, "e1", 1, "p2", alice)) // delivered twice: counts once
	h.Add(match(high, "e3", 3, "p1", alice))
	h.Add(match(high, "e4", 0, "p3", bob))
	h.Add(match(low, "e5", 0, "p1"))
	g.Merge(h)
	as := g.Alerts()
	if len(as) != 3 {
		t.Fatalf("%d alerts", len(as))
	}
	// Most severe first, then by start.
	if as[0].Rule.ID != "b-high" || as[0].Dedup["user"] != nil || as[1].Rule.ID != "b-high" || as[2].Rule.ID != "a-low" {
		t.Fatalf("order: %s %v, %s, %s", as[0].Rule.ID, as[0].Dedup, as[1].Rule.ID, as[2].Rule.ID)
	}
	a := as[1]
	if a.Count != 3 || *a.Dedup["user"] != "alice" || a.FirstSeen.Minute() != 1 || a.LastSeen.Minute() != 3 {
		t.Errorf("count %d dedup %v first %v last %v", a.Count, a.Dedup, a.FirstSeen, a.LastSeen)
	}
	if got := a.EventIDs; len(got) != 3 || got[0] != "e1" || got[2] != "e3" {
		t.Errorf("event ids %v", got)
	}
	if got := a.Entities["principal"]; len(got) != 2 || got[0] != "p2" && got[0] != "p1" {
		t.Errorf("principals %v", got)
	}
}

func TestPerEvent(t *testing.T) {
	r := &rule.Rule{ID: "r", Dedup: []string{"user"}}
	g := NewAggregator(true)
	v := engine.Value{Text: "x", Present: true}
	g.Add(match(r, "e1", 1, "p", v))
	g.Add(match(r, "e2", 2, "p", v))
	g.Add(match(r, "e2", 2, "p", v))
	if g.Len() != 2 {
		t.Errorf("%d alerts, want one per event", g.Len())
	}
}

func TestNoTime(t *testing.T) {
	g := NewAggregator(false)
	g.Add(engine.Match{Rule: &rule.Rule{ID: "r"}, EventID: "x"})
	if a := g.Alerts()[0]; a.FirstSeen != nil || a.LastSeen != nil || a.Count != 1 {
		t.Errorf("%+v", a)
	}
}
