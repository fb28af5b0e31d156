package store

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
)

// crockford is the alphabet of Crockford's base32.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidLen is the length of a ULID: 128 bits, 5 to a character.
const ulidLen = 26

// newULID returns a ULID: 48 bits of milliseconds since the Unix epoch,
// so that ids sort in the order they were made, and 80 random bits, so
// that they cannot be guessed.
func newULID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:]) // never fails
	return encodeULID(b)
}

func encodeULID(b [16]byte) string {
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [ulidLen]byte
	for i := ulidLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// validULID reports whether s is a ULID as newULID writes them.
func validULID(s string) bool {
	if len(s) != ulidLen || s[0] > '7' {
		return false
	}
	for i := range len(s) {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}
