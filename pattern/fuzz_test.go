package pattern

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"vigil/field"
)

// FuzzParse checks that the compiler never panics and that every error it
// returns is an *Error in AWS's form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"source":["aws.ec2"]}`, `{"detail":{"$or":[{"a":[1]},{"b":[{"numeric":[">",1,"<=",5]}]}]}}`,
		`{"a":[{"anything-but":{"prefix":"x"}}]}`, `{"a":[{"wildcard":"*a\\*b*"}]}`, `{"a":[{"cidr":"::/0"}]}`,
		`{"a":[{"exists":false},null,true,"",0.5]}`, `{"a":[{"prefix":{"equals-ignore-case":"X"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("%q: error %v is not an *Error", src, err)
			}
			return
		}
		if _, err := p.Match([]byte(`{"a":1}`)); err != nil {
			t.Fatalf("%q: %v", src, err)
		}
	})
}

// FuzzMachine checks that patterns matched together by one machine give
// the same result as each pattern matched alone by a machine of its own,
// and that matching never fails on a valid event.
func FuzzMachine(f *testing.F) {
	f.Add(`{"a":["x"],"b":[{"prefix":"y"}]}`, `{"a":["x"],"b":[{"prefix":"yy"}]}`, `{"a":[{"exists":false}]}`,
		[]byte(`{"a":"x","b":"yyz"}`))
	f.Add(`{"p":{"f":[1],"t":[2]}}`, `{"p":{"f":[3]}}`, `{"$or":[{"a":["x"]},{"p":{"t":[{"numeric":[">",1]}]}}]}`,
		[]byte(`{"p":[{"f":1,"t":4},{"f":3,"t":2}]}`))
	f.Add(`{"a":[{"anything-but":"x"}]}`, `{"a":["x","y"]}`, `{"a":[{"suffix":{"equals-ignore-case":"Z"}}]}`,
		[]byte(`{"a":["x","yz",null]}`))
	f.Fuzz(func(t *testing.T, p1, p2, p3 string, ev []byte) {
		var pats []*Pattern
		for _, src := range []string{p1, p2, p3} {
			if p, err := Parse([]byte(src)); err == nil {
				pats = append(pats, p)
			}
		}
		if len(pats) == 0 || !json.Valid(ev) {
			return
		}
		var want []int
		for i, p := range pats {
			ok, err := p.Match(ev)
			if err != nil {
				return // not an object, or nested too deeply
			}
			if ok {
				want = append(want, i)
			}
		}
		var paths []string
		for _, p := range pats {
			paths = append(paths, p.Paths()...)
		}
		set := field.NewSet(paths)
		m, err := NewMachine(set, pats)
		if err != nil {
			t.Fatal(err)
		}
		v := field.NewValues(set)
		if err := v.Extract(ev, set.Scope("")); err != nil {
			t.Fatalf("%q: %v", ev, err)
		}
		got := slices.Clone(m.NewRun().Match(v))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q %q %q on %s: together %v, alone %v", p1, p2, p3, ev, got, want)
		}
		var naive []int
		for i, p := range pats {
			if naiveMatch(p, set, v) {
				naive = append(naive, i)
			}
		}
		if !slices.Equal(got, naive) {
			t.Fatalf("patterns %q %q %q on %s: machine %v, naive %v", p1, p2, p3, ev, got, naive)
		}
	})
}

// naiveMatch is the semantics of a pattern read directly: some conjunction
// whose every step is satisfied by a value, all values chosen from
// consistent array elements, or by the absence of values for exists:false.
func naiveMatch(p *Pattern, set *field.Set, v *field.Values) bool {
	var s scratch
	var try func(c []step, mem []field.Elem) bool
	try = func(c []step, mem []field.Elem) bool {
		if len(c) == 0 {
			return true
		}
		id, _ := set.ID(c[0].path)
		if !v.Has(id) {
			for _, m := range c[0].ms {
				if m.op == opAbsent && try(c[1:], mem) {
					return true
				}
			}
			return false
		}
		for i := v.First(id); i >= 0; i = v.Next(i) {
			merged, ok := mergeElems(mem, v.Elems(i))
			if !ok {
				continue
			}
			for _, m := range c[0].ms {
				if m.match(v.At(i), &s) && try(c[1:], merged) {
					return true
				}
			}
		}
		return false
	}
	for _, c := range p.conj {
		if try(c, nil) {
			return true
		}
	}
	return false
}

func mergeElems(mem, add []field.Elem) ([]field.Elem, bool) {
	out := slices.Clone(mem)
	for _, e := range add {
		found := false
		for _, h := range mem {
			if h.Array == e.Array {
				if h.Index != e.Index {
					return nil, false
				}
				found = true
			}
		}
		if !found {
			out = append(out, e)
		}
	}
	return out, true
}
