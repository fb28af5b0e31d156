package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
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
		for _, seq := range []int64{10, 5} {
			s := AuditSeal{Seq: seq, Hash: []byte{byte(seq)}, Time: t0, KeyID: "k1", Sig: []byte("sig")}
			if err := db.AddAuditSeal(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		// Another process sealed entry 10 too: the first seal stays.
		if err := db.AddAuditSeal(ctx, AuditSeal{Seq: 10, Hash: []byte{1}, Time: t0, KeyID: "k2", Sig: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		seals, err := db.AuditSeals(ctx)
		if err != nil || len(seals) != 2 || seals[0].Seq != 5 || seals[1].Seq != 10 || seals[1].KeyID != "k1" ||
			string(seals[1].Sig) != "sig" || !seals[1].Time.Equal(t0) {
			t.Errorf("AuditSeals: %+v, %v", seals, err)
		}
		if s, err := db.LastAuditSeal(ctx); err != nil || s.Seq != 10 {
			t.Errorf("LastAuditSeal: %+v, %v", s, err)
		}
		err = db.AddAuditSeal(ctx, AuditSeal{Seq: 11})
		errIs(t, "an incomplete seal", err, ErrInvalid)
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
