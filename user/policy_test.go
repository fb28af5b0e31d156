package user

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, name string
		want     string // "" when accepted, else a word of the reason
	}{
		// accepted
		{"Tq7#mLp2", "alice", ""},
		{"correct-Horse-battery", "alice", ""},
		{"绿茶Xk9$vq", "alice", ""},
		{"K3v!nS7rQp", "zhangwei", ""},
		{"monkey%83720561!", "alice", ""}, // a common word, with more than predictable around it
		{"Tiger$7kq9#x2", "alice", ""},
		{"correct-Horse-battery-9", "alice", ""},
		{"Tq8#mV2!pLx", "alice", ""},
		{"Kx7!ma88Zq", "alice", ""},
		{"Xk9$vq-Lantern", "alice", ""},
		{"9Lp&rT4zWq", "alice", ""},
		// length and kinds
		{"Ab1!xyz", "alice", "shorter than 8"},
		{strings.Repeat("aB3$", 33), "alice", "longer than 128"},
		{"abcdefghij", "alice", "one kind"},
		{"ABCDEFGHIJ", "alice", "one kind"},
		{"1234567890", "alice", "one kind"},
		{"Tq7#m\nLp2", "alice", "control characters"},
		{"Tq7#m\xffLp2", "alice", "not text"},
		// like the user name
		{"Alice123!", "alice", "user name"},
		{"ecila#2024X", "alice", "user name"},
		{"Zhangw3i!", "zhangwei", "user name"},
		{"Xiaoming#88", "wang.xiaoming", "user name"},
		{"wangxiaoming2", "wang.xiaoming", "user name"},
		// common, and common with predictable decoration
		{"Password1", "alice", "common"},
		{"P@ssw0rd!", "alice", "common"},
		{"p@ssword2024", "alice", "common"},
		{"Admin123", "alice", "common"},
		{"woaini1314", "alice", "common"},
		{"Woaini520!", "alice", "common"},
		{"Zhangsan1990!", "alice", "common"},
		{"zhangwei19900101", "alice", "common"},
		{"Nongxin2024!", "alice", "common"},
		{"icbc#123456", "alice", "common"},
		{"Vigil2026", "alice", "common"},
		{"a1234567", "alice", "few letters"},
		{"Aa123456", "alice", "common"},
		{"5201314a", "alice", "few letters"},
		// keyboard walks, sequences, repetitions, dates
		{"1qaz2wsx", "alice", "common"},
		{"1qaz@WSX", "alice", "keyboard"},
		{"zaq12wsx!", "alice", "common"},
		{"zaq!2wsx", "alice", "keyboard"},
		{"Qwer1234", "alice", "common"},
		{"Qwert%tgb", "alice", "keyboard"},
		{"qwe123!@#", "alice", "keyboard"},
		{"asdf;lkj", "alice", "keyboard"},
		{"abcdefg1", "alice", "common"},
		{"Lmnopq!1", "alice", "sequence"},
		{"aaaaaaA1", "alice", "repeats"},
		{"abcabcabc1", "alice", "sequence"},
		{"Ab1Ab1Ab1", "alice", "repeats"},
		{"1990-01-01", "alice", "date"},
		{"Zs19900101", "alice", "few letters"},
		// a letter or two more at an end does not make them strong
		{"qwertyuiop1A", "alice", "common"},
		{"Password1A", "alice", "common"},
		{"P@ssword1a", "alice", "common"},
		{"Passw0rdA", "alice", "common"},
		{"Welcome1A", "alice", "common"},
		{"1qaz2wsxA", "alice", "common"},
		{"Qwerty123a", "alice", "common"},
		{"Zhangsan1990a", "alice", "common"},
		{"Nongxin2024!a", "alice", "common"},
		{"Woaini1314a", "alice", "common"},
		{"iloveyou1A", "alice", "common"},
		{"1234qwerAS", "alice", "sequence"},
		{"Trustno1!", "alice", "common"},
		{"X!Password", "alice", "common"},
		{"Admin@2024#Ops", "alice", "common"},
		{"4dmin2024!", "alice", "common"},
		{"77#19900101", "alice", "date with predictable"},
		// runs of letters and of other characters, leetspeak read as letters
		{"Pass1234word", "alice", "common"},
		{"zhang1990SAN!", "alice", "common"},
		{"Li8#Ma2!Wu", "alice", "common"},
		{"Abcdefgh&12", "alice", "sequence"},
		{"p4ssw0rd-2024", "alice", "common"},
	}
	for _, tt := range tests {
		err := checkPassword(tt.pw, tt.name, MinPasswordLen)
		var pe *PolicyError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q (user %s) refused: %v", tt.pw, tt.name, err)
		case tt.want != "" && (!errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q (user %s): %v, want a refusal with %q", tt.pw, tt.name, err, tt.want)
		}
	}
}

func TestPolicyParts(t *testing.T) {
	for s, want := range map[string]bool{"qwerty": true, "1qaz2wsx": true, "zaq12wsx": true, "qwe123!@#": true,
		"ytrewq": true, "abc": true, "qwertyp": false, "ab": false, "q1w2e3": false} {
		if isWalk(s) != want {
			t.Errorf("isWalk(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"aaaa": true, "abab": true, "abcabc": true, "aabb": true, "abcabca": true, "abca": false, "abcd": false, "ab": false} {
		if isRepeat(s) != want {
			t.Errorf("isRepeat(%q) = %v", s, !want)
		}
	}
	for s, want := range map[string]bool{"19900101": true, "01011990": true, "900101": true, "1990": true, "0101": true,
		"19901301": false, "123": false, "8842": false} {
		if isDate(s) != want {
			t.Errorf("isDate(%q) = %v", s, !want)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"", "abc", 3}, {"张伟", "张为", 1}, {"same", "same", 0}} {
		if d := distance(c.a, c.b); d != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
	if len(common()) < 300 {
		t.Errorf("the common list has %d entries", len(common()))
	}
}
