package field

// Kind is the JSON type of a leaf value.
type Kind uint8

// The kinds of leaf values. Objects and arrays are never leaves: a path
// that ends on an object has no value, and the elements of an array are
// values of the path the array is at.
const (
	String Kind = 1 + iota
	Number
	True
	False
	Null
	// Composite is an object at a composite path (see NewSetOf); its
	// bytes are its JSON text. It is not a leaf.
	Composite
)

var kindNames = [...]string{String: "string", Number: "number", True: "true", False: "false", Null: "null", Composite: "composite"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid"
}

// Value is one value found at a path: a leaf, or an object at a
// composite path.
type Value struct {
	Kind Kind
	// Bytes is the decoded content of a string, or the literal text of a
	// number, true, false or null. It points into the document or into
	// the Values' own buffer and is valid until the next Reset.
	Bytes []byte
	arr   int32 // start of its array elements in Values.elems
	narr  int32
	next  int32 // next value of the same path, or -1
}

// Elem names one element of one array: the arrays of a document are
// numbered in the order they start.
type Elem struct{ Array, Index int32 }

// Values holds the values extracted from one document. It is reused from
// document to document and is not safe for concurrent use.
type Values struct {
	set   *Set
	vals  []Value
	head  []int32 // first value of each path, or -1
	tail  []int32
	elems []Elem // arrays each value sits in, see Value.arr
	buf   []byte // decoded strings that had escapes
	w     walker
}

// NewValues returns an empty Values for documents extracted with s.
func NewValues(s *Set) *Values {
	v := &Values{set: s, head: make([]int32, s.Len()), tail: make([]int32, s.Len())}
	v.Reset()
	return v
}

// Set returns the set of paths v extracts.
func (v *Values) Set() *Set { return v.set }

// Reset forgets all values.
func (v *Values) Reset() {
	v.vals = v.vals[:0]
	v.elems = v.elems[:0]
	v.buf = v.buf[:0]
	for i := range v.head {
		v.head[i] = -1
	}
}

// Len returns the number of values held.
func (v *Values) Len() int { return len(v.vals) }

// First returns the index of the first value of a path, or -1 when the
// path has none.
func (v *Values) First(path int) int { return int(v.head[path]) }

// Next returns the index of the value after value i at the same path, or -1.
func (v *Values) Next(i int) int { return int(v.vals[i].next) }

// Has reports whether a path has at least one value.
func (v *Values) Has(path int) bool { return v.head[path] >= 0 }

// At returns value i.
func (v *Values) At(i int) *Value { return &v.vals[i] }

// Elems returns the array elements value i sits in, outermost first. Arrays
// whose elements are plain values do not count: only arrays of objects or
// of arrays can make two fields belong to different elements.
func (v *Values) Elems(i int) []Elem {
	x := &v.vals[i]
	return v.elems[x.arr : x.arr+x.narr]
}

// String returns the first value of a path if it is a string.
func (v *Values) String(path int) ([]byte, bool) {
	i := v.head[path]
	if i < 0 || v.vals[i].Kind != String {
		return nil, false
	}
	return v.vals[i].Bytes, true
}

// Add appends a value for a path outside of any array, as if the document
// had it. The bytes must stay valid until the next Reset.
func (v *Values) Add(path int, kind Kind, b []byte) {
	v.add(int32(path), kind, b, nil)
}

func (v *Values) add(path int32, kind Kind, b []byte, stack []Elem) {
	x := Value{Kind: kind, Bytes: b, next: -1}
	if len(stack) > 0 {
		x.arr = int32(len(v.elems))
		x.narr = int32(len(stack))
		v.elems = append(v.elems, stack...)
	}
	i := int32(len(v.vals))
	v.vals = append(v.vals, x)
	if v.head[path] < 0 {
		v.head[path] = i
	} else {
		v.vals[v.tail[path]].next = i
	}
	v.tail[path] = i
}

// Extract adds the values of doc, a JSON object, found below scope. It
// returns an error when doc is not a JSON object or is malformed in a part
// it had to read; parts it skipped are only checked for balanced brackets
// and terminated strings.
func (v *Values) Extract(doc []byte, scope Scope) error {
	return v.w.run(v, doc, scope.n)
}
