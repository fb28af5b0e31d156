package corpus

import (
	"strings"
)

// A template is JSON (or the text of a JSON string) with ${name} and
// ${name:arg} placeholders. Each placeholder is filled by the value function
// registered under name, with any trailing digits of name dropped: ${uuid}
// and ${uuid2} are two different random UUIDs. Within one record a
// placeholder always gets the same value, so a name can tie a request to its
// response. Inside a JSON string the value is escaped; outside, it is written
// as is (numbers, booleans).
type template []segment

// segment is a literal, or a placeholder when value is set.
type segment struct {
	lit    string
	value  valueFunc
	arg    string
	slot   int  // memo slot of the placeholder
	quoted bool // the placeholder sits inside a JSON string
}

// valueFunc appends a value for a placeholder to b.
type valueFunc func(c *call, b []byte, arg string) []byte

// slots numbers the distinct placeholders of all templates.
var slots = map[string]int{}

// compile parses src.
func compile(src string) template {
	if src == "" {
		return nil
	}
	var t template
	inString, lit := false, 0
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\\' && inString:
			i++
		case src[i] == '"':
			inString = !inString
		case strings.HasPrefix(src[i:], "${"):
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				panic("corpus: unterminated placeholder in " + src)
			}
			if lit < i {
				t = append(t, segment{lit: src[lit:i]})
			}
			t = append(t, placeholder(src[i+2:i+end], inString))
			i += end
			lit = i + 1
		}
	}
	if lit < len(src) {
		t = append(t, segment{lit: src[lit:]})
	}
	return t
}

// placeholder resolves the placeholder "name" or "name:arg".
func placeholder(spec string, quoted bool) segment {
	name, arg, _ := strings.Cut(spec, ":")
	f := values[strings.TrimRight(name, "0123456789")]
	if f == nil {
		panic("corpus: unknown placeholder ${" + spec + "}")
	}
	slot, ok := slots[spec]
	if !ok {
		slot = len(slots)
		slots[spec] = slot
	}
	return segment{value: f, arg: arg, slot: slot, quoted: quoted}
}

// appendQuoted appends the template filled as a quoted JSON string.
func (t template) appendQuoted(c *call, b []byte) []byte {
	b = append(b, '"')
	from := len(b)
	b = escapeFrom(t.render(c, b), from)
	return append(b, '"')
}

// render appends the template filled for the record c is building.
func (t template) render(c *call, b []byte) []byte {
	for i := range t {
		s := &t[i]
		if s.value == nil {
			b = append(b, s.lit...)
			continue
		}
		from := len(b)
		b = c.fill(b, s)
		if s.quoted {
			b = escapeFrom(b, from)
		}
	}
	return b
}

// memo remembers the value of a placeholder for one record.
type memo struct {
	gen        uint32 // record the value belongs to
	start, end int
}

// fill appends the value of placeholder s, computing it on first use in the
// record.
func (c *call) fill(b []byte, s *segment) []byte {
	m := &c.memo[s.slot]
	if m.gen == c.gen {
		return append(b, c.arena[m.start:m.end]...)
	}
	from := len(b)
	b = s.value(c, b, s.arg)
	m.gen, m.start = c.gen, len(c.arena)
	c.arena = append(c.arena, b[from:]...)
	m.end = len(c.arena)
	return b
}
