package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"vigil/store"
)

func TestExport(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := openTrail(t, db, 100)
		for _, e := range []Entry{
			{Actor: "alice", Action: ActionRuleChange, Target: "=HYPERLINK(\"http://x\")", Result: ResultSuccess, Detail: "a, \"quoted\"\nline"},
			{Actor: "bob", Action: ActionLogin, Target: "+1", Result: ResultFailure, Detail: "-2"},
			{Actor: "@carol", Action: ActionLogin, Target: "plain", Result: ResultSuccess},
		} {
			mustRecord(t, tr, e)
		}
		var b bytes.Buffer
		n, err := WriteCSV(ctx, db, store.AuditQuery{Action: ActionLogin, Limit: 1, Newest: true}, &b)
		if err != nil || n != 2 {
			t.Fatalf("WriteCSV: %d, %v", n, err)
		}
		out := b.String()
		if !strings.HasPrefix(out, "seq,time,actor,source_ip,action,target,result,detail,hash\r\n") || strings.Count(out, "\r\n") != 3 {
			t.Errorf("not a header and two CRLF lines:\n%q", out)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if r := rows[1]; r[0] != "2" || r[1] != "2026-03-14T09:26:53.589793238Z" || r[5] != "'+1" || r[7] != "'-2" || len(r[8]) != 64 {
			t.Errorf("row %q", r)
		}
		if r := rows[2]; r[2] != "'@carol" {
			t.Errorf("row %q", r)
		}

		b.Reset()
		if err := tr.Export(ctx, Actor{Name: "dave", IP: "192.0.2.3"}, store.AuditQuery{}, &b); err != nil {
			t.Fatal(err)
		}
		// The export is recorded before it is written: its own entry is
		// the last it writes.
		rows, err = csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 5 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		if r := rows[1]; r[5] != `'=HYPERLINK("http://x")` || r[7] != "a, \"quoted\"\nline" {
			t.Errorf("row %q", r)
		}
		want := `entries of actor "" action "" target "" result "" from - to -`
		if r := rows[4]; r[0] != "4" || r[2] != "dave" || r[4] != ActionAuditExport || r[6] != ResultSuccess || r[7] != want {
			t.Errorf("the export is recorded as %q, want detail %q", r, want)
		}
	})
}

// failingStore is a store whose appends fail.
type failingStore struct{ Store }

func (failingStore) AppendAudit(context.Context, store.AuditEntry, func(store.AuditEntry) []byte) (*store.AuditEntry, error) {
	return nil, errors.New("disk full")
}

// failingWriter is a writer that fails after n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("connection reset")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestExportRefused exports what cannot be recorded, and to a writer
// that fails midway: the first writes nothing, the second is recorded
// as failed.
func TestExportRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := openTrail(t, db, 100)
		for range 300 {
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		failing := openTrail(t, failingStore{db}, 100)
		var b bytes.Buffer
		if err := failing.Export(ctx, Actor{Name: "dave"}, store.AuditQuery{}, &b); err == nil || b.Len() != 0 {
			t.Errorf("an export that could not be recorded: %v, %d bytes written", err, b.Len())
		}
		if err := tr.Export(ctx, Actor{Name: "dave"}, store.AuditQuery{}, &failingWriter{n: 20000}); err == nil {
			t.Error("an export to a failing writer did not fail")
		}
		es, _ := db.AuditEntries(ctx, store.AuditQuery{Newest: true, Limit: 2})
		if e := es[0]; e.Action != ActionAuditExport || e.Result != ResultFailure || !strings.HasPrefix(e.Detail, "stopped after ") ||
			!strings.HasSuffix(e.Detail, "connection reset") {
			t.Errorf("the failed export is recorded as %+v", e)
		}
		if e := es[1]; e.Action != ActionAuditExport || e.Result != ResultSuccess {
			t.Errorf("the export is recorded as %+v", e)
		}
	})
}
