package audit

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"vigil/store"
)

// csvHeader names the columns of the CSV export.
var csvHeader = []string{"seq", "time", "actor", "source_ip", "action", "target", "result", "detail", "hash"}

// WriteCSV writes the entries that q selects, all of them, oldest first
// (q's paging aside), to w as CSV (RFC 4180: a header, CRLF line ends,
// fields quoted as needed), and returns how many it wrote. Cells a
// spreadsheet would take for a formula (starting with = + - @, tab or
// carriage return) start with an apostrophe.
func WriteCSV(ctx context.Context, st Store, q store.AuditQuery, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return 0, fmt.Errorf("audit: export: %w", err)
	}
	q.Newest, q.Before, q.Limit = false, 0, store.MaxAuditPage
	n := 0
	for {
		page, err := st.AuditEntries(ctx, q)
		if err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		for _, e := range page {
			if err := cw.Write(record(e)); err != nil {
				return n, fmt.Errorf("audit: export: %w", err)
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, fmt.Errorf("audit: export: %w", err)
		}
		if len(page) < q.Limit {
			return n, nil
		}
		q.After = page[len(page)-1].Seq
	}
}

// record is the CSV record of an entry.
func record(e store.AuditEntry) []string {
	r := []string{strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano),
		e.Actor, e.SourceIP, e.Action, e.Target, e.Result, e.Detail, hex.EncodeToString(e.Hash)}
	for i, c := range r {
		r[i] = cell(c)
	}
	return r
}

// cell neutralizes a value a spreadsheet would evaluate as a formula.
func cell(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}

// Export records that by exports the entries q selects, then writes
// them to w as WriteCSV does, a page at a time. An export that cannot be
// recorded is refused: nothing is written. An export that fails midway
// is recorded too, with how many entries it wrote.
func (t *Trail) Export(ctx context.Context, by Actor, q store.AuditQuery, w io.Writer) error {
	selection := fmt.Sprintf("actor %q action %q target %q result %q from %s to %s",
		q.Actor, q.Action, q.Target, q.Result, when(q.From), when(q.To))
	if err := t.Record(ctx, by.Entry(ActionAuditExport, "audit trail", ResultSuccess, "entries of "+selection)); err != nil {
		return err
	}
	n, err := WriteCSV(ctx, t.st, q, w)
	if err != nil {
		detail := fmt.Sprintf("stopped after %d entries of %s: %v", n, selection, err)
		return errors.Join(err, t.Record(context.WithoutCancel(ctx), by.Entry(ActionAuditExport, "audit trail", ResultFailure, detail)))
	}
	return nil
}

// when writes a bound of a query.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
