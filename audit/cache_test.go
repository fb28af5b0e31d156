package audit

import (
	"testing"

	"vigil/store"
)

// TestTrailVerify verifies trail10 from its anchor, keeps the outcome
// while the trail does not change, and verifies the whole of it on
// demand.
func TestTrailVerify(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := trail10(t, db)
		carol := Actor{Name: "carol", IP: "192.0.2.9"}
		verifications := func() int {
			t.Helper()
			es, err := db.AuditEntries(ctx, store.AuditQuery{Action: ActionAuditVerify})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		verify := func(all bool) *Report {
			t.Helper()
			v := tr.Verify
			if all {
				v = tr.VerifyAll
			}
			r, err := v(ctx, carol)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		r := verify(false)
		if !r.OK() || r.From != 8 || r.Entries != 10 || r.Seals != 0 {
			t.Errorf("from the anchor: %v", r)
		}
		r = verify(false)
		if !r.OK() || r.From != 8 || r.Entries != 11 || r.Unsealed != 3 || verifications() != 1 {
			t.Errorf("again, the trail unchanged but for the verification: %v, %d verifications recorded", r, verifications())
		}
		mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		if r = verify(false); !r.OK() || r.Entries != 12 || verifications() != 2 {
			t.Errorf("after an entry: %v, %d verifications recorded", r, verifications())
		}

		// An entry before the anchor changed in place: verifying from the
		// anchor does not read it; verifying everything does.
		db.unguard(t)
		db.exec(t, `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2`)
		if r = verify(false); !r.OK() || verifications() != 2 {
			t.Errorf("the outcome kept: %v, %d verifications recorded", r, verifications())
		}
		if r = verify(true); r.OK() || r.From != 0 || r.Problem.Seq != 2 || r.Problem.Kind != Changed || verifications() != 3 {
			t.Errorf("everything: %v, %d verifications recorded", r, verifications())
		}
		if r = verify(false); r.OK() || r.Problem.Seq != 2 || verifications() != 3 {
			t.Errorf("the outcome of verifying everything, kept: %v, %d verifications recorded", r, verifications())
		}

		// A seal makes the outcome out of date.
		db.exec(t, `UPDATE audit_log SET detail = '' WHERE seq = 2`)
		if err := tr.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		if r = verify(false); !r.OK() || r.From != 14 || r.Sealed != 14 || verifications() != 4 {
			t.Errorf("after a seal: %v, %d verifications recorded", r, verifications())
		}
	})
}
