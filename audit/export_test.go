package audit

import (
	"bytes"
	"encoding/csv"
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
		rows, err = csv.NewReader(&b).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		if r := rows[1]; r[5] != `'=HYPERLINK("http://x")` || r[7] != "a, \"quoted\"\nline" {
			t.Errorf("row %q", r)
		}
		es, _ := db.AuditEntries(ctx, store.AuditQuery{Newest: true, Limit: 1})
		if e := es[0]; e.Action != ActionAuditExport || e.Actor != "dave" || !strings.HasPrefix(e.Detail, "3 entries") {
			t.Errorf("Export recorded %+v", e)
		}
	})
}
