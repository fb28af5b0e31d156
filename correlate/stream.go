package correlate

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// The methods of this file run correlations spread over partitions, as
// vigil serve does: each group of each correlation lives in the engine of
// one partition, which the hits of that group are sent to, and fires feed
// the correlations that correlate them through the same route, since
// their groups may live elsewhere.

// Route is where a hit goes: a correlation and the key of its group.
type Route struct {
	Corr  string // the Ref of the correlation
	Group string
}

// Routes returns the correlations a hit counts in, with its group in
// each; none when it lacks a group-by field.
func (e *Engine) Routes(h Hit) []Route {
	var out []Route
	for _, x := range e.byRule[h.Rule] {
		if vals, ok := x.groupOf(h); ok {
			out = append(out, Route{Corr: x.c.Ref(), Group: groupKey(vals, x.c.GroupBy)})
		}
	}
	return out
}

// AddTo counts a hit in one correlation and returns what fired: that
// correlation, and the windows the hit's time closed. Unlike Add, it does
// not feed fires to the correlations that correlate them: route them.
func (e *Engine) AddTo(corr string, h Hit) []Fire {
	if h.Time.After(e.latest) {
		e.latest = h.Time
	}
	fires := e.close(e.latest.Add(-e.lateness))
	for _, x := range e.byRule[h.Rule] {
		if x.c.Ref() != corr {
			continue
		}
		if f, ok := e.add(x, h); ok {
			fires = append(fires, f)
		}
	}
	return fires
}

// Advance moves the engine's clock to t, if it is later than the latest
// event, and returns what the windows it closes fire: a live stream that
// falls silent still closes its windows.
func (e *Engine) Advance(t time.Time) []Fire {
	if t.After(e.latest) {
		e.latest = t
	}
	return e.close(e.latest.Add(-e.lateness))
}

// Latest returns the time of the latest event counted (or the clock set
// by Advance).
func (e *Engine) Latest() time.Time { return e.latest }

// snapshot is the state of an engine, as JSON.
type snapshot struct {
	Version int                        `json:"version"`
	Latest  time.Time                  `json:"latest"`
	Stats   Stats                      `json:"stats"`
	Groups  map[string][]snapshotGroup `json:"groups"` // by correlation
}

type snapshotGroup struct {
	Values  map[string]string `json:"values"`
	Start   time.Time         `json:"start"`
	Last    time.Time         `json:"last"`
	Entries []snapshotEntry   `json:"entries"`
}

type snapshotEntry struct {
	At       time.Time           `json:"at"`
	ID       string              `json:"id"`
	Rule     string              `json:"rule"`
	Value    string              `json:"value,omitempty"`
	Num      float64             `json:"num,omitempty"`
	IsNum    bool                `json:"is_num,omitempty"`
	Events   []Event             `json:"events,omitempty"`
	Entities map[string][]string `json:"entities,omitempty"`
}

// Snapshot returns the engine's state, to Restore after a restart.
func (e *Engine) Snapshot() ([]byte, error) {
	s := snapshot{Version: 1, Latest: e.latest, Stats: e.stats, Groups: map[string][]snapshotGroup{}}
	for _, x := range e.corrs {
		for _, g := range x.groups {
			sg := snapshotGroup{Values: g.values, Start: g.start, Last: g.last}
			for _, en := range g.entries {
				sg.Entries = append(sg.Entries, snapshotEntry{At: en.at, ID: en.id, Rule: en.rule, Value: en.value,
					Num: en.num, IsNum: en.isNum, Events: en.events, Entities: en.entities})
			}
			s.Groups[x.c.Ref()] = append(s.Groups[x.c.Ref()], sg)
		}
	}
	return json.Marshal(s)
}

// Restore replaces the engine's state with a snapshot. Groups of
// correlations the engine no longer has are dropped.
func (e *Engine) Restore(data []byte) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("correlate: restore: %w", err)
	}
	if s.Version != 1 {
		return fmt.Errorf("correlate: restore: snapshot version %d, want 1", s.Version)
	}
	e.latest, e.stats = s.Latest, s.Stats
	for _, x := range e.corrs {
		x.groups = map[string]*group{}
		for _, sg := range s.Groups[x.c.Ref()] {
			g := &group{key: groupKey(sg.Values, x.c.GroupBy), values: sg.Values, start: sg.Start, last: sg.Last}
			for _, en := range sg.Entries {
				g.entries = append(g.entries, entry{at: en.At, id: en.ID, rule: en.Rule, value: en.Value,
					num: en.Num, isNum: en.IsNum, events: en.Events, entities: en.Entities})
			}
			slices.SortStableFunc(g.entries, func(a, b entry) int { return a.at.Compare(b.at) })
			x.groups[g.key] = g
		}
	}
	return nil
}
