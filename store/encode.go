package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Times are stored as nanoseconds since the Unix epoch, which reach from
// 1677 to 2262; times outside are stored as the nearest end.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64-1) // MaxInt64 sorts events without a time
)

// noTime is the sort_time of an event without a time: after all others.
const noTime = math.MaxInt64

func encodeTime(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		t = minTime
	case t.After(maxTime):
		t = maxTime
	}
	return t.UnixNano()
}

func decodeTime(n int64) time.Time { return time.Unix(0, n).UTC() }

// encodeOptionalTime encodes the zero time as NULL.
func encodeOptionalTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: encodeTime(t), Valid: true}
}

func decodeOptionalTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := decodeTime(n.Int64)
	return &t
}

// cleanText makes s storable as TEXT in both databases: PostgreSQL
// refuses invalid UTF-8 and NUL. It replaces each run of invalid bytes,
// and each NUL, with U+FFFD.
func cleanText(s string) string {
	if isClean(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func isClean(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// maxEventID is the length of the longest event id stored as it is:
// PostgreSQL cannot index much longer values.
const maxEventID = 256

// boundID returns id, or when it is longer than maxEventID, its first
// bytes, "…" and the hex SHA-256 of all of it.
func boundID(id string) string {
	if len(id) <= maxEventID {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	head := strings.ToValidUTF8(id[:maxEventID/2], "")
	return head + "…" + hex.EncodeToString(sum[:])
}

// cleanValues returns m with cleanText applied to its keys and values: m
// itself when they are clean.
func cleanValues(m map[string][]string) map[string][]string {
	clean := true
	for k, vs := range m {
		clean = clean && isClean(k) && !slices.ContainsFunc(vs, func(v string) bool { return !isClean(v) })
	}
	if clean {
		return m
	}
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		k = cleanText(k)
		for _, v := range vs {
			out[k] = append(out[k], cleanText(v))
		}
	}
	return out
}

// cleanDedup returns a copy of m with cleanText applied to its keys and
// values.
func cleanDedup(m map[string]*string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		if v != nil {
			s := cleanText(*v)
			v = &s
		}
		out[cleanText(k)] = v
	}
	return out
}

// dedupKey identifies dedup values: the hex SHA-256 of their fields in
// sorted order, each with its value or a mark of its absence, so that a
// null differs from "". A digest keeps the unique index small, whatever
// the length of the values.
func dedupKey(dedup map[string]*string) string {
	keys := make([]string, 0, len(dedup))
	for k := range dedup {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	var b []byte
	for _, k := range keys {
		b = binary.AppendUvarint(b[:0], uint64(len(k)))
		b = append(b, k...)
		if v := dedup[k]; v == nil {
			b = append(b, 0)
		} else {
			b = append(b, 1)
			b = binary.AppendUvarint(b, uint64(len(*v)))
			b = append(b, *v...)
		}
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// valueKey is the indexed digest of an entity's value.
func valueKey(value string) int64 {
	sum := sha256.Sum256([]byte(value))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// mustJSON encodes v, which is a map or slice of strings and cannot fail.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
