package field

import (
	"bytes"

	"vigil/jsonscan"
)

// MaxDepth is how deeply objects and arrays may nest in a document.
const MaxDepth = jsonscan.MaxDepth

// walker is the state of one extraction.
type walker struct {
	v     *Values
	b     []byte
	i     int
	depth int
	arrs  int32  // arrays started so far
	stack []Elem // array elements the walk is inside of
	key   []byte // decoded keys that had escapes
}

func (w *walker) run(v *Values, doc []byte, n *node) error {
	w.v, w.b, w.i, w.depth, w.arrs, w.stack = v, doc, 0, 0, 0, w.stack[:0]
	w.ws()
	if w.i >= len(w.b) || w.b[w.i] != '{' {
		return w.fail("document is not a JSON object")
	}
	var err error
	if n == nil {
		err = w.skipContainer()
	} else {
		err = w.object(n)
	}
	if err != nil {
		return err
	}
	w.ws()
	if w.i != len(w.b) {
		return w.fail("unexpected data after the top-level object")
	}
	return nil
}

func (w *walker) fail(msg string) error { return jsonscan.Errorf(w.i, "%s", msg) }

func (w *walker) failf(format string, args ...any) error {
	return jsonscan.Errorf(w.i, format, args...)
}

// ws moves past white space; compact JSON has none, so that case is
// checked first, inline.
func (w *walker) ws() {
	if w.i < len(w.b) && w.b[w.i] > ' ' {
		return
	}
	w.i = jsonscan.Space(w.b, w.i)
}

func (w *walker) enter() error {
	w.depth++
	if w.depth > MaxDepth {
		return w.failf("nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// object reads the object at w.i, descending into the fields below n.
func (w *walker) object(n *node) error {
	if err := w.enter(); err != nil {
		return err
	}
	w.i++ // '{'
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
		w.depth--
		return nil
	}
	for {
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return w.fail("expected a field name")
		}
		name, err := w.name()
		if err != nil {
			return err
		}
		w.ws()
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return w.fail("expected ':' after a field name")
		}
		w.i++
		w.ws()
		if w.i >= len(w.b) {
			return w.fail("unexpected end of input")
		}
		if c := n.child(name); c != nil {
			err = w.value(c)
		} else {
			err = w.skipValue()
		}
		if err != nil {
			return err
		}
		w.ws()
		if w.i >= len(w.b) {
			return w.fail("unexpected end of input in an object")
		}
		switch w.b[w.i] {
		case ',':
			w.i++
			w.ws()
		case '}':
			w.i++
			w.depth--
			return nil
		default:
			return w.fail("expected ',' or '}' in an object")
		}
	}
}

// value reads the value at w.i for the node n.
func (w *walker) value(n *node) error {
	switch c := w.b[w.i]; c {
	case '{':
		start := w.i
		var err error
		if len(n.kids) == 0 && !n.every {
			err = w.skipContainer()
		} else {
			err = w.object(n)
		}
		if err == nil && n.composite {
			w.v.add(n.id, Composite, w.b[start:w.i], w.stack)
		}
		return err
	case '[':
		return w.array(n)
	case '"':
		if n.id < 0 {
			return w.skipString()
		}
		s, err := w.str(&w.v.buf)
		if err != nil {
			return err
		}
		w.v.add(n.id, String, s, w.stack)
		return nil
	default:
		start := w.i
		k, err := w.scalar()
		if err != nil {
			return err
		}
		if n.id >= 0 {
			w.v.add(n.id, k, w.b[start:w.i], w.stack)
		}
		return nil
	}
}

func (w *walker) array(n *node) error {
	if err := w.enter(); err != nil {
		return err
	}
	id := w.arrs
	w.arrs++
	w.i++ // '['
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		w.depth--
		return nil
	}
	for idx := int32(0); ; idx++ {
		if w.i >= len(w.b) {
			return w.fail("unexpected end of input in an array")
		}
		var err error
		if c := w.b[w.i]; c == '{' || c == '[' {
			w.stack = append(w.stack, Elem{id, idx})
			err = w.value(n)
			w.stack = w.stack[:len(w.stack)-1]
		} else {
			err = w.value(n)
		}
		if err != nil {
			return err
		}
		w.ws()
		if w.i >= len(w.b) {
			return w.fail("unexpected end of input in an array")
		}
		switch w.b[w.i] {
		case ',':
			w.i++
			w.ws()
		case ']':
			w.i++
			w.depth--
			return nil
		default:
			return w.fail("expected ',' or ']' in an array")
		}
	}
}

// name reads a field name, decoding it only when it has escapes.
func (w *walker) name() ([]byte, error) {
	w.key = w.key[:0]
	return w.str(&w.key)
}

// str reads the string at w.i and returns its decoded content: a slice of
// the document when it has no escapes, else appended to *buf. Control
// characters in strings are not looked for: what matters is where the
// string ends and what it holds.
func (w *walker) str(buf *[]byte) ([]byte, error) {
	start := w.i + 1
	j := bytes.IndexByte(w.b[start:], '"')
	if j < 0 {
		return nil, w.fail("unterminated string")
	}
	s := w.b[start : start+j]
	if bytes.IndexByte(s, '\\') < 0 {
		w.i = start + j + 1
		return s, nil
	}
	end, err := jsonscan.String(w.b, w.i)
	if err != nil {
		return nil, err
	}
	from := len(*buf)
	out, err := jsonscan.AppendUnquoted(*buf, w.b[start:end-1])
	if err != nil {
		return nil, jsonscan.Errorf(start+err.(*jsonscan.SyntaxError).Offset, "%s", err.(*jsonscan.SyntaxError).Msg)
	}
	*buf, w.i = out, end
	return out[from:], nil
}

// scalar reads a number, true, false or null at w.i.
func (w *walker) scalar() (Kind, error) {
	n := jsonscan.Scalar(w.b[w.i:])
	if n == 0 {
		return 0, w.failf("unexpected character %q", w.b[w.i])
	}
	k := Number
	switch w.b[w.i] {
	case 't':
		k = True
	case 'f':
		k = False
	case 'n':
		k = Null
	}
	w.i += n
	return k, nil
}

func (w *walker) skipValue() error {
	switch w.b[w.i] {
	case '"':
		return w.skipString()
	case '{', '[':
		return w.skipContainer()
	default:
		_, err := w.scalar()
		return err
	}
}

// skipString moves past the string at w.i without decoding it: at its
// first quote, unless a backslash stands before it.
func (w *walker) skipString() error {
	if j := bytes.IndexByte(w.b[w.i+1:], '"'); j >= 0 && w.b[w.i+j] != '\\' {
		w.i += j + 2
		return nil
	}
	i, err := jsonscan.String(w.b, w.i)
	w.i = i
	return err
}

// skipContainer moves past the object or array at w.i, checking only that
// brackets balance and strings end.
func (w *walker) skipContainer() error {
	i, err := jsonscan.Value(w.b, w.i, w.depth)
	w.i = i
	return err
}
