package pattern

import (
	"fmt"
	"slices"
	"strings"

	"vigil/field"
)

// Machine matches events against many patterns at once.
//
// It is a nondeterministic automaton over the fields of an event, in the
// manner of EventBridge's own matcher: each pattern is a path of states,
// one per field it tests, taken in the order of the field names, and
// patterns that test the same fields the same way share their states.
// At each state, the values of the next field are looked up in hash maps
// (exact, case-folded, numeric and affix matches) rather than compared
// with each pattern, so that the cost of matching an event depends on
// the event and on how many patterns it nearly matches, not on how many
// patterns there are.
type Machine struct {
	start    *state
	states   []*state
	patterns int
}

type state struct {
	id     int32
	accept []int32 // patterns matched on reaching this state
	trans  []*trans
}

// trans leads from a state to others through the values of one field.
type trans struct {
	path   int32
	absent []*state // reached when the field has no value (exists: false)
	exists []*state
	strs   map[string][]*state
	lits   map[string][]*state // number texts, true, false, null
	nums   map[int64][]*state
	folds  map[string][]*state
	affix  [4]affixIndex // by op - opPrefix
	list   []listed      // matchers that cannot be looked up
	next   map[string]*state
}

// affixIndex finds the prefixes (or suffixes) of a value among a set, by
// looking up the value's prefix of each length the set has.
type affixIndex struct {
	lens []int
	by   map[string][]*state
}

type listed struct {
	m  *matcher
	to *state
}

// NewMachine compiles patterns; pattern i is reported as i. Every path the
// patterns read must be in set.
func NewMachine(set *field.Set, patterns []*Pattern) (*Machine, error) {
	m := &Machine{patterns: len(patterns)}
	m.start = m.newState()
	for i, p := range patterns {
		for _, c := range p.conj {
			if err := m.add(set, int32(i), c); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range m.states {
		for _, t := range s.trans {
			t.next = nil
		}
	}
	return m, nil
}

func (m *Machine) newState() *state {
	s := &state{id: int32(len(m.states))}
	m.states = append(m.states, s)
	return s
}

func (m *Machine) add(set *field.Set, id int32, conj []step) error {
	s := m.start
	for _, st := range conj {
		path, ok := set.ID(st.path)
		if !ok {
			return fmt.Errorf("pattern: field %q is missing from the field set", st.path)
		}
		t := s.transition(int32(path))
		key := st.key()
		next := t.next[key]
		if next == nil {
			next = m.newState()
			t.next[key] = next
			for _, mt := range st.ms {
				t.index(mt, next)
			}
		}
		s = next
	}
	if !slices.Contains(s.accept, id) {
		s.accept = append(s.accept, id)
	}
	return nil
}

func (st *step) key() string {
	keys := make([]string, len(st.ms))
	for i, m := range st.ms {
		keys[i] = m.key()
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x00")
}

func (s *state) transition(path int32) *trans {
	i, found := slices.BinarySearchFunc(s.trans, path, func(t *trans, p int32) int { return int(t.path - p) })
	if found {
		return s.trans[i]
	}
	t := &trans{path: path, next: map[string]*state{}}
	s.trans = slices.Insert(s.trans, i, t)
	return t
}

func addTo[K comparable](m *map[K][]*state, k K, s *state) {
	if *m == nil {
		*m = map[K][]*state{}
	}
	(*m)[k] = append((*m)[k], s)
}

func (t *trans) index(m *matcher, to *state) {
	switch m.op {
	case opString:
		addTo(&t.strs, m.text, to)
	case opLiteral:
		addTo(&t.lits, m.text, to)
	case opNumEq:
		addTo(&t.nums, m.num, to)
	case opFold:
		addTo(&t.folds, m.text, to)
	case opPrefix, opPrefixFold, opSuffix, opSuffixFold:
		a := &t.affix[m.op-opPrefix]
		if !slices.Contains(a.lens, len(m.text)) {
			a.lens = append(a.lens, len(m.text))
			slices.Sort(a.lens)
		}
		addTo(&a.by, m.text, to)
	case opExists:
		t.exists = append(t.exists, to)
	case opAbsent:
		t.absent = append(t.absent, to)
	default:
		t.list = append(t.list, listed{m, to})
	}
}

// lookup appends to out the states the value leads to.
func (t *trans) lookup(v *field.Value, s *scratch, out []*state) []*state {
	out = append(out, t.exists...)
	switch v.Kind {
	case field.String:
		out = append(out, t.strs[string(v.Bytes)]...)
		if t.folds != nil || t.affix[1].by != nil || t.affix[3].by != nil {
			low := s.fold(v.Bytes)
			out = append(out, t.folds[string(low)]...)
			out = t.affix[1].prefixes(low, out)
			out = t.affix[3].suffixes(low, out)
		}
		out = t.affix[0].prefixes(v.Bytes, out)
		out = t.affix[2].suffixes(v.Bytes, out)
	case field.Number:
		out = append(out, t.lits[string(v.Bytes)]...)
		if t.nums != nil {
			if n, ok := fixedText(v.Bytes); ok {
				out = append(out, t.nums[n]...)
			}
		}
	default:
		out = append(out, t.lits[string(v.Bytes)]...)
	}
	for i := range t.list {
		if t.list[i].m.match(v, s) {
			out = append(out, t.list[i].to)
		}
	}
	return out
}

func (a *affixIndex) prefixes(b []byte, out []*state) []*state {
	for _, n := range a.lens {
		if n > len(b) {
			break
		}
		out = append(out, a.by[string(b[:n])]...)
	}
	return out
}

func (a *affixIndex) suffixes(b []byte, out []*state) []*state {
	for _, n := range a.lens {
		if n > len(b) {
			break
		}
		out = append(out, a.by[string(b[len(b)-n:])]...)
	}
	return out
}

// Run holds what matching one event needs, so that matching allocates
// nothing once it has warmed up. A Run is used by one goroutine at a time.
type Run struct {
	m     *Machine
	gen   uint32
	stamp []uint32 // per state: the generation it was last reached in without array constraints
	hit   []uint32 // per pattern: the generation it last matched in
	work  []item
	held  []item // items with array constraints reached so far
	elems []field.Elem
	next  []*state
	out   []int
	s     scratch
}

// item is a state reached with the array elements its fields came from.
type item struct {
	s        *state
	from, to int32 // its elements are elems[from:to]
}

// NewRun returns the matching memory for m.
func (m *Machine) NewRun() *Run {
	return &Run{m: m, stamp: make([]uint32, len(m.states)), hit: make([]uint32, m.patterns)}
}

// Match returns the patterns the values satisfy, in no particular order.
// The slice is reused by the next call.
func (r *Run) Match(v *field.Values) []int {
	r.gen++
	if r.gen == 0 { // wrapped around: forget all stamps
		clear(r.stamp)
		clear(r.hit)
		r.gen = 1
	}
	r.out, r.work, r.held, r.elems = r.out[:0], r.work[:0], r.held[:0], r.elems[:0]
	r.push(item{s: r.m.start})
	for len(r.work) > 0 {
		it := r.work[len(r.work)-1]
		r.work = r.work[:len(r.work)-1]
		for _, p := range it.s.accept {
			if r.hit[p] != r.gen {
				r.hit[p] = r.gen
				r.out = append(r.out, int(p))
			}
		}
		for _, t := range it.s.trans {
			r.step(v, it, t)
		}
	}
	return r.out
}

func (r *Run) step(v *field.Values, it item, t *trans) {
	leaf := false // objects at a composite path are not values to patterns
	for i := v.First(int(t.path)); i >= 0; i = v.Next(i) {
		x := v.At(i)
		if x.Kind == field.Composite {
			continue
		}
		leaf = true
		elems := v.Elems(i)
		from, to := it.from, it.to
		if len(elems) > 0 {
			var ok bool
			if from, to, ok = r.merge(it, elems); !ok {
				continue
			}
		}
		r.next = t.lookup(x, &r.s, r.next[:0])
		for _, s := range r.next {
			r.push(item{s: s, from: from, to: to})
		}
	}
	if !leaf {
		for _, s := range t.absent {
			r.push(item{s: s, from: it.from, to: it.to})
		}
	}
}

// merge returns the array elements of it joined with elems, and false when
// they disagree on the element of some array.
func (r *Run) merge(it item, elems []field.Elem) (int32, int32, bool) {
	have := r.elems[it.from:it.to]
	added := false
	for _, e := range elems {
		found := false
		for _, h := range have {
			if h.Array == e.Array {
				if h.Index != e.Index {
					return 0, 0, false
				}
				found = true
				break
			}
		}
		added = added || !found
	}
	if !added {
		return it.from, it.to, true
	}
	from := int32(len(r.elems))
	r.elems = append(r.elems, have...)
	for _, e := range elems {
		if !slices.ContainsFunc(r.elems[from:], func(h field.Elem) bool { return h.Array == e.Array }) {
			r.elems = append(r.elems, e)
		}
	}
	return from, int32(len(r.elems)), true
}

func (r *Run) push(it item) {
	if it.from == it.to {
		if r.stamp[it.s.id] == r.gen {
			return
		}
		r.stamp[it.s.id] = r.gen
		r.work = append(r.work, it)
		return
	}
	have := r.elems[it.from:it.to]
	for _, h := range r.held {
		if h.s == it.s && slices.Equal(r.elems[h.from:h.to], have) {
			return
		}
	}
	r.held = append(r.held, it)
	r.work = append(r.work, it)
}

// Match reports whether a JSON event matches the pattern. The event is
// matched as it is: a bare CloudTrail record is not wrapped first.
func (p *Pattern) Match(event []byte) (bool, error) {
	set := field.NewSet(p.paths)
	m, err := NewMachine(set, []*Pattern{p})
	if err != nil {
		return false, err
	}
	v := field.NewValues(set)
	if err := v.Extract(event, set.Scope("")); err != nil {
		return false, err
	}
	return len(m.NewRun().Match(v)) > 0, nil
}
