package rule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"vigil/jsonscan"
	"vigil/pattern"
)

// Problem is something wrong in a rule file, and where.
type Problem struct {
	File      string
	Line, Col int
	Field     string // the YAML key it is about, dotted, e.g. "tests.match[2]"
	Msg       string
}

func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	if p.Field != "" {
		b.WriteString(": " + p.Field)
	}
	b.WriteString(": " + p.Msg)
	return b.String()
}

// Override changes a rule without editing it: it disables the rule, sets
// its severity, or adds exceptions.
type Override struct {
	Rule       string
	Disabled   bool
	Severity   *Severity
	Exceptions []*pattern.Pattern
	File       string
	Line       int
}

// Parsed is what one file holds.
type Parsed struct {
	Rules     []*Rule
	Overrides []*Override
	Problems  []*Problem
	// Invalid counts the documents that did not load.
	Invalid int
}

// ParseFile reads the rules and overrides in a YAML file. A file holds any
// number of YAML documents, each a rule or a list of overrides.
func ParseFile(name string, data []byte) *Parsed {
	out := &Parsed{}
	d := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := d.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Problems = append(out.Problems, yamlProblem(name, err))
			out.Invalid++
			return out
		}
		if len(doc.Content) == 0 {
			continue
		}
		p := &parser{file: name, src: data}
		root := doc.Content[0]
		if root.Kind == yaml.MappingNode && hasKey(root, "overrides") {
			if os := p.overrides(root); len(p.problems) == 0 {
				out.Overrides = append(out.Overrides, os...)
			}
		} else if r := p.rule(root); len(p.problems) == 0 {
			out.Rules = append(out.Rules, r)
		}
		if len(p.problems) > 0 {
			out.Problems = append(out.Problems, p.problems...)
			out.Invalid++
		}
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func yamlProblem(file string, err error) *Problem {
	msg := err.Error()
	p := &Problem{File: file, Msg: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Col = 1
		p.Msg = msg[len(m[0]):]
	}
	return p
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

// parser reads one YAML document and collects its problems.
type parser struct {
	file     string
	src      []byte
	problems []*Problem
}

// indent returns the number of spaces that start a line of the file.
func (p *parser) indent(line int) int {
	lines := bytes.Split(p.src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 0
	}
	l := lines[line-1]
	return len(l) - len(bytes.TrimLeft(l, " "))
}

func (p *parser) problem(n *yaml.Node, field, format string, args ...any) {
	p.problems = append(p.problems, &Problem{File: p.file, Line: n.Line, Col: n.Column, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fields calls fn for each key of a mapping, reporting unknown keys.
func (p *parser) fields(m *yaml.Node, field string, known []string, fn func(key string, v *yaml.Node)) {
	if m.Kind != yaml.MappingNode {
		p.problem(m, field, "want a mapping, got %s", kindName(m))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		switch {
		case !slices.Contains(known, k.Value):
			p.problem(k, join(field, k.Value), "unknown field (want one of %s)", strings.Join(known, ", "))
		case seen[k.Value]:
			p.problem(k, join(field, k.Value), "field given twice")
		default:
			seen[k.Value] = true
			fn(k.Value, v)
		}
	}
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode {
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
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return "a " + strings.TrimPrefix(n.ShortTag(), "!!")
	}
	return "an unexpected node"
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

var ruleFields = []string{"id", "title", "description", "severity", "scenario", "tags", "references",
	"falsepositives", "pattern", "dedup", "entities", "response", "tests"}

func (p *parser) rule(n *yaml.Node) *Rule {
	r := &Rule{File: p.file, Line: n.Line}
	p.fields(n, "", ruleFields, func(key string, v *yaml.Node) {
		switch key {
		case "id":
			if r.ID = p.str(v, key); r.ID != "" && !idPattern.MatchString(r.ID) {
				p.problem(v, key, "%q is not a valid id: use letters, digits, '.', '_' and '-'", r.ID)
			}
		case "title":
			r.Title = p.str(v, key)
		case "description":
			r.Description = p.str(v, key)
		case "severity":
			if s := p.str(v, key); s != "" {
				sev, err := ParseSeverity(s)
				if err != nil {
					p.problem(v, key, "%v", err)
				}
				r.Severity = sev
			}
		case "scenario":
			r.Scenario = Scenario(p.str(v, key))
			if !slices.Contains(Scenarios, r.Scenario) {
				p.problem(v, key, "unknown scenario %q (want privilege, data or funds)", r.Scenario)
			}
		case "tags":
			r.Tags = p.strs(v, key)
			for _, t := range r.Tags {
				if t != strings.ToLower(t) || strings.ContainsAny(t, " \t") {
					p.problem(v, key, "tag %q: tags are lower case without spaces, e.g. attack.t1098.001", t)
				}
			}
		case "references":
			r.References = p.strs(v, key)
		case "falsepositives":
			r.FalsePositives = p.strs(v, key)
		case "pattern":
			r.Pattern = p.pattern(v, key)
		case "dedup":
			r.Dedup = p.paths(v, key)
		case "entities":
			r.Entities = p.entities(v, key)
		case "response":
			r.Response = p.strs(v, key)
		case "tests":
			r.Tests = p.tests(v, key)
		}
	})
	for _, req := range []struct {
		key string
		set bool
	}{{"id", r.ID != ""}, {"title", r.Title != ""}, {"severity", hasKey(n, "severity")},
		{"scenario", r.Scenario != ""}, {"pattern", hasKey(n, "pattern")}} {
		if !req.set && n.Kind == yaml.MappingNode {
			p.problem(n, req.key, "missing")
		}
	}
	return r
}

func (p *parser) str(v *yaml.Node, field string) string {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		p.problem(v, field, "want a string, got %s", kindName(v))
		return ""
	}
	return v.Value
}

func (p *parser) strs(v *yaml.Node, field string) []string {
	if v.Kind == yaml.ScalarNode && v.ShortTag() != "!!null" {
		return []string{v.Value}
	}
	if v.Kind != yaml.SequenceNode {
		p.problem(v, field, "want a list of strings, got %s", kindName(v))
		return nil
	}
	var out []string
	for i, e := range v.Content {
		if s := p.str(resolve(e), fmt.Sprintf("%s[%d]", field, i)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) paths(v *yaml.Node, field string) []string {
	out := p.strs(v, field)
	for _, path := range out {
		if strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
			p.problem(v, field, "%q is not a dotted field path", path)
		}
	}
	return out
}

func (p *parser) entities(v *yaml.Node, field string) map[string]string {
	out := map[string]string{}
	if v.Kind != yaml.MappingNode {
		p.problem(v, field, "want a mapping of entity names to field paths, got %s", kindName(v))
		return nil
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], resolve(v.Content[i+1])
		name := join(field, k.Value)
		if path := p.str(val, name); path != "" {
			p.paths(val, name)
			out[k.Value] = path
		}
	}
	return out
}

func (p *parser) pattern(v *yaml.Node, field string) *pattern.Pattern {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!str" { // JSON text
		pat, err := pattern.Parse([]byte(v.Value))
		var pe *pattern.Error
		switch {
		case errors.As(err, &pe):
			p.problems = append(p.problems, &Problem{File: p.file, Field: field, Msg: pe.Reason,
				Line: v.Line + pe.At.Line - 1, Col: pe.At.Col})
			pr := p.problems[len(p.problems)-1]
			switch {
			case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0: // the text starts on the next line, indented
				pr.Line++
				pr.Col += p.indent(v.Line + 1)
			case pe.At.Line == 1: // the text starts after the key, and a quote
				pr.Col += v.Column - 1
				if v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
					pr.Col++
				}
			}
		case err != nil:
			p.problem(v, field, "%v", err)
		}
		return pat
	}
	n, err := patternNode(v)
	if err != nil {
		p.problem(err.at, field, "%s", err.msg)
		return nil
	}
	pat, cerr := pattern.Compile(n)
	if cerr != nil {
		pe := cerr.(*pattern.Error)
		p.problems = append(p.problems, &Problem{File: p.file, Line: pe.At.Line, Col: pe.At.Col, Field: field, Msg: pe.Reason})
	}
	return pat
}

type nodeError struct {
	at  *yaml.Node
	msg string
}

// Limits on a YAML value converted to JSON, which aliases could otherwise
// make endless (an alias to itself) or enormous (aliases of aliases).
const (
	maxYAMLDepth = 200
	maxYAMLNodes = 100_000
)

// patternNode converts YAML to the pattern tree, keeping where each node
// was written.
func patternNode(y *yaml.Node) (*pattern.Node, *nodeError) {
	budget := maxYAMLNodes
	return convert(y, 0, &budget)
}

func convert(y *yaml.Node, depth int, budget *int) (*pattern.Node, *nodeError) {
	y = resolve(y)
	if *budget--; *budget < 0 {
		return nil, &nodeError{y, fmt.Sprintf("more than %d values (through aliases?)", maxYAMLNodes)}
	}
	if depth > maxYAMLDepth {
		return nil, &nodeError{y, fmt.Sprintf("nested deeper than %d levels (through aliases?)", maxYAMLDepth)}
	}
	at := pattern.Pos{Line: y.Line, Col: y.Column}
	switch y.Kind {
	case yaml.MappingNode:
		n := &pattern.Node{Kind: pattern.Object, At: at}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := y.Content[i]
			v, err := convert(y.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.Keys = append(n.Keys, k.Value)
			n.KeyAt = append(n.KeyAt, pattern.Pos{Line: k.Line, Col: k.Column})
			n.Elems = append(n.Elems, v)
		}
		return n, nil
	case yaml.SequenceNode:
		n := &pattern.Node{Kind: pattern.Array, At: at}
		for _, e := range y.Content {
			v, err := convert(e, depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, v)
		}
		return n, nil
	case yaml.ScalarNode:
		kind, text, msg := scalar(y)
		if msg != "" {
			return nil, &nodeError{y, msg}
		}
		return &pattern.Node{Kind: kind, Text: text, At: at}, nil
	}
	return nil, &nodeError{y, "unexpected YAML node"}
}

// scalar returns the JSON kind and text of a YAML scalar.
func scalar(y *yaml.Node) (pattern.NodeKind, string, string) {
	switch y.ShortTag() {
	case "!!str", "!!timestamp":
		return pattern.String, y.Value, ""
	case "!!int", "!!float":
		if n := jsonscan.NumberLen([]byte(y.Value)); n == 0 || n != len(y.Value) {
			return 0, "", fmt.Sprintf("%s is not a JSON number: write numbers in decimal, or quote strings", y.Value)
		}
		return pattern.Number, y.Value, ""
	case "!!bool":
		return pattern.Bool, strings.ToLower(y.Value), ""
	case "!!null":
		return pattern.Null, "null", ""
	}
	return 0, "", fmt.Sprintf("unsupported YAML value of type %s", y.ShortTag())
}

// jsonOf converts YAML to JSON text, keeping the order of keys. A string
// is taken as JSON text itself.
func jsonOf(y *yaml.Node) ([]byte, *nodeError) {
	y = resolve(y)
	if y.Kind == yaml.ScalarNode && y.ShortTag() == "!!str" {
		if !json.Valid([]byte(y.Value)) {
			return nil, &nodeError{y, "not valid JSON"}
		}
		return []byte(y.Value), nil
	}
	n, err := patternNode(y)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeJSON(&b, n)
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *pattern.Node) {
	switch n.Kind {
	case pattern.Object:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(k)
			b.Write(q)
			b.WriteByte(':')
			writeJSON(b, n.Elems[i])
		}
		b.WriteByte('}')
	case pattern.Array:
		b.WriteByte('[')
		for i, e := range n.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case pattern.String:
		q, _ := json.Marshal(n.Text)
		b.Write(q)
	default:
		b.WriteString(n.Text)
	}
}

func (p *parser) tests(v *yaml.Node, field string) Tests {
	var t Tests
	p.fields(v, field, []string{"match", "nomatch"}, func(key string, list *yaml.Node) {
		name := join(field, key)
		if list.Kind != yaml.SequenceNode {
			p.problem(list, name, "want a list of events, got %s", kindName(list))
			return
		}
		for i, e := range list.Content {
			b, err := jsonOf(e)
			if err != nil {
				p.problem(err.at, fmt.Sprintf("%s[%d]", name, i), "%s", err.msg)
				continue
			}
			if key == "match" {
				t.Match = append(t.Match, b)
			} else {
				t.NoMatch = append(t.NoMatch, b)
			}
		}
	})
	return t
}

func (p *parser) overrides(n *yaml.Node) []*Override {
	var out []*Override
	p.fields(n, "", []string{"overrides"}, func(_ string, list *yaml.Node) {
		if list.Kind != yaml.SequenceNode {
			p.problem(list, "overrides", "want a list, got %s", kindName(list))
			return
		}
		for i, e := range list.Content {
			if o := p.override(resolve(e), fmt.Sprintf("overrides[%d]", i)); o != nil {
				out = append(out, o)
			}
		}
	})
	return out
}

func (p *parser) override(n *yaml.Node, field string) *Override {
	o := &Override{File: p.file, Line: n.Line}
	p.fields(n, field, []string{"rule", "disabled", "severity", "exceptions"}, func(key string, v *yaml.Node) {
		name := join(field, key)
		switch key {
		case "rule":
			o.Rule = p.str(v, name)
		case "disabled":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
				p.problem(v, name, "want true or false, got %s", kindName(v))
				return
			}
			o.Disabled = strings.EqualFold(v.Value, "true")
		case "severity":
			s, err := ParseSeverity(p.str(v, name))
			if err != nil {
				p.problem(v, name, "%v", err)
				return
			}
			o.Severity = &s
		case "exceptions":
			if v.Kind != yaml.SequenceNode {
				p.problem(v, name, "want a list of patterns, got %s", kindName(v))
				return
			}
			for i, e := range v.Content {
				if pat := p.pattern(resolve(e), fmt.Sprintf("%s[%d]", name, i)); pat != nil {
					o.Exceptions = append(o.Exceptions, pat)
				}
			}
		}
	})
	if o.Rule == "" && n.Kind == yaml.MappingNode {
		p.problem(n, join(field, "rule"), "missing")
	}
	return o
}
