package user

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The second factor is TOTP (RFC 6238) as authenticator apps do it:
// HMAC-SHA-1, 6 digits, 30-second steps. A code is accepted one step
// early or late, for clocks that drift, and only once.
const (
	totpDigits = 6
	totpPeriod = 30 * time.Second
	totpSkew   = 1
	secretLen  = 20 // 160 bits, as RFC 4226 recommends
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// hotp returns the HOTP value (RFC 4226) of the counter: the dynamic
// truncation of its HMAC-SHA-1, in digits decimal digits.
func hotp(secret []byte, counter uint64, digits int) string {
	m := hmac.New(sha1.New, secret)
	m.Write(binary.BigEndian.AppendUint64(nil, counter))
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// step is the TOTP time step of t.
func step(t time.Time) int64 { return t.Unix() / int64(totpPeriod/time.Second) }

// checkCode reports whether code is the TOTP of the secret within a step
// of now, in a step after last (so that no code works twice), and
// returns that step.
func checkCode(secret []byte, code string, now time.Time, last int64) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != totpDigits {
		return 0, false
	}
	found, at := false, int64(0)
	for s := step(now) - totpSkew; s <= step(now)+totpSkew; s++ {
		if s < 0 || s <= last {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(hotp(secret, uint64(s), totpDigits)), []byte(code)) == 1 && !found {
			found, at = true, s
		}
	}
	return at, found
}

// keyURI returns the otpauth URI of a secret, which authenticator apps
// take (as a QR code): otpauth://totp/ISSUER:NAME?secret=...&issuer=...
func keyURI(issuer, name string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", b32.EncodeToString(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(int(totpPeriod/time.Second)))
	return (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + name, RawQuery: q.Encode()}).String()
}

// parseKeyURI reads what keyURI writes, as an authenticator app would,
// and refuses what vigil would not verify: another type, algorithm,
// number of digits or period, a label without issuer and name, or an
// issuer parameter other than the label's.
func parseKeyURI(s string) (issuer, name string, secret []byte, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", nil, fmt.Errorf("otpauth URI: %w", err)
	}
	fail := func(why string) (string, string, []byte, error) {
		return "", "", nil, fmt.Errorf("otpauth URI %q: %s", s, why)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		return fail("not otpauth://totp/")
	}
	issuer, name, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), ":")
	if !ok || issuer == "" || name == "" {
		return fail("label is not ISSUER:NAME")
	}
	q := u.Query()
	for k, want := range map[string]string{"issuer": issuer, "algorithm": "SHA1", "digits": "6", "period": "30"} {
		if v := q.Get(k); v != "" && v != want {
			return fail(fmt.Sprintf("%s=%s, want %s", k, v, want))
		}
	}
	secret, err = b32.DecodeString(strings.ToUpper(strings.TrimRight(q.Get("secret"), "=")))
	if err != nil || len(secret) < 10 {
		return fail("secret is not base32 of 10 bytes or more")
	}
	return issuer, name, secret, nil
}

// sealer seals second-factor secrets for the store with AES-256-GCM,
// under a key derived from the server key, bound to the user's id: a
// database read alone does not give the secrets, and a secret copied to
// another user does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(serverKey []byte) (sealer, error) {
	if len(serverKey) < 32 {
		return sealer{}, fmt.Errorf("user: server key of %d bytes, want at least 32", len(serverKey))
	}
	m := hmac.New(sha256.New, serverKey)
	m.Write([]byte("vigil totp secrets v1"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	return sealer{aead}, err
}

func (s sealer) seal(secret []byte, userID string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, secret, []byte(userID))
}

func (s sealer) open(sealed []byte, userID string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("user: sealed second-factor secret too short")
	}
	secret, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(userID))
	if err != nil {
		return nil, fmt.Errorf("user: second-factor secret of user %s does not open with the server key: %w", userID, err)
	}
	return secret, nil
}
