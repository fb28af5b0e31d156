// Package correlate runs Sigma correlation rules over the events their
// rules match: counts, distinct values, sums, averages and percentiles of
// fields, and rules firing together or in order, per group of events that
// share the values of the group-by fields, within a timespan.
//
// Windows run on event time, so a scan of an archive finds what the
// online system finds live. A condition that stays true as more events
// join a window (gt and gte on counts, distinct values, sums, rules seen)
// is checked on sliding windows and fires as soon as it holds; the
// group's events up to then are then forgotten, so that the next alert
// needs new events. A condition that more events could make false (lt,
// lte, eq, neq, averages, percentiles) is judged on windows that start at
// a group's first event, when they close. Events may arrive out of time
// order within a lateness bound; later ones are counted and dropped.
// State is bounded: groups expire with their windows, and a cap on groups
// per correlation evicts the least recently active.
package correlate

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/sigma"
)

// Hit is an event a correlated rule matched, or a correlation that fired.
type Hit struct {
	Rule    string // the Ref of the rule or correlation
	Time    time.Time
	EventID string
	// Values are the event's values by field path (for a correlation that
	// fired, by its group-by names).
	Values map[string]string
	// Events are the events behind a correlation that fired; nil for an
	// event, which stands for itself.
	Events []Event
	// Entities are the entities the event names, by type.
	Entities map[string][]string
}

// Fire is a correlation that fired for a group.
type Fire struct {
	// ID names the fire as an event of the correlations it feeds.
	ID   string
	Corr *sigma.Correlation
	// Group holds the group-by values, by group-by name.
	Group map[string]string
	// First and Last are the times of the first and last events it
	// counted; Time is when it fired (the last event, or the window's
	// end when the condition is judged at its close).
	First, Last, Time time.Time
	// Events are the events behind it, in time order: those of the
	// correlations it correlates in their place.
	Events []Event
	// Entities are the entities of those events, by type.
	Entities map[string][]string
	// Value is the number the condition held for.
	Value float64
}

// Event is an event behind a fire.
type Event struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

// Stats counts what a correlation engine dropped.
type Stats struct {
	Late    int // events older than the lateness bound allows
	Evicted int // groups dropped because a correlation had too many
}

// Engine runs correlations. It is not safe for concurrent use.
type Engine struct {
	corrs     []*corr
	byRule    map[string][]*corr // the correlations each rule feeds
	lateness  time.Duration
	maxGroups int
	latest    time.Time // the latest event time seen
	stats     Stats
}

// corr is one correlation and the state of its groups.
type corr struct {
	c       *sigma.Correlation
	sliding bool // fires as soon as its condition holds
	// names maps each rule the correlation reads to the paths of the
	// group-by fields and value fields in its events.
	group  map[string][]string
	values map[string][]string
	groups map[string]*group
}

// group is the events of one group of a correlation.
type group struct {
	key     string
	values  map[string]string // group-by name → value
	entries []entry           // in time order
	start   time.Time         // the anchored window's start (judged at close)
	last    time.Time         // the latest event added
}

type entry struct {
	at       time.Time
	id       string
	rule     string
	value    string  // of the value field(s)
	num      float64 // the value as a number, for sums and averages
	isNum    bool
	events   []Event // behind a correlation's fire; nil for an event
	entities map[string][]string
}

// New returns an engine for correlations. lateness bounds how far out of
// order events may arrive; maxGroups bounds the groups of each.
func New(corrs []*sigma.Correlation, lateness time.Duration, maxGroups int) *Engine {
	e := &Engine{byRule: map[string][]*corr{}, lateness: lateness, maxGroups: maxGroups}
	for _, c := range corrs {
		x := &corr{c: c, sliding: sliding(c), group: map[string][]string{}, values: map[string][]string{}, groups: map[string]*group{}}
		for _, r := range c.Rules {
			ref := r.ID()
			for _, g := range c.GroupBy {
				x.group[ref] = append(x.group[ref], fieldPath(c, r, g))
			}
			for _, f := range c.Field {
				x.values[ref] = append(x.values[ref], fieldPath(c, r, f))
			}
			e.byRule[ref] = append(e.byRule[ref], x)
		}
		e.corrs = append(e.corrs, x)
	}
	return e
}

// sliding reports whether a correlation's condition, once true of a
// window, stays true as more events join it.
func sliding(c *sigma.Correlation) bool {
	switch c.Type {
	case sigma.ValueAvg, sigma.ValuePercentile:
		return false
	}
	return c.Cond.Monotone()
}

// fieldPath returns the path in the events of a correlated rule of a
// group-by name or value field: the field an alias names for that rule
// (by its name or id), in the rule's field namespace; for a correlation
// that feeds this one, the group-by name of its fires that an alias names,
// or the name as it is.
func fieldPath(c *sigma.Correlation, r sigma.Ref, name string) string {
	keys := []string{}
	if r.Rule != nil {
		keys = append(keys, r.Rule.Name, r.Rule.ID)
	} else {
		keys = append(keys, r.Correlation.Name, r.Correlation.ID)
	}
	for _, k := range keys {
		if f, ok := c.Aliases[name][k]; ok && k != "" {
			name = f
			break
		}
	}
	if r.Rule == nil {
		return name
	}
	return r.Rule.Path(name)
}

// Needs returns the paths the engine reads of the events of a rule.
func (e *Engine) Needs(rule string) []string {
	var out []string
	for _, x := range e.byRule[rule] {
		out = append(out, x.group[rule]...)
		out = append(out, x.values[rule]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Feeds reports whether a rule feeds some correlation.
func (e *Engine) Feeds(rule string) bool { return len(e.byRule[rule]) > 0 }

// Stats returns what the engine dropped.
func (e *Engine) Stats() Stats { return e.stats }

// Add counts a hit and returns the correlations it made fire, those that
// the time it carries closed, and those those fired in turn.
func (e *Engine) Add(h Hit) []Fire {
	if h.Time.After(e.latest) {
		e.latest = h.Time
	}
	fires := e.close(e.latest.Add(-e.lateness))
	for _, x := range e.byRule[h.Rule] {
		if f, ok := e.add(x, h); ok {
			fires = append(fires, f)
		}
	}
	return e.chain(fires)
}

// Flush closes every window, as at the end of an archive, and returns
// what fired.
func (e *Engine) Flush() []Fire {
	return e.chain(e.close(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)))
}

// chain feeds fires to the correlations that correlate them.
func (e *Engine) chain(fires []Fire) []Fire {
	for i := 0; i < len(fires); i++ {
		f := fires[i]
		if len(e.byRule[f.Corr.Ref()]) == 0 {
			continue
		}
		h := f.Hit()
		for _, x := range e.byRule[h.Rule] {
			if g, ok := e.add(x, h); ok {
				fires = append(fires, g)
			}
		}
	}
	return fires
}

// Hit returns the fire as a hit of the correlations that correlate it.
func (f Fire) Hit() Hit {
	return Hit{Rule: f.Corr.Ref(), Time: f.Time, EventID: f.ID, Values: f.Group, Events: f.Events, Entities: f.Entities}
}

// fireID names a fire as an event of the correlations it feeds.
func fireID(f Fire) string {
	return fmt.Sprintf("%s@%s/%s", f.Corr.Ref(), f.Time.UTC().Format(time.RFC3339Nano), groupKey(f.Group, f.Corr.GroupBy))
}

func groupKey(values map[string]string, names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(values[n])
		b.WriteByte(0)
	}
	return b.String()
}

// add counts a hit in its group of a correlation and reports whether the
// correlation fired.
func (e *Engine) add(x *corr, h Hit) (Fire, bool) {
	vals, ok := x.groupOf(h)
	if !ok {
		return Fire{}, false // an event without a group-by field is in no group
	}
	if h.Time.Before(e.latest.Add(-e.lateness - x.c.Timespan)) {
		e.stats.Late++ // no window it could count in is still open
		return Fire{}, false
	}
	key := groupKey(vals, x.c.GroupBy)
	g := x.groups[key]
	if g == nil {
		if len(x.groups) >= e.maxGroups {
			e.evict(x)
		}
		g = &group{key: key, values: vals, start: h.Time}
		x.groups[key] = g
	}
	en := entry{at: h.Time, id: h.EventID, rule: h.Rule, events: h.Events, entities: h.Entities}
	if paths := x.values[h.Rule]; len(paths) > 0 {
		var parts []string
		for _, p := range paths {
			parts = append(parts, h.Values[p])
		}
		en.value = strings.Join(parts, "\x00")
		en.num, _ = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		_, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		en.isNum = err == nil
	}
	i, _ := slices.BinarySearchFunc(g.entries, en, func(a, b entry) int { return cmp.Or(a.at.Compare(b.at), strings.Compare(a.id, b.id)) })
	if i < len(g.entries) && g.entries[i].id == en.id && g.entries[i].rule == en.rule {
		return Fire{}, false // the same event again
	}
	g.entries = slices.Insert(g.entries, i, en)
	if h.Time.After(g.last) {
		g.last = h.Time
	}
	if h.Time.Before(g.start) {
		g.start = h.Time
	}
	if !x.sliding {
		return Fire{}, false
	}
	return x.slide(g, i)
}

// groupOf returns the group-by values of a hit, by group-by name; ok is
// false when the hit lacks one.
func (x *corr) groupOf(h Hit) (_ map[string]string, ok bool) {
	vals := map[string]string{}
	for i, name := range x.c.GroupBy {
		path := x.group[h.Rule][i]
		v, ok := h.Values[path]
		if !ok {
			v, ok = h.Values[name] // a correlation's fire names its groups
		}
		if !ok {
			return nil, false
		}
		vals[name] = v
	}
	return vals, true
}

// evict drops the group of a correlation least recently added to.
func (e *Engine) evict(x *corr) {
	var old *group
	for _, g := range x.groups {
		if old == nil || g.last.Before(old.last) {
			old = g
		}
	}
	delete(x.groups, old.key)
	e.stats.Evicted++
}

// slide checks the windows that hold the entry just inserted at i: those
// ending at it or at a later entry within the timespan. When one holds
// the condition, the correlation fires and the group forgets the events
// up to the window's end.
func (x *corr) slide(g *group, i int) (Fire, bool) {
	span := x.c.Timespan
	for end := i; end < len(g.entries) && !g.entries[end].at.After(g.entries[i].at.Add(span)); end++ {
		from := g.entries[end].at.Add(-span)
		start, _ := slices.BinarySearchFunc(g.entries, from, func(a entry, t time.Time) int { return a.at.Compare(t) })
		w := g.entries[start : end+1]
		if v, ok := x.measure(w); ok && x.c.Cond.Holds(v) {
			f := x.fire(g, w, v, w[len(w)-1].at)
			g.entries = slices.Clone(g.entries[end+1:])
			if len(g.entries) > 0 {
				g.start = g.entries[0].at
			}
			return f, true
		}
	}
	return Fire{}, false
}

// measure returns the number the condition of a correlation is about, for
// the events of a window, and false when it has none (an ordered temporal
// correlation whose rules did not come in order).
func (x *corr) measure(w []entry) (float64, bool) {
	switch x.c.Type {
	case sigma.EventCount:
		return float64(len(w)), true
	case sigma.ValueCount:
		return float64(distinct(w, func(e entry) string { return e.value })), true
	case sigma.Temporal:
		return float64(distinct(w, func(e entry) string { return e.rule })), true
	case sigma.TemporalOrdered:
		return float64(inOrder(w, x.c.Rules)), true
	case sigma.ValueSum, sigma.ValueAvg:
		sum, n := 0.0, 0
		for _, e := range w {
			if e.isNum {
				sum += e.num
				n++
			}
		}
		if x.c.Type == sigma.ValueSum {
			return sum, true
		}
		if n == 0 {
			return 0, false
		}
		return sum / float64(n), true
	}
	return 0, false
}

func distinct(w []entry, key func(entry) string) int {
	seen := map[string]bool{}
	for _, e := range w {
		seen[key(e)] = true
	}
	return len(seen)
}

// inOrder returns how many of the rules, taken in their order, the
// window's events show one after the other.
func inOrder(w []entry, rules []sigma.Ref) int {
	n := 0
	for _, e := range w {
		if n < len(rules) && e.rule == rules[n].ID() {
			n++
		}
	}
	return n
}

// close judges the windows that end before t (correlations judged at
// close), and forgets the groups whose events are all older than a
// window before t.
func (e *Engine) close(t time.Time) []Fire {
	var fires []Fire
	for _, x := range e.corrs {
		span := x.c.Timespan
		for key, g := range x.groups {
			for !x.sliding && len(g.entries) > 0 && g.start.Add(span).Before(t) {
				fires = append(fires, x.judge(g)...)
			}
			if len(g.entries) == 0 || g.last.Add(span).Before(t) {
				delete(x.groups, key)
			}
		}
	}
	slices.SortFunc(fires, func(a, b Fire) int { return a.Time.Compare(b.Time) })
	return fires
}

// judge evaluates the window that starts at a group's start, drops its
// events, and starts the next window at the group's next event.
func (x *corr) judge(g *group) []Fire {
	end := g.start.Add(x.c.Timespan)
	n, _ := slices.BinarySearchFunc(g.entries, end, func(a entry, t time.Time) int {
		if a.at.After(t) {
			return 1
		}
		return -1
	})
	w := g.entries[:n]
	var fires []Fire
	if x.c.Type == sigma.ValuePercentile {
		fires = x.percentiles(g, w, end)
	} else if v, ok := x.measure(w); ok && x.c.Cond.Holds(v) {
		fires = append(fires, x.fire(g, w, v, end))
	}
	g.entries = slices.Clone(g.entries[n:])
	if len(g.entries) > 0 {
		g.start = g.entries[0].at
	}
	return fires
}

// percentiles fires for each value of the field whose share of the
// window's events, in percent, holds the condition: how rare it is.
func (x *corr) percentiles(g *group, w []entry, end time.Time) []Fire {
	byValue := map[string][]entry{}
	var order []string
	for _, e := range w {
		if _, ok := byValue[e.value]; !ok {
			order = append(order, e.value)
		}
		byValue[e.value] = append(byValue[e.value], e)
	}
	var fires []Fire
	for _, v := range order {
		es := byValue[v]
		pct := 100 * float64(len(es)) / float64(len(w))
		if x.c.Cond.Holds(pct) {
			f := x.fire(g, es, pct, end)
			f.Group = maps(g.values, x.c.Field[0], v)
			fires = append(fires, f)
		}
	}
	return fires
}

func maps(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func (x *corr) fire(g *group, w []entry, v float64, at time.Time) Fire {
	f := Fire{Corr: x.c, Group: g.values, First: w[0].at, Last: w[len(w)-1].at, Time: at, Value: v}
	for _, e := range w {
		if e.events != nil {
			f.Events = append(f.Events, e.events...)
		} else {
			f.Events = append(f.Events, Event{e.id, e.at})
		}
		for typ, vals := range e.entities {
			for _, v := range vals {
				if f.Entities == nil {
					f.Entities = map[string][]string{}
				}
				if !slices.Contains(f.Entities[typ], v) {
					f.Entities[typ] = append(f.Entities[typ], v)
				}
			}
		}
	}
	f.ID = fireID(f)
	return f
}
