package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/store"
)

// trail10 records 10 entries, sealed after entries 4 and 8.
func trail10(t *testing.T, db testDB) *Trail {
	tr := openTrail(t, db, 4)
	for i := range 10 {
		mustRecord(t, tr, Entry{Time: t0.Add(time.Duration(i) * time.Minute), Actor: fmt.Sprint("user", i), Action: ActionLogin,
			Target: "console", Result: ResultSuccess})
	}
	return tr
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(t *testing.T, db testDB)
		seq    int64
		kind   Kind
		detail string
		// unsealed is, for a trail found intact, the entries the report
		// says no seal covers.
		unsealed int64
	}{
		{"intact", func(*testing.T, testDB) {}, 0, "", "", 2},
		{"edit a row", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 5`)
		}, 5, Changed, "does not match its hash", 0},
		{"edit a result", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET result = 'failure' WHERE seq = 10`)
		}, 10, Changed, "does not match its hash", 0},
		{"edit a time", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET at = at + 1 WHERE seq = 1`)
		}, 1, Changed, "does not match its hash", 0},
		{"edit a row and its hash", func(t *testing.T, db testDB) {
			es, _ := db.AuditEntries(t.Context(), store.AuditQuery{After: 5, Limit: 1})
			e := es[0]
			e.Actor = "mallory"
			db.exec(t, `UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = 6`, e.Actor, Hash(e))
		}, 6, Changed, "rewritten with a new hash: entry 7 no longer links to it", 0},
		{"delete a row", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, Missing, "entry 5 deleted: the next entry is 6", 0},
		{"delete rows", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log WHERE seq IN (2, 3)`)
		}, 2, Missing, "entries 2 to 3 deleted", 0},
		{"delete the first row", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log WHERE seq = 1`)
		}, 1, Missing, "entry 1 deleted", 0},
		{"delete the last rows", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log WHERE seq >= 9`)
		}, 9, Missing, "its head is entry 10", 0},
		{"delete the last rows and move the head", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log WHERE seq >= 7`)
			db.exec(t, `UPDATE audit_head SET seq = 6, hash = (SELECT hash FROM audit_log WHERE seq = 6)`)
		}, 7, Missing, "entries 7 to 8 deleted: entry 8 was sealed", 0},
		{"delete everything", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_log`)
		}, 1, Missing, "entries 1 to 10 deleted", 0},
		{"swap two rows", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET seq = -3 WHERE seq = 3`)
			db.exec(t, `UPDATE audit_log SET seq = 3 WHERE seq = 4`)
			db.exec(t, `UPDATE audit_log SET seq = 4 WHERE seq = -3`)
		}, 3, Reordered, "written after entry 4, not after entry 2", 0},
		{"swap two rows after the last seal", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET seq = -9 WHERE seq = 9`)
			db.exec(t, `UPDATE audit_log SET seq = 9 WHERE seq = 10`)
			db.exec(t, `UPDATE audit_log SET seq = 10 WHERE seq = -9`)
		}, 9, Reordered, "written after entry 10, not after entry 8", 0},
		{"rewrite the chain", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 6`)
			rehash(t, db, 6)
		}, 5, Rewritten, "one of entries 5 to 8 was changed", 0},
		{"rewrite the unsealed tail", func(t *testing.T, db testDB) {
			// Undetectable without a seal after it: the report says how
			// many entries no seal covers.
			db.exec(t, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 10`)
			rehash(t, db, 10)
		}, 0, "", "", 2},
		{"forge a seal", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_seals SET at = at + 1 WHERE seq = 4`)
		}, 4, BadSeal, "does not verify", 0},
		{"delete the last seal", func(t *testing.T, db testDB) {
			// Undetectable without a copy of the seal kept elsewhere: see
			// TestVerifyAnchors.
			db.exec(t, `DELETE FROM audit_seals WHERE seq = 8`)
		}, 0, "", "", 6},
		{"delete a seal before another", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_seals WHERE seq = 4`)
		}, 4, Missing, "a seal was deleted: seal 2 of entry 8 follows seal 1 of entry 4, but the seal before it is none", 0},
		{"delete every seal", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_seals`)
		}, 1, Unsealed, "entries 1 to 10 are not sealed: 10 entries, more than twice seal_every (4)", 0},
		{"renumber a seal", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_seals SET n = 3 WHERE seq = 8`)
		}, 8, BadSeal, "does not verify", 0},
		{"change the head", func(t *testing.T, db testDB) {
			db.exec(t, `UPDATE audit_head SET hash = $1`, make([]byte, 32))
		}, 10, Changed, "does not match the head", 0},
		{"delete the head", func(t *testing.T, db testDB) {
			db.exec(t, `DELETE FROM audit_head`)
		}, 0, Missing, "head of the trail", 0},
	}
	eachDB(t, func(t *testing.T, db testDB) {
		db.unguard(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db.exec(t, `DELETE FROM audit_log`)
				db.exec(t, `DELETE FROM audit_seals`)
				db.exec(t, `DELETE FROM audit_head`)
				db.exec(t, `INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '')`)
				tr := trail10(t, db)
				tt.tamper(t, db)
				r, err := Verify(t.Context(), db, verifyOptions(tr))
				if err != nil {
					t.Fatal(err)
				}
				p := r.Problem
				switch {
				case tt.kind == "" && p != nil:
					t.Errorf("Verify found %s", p)
				case tt.kind == "" && r.Unsealed != tt.unsealed:
					t.Errorf("Verify says %d entries are not sealed, want %d", r.Unsealed, tt.unsealed)
				case tt.kind != "" && (p == nil || p.Seq != tt.seq || p.Kind != tt.kind || !strings.Contains(p.Detail, tt.detail)):
					t.Errorf("Verify found %v, want entry %d: %s: …%s…", p, tt.seq, tt.kind, tt.detail)
				}
			})
		}
	})
}

// verifyOptions are the options of verifying the trail of trail10, or
// another with its key and 4 as SealEvery, the clock at the end of its
// entries.
func verifyOptions(tr *Trail, anchors ...store.AuditSeal) Options {
	return Options{Keys: []ed25519.PublicKey{tr.PublicKey()}, SealEvery: 4, Anchors: anchors,
		Now: func() time.Time { return t0.Add(10 * time.Minute) }}
}

func TestVerifyReport(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		r, err := Verify(ctx, db, Options{})
		if err != nil || !r.OK() || r.Entries != 0 || r.String() != "audit trail intact: 0 entries" {
			t.Errorf("an empty trail: %+v, %v", r, err)
		}
		tr := trail10(t, db)
		r, err = Verify(ctx, db, verifyOptions(tr))
		want := "audit trail intact: 10 entries, sealed up to entry 8 at 2026-03-14T09:26:53Z, 2 not yet sealed"
		if err != nil || r.Entries != 10 || r.Seals != 2 || r.Sealed != 8 || r.Unsealed != 2 || r.String() != want {
			t.Errorf("Verify: %+v, %v; want %s", r, err, want)
		}
		// Without the key, or with another, the seals are not trusted.
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		for _, keys := range [][]ed25519.PublicKey{nil, {other}} {
			r, err = Verify(ctx, db, Options{Keys: keys})
			if err != nil || r.OK() || r.Problem.Seq != 4 || r.Problem.Kind != BadSeal {
				t.Errorf("Verify with keys %x: %v, %v", keys, r.Problem, err)
			}
		}
		if err := tr.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		r, err = tr.Verify(ctx, Actor{Name: "carol", IP: "192.0.2.9"})
		want = "audit trail intact: 10 entries, sealed up to entry 10 at 2026-03-14T09:26:53Z, verified from entry 10 on"
		if err != nil || r.Sealed != 10 || r.Unsealed != 0 || r.From != 10 || r.String() != want {
			t.Errorf("Trail.Verify after Seal: %+v, %v; want %s", r, err, want)
		}
		es, _ := db.AuditEntries(ctx, store.AuditQuery{Newest: true, Limit: 1})
		if e := es[0]; e.Action != ActionAuditVerify || e.Actor != "carol" || e.Result != ResultSuccess || !strings.Contains(e.Detail, "intact") {
			t.Errorf("Trail.Verify recorded %+v", e)
		}
	})
}

// TestVerifyConcurrent records from two trails, each with its key, over
// two connections to one database, as two nodes would, while a third
// verifies: the chain is one line, and every seal verifies with the two
// keys.
func TestVerifyConcurrent(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		other, err := store.OpenDB(t.Context(), db.url)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		// Each node trusts the other's key.
		keyA, keyB := filepath.Join(t.TempDir(), "audit.key"), filepath.Join(t.TempDir(), "audit.key")
		b := openTrailKey(t, other, 5, keyB, openTrailKey(t, db, 7, keyA).PublicKey())
		trails := []*Trail{openTrailKey(t, db, 7, keyA, b.PublicKey()), b}
		o := Options{Keys: []ed25519.PublicKey{trails[0].PublicKey(), trails[1].PublicKey()}, SealEvery: 60,
			Now: func() time.Time { return t0 }}
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Go(func() {
				if err := trails[i%2].Record(context.Background(), Entry{Actor: fmt.Sprint("node", i%2), Action: ActionLogin}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Go(func() {
			if r, err := Verify(context.Background(), db, o); err != nil || !r.OK() {
				t.Errorf("Verify while recording: %v, %v", r, err)
			}
		})
		wg.Wait()
		r, err := Verify(t.Context(), db, o)
		if err != nil || !r.OK() || r.Entries != 60 || r.Seals == 0 {
			t.Errorf("Verify: %+v, %v", r, err)
		}
	})
}
