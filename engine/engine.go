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

	"vigil/casefold"
	"vigil/event"
	"vigil/field"
	"vigil/pattern"
	"vigil/prefilter"
	"vigil/rule"
	"vigil/sigma"
)

// Engine is a compiled set of rules.
type Engine struct {
	rules   []*rule.Rule
	match   *view // what the rules read
	report  *view // what alerts read of matched events
	machine *pattern.Machine
	owners  []owner // of each pattern of the machine
	sigma   map[event.Kind]*sigmaIndex
	pre     *prefilter.Set
	always  bool // some rule requires no literal: no event can be skipped
}

// program is a Sigma rule bound to the match view.
type program struct {
	rule int32
	p    *sigma.Program
}

// sigmaIndex finds the Sigma rules worth evaluating for an event of one
// kind: those whose anchor field holds one of the event's values there
// (looked up, in lower case, in a hash map per field), and those without
// an anchor.
type sigmaIndex struct {
	programs []program
	anchors  []anchor
	always   []int32 // programs without an anchor
}

// anchor is a field that anchors programs, and its values.
type anchor struct {
	path   int
	values anchorMap
}

func (x *sigmaIndex) add(p program, path int, values []string) {
	i := int32(len(x.programs))
	x.programs = append(x.programs, p)
	if path < 0 {
		x.always = append(x.always, i)
		return
	}
	k := slices.IndexFunc(x.anchors, func(a anchor) bool { return a.path == path })
	if k < 0 {
		k = len(x.anchors)
		x.anchors = append(x.anchors, anchor{path: path})
	}
	for _, v := range values {
		x.anchors[k].values.add(v, i)
	}
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
	e := &Engine{rules: rules, sigma: map[event.Kind]*sigmaIndex{}}
	var pats []*pattern.Pattern
	var paths, composite []string
	var lits []prefilter.Literal
	for i, r := range rules {
		var l []prefilter.Literal
		switch {
		case r.Pattern != nil:
			pats = append(pats, r.Pattern)
			e.owners = append(e.owners, owner{rule: int32(i)})
		case r.Sigma != nil && r.Sigma.Source != nil:
			composite = append(composite, r.Sigma.Paths()...)
		default:
			return nil, fmt.Errorf("engine: rule %s has no detection for events vigil reads", r.ID)
		}
		l = literals(r)
		for _, x := range r.Exceptions {
			pats = append(pats, x)
			e.owners = append(e.owners, owner{rule: int32(i), exception: true})
		}
		if l == nil {
			e.always = true
		}
		lits = append(lits, l...)
	}
	for _, p := range pats {
		paths = append(paths, p.Paths()...)
	}
	e.match = newView(paths, composite)
	var err error
	if e.machine, err = pattern.NewMachine(e.match.set, pats); err != nil {
		return nil, err
	}
	for i, r := range rules {
		if r.Sigma == nil {
			continue
		}
		p, err := r.Sigma.Bind(e.match.set)
		if err != nil {
			return nil, err
		}
		anchor := -1
		path, values, ok := r.Sigma.Anchor()
		if ok {
			anchor, _ = e.match.set.ID(path)
		}
		for _, k := range r.Sigma.Source.Kinds {
			if e.sigma[k] == nil {
				e.sigma[k] = &sigmaIndex{}
			}
			e.sigma[k].add(program{int32(i), p}, anchor, values)
		}
	}
	e.pre = prefilter.New(lits)
	e.report = newView(reportPaths(rules), nil)
	return e, nil
}

// literals returns what the prefilter looks for on behalf of a rule.
func literals(r *rule.Rule) []prefilter.Literal {
	if r.Pattern != nil {
		return r.Pattern.Literals()
	}
	return r.Sigma.Literals()
}

// Rules returns the rules of the engine.
func (e *Engine) Rules() []*rule.Rule { return e.rules }

// Stats describes the engine.
func (e *Engine) Stats() Stats {
	s := Stats{Rules: len(e.rules), Patterns: len(e.owners), Fields: e.match.set.Len(), Literals: e.pre.Len()}
	for _, r := range e.rules {
		if literals(r) == nil {
			s.Unfiltered = append(s.Unfiltered, r.ID)
		}
	}
	return s
}

// Evaluator evaluates events for one goroutine.
type Evaluator struct {
	e       *Engine
	fields  *field.Values // the match view's
	leaves  *field.Values // every leaf, for keyword searches
	ev      *event.Event  // the event evaluated
	ctx     *sigma.Context
	fold    casefold.Buffer
	cands   []int32       // Sigma programs to evaluate
	tried   []uint32      // per program of the kind: the generation it was a candidate in
	sample  sample        // how often the prefilter lets events through
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
	x := &Evaluator{
		e:       e,
		fields:  field.NewValues(e.match.set),
		leaves:  field.NewValues(everything),
		details: field.NewValues(e.report.set),
		run:     e.machine.NewRun(),
		except:  make([]uint32, len(e.rules)),
	}
	x.ctx = sigma.NewContext(x.fields, x.everyLeaf)
	return x
}

// everything is the field set of every leaf of an event.
var everything = field.NewSetOf([]string{field.Every}, nil)

// everyLeaf extracts every leaf of the event evaluated, for a rule that
// searches keywords. The event parsed once already, so it is well formed.
func (x *Evaluator) everyLeaf() *field.Values {
	x.leaves.Reset()
	x.leaves.Extract(x.ev.Raw, everything.Scope(""))
	return x.leaves
}

// Eval returns the rules the event fires, ordered by id. It sets
// the event's kind when it is unknown and the event got past the
// prefilter. An error means the event is
// not a well-formed JSON object. The slice is reused by the next call.
func (x *Evaluator) Eval(ev *event.Event) ([]*rule.Rule, error) {
	x.out = x.out[:0]
	if !x.e.always && x.sample.use() {
		pass := x.e.pre.Any(ev.Raw)
		x.sample.count(pass)
		if !pass {
			return nil, nil
		}
	}
	if err := x.e.match.load(x.fields, ev, &x.buf); err != nil {
		return nil, err
	}
	hits := x.run.Match(x.fields)
	idx := x.e.sigma[ev.Kind]
	if len(hits) == 0 && idx == nil {
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
	if idx != nil {
		x.ev = ev
		x.ctx.Next()
		for _, i := range x.candidates(idx) {
			if p := idx.programs[i]; x.except[p.rule] != x.gen && p.p.Match(x.ctx) {
				x.out = append(x.out, x.e.rules[p.rule])
			}
		}
	}
	slices.SortFunc(x.out, func(a, b *rule.Rule) int { return strings.Compare(a.ID, b.ID) })
	return x.out, nil
}

// sample decides whether the prefilter is worth its cost. It never
// changes a result, only saves work: when it lets most events through
// anyway (some rule names a literal most events hold), scanning for
// literals only adds to the cost of evaluating them, so it is set aside
// for a while, then tried again on a sample.
type sample struct {
	seen, passed int
	off          int // events left to evaluate without the prefilter
}

const (
	sampleSize = 4096  // events counted before deciding
	offFor     = 65536 // events evaluated without the prefilter before trying it again
	worthIt    = 0.75  // when it lets more than this share through, it is set aside
)

func (s *sample) use() bool {
	if s.off > 0 {
		s.off--
		return false
	}
	return true
}

func (s *sample) count(pass bool) {
	s.seen++
	if pass {
		s.passed++
	}
	if s.seen == sampleSize {
		if float64(s.passed) > worthIt*sampleSize {
			s.off = offFor
		}
		s.seen, s.passed = 0, 0
	}
}

// candidates returns the programs of an index worth evaluating for the
// event in x.fields, each once.
func (x *Evaluator) candidates(idx *sigmaIndex) []int32 {
	x.cands = append(x.cands[:0], idx.always...)
	if len(x.tried) < len(idx.programs) {
		x.tried = make([]uint32, len(x.e.rules)) // as many as any kind may have
	}
	for k := range idx.anchors {
		a := &idx.anchors[k]
		for i := x.fields.First(a.path); i >= 0; i = x.fields.Next(i) {
			v := x.fields.At(i)
			if v.Kind == field.Null || v.Kind == field.Composite {
				continue
			}
			for _, p := range a.values.get(v.Bytes, &x.fold) {
				if x.tried[p] != x.gen {
					x.tried[p] = x.gen
					x.cands = append(x.cands, p)
				}
			}
		}
	}
	return x.cands
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
	// Fields are the values of the rule's fields, in order.
	Fields []Value
	// Correlated are the values of the fields correlations read, by path.
	Correlated map[string]string
}

// Value is the value of a field in an event: its text, or absent.
type Value struct {
	Text    string
	Present bool
}

// Entity is something an event names: a principal, an address, a key.
type Entity struct{ Type, Value string }

func reportPaths(rules []*rule.Rule) []string {
	var paths []string
	for k := event.Unknown; k <= event.WebError; k++ {
		f := k.Facts()
		paths = append(paths, f.ID...)
		paths = append(paths, f.Time...)
		for _, e := range f.Entities {
			paths = append(paths, e.Path)
		}
	}
	for _, r := range rules {
		paths = append(paths, r.Dedup...)
		paths = append(paths, r.Fields...)
		paths = append(paths, r.Correlated...)
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
	all := func(path string) []string {
		id, ok := rv.set.ID(path)
		if !ok {
			return nil
		}
		var texts []string
		for i := x.details.First(id); i >= 0; i = x.details.Next(i) {
			texts = append(texts, string(x.details.At(i).Bytes))
		}
		return texts
	}
	get := func(path string) Value {
		texts := all(path)
		return Value{Text: strings.Join(texts, ","), Present: texts != nil}
	}
	facts := ev.Kind.Facts()
	id := first(get, facts.ID).Text
	if ev.Kind == event.JSON || id == "" {
		id = event.Digest(ev.Raw)
	}
	var when time.Time
	if t := first(get, facts.Time); t.Present {
		when, _ = event.ParseTime([]byte(t.Text))
	}
	var base []Entity
	for _, e := range facts.Entities {
		if slices.ContainsFunc(base, func(b Entity) bool { return b.Type == e.Type }) {
			continue // an earlier path named it
		}
		for _, v := range all(e.Path) {
			if v != "" && (e.Type != "source_ip" || isIP(v)) {
				base = append(base, Entity{e.Type, v})
			}
		}
	}
	out := make([]Match, 0, len(rules))
	for _, r := range rules {
		m := Match{Rule: r, EventID: id, Time: when, Entities: slices.Clone(base)}
		for _, p := range r.Dedup {
			m.Dedup = append(m.Dedup, get(p))
		}
		for _, p := range r.Fields {
			m.Fields = append(m.Fields, get(p))
		}
		for _, p := range r.Correlated {
			if v := get(p); v.Present {
				if m.Correlated == nil {
					m.Correlated = map[string]string{}
				}
				m.Correlated[p] = v.Text
			}
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

// first returns the value of the first of paths present in the event.
func first(get func(string) Value, paths []string) Value {
	for _, p := range paths {
		if v := get(p); v.Present {
			return v
		}
	}
	return Value{}
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
