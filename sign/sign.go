// Package sign signs what vigil posts to other systems (the notifications
// of webhook receivers, the alerts of soar_webhook actions), so that a
// receiver can tell that a request comes from vigil, unchanged, and is not
// a replay; and it verifies such signatures.
//
// A signed request carries Header: "t=TIMESTAMP,v1=SIGNATURE", the Unix
// time the request was signed at and the hex HMAC-SHA256, keyed with the
// shared secret, of the timestamp, a dot and the body. It also carries
// DeliveryHeader, which is not signed: the id of what is delivered, the
// same in every retry, by which a receiver drops what it has seen.
// docs/receivers.md tells receivers how to verify.
package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a request vigil posts.
const (
	// Header holds the signature: "t=TIMESTAMP,v1=SIGNATURE".
	Header = "X-Vigil-Signature"
	// DeliveryHeader holds the id of what is delivered, the same in
	// every retry of it.
	DeliveryHeader = "X-Vigil-Delivery"
)

// Body returns the value of Header that signs body with secret at time t.
func Body(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks header, the value of Header of a request: that one of its
// v1 signatures is that of body with secret (there are several while a
// secret is being changed), and that it was made within tolerance of now,
// so that a request recorded and replayed later is refused.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("signature %q: want t=TIMESTAMP,v1=SIGNATURE", header)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("signature made at %s: more than %s from now", time.Unix(sec, 0).UTC().Format(time.RFC3339), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("signature does not match the body")
}
