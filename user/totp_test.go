package user

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 key of RFC 6238's test vectors.
var rfcSecret = []byte("12345678901234567890")

func TestTOTPVectors(t *testing.T) {
	// RFC 6238, appendix B: SHA-1, 8 digits, 30-second steps.
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		at := time.Unix(v.unix, 0)
		if got := hotp(rfcSecret, uint64(step(at)), 8); got != v.code {
			t.Errorf("at %d: %s, want %s", v.unix, got, v.code)
		}
		// Six digits are the last six of the same value.
		if s, ok := checkCode(rfcSecret, v.code[2:], at, 0); !ok || s != step(at) {
			t.Errorf("at %d: checkCode(%s) = %d, %v", v.unix, v.code[2:], s, ok)
		}
	}
	// RFC 4226, appendix D: HOTP of counters 0 and 9.
	if hotp(rfcSecret, 0, 6) != "755224" || hotp(rfcSecret, 9, 6) != "520489" {
		t.Error("HOTP differs from RFC 4226's vectors")
	}
}

func TestCheckCode(t *testing.T) {
	now := time.Unix(1234567890, 0) // step 41152263
	s := step(now)
	code := func(st int64) string { return hotp(rfcSecret, uint64(st), 6) }
	for _, tc := range []struct {
		name string
		code string
		last int64
		ok   bool
		step int64
	}{
		{"now", code(s), 0, true, s},
		{"with a space", code(s)[:3] + " " + code(s)[3:], 0, true, s},
		{"a step early", code(s - 1), 0, true, s - 1},
		{"a step late", code(s + 1), 0, true, s + 1},
		{"two steps early", code(s - 2), 0, false, 0},
		{"two steps late", code(s + 2), 0, false, 0},
		{"used", code(s), s, false, 0},
		{"older than one used", code(s - 1), s, false, 0},
		{"after one used", code(s + 1), s, true, s + 1},
		{"five digits", code(s)[:5], 0, false, 0},
		{"empty", "", 0, false, 0},
		{"letters", "abcdef", 0, false, 0},
	} {
		got, ok := checkCode(rfcSecret, tc.code, now, tc.last)
		if ok != tc.ok || got != tc.step {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, got, ok, tc.step, tc.ok)
		}
	}
}

func TestKeyURI(t *testing.T) {
	uri := keyURI("vigil", "alice@bank", rfcSecret)
	want := "otpauth://totp/vigil:alice@bank?algorithm=SHA1&digits=6&issuer=vigil&period=30&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if uri != want {
		t.Errorf("keyURI = %s\nwant %s", uri, want)
	}
	issuer, name, secret, err := parseKeyURI(uri)
	if err != nil || issuer != "vigil" || name != "alice@bank" || !bytes.Equal(secret, rfcSecret) {
		t.Errorf("parseKeyURI: %q %q %q %v", issuer, name, secret, err)
	}
	for _, bad := range []string{
		"otpauth://hotp/vigil:alice?secret=GEZDGNBVGY3TQOJQ",
		"https://totp/vigil:alice?secret=GEZDGNBVGY3TQOJQ",
		"otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQ",
		"otpauth://totp/vigil:alice?secret=GEZDGNBVGY3TQOJQ&algorithm=SHA256",
		"otpauth://totp/vigil:alice?secret=GEZDGNBVGY3TQOJQ&digits=8",
		"otpauth://totp/vigil:alice?secret=GEZDGNBVGY3TQOJQ&issuer=other",
		"otpauth://totp/vigil:alice?secret=not*base32",
		"otpauth://totp/vigil:alice?secret=GEZA",
		"otpauth://totp/vigil:alice",
		"%",
	} {
		if _, _, _, err := parseKeyURI(bad); err == nil {
			t.Errorf("parseKeyURI(%q): no error", bad)
		}
	}
}

func FuzzParseKeyURI(f *testing.F) {
	f.Add(keyURI("vigil", "alice", rfcSecret))
	f.Add("otpauth://totp/a:b?secret=gezdgnbvgy3tqojq====")
	f.Fuzz(func(t *testing.T, s string) {
		issuer, name, secret, err := parseKeyURI(s)
		if err != nil {
			return
		}
		if issuer == "" || name == "" || strings.Contains(issuer, ":") || len(secret) < 10 {
			t.Fatalf("parseKeyURI(%q) = %q, %q, %x", s, issuer, name, secret)
		}
		// What parses, written again, parses to the same.
		i2, n2, s2, err := parseKeyURI(keyURI(issuer, name, secret))
		if err != nil || i2 != issuer || n2 != name || !bytes.Equal(s2, secret) {
			t.Fatalf("parseKeyURI(keyURI(%q, %q, %x)) = %q, %q, %x, %v", issuer, name, secret, i2, n2, s2, err)
		}
	})
}

func TestSealer(t *testing.T) {
	sl, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := sl.seal(rfcSecret, "u1")
	if bytes.Contains(sealed, rfcSecret) {
		t.Error("the sealed secret holds the secret")
	}
	if got, err := sl.open(sealed, "u1"); err != nil || !bytes.Equal(got, rfcSecret) {
		t.Errorf("open: %q, %v", got, err)
	}
	if _, err := sl.open(sealed, "u2"); err == nil {
		t.Error("a secret sealed for u1 opens for u2")
	}
	other, _ := newSealer(bytes.Repeat([]byte{8}, 32))
	if _, err := other.open(sealed, "u1"); err == nil {
		t.Error("a secret opens with another server key")
	}
	if _, err := sl.open([]byte("x"), "u1"); err == nil {
		t.Error("a short sealed secret opens")
	}
	if _, err := newSealer(make([]byte, 16)); err == nil {
		t.Error("a 16-byte server key is taken")
	}
}
