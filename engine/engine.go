// Package engine evaluates events against all rules at once.
//
// Each event goes through, in order and only as far as it must:
//
//  1. the prefilter, which rejects without parsing an event whose bytes
//     hold none of the literals the rules require;
//  2. detection of its kind, and extraction, in one pass over its bytes,
//     of just the fields some rule reads (with the EventBridge envelope
//     derived for a bare CloudTrail record);
//  3. the pattern automaton, which finds every pattern those fields
//     satisfy, exceptions included.
//
// The Engine is immutable and safe for concurrent use; each goroutine
// evaluates with an Evaluator of its own, which allocates nothing per
// event once warm.
package engine

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"vigil/event"
	"vigil/field"
	"vigil/pattern"
	"vigil/prefilter"
	"vigil/rule"
)

// Engine is a compiled set of rules.
type Engine struct {
	rules   []*rule.Rule
	match   *view // what the patterns read
	report  *view // what alerts read of matched events
	machine *pattern.Machine
	owners  []owner // of each pattern of the machine
	pre     *prefilter.Set
	always  bool // some rule requires no literal: no event can be skipped
}

// owner is the rule a pattern of the machine belongs to.
type owner struct {
	rule      int32
	exception bool
}

// Stats describes a compiled Engine.
type Stats struct {
	Rules, Patterns, Fields, Literals int
	// Unfiltered lists the rules that require no literal, which make
	// every event go through the full evaluation.
	Unfiltered []string
}

// New compiles rules into an Engine.
func New(rules []*rule.Rule) (*Engine, error) {
	e := &Engine{rules: rules}
	var pats []*pattern.Pattern
	var paths []string
	var lits []prefilter.Literal
	for i, r := range rules {
		if r.Pattern == nil {
			return nil, fmt.Errorf("engine: rule %s has no pattern", r.ID)
		}
		pats = append(pats, r.Pattern)
		e.owners = append(e.owners, owner{rule: int32(i)})
		for _, x := range r.Exceptions {
			pats = append(pats, x)
			e.owners = append(e.owners, owner{rule: int32(i), exception: true})
		}
		if l := r.Pattern.Literals(); l != nil {
			lits = append(lits, l...)
		} else {
			e.always = true
		}
	}
	for _, p := range pats {
		paths = append(paths, p.Paths()...)
	}
	e.match = newView(paths)
	var err error
	if e.machine, err = pattern.NewMachine(e.match.set, pats); err != nil {
		return nil, err
	}
	e.pre = prefilter.New(lits)
	e.report = newView(reportPaths(rules))
	return e, nil
}

// Rules returns the rules of the engine.
func (e *Engine) Rules() []*rule.Rule { return e.rules }

// Stats describes the engine.
func (e *Engine) Stats() Stats {
	s := Stats{Rules: len(e.rules), Patterns: len(e.owners), Fields: e.match.set.Len(), Literals: e.pre.Len()}
	for _, r := range e.rules {
		if r.Pattern.Literals() == nil {
			s.Unfiltered = append(s.Unfiltered, r.ID)
		}
	}
	return s
}

// Evaluator evaluates events for one goroutine.
type Evaluator struct {
	e       *Engine
	fields  *field.Values // the match view's
	details *field.Values // the report view's
	run     *pattern.Run
	buf     []byte // derived values of fields
	dbuf    []byte // ... of details
	gen     uint32
	except  []uint32 // per rule: the generation an exception matched in
	out     []*rule.Rule
}

// NewEvaluator returns an Evaluator of the engine.
func (e *Engine) NewEvaluator() *Evaluator {
	return &Evaluator{
		e:       e,
		fields:  field.NewValues(e.match.set),
		details: field.NewValues(e.report.set),
		run:     e.machine.NewRun(),
		except:  make([]uint32, len(e.rules)),
	}
}

// Eval returns the rules the event fires, ordered by id. It sets
// the event's kind when it is unknown and the event got past the
// prefilter. An error means the event is
// not a well-formed JSON object. The slice is reused by the next call.
func (x *Evaluator) Eval(ev *event.Event) ([]*rule.Rule, error) {
	x.out = x.out[:0]
	if !x.e.always && !x.e.pre.Any(ev.Raw) {
		return nil, nil
	}
	if err := x.e.match.load(x.fields, ev, &x.buf); err != nil {
		return nil, err
	}
	hits := x.run.Match(x.fields)
	if len(hits) == 0 {
		return nil, nil
	}
	if x.gen++; x.gen == 0 { // wrapped around: forget all stamps
		clear(x.except)
		x.gen = 1
	}
	for _, h := range hits {
		if o := x.e.owners[h]; o.exception {
			x.except[o.rule] = x.gen
		}
	}
	for _, h := range hits {
		if o := x.e.owners[h]; !o.exception && x.except[o.rule] != x.gen {
			x.out = append(x.out, x.e.rules[o.rule])
		}
	}
	slices.SortFunc(x.out, func(a, b *rule.Rule) int { return strings.Compare(a.ID, b.ID) })
	return x.out, nil
}

// Match is one event matched by one rule, with what an alert needs of it.
type Match struct {
	Rule    *rule.Rule
	EventID string
	// Time is when the event happened, zero when it does not say.
	Time time.Time
	// Dedup holds the values of the rule's dedup fields, in order.
	Dedup []Value
	// Entities are the entities the event names.
	Entities []Entity
}

// Value is the value of a field in an event: its text, or absent.
type Value struct {
	Text    string
	Present bool
}

// Entity is something an event names: a principal, an address, a key.
type Entity struct{ Type, Value string }

// defaultEntities are the entities of every CloudTrail event, in the
// namespace of event patterns.
var defaultEntities = []struct{ name, path string }{
	{"principal", "detail.userIdentity.arn"},
	{"access_key", "detail.userIdentity.accessKeyId"},
	{"source_ip", "detail.sourceIPAddress"},
	{"account", "account"},
	{"region", "region"},
	{"user_agent", "detail.userAgent"},
}

func reportPaths(rules []*rule.Rule) []string {
	paths := []string{"id", "time"}
	for _, d := range defaultEntities {
		paths = append(paths, d.path)
	}
	for _, r := range rules {
		paths = append(paths, r.Dedup...)
		for _, p := range r.Entities {
			paths = append(paths, p)
		}
	}
	return paths
}

// Describe returns what alerts need to know of an event the given rules
// fired on.
func (x *Evaluator) Describe(ev *event.Event, rules []*rule.Rule) ([]Match, error) {
	rv := x.e.report
	if err := rv.load(x.details, ev, &x.dbuf); err != nil {
		return nil, err
	}
	get := func(path string) Value {
		id, ok := rv.set.ID(path)
		if !ok {
			return Value{}
		}
		var texts []string
		for i := x.details.First(id); i >= 0; i = x.details.Next(i) {
			texts = append(texts, string(x.details.At(i).Bytes))
		}
		return Value{Text: strings.Join(texts, ","), Present: texts != nil}
	}
	id := get("id").Text
	if ev.Kind == event.JSON || id == "" {
		id = event.Digest(ev.Raw)
	}
	var when time.Time
	if t := get("time"); t.Present {
		when, _ = event.ParseTime([]byte(t.Text))
	}
	var base []Entity
	for _, d := range defaultEntities {
		if v := get(d.path); v.Present && (d.name != "source_ip" || isIP(v.Text)) {
			base = append(base, Entity{d.name, v.Text})
		}
	}
	out := make([]Match, 0, len(rules))
	for _, r := range rules {
		m := Match{Rule: r, EventID: id, Time: when, Entities: slices.Clone(base)}
		for _, p := range r.Dedup {
			m.Dedup = append(m.Dedup, get(p))
		}
		names := make([]string, 0, len(r.Entities))
		for n := range r.Entities {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if v := get(r.Entities[n]); v.Present {
				m.Entities = append(m.Entities, Entity{n, v.Text})
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
