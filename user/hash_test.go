package user

import (
	"strings"
	"testing"
)

// fast are parameters that keep the tests quick.
var fast = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashPassword(t *testing.T) {
	h := hashPassword("correct horse", fast)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h2 := hashPassword("correct horse", fast); h2 == h {
		t.Error("two hashes of a password are the same: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct hors": false, "Correct horse": false, "": false} {
		if ok, err := verifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("verifyPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if !needsRehash(h, DefaultParams) || needsRehash(h, fast) {
		t.Error("needsRehash does not compare the parameters")
	}
	// The default parameters, once, as stored in production.
	h = hashPassword("pw", DefaultParams)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || needsRehash(h, DefaultParams) {
		t.Errorf("hash with the default parameters: %q", h)
	}
	if ok, err := verifyPassword("pw", h); !ok || err != nil {
		t.Errorf("verifyPassword: %v, %v", ok, err)
	}
}

func TestParsePHC(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	good := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	if h, err := parsePHC(good); err != nil || h.Memory != 19456 || h.Time != 2 || h.Threads != 1 || len(h.salt) != 16 || len(h.key) != 32 {
		t.Fatalf("parsePHC(%q) = %+v, %v", good, h, err)
	}
	for _, tc := range []struct{ s, want string }{
		{"", "not an argon2id"},
		{"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, "not an argon2id"},
		{"$2b$10$abcdefghijklmnopqrstuv", "not an argon2id"},
		{"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key, "version"},
		{"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key, "m=,t=,p="},
		{"$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key, "m=,t=,p="},
		{"$argon2id$v=19$m=x,t=2,p=1$" + salt + "$" + key, "not a number"},
		{"$argon2id$v=19$m=4,t=2,p=1$" + salt + "$" + key, "m=4"},
		{"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key, "m=4194304"},
		{"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key, "t=0"},
		{"$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + key, "t=1000"},
		{"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key, "p=0"},
		{"$argon2id$v=19$m=19456,t=2,p=1$c2Fs$" + key, "salt"},
		{"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$aGFz", "hash is not"},
		{"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key, "salt"},
		{"$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key, "not written as vigil writes it"},
		{good + "$", "not an argon2id"},
	} {
		if _, err := parsePHC(tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parsePHC(%q): %v, want an error with %q", tc.s, err, tc.want)
		}
	}
	if ok, err := verifyPassword("x", "plain text"); ok || err == nil {
		t.Errorf("verifyPassword against no hash: %v, %v", ok, err)
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add(hashPassword("x", fast))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		if err != nil {
			return
		}
		// What parses is written back as it was, with bounded cost.
		if h.String() != s {
			t.Fatalf("parsePHC(%q) writes back as %q", s, h.String())
		}
		if h.Memory > maxMemory || h.Time > maxTime || h.Threads == 0 || h.Memory < 8*uint32(h.Threads) {
			t.Fatalf("parsePHC(%q) accepted parameters %+v", s, h.Params)
		}
	})
}
