// Package route decides where notifications of alerts go, with the
// semantics of Prometheus Alertmanager: a routing tree whose nodes match
// alerts by their labels and name a receiver and how to group alerts,
// inhibition rules, and time intervals that mute or activate routes.
//
// The matchers and time intervals are Alertmanager's own packages; the
// tree and inhibition are written here because Alertmanager's are tied
// to its in-memory alert store and its whole configuration package (see
// docs/respond.md).
package route

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"

	"vigil/config"
)

// Route is a node of the routing tree.
type Route struct {
	parent *Route
	// Opts are the node's options, its ancestors' where it does not set
	// them.
	Opts     Opts
	Matchers labels.Matchers
	// Continue makes an alert that matches this node go on to match its
	// next siblings.
	Continue bool
	Routes   []*Route
	// Actions are the response actions the node names.
	Actions []string
}

// Opts are the options of a route: where and how its alerts are sent.
type Opts struct {
	Receiver string
	// GroupBy are the labels alerts are grouped by; GroupByAll groups
	// them by all their labels (group_by: ['...']).
	GroupBy        []model.LabelName
	GroupByAll     bool
	GroupWait      time.Duration
	GroupInterval  time.Duration
	RepeatInterval time.Duration
	// MuteTimeIntervals and ActiveTimeIntervals name time intervals;
	// unlike the other options, a node does not inherit them.
	MuteTimeIntervals   []string
	ActiveTimeIntervals []string
}

// New builds the routing tree of a configuration's root route.
func New(c *config.Route) *Route {
	root := Opts{GroupWait: config.DefaultGroupWait, GroupInterval: config.DefaultGroupInterval,
		RepeatInterval: config.DefaultRepeatInterval}
	return newRoute(c, nil, root)
}

func newRoute(c *config.Route, parent *Route, opts Opts) *Route {
	if c.Receiver != "" {
		opts.Receiver = c.Receiver
	}
	if c.GroupBy != nil {
		opts.GroupBy, opts.GroupByAll = nil, false
		for _, n := range c.GroupBy {
			if n == "..." {
				opts.GroupByAll = true
			} else {
				opts.GroupBy = append(opts.GroupBy, model.LabelName(n))
			}
		}
	}
	for _, t := range []struct {
		from *model.Duration
		to   *time.Duration
	}{{c.GroupWait, &opts.GroupWait}, {c.GroupInterval, &opts.GroupInterval}, {c.RepeatInterval, &opts.RepeatInterval}} {
		if t.from != nil {
			*t.to = time.Duration(*t.from)
		}
	}
	opts.MuteTimeIntervals, opts.ActiveTimeIntervals = c.MuteTimeIntervals, c.ActiveTimeIntervals
	r := &Route{parent: parent, Opts: opts, Matchers: c.AllMatchers(), Continue: c.Continue, Actions: c.Actions}
	for _, child := range c.Routes {
		r.Routes = append(r.Routes, newRoute(child, r, opts))
	}
	return r
}

// Match returns the nodes an alert with the labels goes to: a
// depth-first, left-to-right search in which a matching node stops the
// search among its siblings unless it has Continue, and a node none of
// whose children match is itself the match.
func (r *Route) Match(lset model.LabelSet) []*Route {
	if !r.Matchers.Matches(lset) {
		return nil
	}
	var all []*Route
	for _, child := range r.Routes {
		m := child.Match(lset)
		all = append(all, m...)
		if m != nil && !child.Continue {
			break
		}
	}
	if len(all) == 0 {
		all = append(all, r)
	}
	return all
}

// Key returns Alertmanager's key of the route: the matchers of it and its
// ancestors. Siblings with the same matchers have the same key.
func (r *Route) Key() string {
	var b strings.Builder
	if r.parent != nil {
		b.WriteString(r.parent.Key())
		b.WriteByte('/')
	}
	b.WriteString(r.Matchers.String())
	return b.String()
}

// ID returns a key that no other node of the tree has: Key with the
// position of each node among its siblings.
func (r *Route) ID() string {
	var b strings.Builder
	if r.parent != nil {
		b.WriteString(r.parent.ID())
		b.WriteByte('/')
	}
	b.WriteString(r.Matchers.String())
	if r.parent != nil {
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(slices.Index(r.parent.Routes, r)))
	}
	return b.String()
}

// Walk calls visit on the node and its descendants, depth first.
func (r *Route) Walk(visit func(*Route)) {
	visit(r)
	for _, child := range r.Routes {
		child.Walk(visit)
	}
}

// GroupLabels returns the labels of an alert that decide its group in
// this route.
func (r *Route) GroupLabels(lset model.LabelSet) model.LabelSet {
	if r.Opts.GroupByAll {
		return lset.Clone()
	}
	g := model.LabelSet{}
	for _, n := range r.Opts.GroupBy {
		if v, ok := lset[n]; ok {
			g[n] = v
		}
	}
	return g
}

// GroupKey returns Alertmanager's key of the group of an alert with the
// group labels in this route, as receivers such as PagerDuty see it.
func (r *Route) GroupKey(group model.LabelSet) string {
	return fmt.Sprintf("%s:%s", r.Key(), group)
}

// Muted reports whether the route's notifications are held back at now:
// now is in one of its mute time intervals, or it has active time
// intervals and now is in none of them. Names were checked at load.
func (r *Route) Muted(iv *timeinterval.Intervener, now time.Time) bool {
	if muted, _ := iv.ContainsTime(r.Opts.MuteTimeIntervals, now); muted {
		return true
	}
	if len(r.Opts.ActiveTimeIntervals) == 0 {
		return false
	}
	active, _ := iv.ContainsTime(r.Opts.ActiveTimeIntervals, now)
	return !active
}
