package pattern

import (
	"fmt"
	"strings"
	"testing"

	"vigil/field"
)

// sgEvent returns an AuthorizeSecurityGroupIngress-like event with n
// permission items, all of them for every port, none open to the world:
// the worst case, every element matching every field but the last.
func sgEvent(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"detail":{"requestParameters":{"ipPermissions":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"fromPort":0,"toPort":65535,"ipRanges":{"items":[{"cidrIp":"10.0.%d.0/24"}]}}`, i%256)
	}
	b.WriteString(`]}}}}`)
	return []byte(b.String())
}

// BenchmarkArrayOfObjects measures matching a pattern whose fields must
// come from one element against records with many elements.
func BenchmarkArrayOfObjects(b *testing.B) {
	p, err := Parse([]byte(`{"detail":{"requestParameters":{"ipPermissions":{"items":{"fromPort":[{"numeric":["<=",22]}],"toPort":[{"numeric":[">=",22]}],"ipRanges":{"items":{"cidrIp":["0.0.0.0/0"]}}}}}}}`))
	if err != nil {
		b.Fatal(err)
	}
	set := field.NewSet(p.Paths())
	m, _ := NewMachine(set, []*Pattern{p})
	for _, n := range []int{100, 1000, 4000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ev := sgEvent(n)
			v := field.NewValues(set)
			r := m.NewRun()
			for b.Loop() {
				v.Reset()
				if err := v.Extract(ev, set.Scope("")); err != nil {
					b.Fatal(err)
				}
				if len(r.Match(v)) != 0 {
					b.Fatal("matched")
				}
			}
		})
	}
}
