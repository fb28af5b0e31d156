package sigma

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Correlation is a compiled Sigma correlation rule.
type Correlation struct {
	ID, Name, Title, Description, Status, Level string
	Tags, References, FalsePositives            []string
	Type                                        CorrelationType
	// Rules are the rules correlated: detection rules and correlations.
	Rules []Ref
	// GroupBy names the fields (or aliases) whose values make a group.
	GroupBy []string
	// Aliases maps an alias to the field it stands for in the events of
	// each rule, by the rule's Ref.
	Aliases  map[string]map[string]string
	Timespan time.Duration
	// Cond is the condition on the count, sum, average or percentile.
	Cond Condition
	// Field is what value_count counts distinct values of (several
	// fields: distinct combinations), and what the value_* types sum,
	// average or rank.
	Field []string
	// Generate makes the correlated rules alert on their own too.
	Generate bool
	// Silent correlations only feed other correlations.
	Silent bool
	File   string
	Line   int

	refs []string
}

// Ref is a rule a correlation correlates: one of the two is set.
type Ref struct {
	Rule        *Rule
	Correlation *Correlation
}

// ID returns the reference's id, or name.
func (r Ref) ID() string {
	if r.Rule != nil {
		return r.Rule.Ref()
	}
	if r.Correlation.ID != "" {
		return r.Correlation.ID
	}
	return r.Correlation.Name
}

// Ref returns the id of the correlation, or its name.
func (c *Correlation) Ref() string {
	if c.ID != "" {
		return c.ID
	}
	return c.Name
}

// label names the correlation in messages: its id, name or title.
func (c *Correlation) label() string {
	if r := c.Ref(); r != "" {
		return r
	}
	return c.Title
}

// CorrelationType is the kind of correlation.
type CorrelationType string

// The correlation types of Sigma 2.1.
const (
	EventCount      CorrelationType = "event_count"
	ValueCount      CorrelationType = "value_count"
	Temporal        CorrelationType = "temporal"
	TemporalOrdered CorrelationType = "temporal_ordered"
	ValueSum        CorrelationType = "value_sum"
	ValueAvg        CorrelationType = "value_avg"
	ValuePercentile CorrelationType = "value_percentile"
)

var correlationTypes = []CorrelationType{EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile}

// Condition bounds a number: every bound given must hold.
type Condition struct {
	Bounds []Bound
}

// Bound is one comparison of a condition.
type Bound struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

// Holds reports whether x satisfies every bound.
func (c Condition) Holds(x float64) bool {
	for _, b := range c.Bounds {
		var ok bool
		switch b.Op {
		case "gt":
			ok = x > b.Value
		case "gte":
			ok = x >= b.Value
		case "lt":
			ok = x < b.Value
		case "lte":
			ok = x <= b.Value
		case "eq":
			ok = x == b.Value
		case "neq":
			ok = x != b.Value
		}
		if !ok {
			return false
		}
	}
	return true
}

// Monotone reports whether the condition, once true of a growing count
// or sum, stays true: then a correlation can fire as soon as it holds,
// without waiting for its window to close.
func (c Condition) Monotone() bool {
	return len(c.Bounds) > 0 && !slices.ContainsFunc(c.Bounds, func(b Bound) bool { return b.Op != "gt" && b.Op != "gte" })
}

func (c Condition) String() string {
	var parts []string
	for _, b := range c.Bounds {
		parts = append(parts, fmt.Sprintf("%s %g", b.Op, b.Value))
	}
	return strings.Join(parts, " and ")
}

// parseTimespan reads a Sigma timespan: a number and s, m, h or d.
func parseTimespan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("timespan %q: want a number and s, m, h or d", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("timespan %q: want a positive number and s, m, h or d", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("timespan %q: want a unit of s, m, h or d", s)
	}
	return time.Duration(n) * unit, nil
}

// correlation compiles a correlation rule; the rules it names are
// resolved once all are compiled.
func (c *Collection) correlation(d document, cfg *Config) {
	root := d.root
	corr := get(root, "correlation")
	x := &Correlation{
		ID: str(root, "id"), Name: str(root, "name"), Title: str(root, "title"), Description: str(root, "description"),
		Status: str(root, "status"), Level: strings.ToLower(str(root, "level")),
		Tags: strs(root, "tags"), References: strs(root, "references"), FalsePositives: strs(root, "falsepositives"),
		Type: CorrelationType(str(corr, "type")), refs: strs(corr, "rules"), GroupBy: strs(corr, "group-by"),
		File: d.file, Line: root.Line,
	}
	if err := x.check(corr); err != nil {
		c.fail(d, err)
		return
	}
	c.Correlations = append(c.Correlations, x)
}

func (x *Correlation) check(corr *yaml.Node) error {
	if x.Title == "" {
		return fmt.Errorf("no title")
	}
	if corr.Kind != yaml.MappingNode {
		return fmt.Errorf("correlation: want a mapping")
	}
	if !slices.Contains(correlationTypes, x.Type) {
		return fmt.Errorf("correlation type %q: want one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile", x.Type)
	}
	if x.Level != "" && !validLevel(x.Level) {
		return fmt.Errorf("level %q: want informational, low, medium, high or critical", x.Level)
	}
	if len(x.refs) == 0 {
		return fmt.Errorf("correlation: no rules")
	}
	var err error
	if x.Timespan, err = parseTimespan(str(corr, "timespan")); err != nil {
		return err
	}
	x.Generate, _ = strconv.ParseBool(str(corr, "generate"))
	if a := get(corr, "aliases"); a != nil {
		if x.Aliases, err = aliases(a); err != nil {
			return err
		}
	}
	cond := get(corr, "condition")
	switch x.Type {
	case Temporal, TemporalOrdered:
		if cond == nil { // all the rules must have fired
			x.Cond = Condition{Bounds: []Bound{{Op: "gte", Value: float64(len(x.refs))}}}
			return nil
		}
	default:
		if cond == nil {
			return fmt.Errorf("correlation %s: no condition", x.Type)
		}
	}
	return x.condition(cond)
}

func (x *Correlation) condition(cond *yaml.Node) error {
	if cond.Kind != yaml.MappingNode {
		return fmt.Errorf("condition: want a mapping such as {gte: 10}")
	}
	for i := 0; i+1 < len(cond.Content); i += 2 {
		k, v := cond.Content[i].Value, resolve(cond.Content[i+1])
		switch k {
		case "field":
			x.Field = strs(cond, "field")
		case "gt", "gte", "lt", "lte", "eq", "neq":
			n, err := strconv.ParseFloat(v.Value, 64)
			if err != nil {
				return fmt.Errorf("condition %s: want a number, got %q", k, v.Value)
			}
			x.Cond.Bounds = append(x.Cond.Bounds, Bound{Op: k, Value: n})
		default:
			return fmt.Errorf("condition: unknown key %q (want gt, gte, lt, lte, eq, neq or field)", k)
		}
	}
	if len(x.Cond.Bounds) == 0 {
		return fmt.Errorf("condition: no bound (gt, gte, lt, lte, eq or neq)")
	}
	needsField := x.Type == ValueCount || x.Type == ValueSum || x.Type == ValueAvg || x.Type == ValuePercentile
	if needsField != (len(x.Field) > 0) {
		if needsField {
			return fmt.Errorf("correlation %s: the condition needs a field", x.Type)
		}
		return fmt.Errorf("correlation %s: the condition has a field, which only value_* correlations use", x.Type)
	}
	return nil
}

func aliases(a *yaml.Node) (map[string]map[string]string, error) {
	if a.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("aliases: want a mapping")
	}
	out := map[string]map[string]string{}
	for i := 0; i+1 < len(a.Content); i += 2 {
		alias, m := a.Content[i].Value, resolve(a.Content[i+1])
		if m.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("aliases.%s: want a mapping of rule names to fields", alias)
		}
		out[alias] = map[string]string{}
		for j := 0; j+1 < len(m.Content); j += 2 {
			out[alias][m.Content[j].Value] = resolve(m.Content[j+1]).Value
		}
	}
	return out, nil
}

// resolve links correlations to the rules they name, marks the rules that
// only feed correlations as silent, and drops correlations that name
// rules that do not exist, or that form a loop.
func (c *Collection) resolve() {
	byRef := map[string]*Correlation{}
	for _, x := range c.Correlations {
		if x.ID != "" {
			byRef[x.ID] = x
		}
		if x.Name != "" {
			byRef[x.Name] = x
		}
	}
	var ok []*Correlation
	for _, x := range c.Correlations {
		var missing []string
		for _, ref := range x.refs {
			switch r, y := c.find(ref), byRef[ref]; {
			case r != nil:
				x.Rules = append(x.Rules, Ref{Rule: r})
			case y != nil:
				x.Rules = append(x.Rules, Ref{Correlation: y})
			default:
				missing = append(missing, strconv.Quote(ref))
			}
		}
		switch {
		case len(missing) > 0:
			c.Problems = append(c.Problems, &Problem{Class: NotApplicable, File: x.File, Line: x.Line, Rule: x.label(),
				Msg: fmt.Sprintf("correlation: rules %s are not loaded (or vigil reads none of their events)", strings.Join(missing, ", "))})
		case loops(x, nil):
			c.Problems = append(c.Problems, &Problem{Class: Invalid, File: x.File, Line: x.Line, Rule: x.label(),
				Msg: "correlation: the correlations it names lead back to it"})
		default:
			ok = append(ok, x)
		}
	}
	// A correlation that names one that did not load does not load either.
	for changed := true; changed; {
		changed = false
		ok = slices.DeleteFunc(ok, func(x *Correlation) bool {
			for _, r := range x.Rules {
				if r.Correlation != nil && !slices.Contains(ok, r.Correlation) {
					c.Problems = append(c.Problems, &Problem{Class: NotApplicable, File: x.File, Line: x.Line, Rule: x.label(),
						Msg: fmt.Sprintf("correlation: correlation %q did not load", r.ID())})
					changed = true
					return true
				}
			}
			return false
		})
	}
	c.Correlations = ok
	for _, x := range ok {
		if x.Generate {
			continue
		}
		for _, r := range x.Rules {
			if r.Rule != nil {
				r.Rule.Silent = true
			} else {
				r.Correlation.Silent = true
			}
		}
	}
}

func loops(x *Correlation, path []*Correlation) bool {
	if slices.Contains(path, x) {
		return true
	}
	for _, r := range x.Rules {
		if r.Correlation != nil && loops(r.Correlation, append(path, x)) {
			return true
		}
	}
	return false
}
