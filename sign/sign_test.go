package sign_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/sign"
)

// TestBody pins the signature, so that a receiver's verifier written
// from the docs keeps working. It was computed with openssl, apart from
// vigil:
//
//	printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
func TestBody(t *testing.T) {
	got := sign.Body([]byte("whsec_test"), time.Unix(1700000000, 0), []byte(`{"a":1}`))
	if want := "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"; got != want {
		t.Errorf("Body = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, body, at := []byte("whsec_test"), []byte(`{"a":1}`), time.Unix(1700000000, 0)
	good := sign.Body(secret, at, body)
	for _, tt := range []struct {
		name, header string
		secret, body []byte
		now          time.Time
		ok           bool
	}{
		{"good", good, secret, body, at.Add(time.Minute), true},
		{"second of two signatures", "t=1700000000,v1=00," + good[len("t=1700000000,"):], secret, body, at, true},
		{"spaces", "t=1700000000, " + good[len("t=1700000000,"):], secret, body, at, true},
		{"other body", good, secret, []byte(`{"a":2}`), at, false},
		{"other secret", good, []byte("whsec_other"), body, at, false},
		{"replayed later", good, secret, body, at.Add(6 * time.Minute), false},
		{"from the future", good, secret, body, at.Add(-6 * time.Minute), false},
		{"other timestamp", strings.Replace(good, "t=1700000000", "t=1700000001", 1), secret, body, at, false},
		{"no signature", "t=1700000000", secret, body, at, false},
		{"empty", "", secret, body, at, false},
		{"garbage", "v1=zz,t=x", secret, body, at, false},
	} {
		err := sign.Verify(tt.secret, tt.header, tt.body, 5*time.Minute, tt.now)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// FuzzVerify checks arbitrary signature headers: never a panic, and
// never a header that verifies without holding the signature, with the
// secret, of its own timestamp and the body.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	f.Add(sign.Body([]byte("k"), now, []byte("{}")), []byte("{}"))
	f.Add("t=1700000000,v1=00,v1=", []byte(""))
	f.Add("t=-1,v1=zz", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if sign.Verify([]byte("k"), header, body, time.Minute, now) != nil {
			return
		}
		var ts int64
		for part := range strings.SplitSeq(header, ",") {
			if k, v, _ := strings.Cut(strings.TrimSpace(part), "="); k == "t" {
				ts, _ = strconv.ParseInt(v, 10, 64)
			}
		}
		_, want, _ := strings.Cut(sign.Body([]byte("k"), time.Unix(ts, 0), body), ",")
		if !strings.Contains(header, want) {
			t.Fatalf("%q verified %q without its signature %s", header, body, want)
		}
	})
}
