// Package sigma runs Sigma rules (specification 2.1): detection rules
// with every value modifier and condition form, correlation rules and
// filters, unmodified from a SigmaHQ checkout.
//
// Rules are routed by logsource to the kinds of events vigil reads (see
// route); a rule for logs vigil does not read is "not applicable", a valid
// rule using something vigil does not run is "unsupported", and a rule
// that breaks the specification is "invalid". A compiled rule reads the
// fields it names through package field, bound to the engine's field set,
// and gives the engine the literals its events must contain for the
// prefilter.
package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"vigil/field"
)

// Rule is a compiled Sigma detection rule.
type Rule struct {
	ID, Name, Title, Description, Status, Level, Author string
	Tags, References, FalsePositives                    []string
	// Fields are the fields the rule says an analyst wants to see, as
	// paths in events.
	Fields    []string
	Logsource Logsource
	Source    *Source
	// Silent rules only feed correlations (a correlation's rules, unless
	// it says generate: true).
	Silent bool
	File   string
	Line   int

	cond node
	det  *yaml.Node // kept to compile filters in the rule's scope
	sc   *scope
}

// Ref returns the id of the rule, or its name when it has no id.
func (r *Rule) Ref() string {
	if r.ID != "" {
		return r.ID
	}
	return r.Name
}

// Path returns where a field the rule's logsource names is in events.
func (r *Rule) Path(field string) string { return r.sc.path(field) }

// Paths returns the event paths the rule reads.
func (r *Rule) Paths() []string { return paths(r.cond, nil) }

// Keywords reports whether the rule searches every value of events.
func (r *Rule) Keywords() bool { return hasKeywords(r.cond) }

// Program is a rule bound to a field set, ready to evaluate events.
type Program struct{ cond node }

// Bind returns the rule evaluating the fields of set, which must hold
// every path of Paths.
func (r *Rule) Bind(set *field.Set) (*Program, error) {
	n, err := bind(r.cond, set)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", r.Ref(), err)
	}
	return &Program{n}, nil
}

// Context is what evaluating programs against one event needs; one
// goroutine reuses it from event to event.
type Context struct{ c ctx }

// NewContext returns a Context reading fields from v and, for keyword
// searches, every value of the event from leaves, called only when a
// rule searches keywords.
func NewContext(v *field.Values, leaves func() *field.Values) *Context {
	return &Context{ctx{v: v, leaves: leaves}}
}

// Next tells the context its Values hold a new event.
func (c *Context) Next() { c.c.next() }

// Match reports whether the event whose fields the context holds matches.
func (p *Program) Match(c *Context) bool { return p.cond.eval(&c.c) }

// Class is why a document did not load.
type Class uint8

// The classes of problems.
const (
	Invalid       Class = iota // breaks the specification
	Unsupported                // valid, but vigil does not run it
	NotApplicable              // for logs vigil does not read
)

var classNames = [...]string{"invalid", "unsupported", "not applicable"}

func (c Class) String() string { return classNames[c] }

// Problem is why a document did not load, and where it is.
type Problem struct {
	Class Class
	File  string
	Line  int
	Rule  string // the id, name or title of the document
	Msg   string
	// Logsource is set for a rule not applicable because vigil reads no
	// events of its logsource (rather than because a rule it names is
	// not loaded).
	Logsource bool
}

func (p *Problem) Error() string {
	rule := ""
	if p.Rule != "" {
		rule = p.Rule + ": "
	}
	return fmt.Sprintf("%s:%d: %s: %s%s", p.File, p.Line, p.Class, rule, p.Msg)
}

// document is one YAML document of a rule file, not yet compiled.
type document struct {
	file string
	root *yaml.Node
}

// Collection is a set of Sigma files, compiled together so that
// correlations and filters find the rules they name in any file.
type Collection struct {
	Rules        []*Rule
	Correlations []*Correlation
	Problems     []*Problem
	// Config is the configuration the collection was compiled with.
	Config *Config
	docs   []document
}

// AddPath adds a rule file, or every .yml and .yaml file below a
// directory, in lexical order.
func (c *Collection) AddPath(root string) error {
	return filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("loading Sigma rules: %w", err)
		}
		ext := strings.ToLower(filepath.Ext(name))
		if d.IsDir() || ext != ".yml" && ext != ".yaml" {
			return nil
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("loading Sigma rules: %w", err)
		}
		c.Add(name, data)
		return nil
	})
}

// Add reads the documents of a file. Problems reading it are kept for
// Compile to report.
func (c *Collection) Add(name string, data []byte) {
	d := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := d.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			c.Problems = append(c.Problems, &Problem{Class: Invalid, File: name, Line: yamlLine(err), Msg: err.Error()})
			return
		}
		if len(doc.Content) > 0 {
			c.docs = append(c.docs, document{file: name, root: doc.Content[0]})
		}
	}
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1
}

// Counts says how many documents loaded or did not, and why.
type Counts struct{ Loaded, NotApplicable, Unsupported, Invalid int }

// Counts counts the rules and correlations loaded and the problems by
// class.
func (c *Collection) Counts() Counts {
	n := Counts{Loaded: len(c.Rules) + len(c.Correlations)}
	for _, p := range c.Problems {
		switch p.Class {
		case Invalid:
			n.Invalid++
		case Unsupported:
			n.Unsupported++
		case NotApplicable:
			n.NotApplicable++
		}
	}
	return n
}

// Compile compiles every document added: detection rules first, then
// filters into the rules they name, then correlations over the rules.
func (c *Collection) Compile(cfg *Config) {
	cfg = cfg.withDefaults()
	c.Config = cfg
	var filters, corrs []document
	for _, d := range c.docs {
		switch {
		case d.root.Kind != yaml.MappingNode:
			c.problem(Invalid, d, "", "a Sigma document is a mapping, not %s", kindName(d.root))
		case get(d.root, "correlation") != nil:
			corrs = append(corrs, d)
		case get(d.root, "filter") != nil:
			filters = append(filters, d)
		default:
			c.rule(d, cfg)
		}
	}
	for _, d := range filters {
		c.filter(d)
	}
	for _, d := range corrs {
		c.correlation(d, cfg)
	}
	c.resolve()
	c.docs = nil
}

func (c *Collection) problem(class Class, d document, rule, format string, args ...any) {
	if rule == "" {
		rule = str(d.root, "id")
		if rule == "" {
			rule = str(d.root, "title")
		}
	}
	c.Problems = append(c.Problems, &Problem{Class: class, File: d.file, Line: d.root.Line, Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// fail records err as a problem: unsupported or invalid by its type.
func (c *Collection) fail(d document, err error) {
	var ue *unsupportedError
	class := Invalid
	if errors.As(err, &ue) {
		class = Unsupported
	}
	c.problem(class, d, "", "%v", err)
}

// rule compiles a detection rule.
func (c *Collection) rule(d document, cfg *Config) {
	root := d.root
	r := &Rule{
		ID: str(root, "id"), Name: str(root, "name"), Title: str(root, "title"), Description: str(root, "description"),
		Status: str(root, "status"), Level: strings.ToLower(str(root, "level")), Author: str(root, "author"),
		Tags: strs(root, "tags"), References: strs(root, "references"), FalsePositives: strs(root, "falsepositives"),
		File: d.file, Line: root.Line,
	}
	if r.Title == "" {
		c.problem(Invalid, d, "", "no title")
		return
	}
	ls := get(root, "logsource")
	det := get(root, "detection")
	if ls == nil || det == nil || ls.Kind != yaml.MappingNode || det.Kind != yaml.MappingNode {
		c.problem(Invalid, d, "", "a detection rule needs a logsource and a detection, both mappings")
		return
	}
	r.Logsource = Logsource{Category: str(ls, "category"), Product: str(ls, "product"), Service: str(ls, "service")}
	if r.Level != "" && !validLevel(r.Level) {
		c.problem(Invalid, d, "", "level %q: want informational, low, medium, high or critical", r.Level)
		return
	}
	// Compile even rules for logs vigil does not read, so that their
	// mistakes are reported.
	src, why := route(r.Logsource)
	r.Source = src
	r.sc = &scope{mapping: cfg.mapping(r.Logsource), config: cfg}
	if src != nil {
		r.sc.prefix = src.Prefix
	}
	cond, err := r.sc.detection(det, "condition")
	if err != nil {
		c.fail(d, err)
		return
	}
	r.cond, r.det = where(src, cond), det
	for _, f := range strs(root, "fields") {
		r.Fields = append(r.Fields, r.sc.path(f))
	}
	if src == nil {
		c.problem(NotApplicable, d, "", "%s", why)
		c.Problems[len(c.Problems)-1].Logsource = true
		return
	}
	c.Rules = append(c.Rules, r)
}

func validLevel(l string) bool {
	switch l {
	case "informational", "low", "medium", "high", "critical":
		return true
	}
	return false
}

// where adds a source's implicit condition to a rule's.
func where(src *Source, cond node) node {
	if src == nil || len(src.Where) == 0 {
		return cond
	}
	out := andNode{cond}
	for path, vals := range src.Where {
		f := &fieldCond{name: path, path: path, exists: 1}
		if len(vals) > 0 {
			f.exists = 0
			for _, v := range vals {
				f.ms = append(f.ms, newStrMatcher(text{{lit: v}}, false))
			}
		}
		out = append(out, f)
	}
	return out
}

// filter adds the condition of a filter, negated, to the rules it names.
func (c *Collection) filter(d document) {
	f := get(d.root, "filter")
	if f == nil || f.Kind != yaml.MappingNode {
		c.problem(Invalid, d, "", "filter: want a mapping")
		return
	}
	targets := strs(f, "rules")
	if len(targets) == 0 {
		c.problem(Invalid, d, "", "filter: no rules to apply to")
		return
	}
	var missing []string
	for _, t := range targets {
		r := c.find(t)
		if r == nil {
			missing = append(missing, strconv.Quote(t))
			continue
		}
		cond, err := r.sc.detection(f, "condition")
		if err != nil {
			c.fail(d, fmt.Errorf("filter: %w", err))
			return
		}
		r.cond = andNode{r.cond, notNode{cond}}
	}
	if len(missing) > 0 {
		c.problem(NotApplicable, d, "", "filter: rules %s are not loaded (or vigil reads none of their events)", strings.Join(missing, ", "))
	}
}

// find returns the detection rule with an id or name.
func (c *Collection) find(ref string) *Rule {
	for _, r := range c.Rules {
		if r.ID == ref || r.Name == ref {
			return r
		}
	}
	return nil
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return resolve(m.Content[i+1])
		}
	}
	return nil
}

func str(m *yaml.Node, key string) string {
	if v := get(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

func strs(m *yaml.Node, key string) []string {
	v := get(m, key)
	switch {
	case v == nil:
		return nil
	case v.Kind == yaml.ScalarNode:
		return []string{v.Value}
	}
	var out []string
	for _, e := range v.Content {
		if e = resolve(e); e.Kind == yaml.ScalarNode {
			out = append(out, e.Value)
		}
	}
	return out
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}
