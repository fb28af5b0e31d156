package user

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the cost of argon2id: memory in KiB, passes over it, and
// lanes. Each hash records its own, so they can be raised for new
// hashes while old ones still verify (and are rehashed at the next
// login).
type Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultParams are the first of the settings OWASP's Password Storage
// Cheat Sheet recommends for argon2id: 19 MiB, 2 passes, 1 lane.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Sizes of the salt and of the hash, in bytes.
const (
	saltLen = 16
	keyLen  = 32
)

// Bounds of the parameters a stored hash may have: a hash from the
// database is input too, and must not make vigil spend gigabytes.
const (
	maxMemory = 1 << 20 // 1 GiB
	maxTime   = 64
)

// b64 is the base64 of PHC strings: standard alphabet, no padding.
var b64 = base64.RawStdEncoding.Strict()

// phc is a parsed PHC string of argon2id.
type phc struct {
	Params
	salt, key []byte
}

// hashPassword returns the PHC string of the argon2id hash of pw with a
// new random salt: $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH.
func hashPassword(pw string, p Params) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return phc{p, salt, key}.String()
}

func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// verifyPassword reports whether pw has the hash in the PHC string s,
// comparing in constant time.
func verifyPassword(pw, s string) (bool, error) {
	h, err := parsePHC(s)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(pw), h.salt, h.Time, h.Memory, h.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// needsRehash reports whether the hash in s was made with weaker
// parameters than p.
func needsRehash(s string, p Params) bool {
	h, err := parsePHC(s)
	return err != nil || h.Memory < p.Memory || h.Time < p.Time || len(h.salt) < saltLen || len(h.key) < keyLen
}

// parsePHC parses the PHC string of an argon2id hash, as hashPassword
// writes it, and nothing else: another algorithm or version, parameters
// out of bounds, a salt or hash too short, or any other way of writing
// the same values is an error.
func parsePHC(s string) (phc, error) {
	fail := func(why string) (phc, error) {
		return phc{}, fmt.Errorf("password hash: %s", why)
	}
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return fail("not an argon2id PHC string")
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("version " + strconv.Quote(f[2]) + ", not 19")
	}
	var h phc
	m, t, p, err := parseParams(f[3])
	if err != nil {
		return fail(err.Error())
	}
	h.Params = Params{Memory: m, Time: t, Threads: p}
	if h.salt, err = b64.DecodeString(f[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return fail("salt is not 8 to 64 bytes of base64")
	}
	if h.key, err = b64.DecodeString(f[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return fail("hash is not 16 to 64 bytes of base64")
	}
	if h.String() != s {
		return fail("not written as vigil writes it")
	}
	return h, nil
}

// parseParams parses "m=19456,t=2,p=1".
func parseParams(s string) (m, t uint32, p uint8, err error) {
	kv := strings.Split(s, ",")
	if len(kv) != 3 {
		return 0, 0, 0, errors.New("parameters are not m=,t=,p=")
	}
	var n [3]uint64
	for i, k := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], k)
		if !ok {
			return 0, 0, 0, errors.New("parameters are not m=,t=,p=")
		}
		if n[i], err = strconv.ParseUint(v, 10, 32); err != nil {
			return 0, 0, 0, fmt.Errorf("parameter %s%s is not a number", k, v)
		}
	}
	switch {
	case n[2] < 1 || n[2] > 255:
		return 0, 0, 0, fmt.Errorf("p=%d: want 1 to 255 lanes", n[2])
	case n[0] < 8*n[2] || n[0] > maxMemory:
		return 0, 0, 0, fmt.Errorf("m=%d: want %d to %d KiB", n[0], 8*n[2], maxMemory)
	case n[1] < 1 || n[1] > maxTime:
		return 0, 0, 0, fmt.Errorf("t=%d: want 1 to %d passes", n[1], maxTime)
	}
	return uint32(n[0]), uint32(n[1]), uint8(n[2]), nil
}
