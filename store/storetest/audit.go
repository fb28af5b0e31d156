package storetest

import (
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
)

// DropAuditGuard drops the triggers that keep the audit trail
// append-only (migration 0005_audit_guard), from the database db is
// connected to: as whoever owns the database, and tampers with the
// trail, can.
func DropAuditGuard(tb testing.TB, db *sql.DB) {
	tb.Helper()
	drop := []string{`DROP FUNCTION audit_append_only() CASCADE`, `DROP FUNCTION audit_head_forward() CASCADE`}
	if _, pg := db.Driver().(*stdlib.Driver); !pg {
		drop = nil
		for _, name := range []string{"audit_log_no_update", "audit_log_no_delete", "audit_seals_no_update",
			"audit_seals_no_delete", "audit_head_no_delete", "audit_head_forward"} {
			drop = append(drop, `DROP TRIGGER `+name)
		}
	}
	for _, q := range drop {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}
