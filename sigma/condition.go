package sigma

import (
	"fmt"
	"slices"
	"strings"
)

// node is a compiled condition.
type node interface {
	eval(c *ctx) bool
}

type andNode []node
type orNode []node
type notNode struct{ n node }

func (a andNode) eval(c *ctx) bool {
	for _, n := range a {
		if !n.eval(c) {
			return false
		}
	}
	return true
}

func (o orNode) eval(c *ctx) bool {
	for _, n := range o {
		if n.eval(c) {
			return true
		}
	}
	return false
}

func (n notNode) eval(c *ctx) bool { return !n.n.eval(c) }

// constNode is the value of an empty "1 of" (false) or "all of" (true).
type constNode bool

func (k constNode) eval(*ctx) bool { return bool(k) }

// unsupportedError is a construct that is valid Sigma but that vigil does
// not run.
type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string { return e.msg }

// condParser parses a condition over search identifiers.
type condParser struct {
	toks   []string
	i      int
	idents map[string]node
	names  []string // the identifiers, sorted
}

// parseCondition compiles a condition. idents are the compiled search
// identifiers by name.
func parseCondition(cond string, idents map[string]node) (node, error) {
	p := &condParser{toks: tokenize(cond), idents: idents}
	for name := range idents {
		p.names = append(p.names, name)
	}
	slices.Sort(p.names)
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("condition is empty")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("condition %q: unexpected %q", cond, p.toks[p.i])
	}
	return n, nil
}

// tokenize splits a condition into words and parentheses.
func tokenize(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) next() string {
	t := p.peek()
	p.i++
	return t
}

func (p *condParser) or() (node, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	ns := []node{n}
	for strings.EqualFold(p.peek(), "or") {
		p.next()
		m, err := p.and()
		if err != nil {
			return nil, err
		}
		ns = append(ns, m)
	}
	if len(ns) == 1 {
		return n, nil
	}
	return orNode(ns), nil
}

func (p *condParser) and() (node, error) {
	n, err := p.not()
	if err != nil {
		return nil, err
	}
	ns := []node{n}
	for strings.EqualFold(p.peek(), "and") {
		p.next()
		m, err := p.not()
		if err != nil {
			return nil, err
		}
		ns = append(ns, m)
	}
	if len(ns) == 1 {
		return n, nil
	}
	return andNode(ns), nil
}

func (p *condParser) not() (node, error) {
	if strings.EqualFold(p.peek(), "not") {
		p.next()
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	return p.primary()
}

func (p *condParser) primary() (node, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("condition ends too early")
	case t == "(":
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("condition: missing ')'")
		}
		return n, nil
	case t == ")":
		return nil, fmt.Errorf("condition: unexpected ')'")
	case strings.EqualFold(p.peek(), "of"):
		p.next()
		return p.of(t, p.next())
	}
	for _, kw := range []string{"and", "or", "of", "them"} {
		if strings.EqualFold(t, kw) {
			return nil, fmt.Errorf("condition: unexpected %q", t)
		}
	}
	n, ok := p.idents[t]
	if !ok {
		return nil, fmt.Errorf("condition: %q is not a search identifier of the detection", t)
	}
	return n, nil
}

// matchStar matches a name against a pattern whose only wildcard is '*'.
func matchStar(pattern, name string) bool {
	var t text
	for i, part := range strings.Split(pattern, "*") {
		if i > 0 {
			t = append(t, piece{wild: '*'})
		}
		if part != "" {
			t = append(t, piece{lit: part})
		}
	}
	return matchGlob(t, name)
}

// of compiles "1 of X", "any of X" and "all of X", X being "them" or an
// identifier pattern with '*' wildcards.
func (p *condParser) of(quant, what string) (node, error) {
	all := strings.EqualFold(quant, "all")
	if !all && quant != "1" && !strings.EqualFold(quant, "any") {
		if quant != "" && strings.Trim(quant, "0123456789") == "" {
			return nil, &unsupportedError{fmt.Sprintf("condition: %q of is not part of Sigma (only 1 of and all of are)", quant)}
		}
		return nil, fmt.Errorf("condition: %q of: want 1 of or all of", quant)
	}
	if what == "" || what == "(" || what == ")" {
		return nil, fmt.Errorf("condition: %s of what?", quant)
	}
	var ns []node
	for _, name := range p.names {
		var ok bool
		if strings.EqualFold(what, "them") {
			ok = !strings.HasPrefix(name, "_")
		} else {
			ok = matchStar(what, name)
		}
		if ok {
			ns = append(ns, p.idents[name])
		}
	}
	switch {
	case len(ns) == 0 && !strings.EqualFold(what, "them"):
		return nil, fmt.Errorf("condition: %s of %s names no search identifier", quant, what)
	case len(ns) == 1:
		return ns[0], nil
	case all:
		return andNode(ns), nil
	case len(ns) == 0:
		return constNode(false), nil
	}
	return orNode(ns), nil
}
