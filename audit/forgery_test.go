package audit

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/store"
)

// forgeries are the changes of the security review (H2), made without
// the key by one who owns the database, scaled down: a trail of 83
// entries sealed every 10, at entries 10 to 80.
var forgeries = []struct {
	name  string
	forge func(t *testing.T, db testDB)
	// seq and detail are the problem verification finds from the seal
	// the trail kept outside the database; all is the one it finds
	// verifying the whole trail against it, and onACopy the one it finds
	// on a copy of the database alone ("" for none). Each verification
	// records an entry.
	seq          int64
	detail       string
	all, onACopy string
}{
	{"rewrite entry 5 and every entry after it", func(t *testing.T, db testDB) {
		db.exec(t, `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 5`)
		rehash(t, db, 5)
		db.exec(t, `DELETE FROM audit_seals WHERE seq >= 5`)
	}, 80, "entry 80: missing: its seal 8, made 2026-03-14T09:26:53Z and found good, was deleted or replaced",
		"entry 1: rewritten: the chain no longer matches seal 8 of entry 80 (made 2026-03-14T09:26:53Z), kept outside the database: one of entries 1 to 80 was changed",
		"entry 1: unsealed: entries 1 to 86 are not sealed: 86 entries, more than twice seal_every (10)"},
	{"cut the trail after entry 70", func(t *testing.T, db testDB) {
		db.exec(t, `DELETE FROM audit_log WHERE seq > 70`)
		db.exec(t, `DELETE FROM audit_seals WHERE seq > 70`)
		db.exec(t, `UPDATE audit_head SET seq = 70, hash = (SELECT hash FROM audit_log WHERE seq = 70)`)
	}, 72, "entry 72: missing: entries 72 to 80 deleted: entry 80 was sealed (seal 8), the trail ends at entry 71",
		"entry 73: missing: entries 73 to 80 deleted: the trail ends at entry 72, but seal 8 of entry 80 (made 2026-03-14T09:26:53Z) is kept outside the database",
		""},
}

// trail83 records 83 entries with a trail whose key is in dir, sealing
// every 10.
func trail83(t *testing.T, db testDB, keyFile string) *Trail {
	tr := openTrailKey(t, db, 10, keyFile)
	for i := range 83 {
		mustRecord(t, tr, Entry{Time: t0.Add(time.Duration(i) * time.Second), Actor: fmt.Sprint("user", i),
			Action: ActionConfigChange, Target: "rules", Result: ResultSuccess})
	}
	return tr
}

// rehash rewrites the chain from entry from on, and the head, as
// one who changed entry from and wants the chain whole would.
func rehash(t *testing.T, db testDB, from int64) {
	t.Helper()
	es, err := db.AuditEntries(t.Context(), store.AuditQuery{Limit: store.MaxAuditPage})
	if err != nil {
		t.Fatal(err)
	}
	prev := es[from-2].Hash
	for _, e := range es[from-1:] {
		e.Prev = prev
		e.Hash = Hash(e)
		db.exec(t, `UPDATE audit_log SET prev = $1, hash = $2 WHERE seq = $3`, e.Prev, e.Hash, e.Seq)
		prev = e.Hash
	}
	db.exec(t, `UPDATE audit_head SET hash = $1`, prev)
}

// TestForgery makes the forgeries, then records an entry: the trail
// that sealed the entries refuses to seal the forged chain, and so does
// one opened again with its key and anchor file; and their verification
// finds the forgery.
func TestForgery(t *testing.T) {
	t.Parallel()
	for _, f := range forgeries {
		t.Run(f.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db testDB) {
				ctx := t.Context()
				keyFile := filepath.Join(t.TempDir(), "audit.key")
				tr := trail83(t, db, keyFile)
				db.unguard(t)
				f.forge(t, db)
				mustRecord(t, tr, Entry{Actor: "mallory", Action: ActionLogin})
				again := openTrailKey(t, db, 10, keyFile)
				for _, tr := range []*Trail{tr, again} {
					if err := tr.Seal(ctx); !errors.Is(err, ErrBroken) || !strings.Contains(err.Error(), f.detail) {
						t.Errorf("Seal: %v, want %s", err, f.detail)
					}
				}
				if last, err := db.LastAuditSeal(ctx); err != nil || last != nil && last.Seq > 70 {
					t.Errorf("the forged trail was sealed: %+v, %v", last, err)
				}
				r, err := tr.Verify(ctx, Actor{Name: "auditor"})
				if err != nil || r.OK() || r.Problem.Seq != f.seq || !strings.Contains(r.String(), f.detail) {
					t.Errorf("Trail.Verify: %v, %v; want %s", r, err, f.detail)
				}
				if r, err := tr.VerifyAll(ctx, Actor{Name: "auditor"}); err != nil || !strings.Contains(r.String(), f.all) {
					t.Errorf("Trail.VerifyAll: %v, %v; want %s", r, err, f.all)
				}
				anchor, ok, err := ReadAnchor(AnchorFile(keyFile))
				if err != nil || !ok || anchor.Seq != 80 || anchor.N != 8 {
					t.Fatalf("the anchor file holds %+v, %v, %v", anchor, ok, err)
				}
				o := Options{Keys: tr.keys(), SealEvery: 10, Now: func() time.Time { return t0 }}
				if r, err := Verify(ctx, db, o); err != nil || f.onACopy == "" != r.OK() || !strings.Contains(r.String(), f.onACopy) {
					t.Errorf("Verify on a copy of the database: %v, %v; want %q", r, err, f.onACopy)
				}
			})
		})
	}
}
