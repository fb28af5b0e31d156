package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/store/storetest"
)

// testHash chains entries for the store's tests: the audit package has
// its own encoding.
func testHash(e AuditEntry) []byte {
	h := sha256.New()
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(e.Seq)))
	h.Write(e.Prev)
	h.Write([]byte(e.Actor + "\x00" + e.Action))
	return h.Sum(nil)
}

func appendAudit(t *testing.T, db *DB, actor, action, result string, at time.Time) *AuditEntry {
	t.Helper()
	e, err := db.AppendAudit(t.Context(), AuditEntry{Time: at, Actor: actor, SourceIP: "192.0.2.1", Action: action,
		Target: "bob", Result: result, Detail: "d"}, testHash)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAppendAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		if seq, hash, err := db.AuditHead(ctx); err != nil || seq != 0 || hash != nil {
			t.Fatalf("head of an empty trail: %d, %x, %v", seq, hash, err)
		}
		first := appendAudit(t, db, "alice", "login", "success", t0)
		if first.Seq != 1 || !bytes.Equal(first.Prev, make([]byte, 32)) || !bytes.Equal(first.Hash, testHash(*first)) {
			t.Errorf("first entry: %+v", first)
		}
		second := appendAudit(t, db, "bob", "logout", "success", t0.Add(time.Minute))
		if second.Seq != 2 || !bytes.Equal(second.Prev, first.Hash) {
			t.Errorf("second entry: %+v", second)
		}
		if seq, hash, err := db.AuditHead(ctx); err != nil || seq != 2 || !bytes.Equal(hash, second.Hash) {
			t.Errorf("head: %d, %x, %v", seq, hash, err)
		}
		got, err := db.AuditEntries(ctx, AuditQuery{})
		if err != nil || len(got) != 2 {
			t.Fatalf("AuditEntries: %v, %v", got, err)
		}
		if e := got[0]; e.Seq != 1 || e.Actor != "alice" || e.SourceIP != "192.0.2.1" || e.Action != "login" || e.Target != "bob" ||
			e.Result != "success" || e.Detail != "d" || !e.Time.Equal(t0) || !bytes.Equal(e.Hash, first.Hash) {
			t.Errorf("stored entry: %+v", e)
		}
		if seq, err := db.AuditSeqByHash(ctx, second.Hash); err != nil || seq != 2 {
			t.Errorf("AuditSeqByHash: %d, %v", seq, err)
		}
		_, err = db.AuditSeqByHash(ctx, []byte("nope"))
		errIs(t, "AuditSeqByHash of an unknown hash", err, ErrNotFound)

		for _, bad := range []AuditEntry{
			{Action: "login"},
			{Time: t0},
			{Time: t0, Action: "login", Detail: "a\x00b"},
			{Time: t0, Action: "login", Actor: "\xff"},
		} {
			_, err := db.AppendAudit(ctx, bad, testHash)
			errIs(t, fmt.Sprintf("appending %+v", bad), err, ErrInvalid)
		}
		_, err = db.AppendAudit(ctx, AuditEntry{Time: t0, Action: "x"}, func(AuditEntry) []byte { return nil })
		errIs(t, "appending without a hash", err, ErrInvalid)
	})
}

func TestAuditEntriesQuery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		for i := range 10 {
			actor, result := "alice", "success"
			if i%3 == 0 {
				actor, result = "bob", "failure"
			}
			appendAudit(t, db, actor, []string{"login", "logout"}[i%2], result, t0.Add(time.Duration(i)*time.Hour))
		}
		seqs := func(q AuditQuery) []int64 {
			t.Helper()
			es, err := db.AuditEntries(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			var out []int64
			for _, e := range es {
				out = append(out, e.Seq)
			}
			return out
		}
		for _, tc := range []struct {
			name string
			q    AuditQuery
			want []int64
		}{
			{"actor", AuditQuery{Actor: "bob"}, []int64{1, 4, 7, 10}},
			{"action and result", AuditQuery{Action: "logout", Result: "success"}, []int64{2, 6, 8}},
			{"target", AuditQuery{Target: "carol"}, nil},
			{"time", AuditQuery{From: t0.Add(2 * time.Hour), To: t0.Add(4 * time.Hour)}, []int64{3, 4}},
			{"page", AuditQuery{After: 3, Limit: 2}, []int64{4, 5}},
			{"newest", AuditQuery{Newest: true, Limit: 3}, []int64{10, 9, 8}},
			{"newest page", AuditQuery{Newest: true, Before: 8, Limit: 2}, []int64{7, 6}},
		} {
			if got := seqs(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		for _, bad := range []AuditQuery{{Limit: -1}, {Limit: MaxAuditPage + 1}, {Actor: "\xff"}} {
			_, err := db.AuditEntries(ctx, bad)
			errIs(t, fmt.Sprintf("%+v", bad), err, ErrInvalid)
		}

		st, err := db.AuditStats(ctx, AuditQuery{To: t0.Add(9 * time.Hour), Limit: 1}, 8*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		want := AuditStats{
			Total:    9,
			ByAction: []AuditCount{{"login", 5}, {"logout", 4}},
			ByActor:  []AuditCount{{"alice", 6}, {"bob", 3}},
			ByResult: []AuditCount{{"success", 6}, {"failure", 3}},
			// t0 is 09:26 UTC, 17:26 in China: the day turns at 16:00 UTC.
			ByDay: []AuditCount{{"2026-03-14", 7}, {"2026-03-15", 2}},
		}
		if fmt.Sprint(*st) != fmt.Sprint(want) {
			t.Errorf("AuditStats:\n %+v\nwant %+v", *st, want)
		}
		if st, err := db.AuditStats(ctx, AuditQuery{}, 0); err != nil || st.ByDay[0] != (AuditCount{"2026-03-14", 10}) {
			t.Errorf("AuditStats in UTC: %+v, %v", st, err)
		}
		if st.OtherActions != 0 || st.OtherActors != 0 || st.OtherResults != 0 {
			t.Errorf("AuditStats counts others: %+v", st)
		}
	})
}

// TestAuditStatsOthers counts more actors than AuditStats lists apart:
// the first MaxAuditGroups, most first, and the others summed.
func TestAuditStatsOthers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		for i := range MaxAuditGroups + 5 {
			for range 1 + i/MaxAuditGroups {
				appendAudit(t, db, fmt.Sprintf("user%02d", i), "login", "success", t0)
			}
		}
		st, err := db.AuditStats(ctx, AuditQuery{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if st.Total != MaxAuditGroups+10 || len(st.ByActor) != MaxAuditGroups || st.OtherActors != 5 ||
			st.ByActor[0] != (AuditCount{fmt.Sprintf("user%02d", MaxAuditGroups), 2}) || st.OtherActions != 0 {
			t.Errorf("AuditStats: total %d, %d actors %v, others %d", st.Total, len(st.ByActor), st.ByActor, st.OtherActors)
		}
	})
}

func TestAuditSeals(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		if s, err := db.LastAuditSeal(ctx); err != nil || s != nil {
			t.Fatalf("LastAuditSeal of none: %+v, %v", s, err)
		}
		for range 12 {
			appendAudit(t, db, "alice", "login", "success", t0)
		}
		first := AuditSeal{N: 1, Seq: 5, Hash: []byte{5}, Time: t0, KeyID: "k1", Sig: []byte("sig1")}
		second := AuditSeal{N: 2, Seq: 10, Hash: []byte{10}, Time: t0.Add(time.Second), KeyID: "k2", Sig: []byte("sig2"),
			PrevSeq: 5, PrevHash: []byte{5}, PrevSig: []byte("sig1")}
		for _, s := range []AuditSeal{first, second} {
			if err := db.AddAuditSeal(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		seals, err := db.AuditSeals(ctx, 0)
		if err != nil || fmt.Sprint(seals) != fmt.Sprint([]AuditSeal{first, second}) {
			t.Errorf("AuditSeals:\n%+v, %v\nwant\n%+v", seals, err, []AuditSeal{first, second})
		}
		if seals, err := db.AuditSeals(ctx, 6); err != nil || len(seals) != 1 || seals[0].N != 2 {
			t.Errorf("AuditSeals from entry 6: %+v, %v", seals, err)
		}
		if s, err := db.LastAuditSeal(ctx); err != nil || s.N != 2 || string(s.PrevSig) != "sig1" {
			t.Errorf("LastAuditSeal: %+v, %v", s, err)
		}

		// Seals that do not follow the last: another process sealed
		// meanwhile.
		next := AuditSeal{N: 3, Seq: 11, Hash: []byte{11}, Time: t0, KeyID: "k1", Sig: []byte("sig3"),
			PrevSeq: 10, PrevHash: []byte{10}, PrevSig: []byte("sig2")}
		for name, change := range map[string]func(*AuditSeal){
			"the same number":    func(s *AuditSeal) { s.N = 2 },
			"a number skipped":   func(s *AuditSeal) { s.N = 4 },
			"after another seal": func(s *AuditSeal) { s.PrevSeq, s.PrevHash, s.PrevSig = 5, []byte{5}, []byte("sig1") },
			"another signature":  func(s *AuditSeal) { s.PrevSig = []byte("sig") },
			"an entry sealed":    func(s *AuditSeal) { s.Seq = 10 },
			"beyond the head":    func(s *AuditSeal) { s.Seq = 13 },
		} {
			s := next
			change(&s)
			errIs(t, name, db.AddAuditSeal(ctx, s), ErrConflict)
		}
		for _, bad := range []AuditSeal{{N: 3, Seq: 11}, {Seq: 11, Hash: []byte{1}, Time: t0, KeyID: "k", Sig: []byte("s")},
			{N: 3, Seq: 11, Hash: []byte{1}, Time: t0, KeyID: "k", Sig: []byte("s"), PrevSeq: 10}} {
			errIs(t, fmt.Sprintf("the incomplete seal %+v", bad), db.AddAuditSeal(ctx, bad), ErrInvalid)
		}
		if err := db.AddAuditSeal(ctx, next); err != nil {
			t.Errorf("the next seal: %v", err)
		}
	})
}

// TestAuditGuard changes and deletes entries, seals and the head with
// SQL, as one who can write the database but is not its owner would:
// the database refuses. Appending and sealing still work.
func TestAuditGuard(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		for range 3 {
			appendAudit(t, db, "alice", "login", "success", t0)
		}
		seal := AuditSeal{N: 1, Seq: 3, Hash: []byte{3}, Time: t0, KeyID: "k", Sig: []byte("s")}
		if err := db.AddAuditSeal(ctx, seal); err != nil {
			t.Fatal(err)
		}
		raw := storetest.Open(t, url)
		tampers := []string{
			`UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`,
			`UPDATE audit_log SET seq = 4 WHERE seq = 3`,
			`DELETE FROM audit_log WHERE seq = 3`,
			`DELETE FROM audit_log`,
			`UPDATE audit_seals SET hash = hash WHERE seq = 3`,
			`DELETE FROM audit_seals`,
			`DELETE FROM audit_head`,
			`UPDATE audit_head SET seq = 2`,
			`UPDATE audit_head SET hash = (SELECT hash FROM audit_log WHERE seq = 2)`,
			`UPDATE audit_head SET seq = 4`,
		}
		if !strings.HasPrefix(url, "postgres") {
			tampers = append(tampers, `DELETE FROM audit_log WHERE seq > 0`)
		} else {
			tampers = append(tampers, `TRUNCATE audit_log`, `TRUNCATE audit_seals`, `TRUNCATE audit_head`)
		}
		for _, q := range tampers {
			if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "audit trail") {
				t.Errorf("%s: %v; want the trigger's refusal", q, err)
			}
		}
		es, err := db.AuditEntries(ctx, AuditQuery{})
		if seq, _, _ := db.AuditHead(ctx); err != nil || len(es) != 3 || es[1].Actor != "alice" || seq != 3 {
			t.Fatalf("after the refusals: %d entries, head %d, %v", len(es), seq, err)
		}
		appendAudit(t, db, "bob", "login", "success", t0)
		next := AuditSeal{N: 2, Seq: 4, Hash: []byte{4}, Time: t0, KeyID: "k", Sig: []byte("s2"), PrevSeq: 3, PrevHash: []byte{3}, PrevSig: []byte("s")}
		if err := db.AddAuditSeal(ctx, next); err != nil {
			t.Errorf("sealing with the guard: %v", err)
		}

		// The owner of the database can drop the guard.
		storetest.DropAuditGuard(t, raw)
		if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq = 4`); err != nil {
			t.Errorf("without the guard: %v", err)
		}
	})
}

// TestAppendAuditConcurrently appends from many goroutines over two
// connections to the database, as two processes would: the entries form
// one chain, without gaps.
func TestAppendAuditConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		dbs := []*DB{openDB(t, url), openDB(t, url)}
		const n = 60
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				e := AuditEntry{Time: t0, Actor: fmt.Sprint("p", i%2), Action: fmt.Sprint("a", i)}
				if _, err := dbs[i%2].AppendAudit(context.Background(), e, testHash); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		es, err := dbs[0].AuditEntries(t.Context(), AuditQuery{Limit: MaxAuditPage})
		if err != nil || len(es) != n {
			t.Fatalf("%d entries, %v; want %d", len(es), err, n)
		}
		prev := make([]byte, 32)
		for i, e := range es {
			if e.Seq != int64(i+1) || !bytes.Equal(e.Prev, prev) || !bytes.Equal(e.Hash, testHash(e)) {
				t.Fatalf("entry %d is not chained to the one before: %+v", i+1, e)
			}
			prev = e.Hash
		}
	})
}
