package audit

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/store"
)

// TestVerifyAnchors checks trail10 against seals and entries kept
// outside the database.
func TestVerifyAnchors(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := trail10(t, db)
		seals, err := db.AuditSeals(ctx, 0)
		if err != nil || len(seals) != 2 {
			t.Fatalf("seals %+v, %v", seals, err)
		}
		es, _ := db.AuditEntries(ctx, store.AuditQuery{})
		entry9, err := ParseAnchor(fmt.Sprintf("9:%x", es[8].Hash))
		if err != nil || entry9.Seq != 9 {
			t.Fatalf("ParseAnchor: %+v, %v", entry9, err)
		}
		forged := seals[1]
		forged.Time = forged.Time.Add(time.Second)
		other := entry9
		other.Hash = es[7].Hash
		for _, c := range []struct {
			name    string
			anchors []store.AuditSeal
			want    string
		}{
			{"the seals", seals, "audit trail intact: 10 entries, sealed up to entry 8 at 2026-03-14T09:26:53Z, 2 not yet sealed, matching 2 anchors"},
			{"an entry", []store.AuditSeal{entry9}, "audit trail intact: 10 entries, sealed up to entry 8 at 2026-03-14T09:26:53Z, 2 not yet sealed, matching 1 anchor"},
			{"another hash", []store.AuditSeal{other}, "audit trail broken: entry 9: rewritten: the chain no longer matches the hash of entry 9, kept outside the database: entry 9 was changed"},
			{"a forged seal", []store.AuditSeal{forged}, "audit trail broken: entry 8: bad seal: seal 2 of entry 8 (made 2026-03-14T09:26:54Z), kept outside the database, does not verify"},
		} {
			r, err := Verify(ctx, db, verifyOptions(tr, c.anchors...))
			if err != nil || !strings.HasPrefix(r.String(), c.want) {
				t.Errorf("%s: %v, %v; want %s", c.name, r, err, c.want)
			}
		}

		db.unguard(t)
		db.exec(t, `DELETE FROM audit_seals WHERE seq = 8`)
		want := "audit trail broken: entry 8: missing: seal 2 of entry 8 (made 2026-03-14T09:26:53Z), kept outside the database, was deleted from it or replaced"
		if r, err := Verify(ctx, db, verifyOptions(tr, seals...)); err != nil || r.String() != want {
			t.Errorf("the last seal deleted: %v, %v; want %s", r, err, want)
		}
		db.exec(t, `DELETE FROM audit_log WHERE seq > 8`)
		db.exec(t, `UPDATE audit_head SET seq = 8, hash = $1`, es[7].Hash)
		want = "audit trail broken: entry 9: missing: entry 9 deleted: the trail ends at entry 8, but the hash of entry 9 is kept outside the database"
		if r, err := Verify(ctx, db, verifyOptions(tr, entry9)); err != nil || r.String() != want {
			t.Errorf("the last entries deleted: %v, %v; want %s", r, err, want)
		}
	})
}

func TestParseAnchor(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	if a, err := ParseAnchor("12:" + hash); err != nil || a.Seq != 12 || hex.EncodeToString(a.Hash) != hash || a.N != 0 {
		t.Errorf("ParseAnchor: %+v, %v", a, err)
	}
	for _, bad := range []string{"", "12", "x:" + hash, "0:" + hash, "12:" + hash[2:], "12:zz" + hash[2:]} {
		if _, err := ParseAnchor(bad); err == nil {
			t.Errorf("ParseAnchor(%q): no error", bad)
		}
	}
}

// TestVerifyFirstFormat verifies a trail sealed before seals were
// chained, and sealed since: the first chained seal follows the last
// seal of the first format.
func TestVerifyFirstFormat(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := openTrail(t, db, 100)
		for range 8 {
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		es, _ := db.AuditEntries(ctx, store.AuditQuery{})
		for _, seq := range []int64{3, 6} {
			s := store.AuditSeal{Seq: seq, Hash: es[seq-1].Hash, Time: t0}
			db.exec(t, `INSERT INTO audit_seals (seq, hash, at, key_id, sig) VALUES ($1, $2, $3, $4, $5)`,
				s.Seq, s.Hash, t0.UnixNano(), tr.keyID, sign(tr, s))
		}
		o := Options{Keys: tr.keys(), SealEvery: 4, Now: func() time.Time { return t0 }}
		if r, err := Verify(ctx, db, o); err != nil || !r.OK() || r.Seals != 2 || r.Sealed != 6 || len(r.Findings) != 0 {
			t.Errorf("seals of the first format: %v, %v", r, err)
		}
		o.SealEvery = 1
		want := "audit trail intact: 8 entries, sealed up to entry 6 at 2026-03-14T09:26:53Z, 2 not yet sealed" +
			"; note: entries 1 to 3: waited for a seal: 3 entries, more than twice seal_every (1)" +
			"; note: entries 4 to 6: waited for a seal: 3 entries, more than twice seal_every (1)"
		if r, err := Verify(ctx, db, o); err != nil || r.String() != want {
			t.Errorf("seals further apart than seal_every: %v, %v\nwant %s", r, err, want)
		}
		o.SealEvery = 4
		if err := tr.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		last, err := db.LastAuditSeal(ctx)
		if err != nil || last.N != 1 || last.Seq != 8 || last.PrevSeq != 6 {
			t.Fatalf("the first chained seal: %+v, %v", last, err)
		}
		if r, err := Verify(ctx, db, o); err != nil || !r.OK() || r.Seals != 3 || r.Sealed != 8 {
			t.Errorf("seals of both formats: %v, %v", r, err)
		}
		db.unguard(t)
		db.exec(t, `DELETE FROM audit_seals WHERE seq = 6`)
		want = "audit trail broken: entry 6: missing: a seal was deleted: seal 1 of entry 8 follows seal 0 of entry 6, but the seal before it is seal 0 of entry 3"
		if r, err := Verify(ctx, db, o); err != nil || r.String() != want {
			t.Errorf("the last seal of the first format deleted: %v, %v; want %s", r, err, want)
		}
	})
}

// sign signs s with the key of tr.
func sign(tr *Trail, s store.AuditSeal) []byte {
	return ed25519.Sign(tr.key, sealMessage(s))
}

// TestVerifyFindings makes entries wait for seals: the verification
// notes it, but finds the trail intact.
func TestVerifyFindings(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		clock := t0
		tr, err := Open(ctx, db, Config{KeyFile: filepath.Join(t.TempDir(), "audit.key"), SealEvery: 2,
			SealInterval: time.Minute, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		clock = clock.Add(time.Hour) // vigil stopped, and did not seal
		mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		clock = clock.Add(3 * time.Minute)
		o := tr.options()
		r, err := Verify(ctx, db, o)
		want := "audit trail intact: 3 entries, sealed up to entry 2 at 2026-03-14T10:26:53Z, 1 not yet sealed" +
			"; note: entries 1 to 2: waited 1h0m0s for a seal, from 2026-03-14T09:26:53Z to 2026-03-14T10:26:53Z" +
			"; note: entry 3: no seal for 3m0s, since 2026-03-14T10:26:53Z: vigil stopped without sealing, or its seals fail or are refused"
		if err != nil || !r.OK() || r.String() != want {
			t.Errorf("Verify: %v, %v\nwant %s", r, err, want)
		}
	})
}
