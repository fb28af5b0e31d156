// Package alert folds the events rules match into alerts: one alert per
// rule and value of the rule's dedup fields, counting the distinct events
// and gathering the entities they name.
package alert

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"vigil/engine"
	"vigil/rule"
)

// Alert is the events one rule matched that share the values of the rule's
// dedup fields.
type Alert struct {
	Rule RuleRef `json:"rule"`
	// Dedup maps each dedup field to its value, null when the events do
	// not have it.
	Dedup     map[string]*string `json:"dedup"`
	Count     int                `json:"count"`
	FirstSeen *time.Time         `json:"first_seen"`
	LastSeen  *time.Time         `json:"last_seen"`
	EventIDs  []string           `json:"event_ids"`
	// Entities maps each kind of entity to its distinct values, in the
	// order they were first seen.
	Entities map[string][]string `json:"entities"`
	// Fields maps each of the rule's fields (the fields a Sigma rule
	// names) to its distinct values.
	Fields map[string][]string `json:"fields,omitempty"`

	events []stamped
	seen   map[string]bool
	known  map[engine.Entity]bool // entities already in Entities
}

// RuleRef is what an alert says of its rule.
type RuleRef struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Severity rule.Severity `json:"severity"`
	Scenario rule.Scenario `json:"scenario,omitempty"`
	Tags     []string      `json:"tags"`
}

type stamped struct {
	at time.Time
	id string
}

// Aggregator folds matches into alerts. It is not safe for concurrent use:
// give each goroutine its own and Merge them.
type Aggregator struct {
	// PerEvent makes one alert per rule and event, ignoring dedup.
	PerEvent bool
	alerts   map[string]*Alert
}

// NewAggregator returns an empty Aggregator.
func NewAggregator(perEvent bool) *Aggregator {
	return &Aggregator{PerEvent: perEvent, alerts: map[string]*Alert{}}
}

// Add folds a match into its alert.
func (g *Aggregator) Add(m engine.Match) {
	key := g.key(m)
	a := g.alerts[key]
	if a == nil {
		a = newAlert(m)
		g.alerts[key] = a
	}
	if !a.seen[m.EventID] {
		for i, v := range m.Fields {
			if v.Present {
				a.field(m.Rule.Fields[i], v.Text)
			}
		}
	}
	a.add(m.EventID, m.Time, m.Entities)
}

func (g *Aggregator) key(m engine.Match) string {
	var b strings.Builder
	b.WriteString(m.Rule.ID)
	for _, v := range m.Dedup {
		b.WriteByte(0)
		if v.Present {
			b.WriteByte(1)
			b.WriteString(v.Text)
		}
	}
	if g.PerEvent {
		b.WriteByte(0)
		b.WriteString(m.EventID)
	}
	return b.String()
}

// Ref returns what alerts say of a rule.
func Ref(r *rule.Rule) RuleRef {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return RuleRef{ID: r.ID, Title: r.Title, Severity: r.Severity, Scenario: r.Scenario, Tags: tags}
}

func newAlert(m engine.Match) *Alert {
	r := m.Rule
	a := &Alert{
		Rule:     Ref(r),
		Dedup:    map[string]*string{},
		Entities: map[string][]string{},
		seen:     map[string]bool{},
		known:    map[engine.Entity]bool{},
	}
	for i, p := range r.Dedup {
		if v := m.Dedup[i]; v.Present {
			a.Dedup[p] = &v.Text
		} else {
			a.Dedup[p] = nil
		}
	}
	return a
}

// add counts an event once, however often it is added.
func (a *Alert) add(id string, at time.Time, entities []engine.Entity) {
	if a.seen[id] {
		return
	}
	a.seen[id] = true
	a.events = append(a.events, stamped{at, id})
	for _, e := range entities {
		a.entity(e)
	}
}

func (a *Alert) field(name, value string) {
	if a.Fields == nil {
		a.Fields = map[string][]string{}
	}
	if !slices.Contains(a.Fields[name], value) {
		a.Fields[name] = append(a.Fields[name], value)
	}
}

func (a *Alert) entity(e engine.Entity) {
	if !a.known[e] {
		a.known[e] = true
		a.Entities[e.Type] = append(a.Entities[e.Type], e.Value)
	}
}

// Merge moves the alerts of o into g.
func (g *Aggregator) Merge(o *Aggregator) {
	for k, b := range o.alerts {
		a := g.alerts[k]
		if a == nil {
			g.alerts[k] = b
			continue
		}
		for _, ev := range b.events {
			if !a.seen[ev.id] {
				a.seen[ev.id] = true
				a.events = append(a.events, ev)
			}
		}
		for typ, vals := range b.Entities {
			for _, v := range vals {
				a.entity(engine.Entity{Type: typ, Value: v})
			}
		}
		for name, vals := range b.Fields {
			for _, v := range vals {
				a.field(name, v)
			}
		}
	}
}

// Len returns the number of alerts.
func (g *Aggregator) Len() int { return len(g.alerts) }

// Alerts returns the alerts, most severe first, then in the order they
// started. Their events are ordered by time, then id.
func (g *Aggregator) Alerts() []*Alert {
	out := make([]*Alert, 0, len(g.alerts))
	for _, a := range g.alerts {
		a.finish()
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Alert) int {
		return cmp.Or(
			cmp.Compare(b.Rule.Severity, a.Rule.Severity),
			compareTimes(a.FirstSeen, b.FirstSeen),
			strings.Compare(a.Rule.ID, b.Rule.ID),
			strings.Compare(a.EventIDs[0], b.EventIDs[0]),
		)
	})
	return out
}

func (a *Alert) finish() {
	slices.SortFunc(a.events, func(x, y stamped) int {
		return cmp.Or(x.at.Compare(y.at), strings.Compare(x.id, y.id))
	})
	a.Count = len(a.events)
	a.EventIDs = a.EventIDs[:0]
	a.FirstSeen, a.LastSeen = nil, nil
	for _, ev := range a.events {
		a.EventIDs = append(a.EventIDs, ev.id)
		if ev.at.IsZero() {
			continue
		}
		if a.FirstSeen == nil {
			t := ev.at
			a.FirstSeen = &t
		}
		t := ev.at
		a.LastSeen = &t
	}
}

func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}
