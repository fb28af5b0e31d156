package pattern

import (
	"fmt"

	"strings"
	"unicode"
	"unicode/utf8"
	"vigil/jsonscan"
)

// NodeKind is the type of a Node.
type NodeKind uint8

// The kinds of nodes.
const (
	Object NodeKind = 1 + iota
	Array
	String
	Number
	Bool
	Null
)

// Node is one value of a pattern document as written, JSON or YAML, with
// where it was written: the input of Compile. Objects keep their keys in
// order, repeated keys included.
type Node struct {
	Kind  NodeKind
	Text  string   // content of a string; literal text of a number or bool
	Keys  []string // keys of an object
	KeyAt []Pos    // where each key ends
	Elems []*Node  // values of an object (parallel to Keys) or of an array
	At    Pos      // where the value ends
}

// Pos is a place in a pattern document. In JSON it is the line and column
// just after a token, as AWS reports it; in YAML it is where a node starts.
type Pos struct{ Line, Col int }

// ParseJSON reads a pattern written as JSON.
func ParseJSON(src []byte) (*Node, error) {
	p := &jsonParser{src: src, line: 1, col: 1}
	p.ws()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i < len(p.src) {
		return nil, p.unexpected("expected end of input")
	}
	return n, nil
}

type jsonParser struct {
	src       []byte
	i         int
	line, col int
}

const maxNodeDepth = jsonscan.MaxDepth

func (p *jsonParser) pos() Pos { return Pos{p.line, p.col} }

func (p *jsonParser) advance(n int) {
	for ; n > 0 && p.i < len(p.src); n-- {
		if p.src[p.i] == '\n' {
			p.line++
			p.col = 1
		} else if p.src[p.i]&0xC0 != 0x80 { // count characters, not bytes
			p.col++
		}
		p.i++
	}
}

func (p *jsonParser) ws() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.advance(1)
		default:
			return
		}
	}
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...), At: p.pos(), src: p.src}
}

// unexpected reports the character at the current position the way
// Jackson does.
func (p *jsonParser) unexpected(expecting string) error {
	if p.i >= len(p.src) {
		return p.errorf("Unexpected end-of-input: %s", expecting)
	}
	r, _ := utf8.DecodeRune(p.src[p.i:])
	p.advance(1)
	return p.errorf("Unexpected character ('%c' (code %d)): %s", r, r, expecting)
}

func (p *jsonParser) value(depth int) (*Node, error) {
	if depth > maxNodeDepth {
		return nil, p.errorf("Document nesting depth exceeds the maximum allowed (%d)", maxNodeDepth)
	}
	if p.i >= len(p.src) {
		return nil, p.unexpected("expected a value")
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &Node{Kind: String, Text: s, At: p.pos()}, nil
	case c == '-' || '0' <= c && c <= '9':
		n := jsonscan.NumberLen(p.src[p.i:])
		if n == 0 {
			return nil, p.unexpected("expected a valid number")
		}
		if rest := p.src[p.i+n:]; len(rest) > 0 && '0' <= rest[0] && rest[0] <= '9' {
			p.advance(n)
			return nil, p.errorf("Invalid numeric value: Leading zeroes not allowed")
		}
		text := string(p.src[p.i : p.i+n])
		p.advance(n)
		return &Node{Kind: Number, Text: text, At: p.pos()}, nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(string(p.src[p.i:]), lit) {
				p.advance(len(lit))
				if lit == "null" {
					return &Node{Kind: Null, Text: lit, At: p.pos()}, nil
				}
				return &Node{Kind: Bool, Text: lit, At: p.pos()}, nil
			}
		}
		return nil, p.token()
	}
}

// token reports a word that is not a JSON value, as Jackson does.
func (p *jsonParser) token() error {
	end := p.i
	for end < len(p.src) && (unicode.IsLetter(rune(p.src[end])) || '0' <= p.src[end] && p.src[end] <= '9' || p.src[end] == '_') {
		end++
	}
	word := string(p.src[p.i:end])
	if word == "" {
		return p.unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
	}
	p.advance(end - p.i)
	switch word {
	case "NaN", "Infinity":
		return p.errorf("Non-standard token '%s': enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS to allow", word)
	}
	return p.errorf("Unrecognized token '%s': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", word)
}

func (p *jsonParser) object(depth int) (*Node, error) {
	n := &Node{Kind: Object}
	p.advance(1)
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.advance(1)
		n.At = p.pos()
		return n, nil
	}
	for {
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return nil, p.unexpected("was expecting double-quote to start field name")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		keyAt := p.pos()
		p.ws()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return nil, p.unexpected("was expecting a colon to separate field name and value")
		}
		p.advance(1)
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Keys = append(n.Keys, k)
		n.KeyAt = append(n.KeyAt, keyAt)
		n.Elems = append(n.Elems, v)
		p.ws()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.advance(1)
			p.ws()
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == '}' {
			p.advance(1)
			n.At = p.pos()
			return n, nil
		}
		return nil, p.unexpected("was expecting comma to separate Object entries")
	}
}

func (p *jsonParser) array(depth int) (*Node, error) {
	n := &Node{Kind: Array}
	p.advance(1)
	p.ws()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.advance(1)
		n.At = p.pos()
		return n, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Elems = append(n.Elems, v)
		p.ws()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.advance(1)
			p.ws()
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.advance(1)
			n.At = p.pos()
			return n, nil
		}
		return nil, p.unexpected("was expecting comma to separate Array entries")
	}
}

// str reads a JSON string with strconv's decoder, which implements the
// same escapes; JSON's \/ is the one it lacks.
func (p *jsonParser) str() (string, error) {
	j := p.i + 1
	for j < len(p.src) && p.src[j] != '"' {
		if p.src[j] == '\\' {
			j++
		} else if p.src[j] < 0x20 {
			p.advance(j - p.i)
			return "", p.errorf("Illegal unquoted character ((CTRL-CHAR, code %d)): has to be escaped using backslash to be included in string value", p.src[j])
		}
		j++
	}
	if j >= len(p.src) {
		p.advance(len(p.src) - p.i)
		return "", p.errorf("Unexpected end-of-input: was expecting closing quote for a string value")
	}
	raw := string(p.src[p.i : j+1])
	s, err := unquote(raw)
	if err != nil {
		p.advance(j - p.i)
		return "", p.errorf("Unrecognized character escape in string value")
	}
	p.advance(j + 1 - p.i)
	return s, nil
}

// unquote decodes a JSON string literal, quotes included.
func unquote(raw string) (string, error) {
	b, err := jsonscan.AppendUnquoted(nil, []byte(raw[1:len(raw)-1]))
	return string(b), err
}
