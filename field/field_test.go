package field

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/jsonscan"
)

// got lists the values of every path as "path=kind:text@elems".
func got(v *Values) []string {
	var out []string
	for id, p := range v.Set().Paths() {
		for i := v.First(id); i >= 0; i = v.Next(i) {
			x := v.At(i)
			out = append(out, fmt.Sprintf("%s=%s:%s@%v", p, x.Kind, x.Bytes, v.Elems(i)))
		}
	}
	return out
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		scope string
		doc   string
		want  []string
	}{
		{
			name:  "nested and skipped",
			paths: []string{"a.b", "c"},
			doc:   `{"x":{"b":1,"y":[1,{"z":"}"}]},"a":{"b":"hi","q":null},"c":true}`,
			want:  []string{"a.b=string:hi@[]", "c=true:true@[]"},
		},
		{
			name:  "dotted key in the document",
			paths: []string{"detail.state"},
			doc:   `{"detail.state":"x","detail":{"state":"y"}}`,
			want:  []string{"detail.state=string:x@[]", "detail.state=string:y@[]"},
		},
		{
			name:  "partly dotted key",
			paths: []string{"a.b.c"},
			doc:   `{"a":{"b.c":1},"a.b":{"c":2}}`,
			want:  []string{"a.b.c=number:1@[]", "a.b.c=number:2@[]"},
		},
		{
			name:  "scalar arrays carry no elements",
			paths: []string{"r"},
			doc:   `{"r":["a",2,null,false,[3,[4]]]}`,
			want: []string{"r=string:a@[]", "r=number:2@[]", "r=null:null@[]", "r=false:false@[]",
				"r=number:3@[{0 4}]", "r=number:4@[{0 4} {1 1}]"},
		},
		{
			name:  "arrays of objects",
			paths: []string{"p.from", "p.ranges.cidr"},
			doc:   `{"p":[{"from":22,"ranges":[{"cidr":"10.0.0.0/8"},{"cidr":"0.0.0.0/0"}]},{"from":3306}]}`,
			want: []string{"p.from=number:22@[{0 0}]", "p.from=number:3306@[{0 1}]",
				"p.ranges.cidr=string:10.0.0.0/8@[{0 0} {1 0}]", "p.ranges.cidr=string:0.0.0.0/0@[{0 0} {1 1}]"},
		},
		{
			name:  "escapes",
			paths: []string{"s", "k"},
			doc:   `{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x","\u006b":"v"}`,
			want:  []string{"k=string:v@[]", "s=string:a\"b\\c/d\né😀\uFFFDx@[]"},
		},
		{
			name:  "object at a leaf path is not a value",
			paths: []string{"a"},
			doc:   `{"a":{"b":1},"a":[],"a":[{"c":2}]}`,
			want:  nil,
		},
		{
			name:  "scope",
			paths: []string{"detail.eventName", "source"},
			scope: "detail",
			doc:   `{"eventName":"CreateUser","source":"x"}`,
			want:  []string{"detail.eventName=string:CreateUser@[]"},
		},
		{
			name:  "numbers keep their text",
			paths: []string{"n"},
			doc:   `{"n":[300,300.0,3.0e2,-0,1E+5]}`,
			want:  []string{"n=number:300@[]", "n=number:300.0@[]", "n=number:3.0e2@[]", "n=number:-0@[]", "n=number:1E+5@[]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet(tt.paths)
			v := NewValues(s)
			if err := v.Extract([]byte(tt.doc), s.Scope(tt.scope)); err != nil {
				t.Fatal(err)
			}
			if g := got(v); !slices.Equal(g, tt.want) {
				t.Errorf("got  %q\nwant %q", g, tt.want)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	s := NewSet([]string{"a", "b.c"})
	v := NewValues(s)
	for _, doc := range []string{
		``, `[]`, `"x"`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":tru}`, `{"a":01}`, `{"a":1.}`,
		`{"a":"x}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"z":[1,2}`, `{"z":"unterminated}`,
		`{"a":1} x`, `{"b":{"c":[1 2]}}`, `{"a":-}`, `{"a":1e}`,
	} {
		v.Reset()
		err := v.Extract([]byte(doc), s.Scope(""))
		var se *jsonscan.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a syntax error", doc, err)
		}
	}
}

func TestMaxDepth(t *testing.T) {
	s := NewSet([]string{"a"})
	v := NewValues(s)
	for _, key := range []string{"a", "z"} { // walked and skipped
		deep := `{"` + key + `":` + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + "}"
		if err := v.Extract([]byte(deep), s.Scope("")); err == nil || !strings.Contains(err.Error(), "nested deeper") {
			t.Errorf("key %s: got %v", key, err)
		}
		ok := `{"` + key + `":` + strings.Repeat("[", MaxDepth-2) + strings.Repeat("]", MaxDepth-2) + "}"
		v.Reset()
		if err := v.Extract([]byte(ok), s.Scope("")); err != nil {
			t.Errorf("key %s at the limit: %v", key, err)
		}
	}
}

func TestExtractDoesNotAllocate(t *testing.T) {
	s := NewSet([]string{"detail.eventName", "detail.userIdentity.arn", "detail.requestParameters.ipPermissions.items.fromPort"})
	v := NewValues(s)
	doc := []byte(`{"eventName":"AuthorizeSecurityGroupIngress","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\u0062"},` +
		`"requestParameters":{"ipPermissions":{"items":[{"fromPort":22},{"fromPort":3389}]}},"x":[{"y":"z"}]}`)
	scope := s.Scope("detail")
	n := testing.AllocsPerRun(100, func() {
		v.Reset()
		if err := v.Extract(doc, scope); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per extraction", n)
	}
}

// inOrder lists the values of v in document order as "path=kind:text@elems",
// numbering arrays by first appearance so that two extractions that number
// arrays differently compare equal.
func inOrder(v *Values) []string {
	var out []string
	renum := map[int32]int32{}
	for i := 0; i < v.Len(); i++ {
		x := v.At(i)
		out = append(out, fmt.Sprintf("%s=%s:%s@%v", v.Set().Path(pathOf(v, i)), x.Kind, x.Bytes, canon(renum, v.Elems(i))))
	}
	return out
}

func pathOf(v *Values, i int) int {
	for id := range v.Set().Paths() {
		for j := v.First(id); j >= 0; j = v.Next(j) {
			if j == i {
				return id
			}
		}
	}
	panic("value without a path")
}

func canon(renum map[int32]int32, elems []Elem) []Elem {
	out := make([]Elem, len(elems))
	for i, e := range elems {
		id, ok := renum[e.Array]
		if !ok {
			id = int32(len(renum))
			renum[e.Array] = id
		}
		out[i] = Elem{id, e.Index}
	}
	return out
}

// reference flattens a valid JSON document with encoding/json into the form
// of inOrder, for the paths of s below prefix.
func reference(s *Set, prefix string, doc []byte) []string {
	var out []string
	renum := map[int32]int32{}
	arrays := int32(0)
	var walk func(path string, raw json.RawMessage, stack []Elem)
	root := true // the empty path is the root only until the first field
	join := func(a, b string) string {
		if root {
			return b
		}
		return a + "." + b
	}
	walk = func(path string, raw json.RawMessage, stack []Elem) {
		raw = bytes.TrimSpace(raw)
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		switch raw[0] {
		case '{':
			d.Token()
			top := root
			for d.More() {
				k, _ := d.Token()
				var v json.RawMessage
				d.Decode(&v)
				root = top
				p := join(path, k.(string))
				root = false
				walk(p, v, stack)
			}
		case '[':
			id := arrays
			arrays++
			d.Token()
			for idx := int32(0); d.More(); idx++ {
				var v json.RawMessage
				d.Decode(&v)
				v = bytes.TrimSpace(v)
				if v[0] == '{' || v[0] == '[' {
					walk(path, v, append(slices.Clip(stack), Elem{id, idx}))
				} else {
					walk(path, v, stack)
				}
			}
		default:
			if _, ok := s.ID(path); !ok {
				return
			}
			tok, _ := d.Token()
			var kind Kind
			var text string
			switch x := tok.(type) {
			case string:
				kind, text = String, x
			case json.Number:
				kind, text = Number, string(x)
			case bool:
				kind, text = False, "false"
				if x {
					kind, text = True, "true"
				}
			case nil:
				kind, text = Null, "null"
			}
			out = append(out, fmt.Sprintf("%s=%s:%s@%v", path, kind, text, canon(renum, stack)))
		}
	}
	root = prefix == ""
	walk(prefix, doc, nil)
	return out
}

func TestReference(t *testing.T) {
	s := NewSet([]string{"a", "a.b", "a.b.c", "x.y"})
	doc := []byte(`{"a":[{"b":[{"c":1},{"c":[2,{"d":0}]}]},"s"],"x":{"y":[[1,2],[3]]},"a.b":{"c":"dot"}}`)
	v := NewValues(s)
	if err := v.Extract(doc, s.Scope("")); err != nil {
		t.Fatal(err)
	}
	want := reference(s, "", doc)
	if g := inOrder(v); !slices.Equal(g, want) {
		t.Errorf("got  %q\nwant %q", g, want)
	}
	if len(want) != 7 {
		t.Errorf("reference found %d values, want 7: %q", len(want), want)
	}
}

// FuzzExtract checks that extraction never panics and, on valid JSON
// objects, finds exactly what encoding/json finds.
func FuzzExtract(f *testing.F) {
	for _, seed := range []string{
		`{"a":{"b":1}}`, `{"a.b":[1,{"c":"x"}]}`, `{"x":[{"y":"\u00e9"}],"a":null}`,
		`{"detail":{"eventName":"X","userIdentity":{"arn":"y"}}}`, `{"a":[[[]]],"b":{}}`, `{"":{"":1}}`,
	} {
		f.Add([]byte(seed))
	}
	s := NewSet([]string{"a", "a.b", "a.b.c", "x.y", "detail.eventName", "detail.userIdentity.arn", "", ".", "b"})
	v := NewValues(s)
	f.Fuzz(func(t *testing.T, doc []byte) {
		v.Reset()
		err := v.Extract(doc, s.Scope(""))
		if !json.Valid(doc) || !utf8.Valid(doc) {
			return
		}
		trimmed := bytes.TrimSpace(doc)
		if trimmed[0] != '{' || depth(doc) > MaxDepth {
			if err == nil {
				t.Fatalf("no error for %q", doc)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid document %q: %v", doc, err)
		}
		if g, want := inOrder(v), reference(s, "", doc); !slices.Equal(g, want) {
			t.Fatalf("%q:\ngot  %q\nwant %q", doc, g, want)
		}
	})
}

func depth(doc []byte) int {
	d, max := 0, 0
	inStr, esc := false, false
	for _, c := range doc {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '{' || c == '['):
			d++
			if d > max {
				max = d
			}
		case !inStr && (c == '}' || c == ']'):
			d--
		}
	}
	return max
}

func TestComposite(t *testing.T) {
	s := NewSetOf([]string{"a.b"}, []string{"a", "c"})
	v := NewValues(s)
	doc := `{"a":{"b":1,"x":[2]},"c":[{"d":"e"},"f"],"a":"leaf"}`
	if err := v.Extract([]byte(doc), s.Scope("")); err != nil {
		t.Fatal(err)
	}
	want := []string{`a=composite:{"b":1,"x":[2]}@[]`, `a=string:leaf@[]`, `a.b=number:1@[]`,
		`c=composite:{"d":"e"}@[{0 0}]`, `c=string:f@[]`}
	if g := got(v); !slices.Equal(g, want) {
		t.Errorf("got  %q\nwant %q", g, want)
	}
}

func TestEvery(t *testing.T) {
	s := NewSet([]string{Every})
	v := NewValues(s)
	if err := v.Extract([]byte(`{"a":{"b":"x","c":[1,{"d":null}]},"e":"y\u0021"}`), s.Scope("")); err != nil {
		t.Fatal(err)
	}
	want := []string{"*=string:x@[]", "*=number:1@[]", "*=null:null@[{0 1}]", "*=string:y!@[]"}
	if g := got(v); !slices.Equal(g, want) {
		t.Errorf("got  %q\nwant %q", g, want)
	}
}

// TestManySiblings checks that every field of an object with many is found.
func TestManySiblings(t *testing.T) {
	var paths []string
	var doc strings.Builder
	doc.WriteString("{")
	for i := range 600 {
		paths = append(paths, fmt.Sprintf("p.k%03d", i))
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `"p.k%03d":%d`, i, i)
	}
	doc.WriteString("}")
	s := NewSet(paths)
	v := NewValues(s)
	if err := v.Extract([]byte(doc.String()), s.Scope("")); err != nil {
		t.Fatal(err)
	}
	for id := range paths {
		if !v.Has(id) {
			t.Errorf("%s not found", s.Path(id))
		}
	}
}
