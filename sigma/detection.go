package sigma

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"vigil/field"
)

// fieldCond is the condition on one field of a search identifier.
type fieldCond struct {
	name   string // as the rule writes it
	path   string // where it is in events
	id     int    // path's ID once bound
	ms     []matcher
	all    bool // every matcher must match (the all modifier)
	neq    bool // the field must differ from every value
	null   bool // a null value in the rule: absent or null matches
	exists int8 // 1: exists: true, -1: exists: false, 0: no exists modifier
	refs   []string
}

func (f *fieldCond) eval(c *ctx) bool {
	v := c.v
	if f.exists != 0 {
		return v.Has(f.id) == (f.exists > 0)
	}
	first := v.First(f.id)
	if first < 0 {
		return f.null && !f.neq
	}
	matchesAny := func(m matcher) bool {
		for i := first; i >= 0; i = v.Next(i) {
			if m.match(c, v, i) {
				return true
			}
		}
		return false
	}
	if f.null && !f.neq && matchesAny(nullMatcher{}) {
		return true
	}
	if f.neq {
		return !slices.ContainsFunc(f.ms, matchesAny)
	}
	if f.all {
		return !slices.ContainsFunc(f.ms, func(m matcher) bool { return !matchesAny(m) })
	}
	return slices.ContainsFunc(f.ms, matchesAny)
}

// keywordCond searches every value of the event.
type keywordCond struct {
	ms  []matcher
	all bool
}

func (k *keywordCond) eval(c *ctx) bool {
	v := c.leaves()
	found := func(m matcher) bool {
		for i := range v.Len() {
			if m.match(c, v, i) {
				return true
			}
		}
		return false
	}
	if k.all {
		return !slices.ContainsFunc(k.ms, func(m matcher) bool { return !found(m) })
	}
	return slices.ContainsFunc(k.ms, found)
}

// scope says how a rule's field names become paths in events.
type scope struct {
	prefix  string            // before every path ("detail." for CloudTrail)
	mapping map[string]string // Sigma field name → event field name
	config  *Config
}

func (s *scope) path(name string) string {
	if m, ok := s.mapping[name]; ok {
		name = m
	}
	return s.prefix + name
}

// detection compiles the search identifiers of a detection (or of a
// filter) and its condition.
func (s *scope) detection(det *yaml.Node, condKey string) (node, error) {
	idents := map[string]node{}
	var cond *yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i].Value, resolve(det.Content[i+1])
		if k == condKey {
			cond = v
			continue
		}
		n, err := s.identifier(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		idents[k] = n
	}
	if cond == nil {
		return nil, fmt.Errorf("no %s", condKey)
	}
	var conds []string
	switch cond.Kind {
	case yaml.ScalarNode:
		conds = []string{cond.Value}
	case yaml.SequenceNode:
		for _, c := range cond.Content {
			conds = append(conds, resolve(c).Value)
		}
	default:
		return nil, fmt.Errorf("%s: want a string or a list of strings", condKey)
	}
	var ns []node
	for _, c := range conds {
		n, err := parseCondition(c, idents)
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	return orNode(ns), nil // a list of conditions: any of them
}

// identifier compiles a search identifier: a map of fields (all must
// hold), a list of maps (any), or a list of keywords.
func (s *scope) identifier(v *yaml.Node) (node, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return s.fields(v)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			return nil, fmt.Errorf("empty list")
		}
		if resolve(v.Content[0]).Kind == yaml.MappingNode {
			var ns orNode
			for _, e := range v.Content {
				e = resolve(e)
				if e.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("a list mixes maps and values")
				}
				n, err := s.fields(e)
				if err != nil {
					return nil, err
				}
				ns = append(ns, n)
			}
			return ns, nil
		}
		return s.keywords(nil, v)
	case yaml.ScalarNode:
		return s.keywords(nil, v)
	}
	return nil, fmt.Errorf("want a map, a list or a value")
}

// fields compiles a map of field conditions. A key with no field name
// ("|all") holds keywords.
func (s *scope) fields(m *yaml.Node) (node, error) {
	var ns andNode
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i].Value, resolve(m.Content[i+1])
		name, mods, _ := strings.Cut(key, "|")
		var n node
		var err error
		if name == "" && strings.HasPrefix(key, "|") {
			n, err = s.keywords(splitMods(mods), val)
		} else {
			n, err = s.field(name, splitMods(mods), val)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		ns = append(ns, n)
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	return ns, nil
}

func splitMods(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// values returns the scalar values of a rule value: one, or a list.
func values(v *yaml.Node) ([]*yaml.Node, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{v}, nil
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, e := range v.Content {
			e = resolve(e)
			if e.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("a list of values holds %s", kindName(e))
			}
			out = append(out, e)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("empty list of values")
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a value or a list of values, got %s", kindName(v))
}

// modifiers are what a chain of value modifiers asks for.
type modifiers struct {
	all, cased, neq, re, cidr bool
	reFlags                   string
	op                        string // lt, lte, gt, gte
	timePart                  string
	exists, fieldref          bool
	wrap                      shape // exact (none), prefix (startswith), suffix (endswith), contains
	transforms                []string
}

// transforming are the modifiers that turn values into other values, in
// the order they are given.
var transforming = []string{"base64", "base64offset", "utf16le", "utf16be", "utf16", "wide", "windash", "expand"}

func parseMods(mods []string) (modifiers, error) {
	var m modifiers
	for _, mod := range mods {
		switch mod {
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "neq":
			m.neq = true
		case "re":
			m.re = true
		case "i", "m", "s":
			if !m.re {
				return m, fmt.Errorf("modifier %s applies to re only", mod)
			}
			m.reFlags += mod
		case "cidr":
			m.cidr = true
		case "lt", "lte", "gt", "gte":
			m.op = mod
		case "minute", "hour", "day", "week", "month", "year":
			m.timePart = mod
		case "exists":
			m.exists = true
		case "fieldref":
			m.fieldref = true
		case "contains":
			m.wrap = contains
		case "startswith":
			m.wrap = prefix
		case "endswith":
			m.wrap = suffix
		default:
			if !slices.Contains(transforming, mod) {
				return m, &unsupportedError{fmt.Sprintf("unknown modifier %q", mod)}
			}
			m.transforms = append(m.transforms, mod)
		}
	}
	return m, nil
}

// field compiles the condition on one field.
func (s *scope) field(name string, mods []string, v *yaml.Node) (node, error) {
	m, err := parseMods(mods)
	if err != nil {
		return nil, err
	}
	f := &fieldCond{name: name, path: s.path(name), all: m.all, neq: m.neq}
	if m.exists {
		b, err := strconv.ParseBool(v.Value)
		if err != nil || v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("exists wants true or false")
		}
		f.exists = -1
		if b {
			f.exists = 1
		}
		return f, nil
	}
	vals, err := values(v)
	if err != nil {
		return nil, err
	}
	if m.all && len(vals) < 2 {
		return nil, fmt.Errorf("the all modifier needs a list of at least two values")
	}
	for _, val := range vals {
		if val.ShortTag() == "!!null" && !m.fieldref {
			f.null = true
			continue
		}
		ms, err := s.valueMatchers(m, val)
		if err != nil {
			return nil, err
		}
		f.ms = append(f.ms, ms...)
		if m.fieldref {
			f.refs = append(f.refs, s.path(val.Value))
		}
	}
	return f, nil
}

// keywords compiles values searched for in every value of the event.
func (s *scope) keywords(mods []string, v *yaml.Node) (node, error) {
	m, err := parseMods(mods)
	if err != nil {
		return nil, err
	}
	if m.wrap == exact && !m.re {
		m.wrap = contains // a keyword is found anywhere in a value
	}
	vals, err := values(v)
	if err != nil {
		return nil, err
	}
	k := &keywordCond{all: m.all}
	for _, val := range vals {
		ms, err := s.valueMatchers(m, val)
		if err != nil {
			return nil, err
		}
		k.ms = append(k.ms, ms...)
	}
	return k, nil
}

// valueMatchers compiles one value of the rule with its modifiers; the
// transforming modifiers may make several alternatives of it.
func (s *scope) valueMatchers(m modifiers, v *yaml.Node) ([]matcher, error) {
	raw := v.Value
	switch {
	case m.re:
		re, err := compileRegexp(raw, m.reFlags)
		if err != nil {
			return nil, err
		}
		return []matcher{newReMatcher(re)}, nil
	case m.cidr:
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			if ip, err2 := netip.ParseAddr(raw); err2 == nil {
				p = netip.PrefixFrom(ip, ip.BitLen())
			} else {
				return nil, fmt.Errorf("cidr: %v", err)
			}
		}
		return []matcher{&cidrMatcher{p.Masked()}}, nil
	case m.timePart != "":
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("%s wants a number, got %q", m.timePart, raw)
		}
		return []matcher{&timeMatcher{part: m.timePart, op: m.op, num: n}}, nil
	case m.op != "":
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("%s wants a number, got %q", m.op, raw)
		}
		return []matcher{&numMatcher{op: m.op, num: n}}, nil
	case m.fieldref:
		return []matcher{&refMatcher{shape: m.wrap, cased: m.cased}}, nil
	}
	raws := []string{raw}
	if slices.Contains(m.transforms, "expand") {
		var err error
		if raws, err = s.expand(raw); err != nil {
			return nil, err
		}
	}
	var texts []text
	for _, r := range raws {
		texts = append(texts, parseText(r))
	}
	if v.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 && v.ShortTag() != "!!str" {
		texts = []text{{{lit: raw}}} // a number or a boolean: no wildcards
	}
	for _, t := range m.transforms {
		var err error
		if texts, err = s.transform(t, texts); err != nil {
			return nil, err
		}
	}
	var out []matcher
	for _, t := range texts {
		out = append(out, newStrMatcher(t.wrap(m.wrap == suffix || m.wrap == contains, m.wrap == prefix || m.wrap == contains), m.cased))
	}
	return out, nil
}

// transform applies one transforming modifier to every alternative.
func (s *scope) transform(mod string, in []text) ([]text, error) {
	var out []text
	for _, t := range in {
		switch mod {
		case "windash":
			out = append(out, t.mapLiterals(windash)...)
		case "expand": // done on the value as written (see valueMatchers)
			out = append(out, t)
		default:
			lit, err := t.literal(mod)
			if err != nil {
				return nil, err
			}
			for _, enc := range encode(mod, lit) {
				out = append(out, text{{lit: enc}})
			}
		}
	}
	return out, nil
}

func encode(mod, s string) []string {
	switch mod {
	case "base64":
		return []string{base64.StdEncoding.EncodeToString([]byte(s))}
	case "base64offset":
		return base64Offsets(s)
	case "utf16le", "wide":
		return []string{utf16Bytes(s, false, false)}
	case "utf16be":
		return []string{utf16Bytes(s, true, false)}
	}
	return []string{utf16Bytes(s, false, true)} // utf16: little endian with a byte order mark
}

// placeholder finds %name% in a value; \% is a plain percent sign.
var placeholder = regexp.MustCompile(`(\\?)%([A-Za-z0-9_.-]+)%`)

// expand replaces the placeholders of a value, as written, with their
// values from the configuration, which are Sigma strings too (they may
// hold wildcards): one alternative per combination of values.
func (s *scope) expand(raw string) ([]string, error) {
	alts := []string{""}
	for raw != "" {
		loc := placeholder.FindStringSubmatchIndex(raw)
		if loc == nil {
			break
		}
		if loc[3] > loc[2] { // escaped: \%name% is plain text
			for i := range alts {
				alts[i] += raw[:loc[2]] + raw[loc[3]:loc[1]]
			}
			raw = raw[loc[1]:]
			continue
		}
		name := raw[loc[4]:loc[5]]
		vals, ok := s.config.Placeholders[name]
		if !ok {
			return nil, &unsupportedError{fmt.Sprintf("placeholder %%%s%% is not defined in the configuration", name)}
		}
		var next []string
		for _, a := range alts {
			for _, v := range vals {
				next = append(next, a+raw[:loc[0]]+v)
			}
		}
		alts, raw = next, raw[loc[1]:]
	}
	for i := range alts {
		alts[i] += raw
	}
	return alts, nil
}

// compileRegexp compiles a Sigma regular expression with its flags.
// Sigma's flavour is a subset of PCRE that Go's RE2 reads, but for
// lookarounds and back references, which RE2 does not run.
func compileRegexp(expr, flags string) (*regexp.Regexp, error) {
	full := expr
	if flags != "" {
		full = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(full)
	if err != nil {
		if pcreOnly.MatchString(expr) {
			return nil, &unsupportedError{fmt.Sprintf("regular expression %q: RE2 has no lookarounds or back references", expr)}
		}
		return nil, fmt.Errorf("regular expression %q: %v", expr, err)
	}
	return re, nil
}

// pcreOnly finds the PCRE constructs RE2 lacks: lookaheads, lookbehinds,
// back references.
var pcreOnly = regexp.MustCompile(`\(\?<?[=!]|\\[1-9]`)

// bind returns a copy of a condition with its paths resolved to the IDs
// of a field set: a compiled rule can be bound to several sets.
func bind(n node, set *field.Set) (node, error) {
	id := func(path string) (int, error) {
		i, ok := set.ID(path)
		if !ok {
			return 0, fmt.Errorf("sigma: field %q is missing from the field set", path)
		}
		return i, nil
	}
	switch x := n.(type) {
	case andNode:
		return bindAll(x, set, func(ns []node) node { return andNode(ns) })
	case orNode:
		return bindAll(x, set, func(ns []node) node { return orNode(ns) })
	case notNode:
		m, err := bind(x.n, set)
		return notNode{m}, err
	case *fieldCond:
		f := *x
		var err error
		if f.id, err = id(x.path); err != nil {
			return nil, err
		}
		if len(x.refs) > 0 {
			f.ms = slices.Clone(x.ms)
			for i, r := range x.refs {
				ref := *x.ms[i].(*refMatcher)
				if ref.id, err = id(r); err != nil {
					return nil, err
				}
				f.ms[i] = &ref
			}
		}
		return &f, nil
	}
	return n, nil
}

func bindAll(ns []node, set *field.Set, wrap func([]node) node) (node, error) {
	out := make([]node, len(ns))
	for i, n := range ns {
		m, err := bind(n, set)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return wrap(out), nil
}

// paths returns the event paths a condition reads.
func paths(n node, out []string) []string {
	switch x := n.(type) {
	case andNode:
		for _, m := range x {
			out = paths(m, out)
		}
	case orNode:
		for _, m := range x {
			out = paths(m, out)
		}
	case notNode:
		out = paths(x.n, out)
	case *fieldCond:
		out = append(out, x.path)
		out = append(out, x.refs...)
	}
	return out
}

// keywords reports whether a condition searches every value.
func hasKeywords(n node) bool {
	switch x := n.(type) {
	case andNode:
		return slices.ContainsFunc(x, hasKeywords)
	case orNode:
		return slices.ContainsFunc(x, hasKeywords)
	case notNode:
		return hasKeywords(x.n)
	case *keywordCond:
		return true
	}
	return false
}
