package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/audit"
	"vigil/store"
	"vigil/store/storetest"
)

// seqs returns the sequence numbers of the entries a page of the trail
// lists, in its order.
func seqs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr[^>]*>\s*<td class="num">(\d+)</td>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAuditTrailPage(t *testing.T) {
	tc := newConsole(t)
	aud := tc.as("aud")
	tc.as("ana").get("/users") // an access.denied entry
	w := aud.get("/audit")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "Intact") {
		t.Fatalf("%d\n%s", w.Code, body)
	}
	got := seqs(body)
	n := len(tc.entries())
	if len(got) == 0 || got[0] != fmt.Sprint(n) {
		t.Errorf("the newest entry is not first: %v (of %d entries)", got, n)
	}
	if e := tc.lastEntry(audit.ActionAuditVerify); e == nil || e.Actor != "aud" || e.Result != audit.ResultSuccess {
		t.Errorf("the verification is not recorded: %+v", e)
	}
	body = aud.get("/audit?actor=ana&action=access.denied&result=denied").Body.String()
	if got := seqs(body); len(got) != 1 || !strings.Contains(body, "GET /users") {
		t.Errorf("filtered: %v\n%s", got, body)
	}
	for _, q := range []string{"result=maybe", "from=yesterday", "from=2026-03-14&to=2026-03-13", "before=x"} {
		if w := aud.get("/audit?" + q); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `class="error-box"`) {
			t.Errorf("%s: %d", q, w.Code)
		}
	}
	if got := seqs(aud.get("/audit?from=2026-03-15").Body.String()); len(got) != 0 {
		t.Errorf("entries from the future: %v", got)
	}
}

// TestAuditTrailPages pages through the trail, 50 entries at a time.
func TestAuditTrailPages(t *testing.T) {
	tc := newConsole(t)
	for i := range 120 {
		if err := tc.con.Trail.Record(t.Context(), audit.System.Entry("test.entry", fmt.Sprint(i), audit.ResultSuccess, "")); err != nil {
			t.Fatal(err)
		}
	}
	aud := tc.as("aud")
	link := "/audit?action=test.entry"
	var all []string
	for link != "" {
		body := aud.get(link).Body.String()
		page := seqs(body)
		if len(page) > auditPageSize {
			t.Fatalf("%d entries on a page", len(page))
		}
		all = append(all, page...)
		m := regexp.MustCompile(`<a href="([^"]*)">Older entries</a>`).FindStringSubmatch(body)
		link = ""
		if m != nil {
			link = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(all) != 120 {
		t.Errorf("paged through %d entries, want 120", len(all))
	}
}

// TestAuditTamper changes, deletes and reorders entries behind vigil's
// back: the page says the trail is broken, and where and how.
func TestAuditTamper(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper string
		want   string
	}{
		{"changed", `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3`, "Entry 3: changed"},
		{"deleted", `DELETE FROM audit_log WHERE seq = 4`, "Entry 4: missing"},
		{"reordered", `UPDATE audit_log SET seq = -5 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6; UPDATE audit_log SET seq = 6 WHERE seq = -5`,
			"Entry 5: reordered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tc := newConsole(t)
			aud := tc.as("aud")
			storetest.DropAuditGuard(t, tc.raw) // as the database's owner can
			for _, q := range strings.Split(c.tamper, "; ") {
				tc.exec(q)
			}
			body := aud.get("/audit").Body.String()
			if !strings.Contains(body, "Broken") || !strings.Contains(body, c.want) {
				t.Fatalf("the page does not say %q:\n%s", c.want, body)
			}
			if e := tc.lastEntry(audit.ActionAuditVerify); e == nil || e.Result != audit.ResultFailure {
				t.Errorf("recorded %+v", e)
			}
		})
	}
}

func TestAuditStats(t *testing.T) {
	tc := newConsole(t)
	tc.anonymous().login("ana", "wrong password 1", "")
	tc.clock.Add(24 * time.Hour)
	tc.anonymous().login("ana", "wrong password 1", "")
	body := tc.as("admin").get("/audit/stats?action=login&result=failure").Body.String()
	for _, want := range []string{"2 entries selected.", "2026-03-14", "2026-03-15", `<rect width="600"`} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in:\n%s", want, body)
		}
	}
	if w := tc.as("ana").get("/audit/stats"); w.Code != http.StatusForbidden {
		t.Errorf("an analyst reads the statistics: %d", w.Code)
	}
}

func TestAuditExport(t *testing.T) {
	tc := newConsole(t)
	tc.anonymous().login("ana", "=HYPERLINK(\"x\") 13800138000", "")
	w := tc.as("aud").get("/audit/export.csv?action=login")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	records, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || strings.Join(records[0], ",") != "seq,time,actor,source_ip,action,target,result,detail,hash" {
		t.Fatalf("exported %q", records)
	}
	if strings.Contains(w.Body.String(), "13800138000") || strings.Contains(w.Body.String(), "HYPERLINK") {
		t.Errorf("the export holds the password tried:\n%s", w.Body.String())
	}
	if e := tc.lastEntry(audit.ActionAuditExport); e == nil || e.Actor != "aud" || !strings.Contains(e.Detail, `action "login"`) {
		t.Errorf("the export is not recorded: %+v", e)
	}
}

// TestAuditExportRefused exports when the trail cannot record it: the
// export is refused, with an error page, not a file.
func TestAuditExportRefused(t *testing.T) {
	tc := newConsole(t)
	aud := tc.as("aud")
	storetest.DropAuditGuard(t, tc.raw)
	tc.exec(`DELETE FROM audit_head`)
	w := aud.get("/audit/export.csv")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Content-Disposition") != "" ||
		strings.Contains(w.Body.String(), "seq,time") {
		t.Errorf("%d %v\n%s", w.Code, w.Header(), w.Body.String())
	}
}

// verifications counts the verifications the trail records.
func verifications(tc *testConsole) int {
	n := 0
	for _, e := range tc.entries() {
		if e.Action == audit.ActionAuditVerify {
			n++
		}
	}
	return n
}

// TestAuditVerify opens the trail's page while the trail does not
// change, then after it is sealed, and verifies everything: the page
// verifies from the last seal, once per change of the trail, and the
// button the whole trail, which finds what the page does not.
func TestAuditVerify(t *testing.T) {
	tc := newConsole(t)
	aud := tc.as("aud")
	for range 2 {
		if body := aud.get("/audit").Body.String(); !strings.Contains(body, "Intact") || !strings.Contains(body, "The whole trail was verified.") {
			t.Fatalf("the page:\n%s", body)
		}
	}
	if n := verifications(tc); n != 1 {
		t.Errorf("%d verifications recorded, want 1: the trail did not change", n)
	}
	if err := tc.con.Trail.Seal(t.Context()); err != nil {
		t.Fatal(err)
	}
	sealed := len(tc.entries())
	want := fmt.Sprintf("Verified from the last seal found good, of entry %d", sealed)
	if body := aud.get("/audit").Body.String(); !strings.Contains(body, "Intact") || !strings.Contains(body, want) {
		t.Errorf("no %q in the page:\n%s", want, body)
	}

	// An entry sealed, changed in place: the page, verifying from the
	// last seal, does not read it; verifying everything does.
	storetest.DropAuditGuard(t, tc.raw)
	tc.exec(`UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2`)
	if body := aud.get("/audit").Body.String(); !strings.Contains(body, "Intact") {
		t.Errorf("the page:\n%s", body)
	}
	w := aud.post("/audit/verify", nil)
	if w.Code != http.StatusSeeOther || location(w) != "/audit" {
		t.Fatalf("POST /audit/verify: %d to %q", w.Code, location(w))
	}
	body := aud.get("/audit").Body.String()
	for _, want := range []string{"The whole trail was verified: it is broken. entry 2: changed", "Broken", "The whole trail was verified."} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the page:\n%s", want, body)
		}
	}
	if e := tc.lastEntry(audit.ActionAuditVerify); e == nil || e.Actor != "aud" || e.Result != audit.ResultFailure ||
		!strings.HasPrefix(e.Detail, "audit trail broken: entry 2: changed") {
		t.Errorf("verifying everything is recorded as %+v", e)
	}
	if w := tc.as("ana").post("/audit/verify", nil); w.Code != http.StatusForbidden {
		t.Errorf("an analyst verifies everything: %d", w.Code)
	}
}

// TestAuditStatsOthers counts the entries of more actors than the
// statistics list apart.
func TestAuditStatsOthers(t *testing.T) {
	tc := newConsole(t)
	for i := range store.MaxAuditGroups + 3 {
		e := audit.Actor{Name: fmt.Sprintf("user%02d", i)}.Entry("test.entry", "", audit.ResultSuccess, "")
		if err := tc.con.Trail.Record(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	body := tc.as("aud").get("/audit/stats?action=test.entry").Body.String()
	others := regexp.MustCompile(`<td class="muted">Others</td><td class="num">(\d+)</td>`).FindAllStringSubmatch(body, -1)
	if len(others) != 1 || others[0][1] != "3" || strings.Contains(body, "user22") {
		t.Errorf("others: %q in\n%s", others, body)
	}
}
