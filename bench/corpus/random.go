package corpus

import "time"

// Alphabets of the identifiers AWS hands out.
const (
	base32     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // access keys, principal IDs
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base64Std  = mixedAlnum + "+/"
	digits     = "0123456789"
)

// mix is the SplitMix64 finalizer: a cheap, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// hashString folds s into h (FNV-1a, then mixed).
func hashString[T string | []byte](h uint64, s T) uint64 {
	h ^= 0xcbf29ce484222325
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return mix(h)
}

// appendChars appends n characters of alphabet drawn from the stream seeded
// by h. The same h always gives the same characters.
func appendChars(b []byte, alphabet string, n int, h uint64) []byte {
	var x uint64
	for i := 0; i < n; i++ {
		if i%8 == 0 {
			h = mix(h)
			x = h
		}
		b = append(b, alphabet[int(x&0xff)%len(alphabet)])
		x >>= 8
	}
	return b
}

// appendUUID appends a version 4 UUID made from h.
func appendUUID(b []byte, h uint64) []byte {
	x, y := mix(h), mix(h+1)
	for i := 0; i < 16; i++ {
		w := x
		if i >= 8 {
			w = y
		}
		v := byte(w >> (8 * (i % 8)))
		switch i {
		case 6:
			v = v&0x0f | 0x40
		case 8:
			v = v&0x3f | 0x80
		}
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[v>>4], hexDigits[v&0xf])
	}
	return b
}

// appendTime appends t in CloudTrail's eventTime format.
func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
}

// appendJavaTime appends t the way several APIs render dates inside
// responseElements, e.g. "Nov 20, 2026, 8:15:02 AM".
func appendJavaTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
}
