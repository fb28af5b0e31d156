package store

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// cursorSumLen is the length of a cursor's digest.
const cursorSumLen = 8

// encodeCursor returns the cursor of a position in a list: the position's
// parts and a digest of them with the list's scope, base64url encoded. The
// digest makes a cursor that was altered, or belongs to another list, an
// error rather than a silent jump.
func encodeCursor(scope string, parts ...string) string {
	payload := strings.Join(parts, "\x00")
	b := append(cursorSum(scope, payload), payload...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the n parts of a cursor of the list scope.
func decodeCursor(scope, cursor string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) < cursorSumLen {
		return nil, invalidf("malformed cursor %q", cursor)
	}
	payload := string(b[cursorSumLen:])
	if string(cursorSum(scope, payload)) != string(b[:cursorSumLen]) {
		return nil, invalidf("malformed cursor %q: not from this list", cursor)
	}
	parts := strings.Split(payload, "\x00")
	if len(parts) != n {
		return nil, invalidf("malformed cursor %q", cursor)
	}
	return parts, nil
}

func cursorSum(scope, payload string) []byte {
	sum := sha256.Sum256([]byte(scope + "\x00" + payload))
	return sum[:cursorSumLen]
}
