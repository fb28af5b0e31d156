package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// crockford is the alphabet of Crockford's base32.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidLen is the length of a ULID: 128 bits, 5 to a character.
const ulidLen = 26

// lastULID is the last ULID made, for making the next one greater.
var lastULID struct {
	sync.Mutex
	b [16]byte
}

// newULID returns a ULID: 48 bits of milliseconds since the Unix epoch,
// so that ids sort in the order they were made, and 80 random bits, so
// that they cannot be guessed. Within a process, ids made in the same
// millisecond are each greater than the one before (the random part of
// the last grows by a random step), so that "newest first" is the order
// of creation.
func newULID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:]) // never fails
	lastULID.Lock()
	defer lastULID.Unlock()
	if bytes.Equal(b[:6], lastULID.b[:6]) {
		b = lastULID.b
		var step [4]byte
		rand.Read(step[:])
		addULID(&b, uint64(binary.BigEndian.Uint32(step[:]))|1)
	}
	lastULID.b = b
	return encodeULID(b)
}

// addULID adds n to the random part of a ULID, carrying into its time
// when the random part overflows, which no realistic rate of ids does.
func addULID(b *[16]byte, n uint64) {
	lo := binary.BigEndian.Uint64(b[8:]) + n
	carry := uint64(0)
	if lo < n {
		carry = 1
	}
	binary.BigEndian.PutUint64(b[8:], lo)
	hi := binary.BigEndian.Uint64(b[:8]) + carry
	binary.BigEndian.PutUint64(b[:8], hi)
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
