// Package field extracts the values of a fixed set of dotted paths from a
// JSON document in one pass over its bytes.
//
// The set of paths is known once all rules are compiled. Extraction then
// walks each document once, descends only into the objects some path goes
// through, skips everything else without decoding it, and records each leaf
// value it finds with the arrays it sits in. Nothing is allocated per
// document once the buffers of a Values have grown to their working size.
//
// A path is the field names from the root joined by dots, the way
// EventBridge flattens events: "detail.userIdentity.arn" names the same
// field whether the document nests objects or has a key that itself
// contains dots.
package field

import (
	"bytes"
	"slices"
	"strings"
)

// Set is an immutable set of dotted paths. Each path has a dense ID; IDs
// follow the lexical order of the paths, so sorting by ID sorts by path.
//
// The path Every stands for every leaf of a document, wherever it is.
type Set struct {
	paths []string
	root  *node
}

// Every is the path that matches every leaf of a document. A Set that
// holds it holds no other path.
const Every = "*"

// node is one field name along one or more paths.
type node struct {
	id        int32 // ID of the path ending here, or -1
	composite bool  // an object here is a value too: its JSON text
	every     bool  // every name leads back here (the path Every)
	names     []string
	kids      []*node
	// table replaces the linear search when kids are many: an open
	// addressing table of kid indexes + 1 (0 is empty), hashed on the
	// length and the first and last bytes of a name, which is cheaper
	// than hashing the whole name for the many names that miss.
	table []int32
}

// manyKids is the number of children above which a node looks names up in
// its table instead of comparing them one by one.
const manyKids = 6

// NewSet returns the set of the given paths; duplicates are ignored.
func NewSet(paths []string) *Set { return NewSetOf(paths, nil) }

// NewSetOf returns the set of the given paths and composite paths. At a
// composite path an object is a value too, of Kind Composite, whose bytes
// are its JSON text: a Sigma rule may match a whole object as a string.
// Leaves below it are still values of their own paths.
func NewSetOf(paths, composite []string) *Set {
	ps := slices.Concat(paths, composite)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	s := &Set{paths: ps, root: &node{id: -1}}
	if slices.Contains(ps, Every) {
		if len(ps) > 1 {
			panic("field: a set with the path Every holds no other path")
		}
		s.root = &node{id: 0, every: true, composite: len(composite) > 0}
		return s
	}
	for id, p := range ps {
		n := s.root
		for _, name := range strings.Split(p, ".") {
			n = n.add(name)
		}
		n.id = int32(id)
		n.composite = n.composite || slices.Contains(composite, p)
	}
	return s
}

func (n *node) add(name string) *node {
	for i, k := range n.names {
		if k == name {
			return n.kids[i]
		}
	}
	c := &node{id: -1}
	n.names = append(n.names, name)
	n.kids = append(n.kids, c)
	if len(n.kids) > manyKids {
		n.rehash()
	}
	return c
}

// rehash builds the table at a quarter full at most.
func (n *node) rehash() {
	size := 16
	for size < 4*len(n.kids) {
		size *= 2
	}
	n.table = make([]int32, size)
	for i, k := range n.names {
		h := slot(k, size)
		for n.table[h] != 0 {
			h = (h + 1) & (size - 1)
		}
		n.table[h] = int32(i + 1)
	}
}

func slot[S string | []byte](name S, size int) int {
	if len(name) == 0 {
		return 0
	}
	h := uint32(len(name))*0x9E3779B1 ^ uint32(name[0])<<8 ^ uint32(name[len(name)-1])*0x85EBCA6B
	return int(h>>16) & (size - 1)
}

// child returns the node reached from n by the field name, which may
// contain dots, or nil when no path goes that way.
func (n *node) child(name []byte) *node {
	if n.every {
		return n
	}
	if c := n.direct(name); c != nil {
		return c
	}
	if bytes.IndexByte(name, '.') < 0 {
		return nil
	}
	for n != nil {
		dot := bytes.IndexByte(name, '.')
		if dot < 0 {
			return n.direct(name)
		}
		n = n.direct(name[:dot])
		name = name[dot+1:]
	}
	return nil
}

func (n *node) direct(name []byte) *node {
	if n.table != nil {
		size := len(n.table)
		for h := slot(name, size); n.table[h] != 0; h = (h + 1) & (size - 1) {
			if i := n.table[h] - 1; n.names[i] == string(name) {
				return n.kids[i]
			}
		}
		return nil
	}
	for i, k := range n.names {
		if len(k) == len(name) && k == string(name) {
			return n.kids[i]
		}
	}
	return nil
}

// Len returns the number of paths in the set.
func (s *Set) Len() int { return len(s.paths) }

// Path returns the path with the given ID.
func (s *Set) Path(id int) string { return s.paths[id] }

// Paths returns all paths in ID order. The caller must not modify it.
func (s *Set) Paths() []string { return s.paths }

// ID returns the ID of a path and whether the set has it.
func (s *Set) ID(path string) (int, bool) {
	i, ok := slices.BinarySearch(s.paths, path)
	return i, ok
}

// Scope is a place in a Set's tree of paths from which a document can be
// extracted: a document extracted at scope "detail" yields its field "x"
// as the path "detail.x".
type Scope struct{ n *node }

// Scope returns the scope below the given dotted prefix ("" for the root).
// A scope no path goes through extracts nothing.
func (s *Set) Scope(prefix string) Scope {
	if prefix == "" {
		return Scope{s.root}
	}
	return Scope{s.root.child([]byte(prefix))}
}
