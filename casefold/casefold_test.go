package casefold

import "testing"

func TestLower(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "abc", "AbC-9": "abc-9", "ÉCOLE": "école", "\u212Aelvin": "kelvin", "a\xffB": "a\xffb"} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
		var f Buffer
		if got := string(f.Lower([]byte(in))); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
	var f Buffer
	b := []byte("lower")
	if got := f.Lower(b); &got[0] != &b[0] {
		t.Error("a lower-case value was copied")
	}
}
