package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/casefold"
)

func TestAnchorMap(t *testing.T) {
	var m anchorMap
	var f casefold.Buffer
	if got := m.get([]byte("x"), &f); got != nil {
		t.Errorf("empty map: %v", got)
	}
	long := strings.Repeat("Mozilla/5.0 ", 10)
	m.add("ConsoleLogin", 1)
	m.add("consolelogin", 2) // the same key
	m.add("consolelogin", 2) // the same program
	m.add("ÉTÉ", 3)
	m.add("k", 4)
	m.add(long, 5)
	for i := range 100 { // grows the table
		m.add(fmt.Sprintf("Call%d", i), int32(10+i))
	}
	for _, c := range []struct {
		value string
		want  []int32
	}{
		{"CONSOLELOGIN", []int32{1, 2}},
		{"consoleLogin", []int32{1, 2}},
		{"ConsoleLogin ", nil},
		{"été", []int32{3}},
		{"Été", []int32{3}},
		{"\u212a", []int32{4}}, // KELVIN SIGN lowers to k, from 3 bytes to 1
		{strings.ToUpper(long), []int32{5}},
		{long + "x", nil},
		{"call57", []int32{67}},
		{"call100", nil},
		{"", nil},
	} {
		if got := m.get([]byte(c.value), &f); !slices.Equal(got, c.want) {
			t.Errorf("get(%q) = %v, want %v", c.value, got, c.want)
		}
	}
}
