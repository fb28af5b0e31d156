package audit

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/store"
	"vigil/store/storetest"
)

// t0 is when the tests' entries happen.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

// testDB is a store, and a connection to its database that goes around
// it, as whoever tampers with the trail would.
type testDB struct {
	*store.DB
	raw    *sql.DB
	sqlite bool
	url    string
}

// exec runs SQL written with $1, $2... on the raw connection.
func (d testDB) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if d.sqlite {
		query = strings.ReplaceAll(query, "$", "?")
	}
	if _, err := d.raw.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// unguard drops the triggers that keep the trail append-only, as one who
// owns the database can: tampering then takes plain SQL.
func (d testDB) unguard(t *testing.T) {
	t.Helper()
	storetest.DropAuditGuard(t, d.raw)
}

// eachDB runs f on SQLite and on PostgreSQL.
func eachDB(t *testing.T, f func(t *testing.T, db testDB)) {
	storetest.Each(t, func(t *testing.T, url string) {
		db, err := store.OpenDB(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, testDB{db, storetest.Open(t, url), db.Dialect() == "sqlite", url})
	})
}

// openTrail opens a trail with a new key, sealing every `every` entries,
// its clock at t0.
func openTrail(t *testing.T, st Store, every int) *Trail {
	t.Helper()
	return openTrailKey(t, st, every, filepath.Join(t.TempDir(), "audit.key"))
}

// openTrailKey opens a trail with the key in keyFile, sealing every
// `every` entries, its clock at t0.
func openTrailKey(t *testing.T, st Store, every int, keyFile string, trusted ...ed25519.PublicKey) *Trail {
	t.Helper()
	tr, err := Open(t.Context(), st, Config{KeyFile: keyFile, SealEvery: every, Trusted: trusted,
		Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustRecord(t *testing.T, tr *Trail, e Entry) {
	t.Helper()
	if err := tr.Record(t.Context(), e); err != nil {
		t.Fatal(err)
	}
}

func TestRecord(t *testing.T) {
	t.Parallel()
	db, err := store.OpenDB(t.Context(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr := openTrail(t, db, 100)
	long := strings.Repeat("长", 5000)
	for _, e := range []Entry{
		{Actor: "alice", SourceIP: "2001:DB8::1", Action: ActionLogin, Target: "alice", Result: ResultSuccess},
		{Time: t0.Add(time.Hour), Actor: "13800138000", SourceIP: "192.0.2.1:5432", Action: ActionUserAdd,
			Target: "id 11010519491231002X", Result: ResultSuccess, Detail: "password=hunter2 card 6222021234567894"},
		{Actor: "bob\x1b[31m", SourceIP: "not an address", Action: ActionConfigChange, Detail: "a\x00b\xffc\nd\te" + long},
	} {
		mustRecord(t, tr, e)
	}
	es, err := db.AuditEntries(t.Context(), store.AuditQuery{})
	if err != nil || len(es) != 3 {
		t.Fatalf("%v, %v", es, err)
	}
	for i, tc := range []struct{ got, want string }{
		{es[0].Time.String(), t0.String()},
		{es[0].SourceIP, "2001:db8::1"},
		{es[1].Time.String(), t0.Add(time.Hour).String()},
		{es[1].Actor, "138****8000"},
		{es[1].SourceIP, "192.0.2.1"},
		{es[1].Target, "id 110***********002X"},
		{es[1].Detail, "password=**** card 6222********7894"},
		{es[2].Actor, "bob\uFFFD[31m"},
		{es[2].SourceIP, "not an address"},
		{es[2].Detail[:13], "a\uFFFDb\uFFFDc\nd\te"},
	} {
		if tc.got != tc.want {
			t.Errorf("%d: %q, want %q", i, tc.got, tc.want)
		}
	}
	if n := len(es[2].Detail); n > maxDetail || !strings.HasSuffix(es[2].Detail, "长…") {
		t.Errorf("a long detail is kept as %d bytes ending %q", n, es[2].Detail[n-10:])
	}
	for _, e := range es {
		if !bytes.Equal(Hash(e), e.Hash) {
			t.Errorf("entry %d is stored with another hash than its own", e.Seq)
		}
	}
}

func TestHash(t *testing.T) {
	e := store.AuditEntry{Seq: 1, Time: t0, Actor: "alice", SourceIP: "192.0.2.1", Action: "login", Target: "alice",
		Result: "success", Prev: make([]byte, 32)}
	// The encoding is part of the trail's format: a change breaks every
	// trail written before. The value was computed apart, from the
	// encoding Hash documents.
	if got := hex.EncodeToString(Hash(e)); got != "22b366d32c2ee27e5a39250cfddf406b2967f25b30e76745ffe0d371e9f9d7f2" {
		t.Errorf("hash of the reference entry: %s", got)
	}
	for _, change := range []func(*store.AuditEntry){
		func(e *store.AuditEntry) { e.Seq = 2 },
		func(e *store.AuditEntry) { e.Time = e.Time.Add(1) },
		func(e *store.AuditEntry) { e.Prev = bytes.Repeat([]byte{1}, 32) },
		func(e *store.AuditEntry) { e.Actor, e.SourceIP = "alic", "e192.0.2.1" }, // the same bytes, split elsewhere
		func(e *store.AuditEntry) { e.Detail = "x" },
	} {
		c := e
		change(&c)
		if bytes.Equal(Hash(c), Hash(e)) {
			t.Errorf("%+v and %+v have the same hash", c, e)
		}
	}
}
