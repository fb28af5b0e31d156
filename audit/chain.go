package audit

import (
	"crypto/sha256"
	"encoding/binary"

	"vigil/store"
)

// hashDomain starts what an entry's hash covers, so that the hash of an
// entry is never that of anything else vigil hashes.
const hashDomain = "vigil audit entry v1\x00"

// Hash returns the hash of an entry: the SHA-256 of its sequence number,
// the hash of the entry before (Prev), its time in nanoseconds since the
// Unix epoch (both as 8-byte big-endian integers), and its actor, source
// address, action, target, result and detail, each preceded by its
// length (an unsigned varint), so that no two entries have the same
// encoding.
func Hash(e store.AuditEntry) []byte {
	b := make([]byte, 0, 256)
	b = append(b, hashDomain...)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = appendField(b, e.Prev)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	for _, f := range []string{e.Actor, e.SourceIP, e.Action, e.Target, e.Result, e.Detail} {
		b = appendField(b, []byte(f))
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

func appendField(b, f []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(f)))
	return append(b, f...)
}
