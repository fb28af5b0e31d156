// Package detect runs the rules over the event stream of vigil serve, as
// scan runs them over files: the same engine, the same alerts.
//
// It works in two stages. Detectors take batches of events from the bus,
// evaluate them, store the alerts of stateless rules and pass the matches
// of rules that feed correlations on as hits, each to the partition of
// its correlation and group; only then do they acknowledge the batch.
// Correlators own partitions, one node each at a time, keep the windows
// of their groups, and checkpoint them with what they acknowledge, so
// that a restart or the loss of a node loses no window. Everything is at
// least once; event ids make it effectively once.
package detect

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"vigil/alert"
	"vigil/bus"
	"vigil/correlate"
	"vigil/engine"
	"vigil/rule"
	"vigil/sigma"
	"vigil/store"
)

// Rules is what detection runs: the engine and the correlations.
type Rules struct {
	Engine *engine.Engine
	// Correlations are the Sigma correlation rules; CorrRules the rule
	// each alerts as, by the correlation's Ref.
	Correlations []*sigma.Correlation
	CorrRules    map[string]*rule.Rule
	Lateness     time.Duration
	MaxGroups    int
	router       *correlate.Engine // stateless: it only routes
}

// Compile compiles rules and correlations into what detection runs. The
// rules that feed correlations learn which of their fields those read.
func Compile(rules []*rule.Rule, corrs []*sigma.Correlation, lateness time.Duration, maxGroups int) (*Rules, error) {
	r := &Rules{Correlations: corrs, CorrRules: map[string]*rule.Rule{}, Lateness: lateness, MaxGroups: maxGroups}
	r.router = r.NewCorrelator()
	for _, x := range rules {
		x.Correlated = r.router.Needs(x.ID)
	}
	for _, c := range corrs {
		r.CorrRules[c.Ref()] = rule.FromCorrelation(c)
	}
	var err error
	if r.Engine, err = engine.New(rules); err != nil {
		return nil, err
	}
	return r, nil
}

// NewCorrelator returns an engine for the correlations, without state.
func (r *Rules) NewCorrelator() *correlate.Engine {
	return correlate.New(r.Correlations, r.Lateness, r.MaxGroups)
}

// Feeds reports whether a rule's matches feed correlations.
func (r *Rules) Feeds(ruleID string) bool { return r.router.Feeds(ruleID) }

// routes returns where a hit goes.
func (r *Rules) routes(h correlate.Hit) []correlate.Route { return r.router.Routes(h) }

// Deps are what detection works with.
type Deps struct {
	Bus     *bus.Bus
	Store   *store.DB
	Rules   *Rules
	Metrics *Metrics
	Log     *slog.Logger
	// Recorded, when set, is called after alerts were created or
	// changed: responding to them need not wait for its next look.
	Recorded func()
}

// observation returns a match as the store folds it into an alert.
func observation(m engine.Match, raw []byte, received time.Time) store.Observation {
	o := store.Observation{
		Rule:     alert.Ref(m.Rule),
		Dedup:    map[string]*string{},
		EventID:  m.EventID,
		Time:     m.Time,
		Received: received,
		Entities: map[string][]string{},
		Event:    raw,
	}
	for i, p := range m.Rule.Dedup {
		if i < len(m.Dedup) && m.Dedup[i].Present {
			v := m.Dedup[i].Text
			o.Dedup[p] = &v
		} else {
			o.Dedup[p] = nil
		}
	}
	for _, e := range m.Entities {
		o.Entities[e.Type] = appendNew(o.Entities[e.Type], e.Value)
	}
	for i, v := range m.Fields {
		if v.Present {
			if o.Fields == nil {
				o.Fields = map[string][]string{}
			}
			name := m.Rule.Fields[i]
			o.Fields[name] = appendNew(o.Fields[name], v.Text)
		}
	}
	return o
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// hitMsg is a hit on its way to the partition of its correlation.
type hitMsg struct {
	Corr     string              `json:"corr"`
	Rule     string              `json:"rule"`
	Time     time.Time           `json:"time"`
	EventID  string              `json:"event"`
	Values   map[string]string   `json:"values,omitempty"`
	Events   []correlate.Event   `json:"events,omitempty"`
	Entities map[string][]string `json:"entities,omitempty"`
	Received time.Time           `json:"received"`
}

func (m *hitMsg) hit() correlate.Hit {
	return correlate.Hit{Rule: m.Rule, Time: m.Time, EventID: m.EventID, Values: m.Values, Events: m.Events, Entities: m.Entities}
}

// hitMsgs returns the messages that carry a hit to every correlation it
// counts in.
func (r *Rules) hitMsgs(h correlate.Hit, received time.Time, partitions int) ([]*nats.Msg, error) {
	var out []*nats.Msg
	for _, rt := range r.routes(h) {
		body, err := json.Marshal(hitMsg{Corr: rt.Corr, Rule: h.Rule, Time: h.Time, EventID: h.EventID, Values: h.Values,
			Events: h.Events, Entities: h.Entities, Received: received})
		if err != nil {
			return nil, fmt.Errorf("detect: hit of %s: %w", h.EventID, err)
		}
		m := nats.NewMsg(bus.HitSubject(Partition(rt, partitions)))
		m.Data = body
		m.Header.Set(nats.MsgIdHdr, rt.Corr+"|"+rt.Group+"|"+h.Rule+"|"+h.EventID)
		out = append(out, m)
	}
	return out, nil
}

// Partition returns the partition of a correlation's group.
func Partition(rt correlate.Route, partitions int) int {
	h := fnv.New32a()
	h.Write([]byte(rt.Corr))
	h.Write([]byte{0})
	h.Write([]byte(rt.Group))
	return int(h.Sum32() % uint32(partitions))
}

// HitOf returns a match of a rule that feeds correlations as their hit.
func HitOf(m engine.Match) correlate.Hit {
	h := correlate.Hit{Rule: m.Rule.ID, Time: m.Time, EventID: m.EventID, Values: m.Correlated}
	for _, e := range m.Entities {
		if h.Entities == nil {
			h.Entities = map[string][]string{}
		}
		h.Entities[e.Type] = append(h.Entities[e.Type], e.Value)
	}
	return h
}

// FireMatches returns a correlation's fire as matches of its rule r: one
// per event behind it, with the fire's group as dedup values and its
// entities.
func FireMatches(r *rule.Rule, f correlate.Fire) []engine.Match {
	var dedup []engine.Value
	for _, g := range f.Corr.GroupBy {
		dedup = append(dedup, engine.Value{Text: f.Group[g], Present: true})
	}
	var entities []engine.Entity
	for typ, vals := range f.Entities {
		for _, v := range vals {
			entities = append(entities, engine.Entity{Type: typ, Value: v})
		}
	}
	slices.SortFunc(entities, func(a, b engine.Entity) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Value, b.Value))
	})
	out := make([]engine.Match, 0, len(f.Events))
	for _, e := range f.Events {
		out = append(out, engine.Match{Rule: r, EventID: e.ID, Time: e.Time, Dedup: dedup, Entities: entities})
	}
	return out
}
