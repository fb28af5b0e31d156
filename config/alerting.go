package config

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/prometheus/alertmanager/matcher/compat"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Alerting is where notifications of alerts go: Alertmanager's routing
// tree, receivers, inhibition rules and time intervals, in Alertmanager's
// format. docs/respond.md describes it.
type Alerting struct {
	// ExternalURL is the console's address, for the links in
	// notifications: https://vigil.example.com:8443.
	ExternalURL string `yaml:"external_url"`
	// Route is the root of the routing tree; nil for DefaultRoute.
	Route         *Route         `yaml:"route"`
	Receivers     []Receiver     `yaml:"receivers"`
	InhibitRules  []InhibitRule  `yaml:"inhibit_rules"`
	TimeIntervals []TimeInterval `yaml:"time_intervals"`
	// MuteTimeIntervals is the older name of TimeIntervals, still read.
	MuteTimeIntervals []TimeInterval `yaml:"mute_time_intervals"`
	// InhibitSourceMaxAge is how recently an alert must have taken an
	// event or changed to inhibit others (vigil's, not Alertmanager's:
	// vigil's alerts fire until someone closes them).
	InhibitSourceMaxAge Duration `yaml:"inhibit_source_max_age"`
	Delivery            Delivery `yaml:"delivery"`
}

// Route is a node of the routing tree, as Alertmanager's.
type Route struct {
	Receiver string   `yaml:"receiver"`
	GroupBy  []string `yaml:"group_by"`
	// Match and MatchRE are Alertmanager's older matchers, still read.
	Match               map[string]string `yaml:"match"`
	MatchRE             map[string]string `yaml:"match_re"`
	Matchers            Matchers          `yaml:"matchers"`
	MuteTimeIntervals   []string          `yaml:"mute_time_intervals"`
	ActiveTimeIntervals []string          `yaml:"active_time_intervals"`
	Continue            bool              `yaml:"continue"`
	Routes              []*Route          `yaml:"routes"`
	GroupWait           *model.Duration   `yaml:"group_wait"`
	GroupInterval       *model.Duration   `yaml:"group_interval"`
	RepeatInterval      *model.Duration   `yaml:"repeat_interval"`
	// Actions names response actions to take on the alerts the route
	// matches, besides those their rules name (vigil's, not
	// Alertmanager's).
	Actions []string `yaml:"actions"`
}

// AllMatchers returns the route's matchers: those of match, match_re
// and matchers together, sorted as Alertmanager sorts them.
func (r *Route) AllMatchers() labels.Matchers {
	return allMatchers(r.Match, r.MatchRE, r.Matchers)
}

// InhibitRule mutes the alerts that match the target matchers while an
// alert that matches the source matchers fires with the same values of
// the Equal labels.
type InhibitRule struct {
	SourceMatch    map[string]string `yaml:"source_match"`
	SourceMatchRE  map[string]string `yaml:"source_match_re"`
	SourceMatchers Matchers          `yaml:"source_matchers"`
	TargetMatch    map[string]string `yaml:"target_match"`
	TargetMatchRE  map[string]string `yaml:"target_match_re"`
	TargetMatchers Matchers          `yaml:"target_matchers"`
	Equal          []string          `yaml:"equal"`
}

// Sources returns the matchers of the inhibiting alerts.
func (r *InhibitRule) Sources() labels.Matchers {
	return allMatchers(r.SourceMatch, r.SourceMatchRE, r.SourceMatchers)
}

// Targets returns the matchers of the inhibited alerts.
func (r *InhibitRule) Targets() labels.Matchers {
	return allMatchers(r.TargetMatch, r.TargetMatchRE, r.TargetMatchers)
}

// TimeInterval names periods of time, in Alertmanager's format.
type TimeInterval struct {
	Name          string                      `yaml:"name"`
	TimeIntervals []timeinterval.TimeInterval `yaml:"time_intervals"`
}

// Delivery sets how notifications are retried.
type Delivery struct {
	// MaxAttempts is how many times a notification is tried before it
	// is set aside as a dead letter.
	MaxAttempts int `yaml:"max_attempts"`
	// MinBackoff and MaxBackoff bound the wait between attempts, which
	// doubles from one attempt to the next, with jitter.
	MinBackoff Duration `yaml:"min_backoff"`
	MaxBackoff Duration `yaml:"max_backoff"`
	// Timeout bounds one attempt.
	Timeout Duration `yaml:"timeout"`
	// Retention is how long delivered notifications are kept; pending
	// ones and dead letters are kept until they are delivered.
	Retention Duration `yaml:"retention"`
}

// Matchers are label matchers written as Alertmanager writes them:
// severity="critical", rule=~"aws-iam-.*", team!="ops".
type Matchers labels.Matchers

// UnmarshalYAML reads a list of matchers with Alertmanager's parser.
func (m *Matchers) UnmarshalYAML(n *yaml.Node) error {
	var lines []string
	if err := n.Decode(&lines); err != nil {
		return err
	}
	for _, line := range lines {
		ms, err := compat.Matchers(line, "config")
		if err != nil {
			return fmt.Errorf("line %d: matcher %q: %v", n.Line, line, err)
		}
		*m = append(*m, ms...)
	}
	slices.SortFunc(*m, compareMatchers)
	return nil
}

// ParseMatchers reads matchers as a route's matchers are written, one or
// more in each string.
func ParseMatchers(lines []string) (labels.Matchers, error) {
	var all labels.Matchers
	for _, line := range lines {
		ms, err := compat.Matchers(line, "api")
		if err != nil {
			return nil, fmt.Errorf("matcher %q: %v", line, err)
		}
		all = append(all, ms...)
	}
	slices.SortFunc(all, compareMatchers)
	return all, nil
}

// compareMatchers orders matchers as labels.Matchers sorts them.
func compareMatchers(a, b *labels.Matcher) int {
	ms := labels.Matchers{a, b}
	switch {
	case ms.Less(0, 1):
		return -1
	case ms.Less(1, 0):
		return 1
	}
	return 0
}

// allMatchers joins the three ways of writing matchers. match and
// match_re were checked at load: their matchers are valid.
func allMatchers(eq, re map[string]string, ms Matchers) labels.Matchers {
	all := slices.Clone(labels.Matchers(ms))
	for name, v := range eq {
		m, _ := labels.NewMatcher(labels.MatchEqual, name, v)
		all = append(all, m)
	}
	for name, v := range re {
		// Alertmanager anchors the expression before it makes the
		// matcher, and so shows it anchored in group keys.
		m, _ := labels.NewMatcher(labels.MatchRegexp, name, "^(?:"+v+")$")
		all = append(all, m)
	}
	slices.SortFunc(all, compareMatchers)
	return all
}

// The timers of the root route when it does not set them, as
// Alertmanager's.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// Names of the receivers of the default routing tree.
const (
	PagerReceiver   = "pager"
	TeamReceiver    = "team"
	ArchiveReceiver = "archive"
)

// DefaultRoute is the routing tree of a default installation, the three
// tiers of response to control-plane threats: critical and high alerts
// page someone at any hour, medium ones go to the team's mail and chat,
// and every alert, low and informational ones alone, goes to the
// archive.
func DefaultRoute() *Route {
	d := func(t time.Duration) *model.Duration { m := model.Duration(t); return &m }
	sev := func(s string) Matchers {
		m, _ := labels.NewMatcher(labels.MatchRegexp, "severity", s)
		return Matchers{m}
	}
	return &Route{
		Receiver:       ArchiveReceiver,
		GroupBy:        []string{"rule", "account"},
		GroupWait:      d(10 * time.Second),
		GroupInterval:  d(time.Minute),
		RepeatInterval: d(DefaultRepeatInterval),
		Routes: []*Route{
			{Receiver: PagerReceiver, Matchers: sev("critical|high"), GroupWait: d(0), Continue: true},
			{Receiver: TeamReceiver, Matchers: sev("medium"), Continue: true},
			{Receiver: ArchiveReceiver},
		},
	}
}

// defaultReceivers are the receivers the default tree sends to: pager
// and team send nowhere until the configuration says where; archive
// writes the data directory's NDJSON archive.
func defaultReceivers() []Receiver {
	return []Receiver{{Name: PagerReceiver}, {Name: TeamReceiver}, {Name: ArchiveReceiver, FileConfigs: []FileConfig{{}}}}
}

// DefaultDelivery retries a notification for about a day: 1s, 2s, 4s...
// then every 10 minutes.
func DefaultDelivery() Delivery {
	return Delivery{MaxAttempts: 150, MinBackoff: Duration(time.Second), MaxBackoff: Duration(10 * time.Minute),
		Timeout: Duration(30 * time.Second), Retention: Duration(30 * 24 * time.Hour)}
}

// defaults fills in the default tree and, for receivers it names that
// the configuration does not define, the default receivers.
func (a *Alerting) defaults() {
	if a.Route != nil {
		return
	}
	a.Route = DefaultRoute()
	for _, r := range defaultReceivers() {
		if !slices.ContainsFunc(a.Receivers, func(x Receiver) bool { return x.Name == r.Name }) {
			a.Receivers = append(a.Receivers, r)
		}
	}
}

// Intervals returns the time intervals by name.
func (a *Alerting) Intervals() map[string][]timeinterval.TimeInterval {
	m := map[string][]timeinterval.TimeInterval{}
	for _, ti := range slices.Concat(a.TimeIntervals, a.MuteTimeIntervals) {
		m[ti.Name] = ti.TimeIntervals
	}
	return m
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// check checks the alerting section as Alertmanager checks its
// configuration, plus the actions routes name.
func (a *Alerting) check(actions map[string]bool) error {
	if err := httpURL("alerting.external_url", a.ExternalURL)(); err != nil {
		return err
	}
	receivers := map[string]bool{}
	for i := range a.Receivers {
		r := &a.Receivers[i]
		key := fmt.Sprintf("alerting.receivers[%d]", i)
		if r.Name == "" {
			return errorf(key+".name", "empty")
		}
		if receivers[r.Name] {
			return errorf(key+".name", "%q named twice", r.Name)
		}
		receivers[r.Name] = true
		if err := r.check(key); err != nil {
			return err
		}
	}
	intervals := map[string]bool{}
	for _, l := range []struct {
		field string
		list  []TimeInterval
	}{{"time_intervals", a.TimeIntervals}, {"mute_time_intervals", a.MuteTimeIntervals}} {
		field := l.field
		for i, ti := range l.list {
			key := fmt.Sprintf("alerting.%s[%d].name", field, i)
			switch {
			case ti.Name == "":
				return errorf(key, "empty")
			case intervals[ti.Name]:
				return errorf(key, "%q named twice", ti.Name)
			}
			intervals[ti.Name] = true
		}
	}
	if err := a.checkRoot(); err != nil {
		return err
	}
	if err := checkRoute(a.Route, "alerting.route", receivers, intervals, actions); err != nil {
		return err
	}
	for i := range a.InhibitRules {
		if err := a.InhibitRules[i].check(fmt.Sprintf("alerting.inhibit_rules[%d]", i)); err != nil {
			return err
		}
	}
	if a.InhibitSourceMaxAge < Duration(time.Minute) {
		return errorf("alerting.inhibit_source_max_age", "%s: want at least 1m", a.InhibitSourceMaxAge)
	}
	return a.Delivery.check()
}

// checkRoot checks what Alertmanager requires of the root route.
func (a *Alerting) checkRoot() error {
	r := a.Route
	switch {
	case r.Receiver == "":
		return errorf("alerting.route.receiver", "empty: the root route needs a receiver")
	case len(r.AllMatchers()) > 0:
		return errorf("alerting.route.matchers", "the root route must not have matchers")
	case r.Continue:
		return errorf("alerting.route.continue", "the root route cannot have continue")
	case len(r.MuteTimeIntervals) > 0 || len(r.ActiveTimeIntervals) > 0:
		return errorf("alerting.route", "the root route cannot have mute_time_intervals or active_time_intervals")
	}
	return nil
}

func checkRoute(r *Route, key string, receivers, intervals, actions map[string]bool) error {
	if r.Receiver != "" && !receivers[r.Receiver] {
		return errorf(key+".receiver", "%q is not a receiver", r.Receiver)
	}
	if err := checkGroupBy(r.GroupBy, key+".group_by"); err != nil {
		return err
	}
	if err := checkLegacyMatchers(r.Match, r.MatchRE, key); err != nil {
		return err
	}
	switch {
	case r.GroupInterval != nil && *r.GroupInterval == 0:
		return errorf(key+".group_interval", "cannot be zero")
	case r.RepeatInterval != nil && *r.RepeatInterval == 0:
		return errorf(key+".repeat_interval", "cannot be zero")
	}
	for _, l := range []struct {
		field string
		names []string
	}{{"mute_time_intervals", r.MuteTimeIntervals}, {"active_time_intervals", r.ActiveTimeIntervals}} {
		for i, name := range l.names {
			if !intervals[name] {
				return errorf(fmt.Sprintf("%s.%s[%d]", key, l.field, i), "time interval %q is not defined in time_intervals", name)
			}
		}
	}
	for i, name := range r.Actions {
		if !actions[name] {
			return errorf(fmt.Sprintf("%s.actions[%d]", key, i), "%q is not an action of response.actions", name)
		}
	}
	for i, child := range r.Routes {
		if child == nil {
			return errorf(fmt.Sprintf("%s.routes[%d]", key, i), "empty route")
		}
		if err := checkRoute(child, fmt.Sprintf("%s.routes[%d]", key, i), receivers, intervals, actions); err != nil {
			return err
		}
	}
	return nil
}

func checkGroupBy(names []string, key string) error {
	seen := map[string]bool{}
	for _, n := range names {
		switch {
		case n == "..." && len(names) > 1:
			return errorf(key, "cannot have wildcard group_by (`...`) and other labels at the same time")
		case n != "..." && !compat.IsValidLabelName(model.LabelName(n)):
			return errorf(key, "invalid label name %q", n)
		case seen[n]:
			return errorf(key, "label %q named twice", n)
		}
		seen[n] = true
	}
	return nil
}

func checkLegacyMatchers(eq, re map[string]string, key string) error {
	for name := range eq {
		if !labelName.MatchString(name) {
			return errorf(key+".match", "invalid label name %q", name)
		}
	}
	for name, v := range re {
		if !labelName.MatchString(name) {
			return errorf(key+".match_re", "invalid label name %q", name)
		}
		if _, err := regexp.Compile("^(?:" + v + ")$"); err != nil {
			return errorf(key+".match_re."+name, "%q: %v", v, err)
		}
	}
	return nil
}

func (r *InhibitRule) check(key string) error {
	if err := checkLegacyMatchers(r.SourceMatch, r.SourceMatchRE, key+".source"); err != nil {
		return err
	}
	if err := checkLegacyMatchers(r.TargetMatch, r.TargetMatchRE, key+".target"); err != nil {
		return err
	}
	for _, n := range r.Equal {
		if !compat.IsValidLabelName(model.LabelName(n)) {
			return errorf(key+".equal", "invalid label name %q", n)
		}
	}
	return nil
}

func (d *Delivery) check() error {
	switch {
	case d.MaxAttempts < 1:
		return errorf("alerting.delivery.max_attempts", "%d: want at least 1", d.MaxAttempts)
	case d.MinBackoff < Duration(10*time.Millisecond) || d.MaxBackoff < d.MinBackoff:
		return errorf("alerting.delivery.min_backoff", "want min_backoff ≥ 10ms and max_backoff ≥ min_backoff")
	case d.Timeout < Duration(time.Second):
		return errorf("alerting.delivery.timeout", "%s: want at least 1s", d.Timeout)
	case d.Retention < Duration(time.Hour):
		return errorf("alerting.delivery.retention", "%s: want at least 1h", d.Retention)
	}
	return nil
}
