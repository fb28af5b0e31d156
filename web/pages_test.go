package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/alert"
	"vigil/audit"
	"vigil/auth"
	"vigil/builtin"
	"vigil/config"
	"vigil/rule"
	"vigil/sigma"
	"vigil/store"
)

// The people in the events of the tests: an ID-card number and a mobile
// number that pages must mask, and how they look masked.
const (
	idCard       = "11010519491231002X"
	idCardMasked = "110***********002X"
	phone        = "13800138000"
	phoneMasked  = "138****8000"
)

// fileRule is a rule of a file on disk, beside the built-in ones.
const fileRule = `id: bank-transfer-large
title: Large transfer
severity: high
scenario: funds
tags: [attack.impact]
pattern:
  source: [bank.payments]
  detail:
    amount: [{numeric: [">=", 1000000]}]
tests:
  match:
    - {"version": "0", "id": "1", "account": "1", "source": "bank.payments", "time": "2026-03-14T09:00:00Z", "region": "cn-north-1", "detail-type": "Transfer", "resources": [], "detail": {"amount": 2500000}}
`

// pagesAlerts are the ids of the alerts a pages console starts with.
type pagesAlerts struct {
	key  string // critical: a key created, with personal data in its event
	root string // high: a root sign-in
}

// newPagesConsole returns a console with the pages' configuration — three
// sources, the built-in rules and a rule file — and two alerts, an
// action waiting for approval and a dead letter.
func newPagesConsole(t *testing.T) (*testConsole, pagesAlerts) {
	t.Helper()
	files, err := rule.Load(builtin.FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bank.yaml")
	if err := os.WriteFile(path, []byte(fileRule), 0o600); err != nil {
		t.Fatal(err)
	}
	own, err := rule.LoadPath(path)
	if err != nil {
		t.Fatal(err)
	}
	files.Merge(own)
	tc := newConsole(t, func(c *Console) {
		c.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		c.Pages = Pages{
			Sources: []config.Source{{Name: "cloudtrail", Kind: "cloudtrail"}, {Name: "k8s-audit", Kind: "k8s-audit"},
				{Name: "payments", Kind: "json"}},
			Inputs:    []config.Input{{Name: "org-trail", Dir: "/srv/cloudtrail", Source: "cloudtrail"}},
			Rules:     files,
			ServerKey: testKey,
		}
	})
	return tc, seedPages(tc)
}

// seedPages records what a pages console starts with.
func seedPages(tc *testConsole) pagesAlerts {
	t, ctx := tc.t, tc.t.Context()
	now := time.Now()
	key := `{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventID":"e-1",` +
		`"userIdentity":{"arn":"arn:aws:iam::111122223333:user/mallory"},"requestParameters":{"userName":"ops",` +
		`"tags":{"owner_id_card":"` + idCard + `","owner_phone":"` + phone + `"}},"sourceIPAddress":"203.0.113.9"}`
	obs := []store.Observation{{
		Rule: alert.RuleRef{ID: "aws-iam-access-key-created", Title: "IAM access key created", Severity: rule.Critical,
			Scenario: rule.Privilege, Tags: []string{"attack.persistence"}},
		Dedup:   map[string]*string{"detail.userIdentity.arn": strPtr("arn:aws:iam::111122223333:user/mallory")},
		EventID: "e-1", Time: now, Received: now, Event: []byte(key), Source: "cloudtrail",
		Entities: map[string][]string{"principal": {"arn:aws:iam::111122223333:user/mallory"},
			"source_ip": {"203.0.113.9"}, "account": {"111122223333"}, "phone": {phone}},
	}, {
		Rule:    alert.RuleRef{ID: "aws-iam-root-user-activity", Title: "Root user signed in", Severity: rule.High, Scenario: rule.Privilege},
		Dedup:   map[string]*string{},
		EventID: "e-2", Time: now, Received: now, Event: []byte(`{"eventName":"ConsoleLogin","eventID":"e-2"}`), Source: "cloudtrail",
		Entities: map[string][]string{"principal": {"arn:aws:iam::111122223333:root"}},
	}}
	var ids pagesAlerts
	for i, o := range obs {
		changes, err := tc.db.Record(ctx, []store.Observation{o})
		if err != nil {
			t.Fatal(err)
		}
		*[]*string{&ids.key, &ids.root}[i] = changes[0].AlertID
	}
	if _, err := tc.db.AddAction(ctx, store.Action{AlertID: ids.key, Name: "deactivate-access-key",
		Type: "aws_iam_deactivate_access_key", Mode: "approve", State: store.ActionPending,
		Request: `{"user":"ops","access_key_id":"AKIAEXAMPLE"}`, Created: now}, 10); err != nil {
		t.Fatal(err)
	}
	tc.exec(`INSERT INTO deliveries (`+strings.ReplaceAll(`id, receiver, integration, group_key, status, alerts, notification, state,
	attempts, next_attempt, last_error, created_at, updated_at, delivered_at`, "\n", " ")+`)
VALUES ('01JQ8Y7ZKD5N3XW4RVB2TEHMCA', 'pager', 'pagerduty[0]', 'g', 'firing', 1, X'7B7D', 'dead', 150, $1, 'HTTP 400: bad routing key', $1, $1, NULL)`,
		now.UnixNano())
	if err := tc.db.AddSourceMinutes(ctx, []store.SourceMinute{
		{Source: "cloudtrail", Minute: now.Add(-time.Minute), Events: 50, LastEvent: now.Add(-30 * time.Second)},
		{Source: "k8s-audit", Minute: now.Add(-40 * time.Minute), Events: 7, LastEvent: now.Add(-40 * time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func strPtr(s string) *string { return &s }

// pageOf returns a response's body, failing the test unless its status is
// want.
func pageOf(t *testing.T, w *httptest.ResponseRecorder, want int) string {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; to %q\n%s", w.Code, want, location(w), w.Body.String())
	}
	return w.Body.String()
}

// followTo returns the page a response sends the browser to, failing the
// test unless it is a redirect to path.
func followTo(t *testing.T, cl *client, w *httptest.ResponseRecorder, path string) string {
	t.Helper()
	if w.Code != http.StatusSeeOther || location(w) != path {
		t.Fatalf("got %d to %q, want 303 to %q\n%s", w.Code, location(w), path, w.Body.String())
	}
	return pageOf(t, cl.get(path), http.StatusOK)
}

// wantIn fails the test unless page holds every text of want.
func wantIn(t *testing.T, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

// wantNotIn fails the test when page holds a text of bad.
func wantNotIn(t *testing.T, page string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(page, b) {
			t.Errorf("the page holds %q", b)
		}
	}
}

// wantEntry fails the test unless the last entry of the trail with the
// action is by the user, on the target, with the result, and its detail
// holds detail.
func wantEntry(t *testing.T, tc *testConsole, action, actor, target, result, detail string) {
	t.Helper()
	e := tc.lastEntry(action)
	if e == nil {
		t.Fatalf("no %s entry in the trail", action)
	}
	if e.Actor != actor || e.Target != target || e.Result != result || !strings.Contains(e.Detail, detail) {
		t.Errorf("%s entry: %s on %q, %s, %q; want %s on %q, %s, detail with %q", action, e.Actor, e.Target, e.Result, e.Detail,
			actor, target, result, detail)
	}
}

func TestPagesRenderForEachRole(t *testing.T) {
	tc, ids := newPagesConsole(t)
	pages := []struct {
		path string
		want []string
		// only holds texts that only the roles that may change things
		// see, by role.
		only map[store.Role][]string
	}{
		{"/", []string{"<svg", "<title>", "IAM access key created", "Root user signed in", `href="/alerts?rule=aws-iam-access-key-created"`,
			"Source k8s-audit silent for 40 minutes", "Actions waiting for approval: 1", "Dead letters: 1"}, nil},
		{"/?range=30d", []string{"Last 30 days", "<svg"}, nil},
		{"/alerts", []string{"IAM access key created", "arn:aws:iam::111122223333:user/mallory", "203.0.113.9"},
			map[store.Role][]string{store.Analyst: {`action="/alerts/bulk"`, `data-select-all="id"`}}},
		{"/alerts/" + ids.key, []string{"IAM access key created", "Response actions", "deactivate-access-key", idCardMasked, phoneMasked},
			map[store.Role][]string{store.Analyst: {`action="/alerts/` + ids.key + `/status"`}}},
		{"/rules", []string{"aws-iam-access-key-created", "bank-transfer-large", "built-in", "file"},
			map[store.Role][]string{store.Admin: {`action="/rules/upload"`}}},
		{"/rules/aws-iam-access-key-created", []string{"IAM access key created", "pattern:", "CreateAccessKey", "passing"},
			map[store.Role][]string{store.Admin: {`action="/rules/aws-iam-access-key-created/settings"`, `/exceptions"`}}},
		{"/rules/bank-transfer-large", []string{"Large transfer", "numeric", "bank.yaml"}, nil},
		{"/rules/test", []string{`action="/rules/test"`}, nil},
		{"/rules/test?alert=" + ids.key, []string{"CreateAccessKey", idCardMasked}, nil},
		{"/sources", []string{"cloudtrail", "receiving", "silent for 40 minutes", "never received an event", "10.0", "/srv/cloudtrail"},
			map[store.Role][]string{store.Admin: {`action="/tokens"`, "API tokens"}}},
		{"/silences", []string{"No silences."}, map[store.Role][]string{store.Analyst: {`action="/silences"`}}},
		{"/actions", []string{"deactivate-access-key", "Waiting for approval", "pagerduty[0]", "HTTP 400: bad routing key"},
			map[store.Role][]string{store.Analyst: {`/approve"`, `/reject"`, `/redrive"`}}},
	}
	for _, role := range []store.Role{store.Admin, store.Analyst, store.Auditor} {
		cl := tc.as(roleUsers[role])
		for _, p := range pages {
			t.Run(string(role)+p.path, func(t *testing.T) {
				page := pageOf(t, cl.get(p.path), http.StatusOK)
				wantIn(t, page, p.want...)
				wantNotIn(t, page, idCard, phone, "style=", "<script>")
				for r, texts := range p.only {
					if r == role {
						wantIn(t, page, texts...)
					} else {
						wantNotIn(t, page, texts...)
					}
				}
			})
		}
	}
}

func TestPagesRefuseRolesWithoutThePermission(t *testing.T) {
	tc, ids := newPagesConsole(t)
	for _, c := range []struct {
		path    string
		allowed store.Role
	}{
		{"/alerts/bulk", store.Analyst},
		{"/alerts/" + ids.key + "/status", store.Analyst},
		{"/rules/aws-iam-access-key-created/settings", store.Admin},
		{"/rules/aws-iam-access-key-created/exceptions", store.Admin},
		{"/rules/upload", store.Admin},
		{"/tokens", store.Admin},
		{"/tokens/X/revoke", store.Admin},
		{"/silences", store.Analyst},
		{"/silences/X/expire", store.Analyst},
		{"/actions/X/approve", store.Analyst},
		{"/actions/X/reject", store.Analyst},
		{"/deliveries/X/redrive", store.Analyst},
	} {
		for _, role := range []store.Role{store.Admin, store.Analyst, store.Auditor} {
			if role == c.allowed {
				continue
			}
			w := tc.as(roleUsers[role]).post(c.path, url.Values{})
			if w.Code != http.StatusForbidden {
				t.Errorf("%s posting %s: %d, want 403", role, c.path, w.Code)
			}
			wantEntry(t, tc, audit.ActionAccessDenied, roleUsers[role], "POST "+c.path, audit.ResultDenied, "lacks")
		}
	}
	// Without the CSRF token of the session, nobody may change anything.
	w := tc.as("ana").do(http.MethodPost, "/alerts/"+ids.key+"/status", url.Values{"status": {"resolved"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("a post without a CSRF token: %d, want 403", w.Code)
	}
	if a, _ := tc.db.Alert(t.Context(), ids.key); a.Status != store.Open {
		t.Errorf("a post without a CSRF token changed the alert to %s", a.Status)
	}
}

func TestAlertStatus(t *testing.T) {
	tc, ids := newPagesConsole(t)
	ctx := t.Context()
	ana := tc.as("ana")
	w := ana.post("/alerts/"+ids.key+"/status", url.Values{"status": {"acknowledged"}, "comment": {"on it; caller " + phone}})
	page := followTo(t, ana, w, "/alerts/"+ids.key)
	wantIn(t, page, "Status changed", "on it; caller "+phoneMasked)
	a, err := tc.db.Alert(ctx, ids.key)
	if err != nil || a.Status != store.Acknowledged || len(a.Notes) != 1 || a.Notes[0].Actor != "ana" {
		t.Fatalf("alert after the change: %+v, %v", a, err)
	}
	wantEntry(t, tc, audit.ActionAlertStatus, "ana", ids.key, audit.ResultSuccess, "acknowledged: on it; caller "+phoneMasked)

	for _, c := range []struct {
		form url.Values
		code int
		want string
	}{
		{url.Values{"status": {"gone"}}, http.StatusBadRequest, "Choose a status."},
		{url.Values{"status": {"resolved"}, "comment": {strings.Repeat("x", maxComment+1)}}, http.StatusBadRequest, "The comment is too long"},
	} {
		page := pageOf(t, ana.post("/alerts/"+ids.key+"/status", c.form), c.code)
		wantIn(t, page, c.want)
	}
	if a, _ := tc.db.Alert(ctx, ids.key); a.Status != store.Acknowledged {
		t.Errorf("a refused change made the alert %s", a.Status)
	}
	pageOf(t, ana.post("/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV/status", url.Values{"status": {"resolved"}}), http.StatusNotFound)
}

func TestBulkStatus(t *testing.T) {
	tc, ids := newPagesConsole(t)
	ana := tc.as("ana")
	back := "/alerts?severity=critical"
	w := ana.post("/alerts/bulk", url.Values{"id": {ids.key, ids.root, "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "status": {"resolved"},
		"comment": {"change 4711"}, "back": {back}})
	page := followTo(t, ana, w, back)
	wantIn(t, page, "2 alerts changed.", "Not changed: 01ARZ3NDEKTSV4RRFFQ69G5FAV")
	for _, id := range []string{ids.key, ids.root} {
		if a, _ := tc.db.Alert(t.Context(), id); a.Status != store.Resolved {
			t.Errorf("alert %s is %s", id, a.Status)
		}
	}
	wantEntry(t, tc, audit.ActionAlertStatus, "ana", "01ARZ3NDEKTSV4RRFFQ69G5FAV", audit.ResultFailure, "not found")
	n := 0
	for _, e := range tc.entries() {
		if e.Action == audit.ActionAlertStatus && e.Result == audit.ResultSuccess {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d successful alert.status entries, want one per alert", n)
	}

	page = pageOf(t, ana.post("/alerts/bulk", url.Values{"status": {"open"}, "back": {back}}), http.StatusBadRequest)
	wantIn(t, page, "Choose at least one alert.")
	// A return address off the console is ignored.
	w = ana.post("/alerts/bulk", url.Values{"id": {ids.key}, "status": {"open"}, "back": {"https://evil.example/alerts"}})
	if location(w) != "/alerts" {
		t.Errorf("sent back to %q", location(w))
	}
}

func TestAlertsFilterAndPages(t *testing.T) {
	tc, ids := newPagesConsole(t)
	aud := tc.as("aud")
	page := pageOf(t, aud.get("/alerts?severity=critical"), http.StatusOK)
	wantIn(t, page, ids.key)
	wantNotIn(t, page, ids.root)
	page = pageOf(t, aud.get("/alerts?min_severity=high&status=open,acknowledged&entity=arn:aws:iam::111122223333:root"), http.StatusOK)
	wantIn(t, page, ids.root)
	wantNotIn(t, page, ids.key)

	page = pageOf(t, aud.get("/alerts?limit=1"), http.StatusOK)
	wantIn(t, page, ids.root) // newest first
	wantNotIn(t, page, ids.key)
	i := strings.Index(page, `href="/alerts?cursor=`)
	if i < 0 {
		t.Fatal("no link to the next page")
	}
	link := page[i+len(`href="`):]
	link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
	page = pageOf(t, aud.get(link), http.StatusOK)
	wantIn(t, page, ids.key, "First page")
	wantNotIn(t, page, ids.root)

	for _, q := range []string{"severity=urgent", "status=closed", "from=yesterday", "cursor=garbage"} {
		page := pageOf(t, aud.get("/alerts?"+q), http.StatusBadRequest)
		wantIn(t, page, "The filter is not valid")
	}
}

func TestRuleChanges(t *testing.T) {
	tc, _ := newPagesConsole(t)
	ctx := t.Context()
	admin := tc.as("admin")
	const id = "aws-iam-access-key-created"

	w := admin.post("/rules/"+id+"/settings", url.Values{"state": {"disabled"}, "severity": {"low"}})
	page := followTo(t, admin, w, "/rules/"+id)
	wantIn(t, page, "Rule changed", "disabled", "its own: medium")
	set, err := tc.db.RuleSettings(ctx)
	if err != nil || len(set) != 1 || !set[0].Disabled || set[0].Severity != "low" || set[0].UpdatedBy != "admin" {
		t.Fatalf("settings: %+v, %v", set, err)
	}
	wantEntry(t, tc, audit.ActionRuleChange, "admin", id, audit.ResultSuccess, "disabled, severity low")
	page = pageOf(t, admin.get("/rules?q=access-key-created"), http.StatusOK)
	wantIn(t, page, `class="disabled"`)
	// Back in force with its own severity: the setting goes.
	admin.post("/rules/"+id+"/settings", url.Values{"state": {"enabled"}, "severity": {"medium"}})
	if set, _ := tc.db.RuleSettings(ctx); len(set) != 0 {
		t.Errorf("settings after restoring the rule: %+v", set)
	}
	page = pageOf(t, admin.post("/rules/"+id+"/settings", url.Values{"state": {"off"}}), http.StatusBadRequest)
	wantIn(t, page, "Choose enabled or disabled.")
	pageOf(t, admin.post("/rules/no-such-rule/settings", url.Values{"state": {"disabled"}}), http.StatusNotFound)

	pattern := `{"detail": {"userIdentity": {"arn": [{"prefix": "arn:aws:iam::111122223333:role/CICD"}]}}}`
	w = admin.post("/rules/"+id+"/exceptions", url.Values{"pattern": {pattern}, "comment": {"the key rotation pipeline"}})
	page = followTo(t, admin, w, "/rules/"+id)
	wantIn(t, page, "Exception added", "arn:aws:iam::111122223333:role/CICD", "the key rotation pipeline")
	excs, err := tc.db.RuleExceptions(ctx)
	if err != nil || len(excs) != 1 || excs[0].RuleID != id || excs[0].Pattern != pattern || excs[0].CreatedBy != "admin" {
		t.Fatalf("exceptions: %+v, %v", excs, err)
	}
	wantEntry(t, tc, audit.ActionRuleChange, "admin", id, audit.ResultSuccess, "exception added "+excs[0].ID)

	page = pageOf(t, admin.post("/rules/"+id+"/exceptions", url.Values{"pattern": {`{"source": []}`}}), http.StatusBadRequest)
	wantIn(t, page, "Event pattern is not valid. Reason: Empty arrays are not allowed")
	if excs, _ := tc.db.RuleExceptions(ctx); len(excs) != 1 {
		t.Errorf("an invalid pattern was stored: %+v", excs)
	}

	w = admin.post("/rules/"+id+"/exceptions/"+excs[0].ID+"/delete", nil)
	followTo(t, admin, w, "/rules/"+id)
	if excs, _ := tc.db.RuleExceptions(ctx); len(excs) != 0 {
		t.Errorf("exceptions after deleting: %+v", excs)
	}
	wantEntry(t, tc, audit.ActionRuleChange, "admin", id, audit.ResultSuccess, "exception deleted")
	pageOf(t, admin.post("/rules/"+id+"/exceptions/"+excs[0].ID+"/delete", nil), http.StatusNotFound)
}

// postUpload posts a rule file as a browser does: multipart, with the
// session's CSRF token.
func postUpload(t *testing.T, cl *client, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField(csrfField, cl.csrf())
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "https://vigil.test/rules/upload", &b)
	r.RemoteAddr = cl.ip + ":51234"
	r.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range cl.jar {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	cl.tc.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		cl.jar[c.Name] = c.Value
	}
	return w
}

// uploadedRule is a rule for uploads, with a test that passes.
const uploadedRule = `id: bank-wire-to-new-beneficiary
title: Wire to a new beneficiary
severity: medium
scenario: funds
pattern: {"source": ["bank.payments"], "detail-type": ["NewBeneficiaryWire"]}
tests:
  match:
    - {"version": "0", "id": "1", "account": "1", "source": "bank.payments", "time": "2026-03-14T09:00:00Z", "region": "cn-north-1", "detail-type": "NewBeneficiaryWire", "resources": [], "detail": {}}
---
overrides:
  - rule: aws-iam-root-user-activity
    severity: critical
`

func TestRuleUploads(t *testing.T) {
	tc, _ := newPagesConsole(t)
	ctx := t.Context()
	admin := tc.as("admin")
	for _, c := range []struct {
		name, file, content string
		want                []string
	}{
		{"not YAML", "rules.txt", uploadedRule, []string{"Upload a .yml or .yaml rule file."}},
		{"a problem", "bad.yaml", "id: x\ntitle: t\nseverity: hgih\nscenario: funds\npattern: {\"a\": [1]}\n",
			[]string{"The file bad.yaml was not uploaded:", `unknown severity &#34;hgih&#34;`}},
		{"an id that exists", "dup.yaml", strings.Replace(uploadedRule, "bank-wire-to-new-beneficiary", "bank-transfer-large", 1),
			[]string{"rule bank-transfer-large is already defined"}},
		{"a failing test", "fail.yaml", strings.Replace(uploadedRule, `"detail-type": "NewBeneficiaryWire"`, `"detail-type": "Other"`, 1),
			[]string{"does not match"}},
		{"an override of nothing", "over.yaml", "overrides:\n  - rule: no-such-rule\n    disabled: true\n",
			[]string{`override of unknown rule &#34;no-such-rule&#34;`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := pageOf(t, postUpload(t, admin, c.file, c.content), http.StatusBadRequest)
			wantIn(t, page, c.want...)
			if us, _ := tc.db.RuleUploads(ctx); len(us) != 0 {
				t.Errorf("stored %d uploads", len(us))
			}
		})
	}

	page := followTo(t, admin, postUpload(t, admin, "wires.yaml", uploadedRule), "/rules")
	wantIn(t, page, "Rules uploaded", "bank-wire-to-new-beneficiary", "wires.yaml")
	us, err := tc.db.RuleUploads(ctx)
	if err != nil || len(us) != 1 || us[0].Name != "wires.yaml" || string(us[0].Content) != uploadedRule || us[0].UploadedBy != "admin" {
		t.Fatalf("uploads: %+v, %v", us, err)
	}
	wantEntry(t, tc, audit.ActionRuleChange, "admin", "wires.yaml", audit.ResultSuccess,
		"rule bank-wire-to-new-beneficiary, override of aws-iam-root-user-activity")
	page = pageOf(t, admin.get("/rules/bank-wire-to-new-beneficiary"), http.StatusOK)
	wantIn(t, page, "upload", "NewBeneficiaryWire", "passing")
	page = pageOf(t, admin.get("/rules/aws-iam-root-user-activity"), http.StatusOK)
	wantIn(t, page, "its own: high")
	page = pageOf(t, postUpload(t, admin, "wires.yaml", "overrides:\n  - rule: aws-iam-root-user-activity\n    disabled: true\n"), http.StatusBadRequest)
	wantIn(t, page, "an upload of that name exists")

	followTo(t, admin, admin.post("/rules/uploads/"+us[0].ID+"/delete", nil), "/rules")
	if us, _ := tc.db.RuleUploads(ctx); len(us) != 0 {
		t.Errorf("uploads after deleting: %+v", us)
	}
	wantEntry(t, tc, audit.ActionRuleChange, "admin", "wires.yaml", audit.ResultSuccess, "rules bank-wire-to-new-beneficiary")
	pageOf(t, admin.get("/rules/bank-wire-to-new-beneficiary"), http.StatusNotFound)
}

func TestPatternTester(t *testing.T) {
	tc, ids := newPagesConsole(t)
	event := `{"version": "0", "id": "1", "account": "1", "source": "bank.payments", "time": "2026-03-14T09:00:00Z",
		"region": "cn-north-1", "detail-type": "Transfer", "resources": [], "detail": {"amount": 2500000}}`
	for _, c := range []struct {
		name string
		form url.Values
		code int
		want string
	}{
		{"match", url.Values{"pattern": {`{"detail": {"amount": [{"numeric": [">", 1000]}]}}`}, "event": {event}}, 200, "Match: the pattern matches"},
		{"no match", url.Values{"pattern": {`{"source": ["aws.iam"]}`}, "event": {event}}, 200, "No match"},
		{"a stored CloudTrail record, in its envelope", url.Values{"pattern": {`{"source": ["aws.iam"], "detail": {"eventName": ["CreateAccessKey"]}}`},
			"alert": {ids.key}, "n": {"1"}}, 200, "Match: the pattern matches"},
		{"an invalid pattern", url.Values{"pattern": {`{"source": "aws.iam"}`}, "event": {event}}, 400, "Event pattern is not valid."},
		{"an invalid event", url.Values{"pattern": {`{"source": ["x"]}`}, "event": {`{"id": 1}`}}, 400, "Parameter Event is not valid."},
		{"no event", url.Values{"pattern": {`{"source": ["x"]}`}}, 400, "Paste an event, or give an alert"},
		{"no stored event", url.Values{"pattern": {`{"source": ["x"]}`}, "alert": {ids.key}, "n": {"2"}}, 400, "has no stored event 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, who := range []string{"ana", "aud", "admin"} {
				page := pageOf(t, tc.as(who).post("/rules/test", c.form), c.code)
				wantIn(t, page, c.want)
				wantNotIn(t, page, idCard)
			}
		})
	}
}

func TestSourcesAndTokens(t *testing.T) {
	tc, _ := newPagesConsole(t)
	ctx := t.Context()
	admin := tc.as("admin")
	form := url.Values{"name": {"trail-shipper"}, "role": {"ingest"}, "source": {"cloudtrail"}}
	// A token is made only with a step-up.
	wantIn(t, pageOf(t, admin.post("/tokens", form), http.StatusForbidden), "Confirm it is you first", `action="/account/stepup"`)
	if ts, _ := tc.db.Tokens(ctx); len(ts) != 0 {
		t.Fatalf("a token made without a step-up: %+v", ts)
	}
	admin.stepUp()
	page := pageOf(t, admin.post("/tokens", form), http.StatusOK)
	ts, err := tc.db.Tokens(ctx)
	if err != nil || len(ts) != 1 || ts[0].Name != "trail-shipper" || ts[0].Role != store.Ingest || ts[0].Source != "cloudtrail" {
		t.Fatalf("tokens: %+v, %v", ts, err)
	}
	i := strings.Index(page, "vgl_"+ts[0].ID+"_")
	if i < 0 {
		t.Fatalf("the page does not show the token:\n%s", page)
	}
	token := page[i : i+len("vgl_")+16+1+43]
	if found, err := tc.db.TokenByHash(ctx, auth.Hash(token)); err != nil || found.ID != ts[0].ID {
		t.Errorf("the token shown is not the one stored: %v", err)
	}
	wantIn(t, page, "aws_access_key_id = "+ts[0].ID, "aws_secret_access_key = ")
	wantEntry(t, tc, audit.ActionTokenCreate, "admin", "trail-shipper", audit.ResultSuccess, "id "+ts[0].ID+", role ingest, source cloudtrail")
	for _, e := range tc.entries() {
		if strings.Contains(e.Detail+e.Target, token[len(token)-20:]) {
			t.Errorf("the trail holds the token's secret: %+v", e)
		}
	}
	// Shown once: the page after does not have it.
	wantNotIn(t, pageOf(t, admin.get("/sources"), http.StatusOK), token)

	for _, c := range []struct {
		form url.Values
		want string
		code int
	}{
		{url.Values{"name": {""}, "role": {"ingest"}}, "Give the token a name.", 400},
		{url.Values{"name": {"x"}, "role": {"root"}}, "Choose a role.", 400},
		{url.Values{"name": {"x"}, "role": {"analyst"}, "source": {"cloudtrail"}}, "Only ingest tokens are limited to a source.", 400},
		{url.Values{"name": {"x"}, "role": {"ingest"}, "source": {"nowhere"}}, "There is no source", 400},
		{url.Values{"name": {"trail-shipper"}, "role": {"ingest"}}, "The token was not made", 409},
	} {
		page := pageOf(t, admin.post("/tokens", c.form), c.code)
		wantIn(t, page, c.want)
	}
	if ts, _ := tc.db.Tokens(ctx); len(ts) != 1 {
		t.Errorf("refused forms made tokens: %+v", ts)
	}

	followTo(t, admin, admin.post("/tokens/"+ts[0].ID+"/revoke", nil), "/sources")
	if ts, _ := tc.db.Tokens(ctx); ts[0].Revoked == nil {
		t.Error("the token is not revoked")
	}
	wantEntry(t, tc, audit.ActionTokenRevoke, "admin", "trail-shipper", audit.ResultSuccess, "id "+ts[0].ID)
	pageOf(t, admin.post("/tokens/"+ts[0].ID+"/revoke", nil), http.StatusNotFound)
}

func TestSilences(t *testing.T) {
	tc, _ := newPagesConsole(t)
	ctx := t.Context()
	ana := tc.as("ana")
	page := pageOf(t, ana.get(`/silences?matcher=rule%3D%22aws-iam-access-key-created%22`), http.StatusOK)
	wantIn(t, page, `rule=&#34;aws-iam-access-key-created&#34;</textarea>`)

	w := ana.post("/silences", url.Values{"matchers": {"rule=\"aws-iam-access-key-created\"\n\n account=\"111122223333\" "},
		"duration": {"2h"}, "comment": {"CHG-4711: rotating the CI keys"}})
	page = followTo(t, ana, w, "/silences")
	wantIn(t, page, "Silence created", "CHG-4711")
	ss, err := tc.db.Silences(ctx, time.Now())
	if err != nil || len(ss) != 1 || len(ss[0].Matchers) != 2 || ss[0].CreatedBy != "ana" || ss[0].EndsAt.Sub(ss[0].StartsAt) != 2*time.Hour {
		t.Fatalf("silences: %+v, %v", ss, err)
	}
	wantEntry(t, tc, audit.ActionSilenceAdd, "ana", ss[0].ID, audit.ResultSuccess,
		`rule="aws-iam-access-key-created" account="111122223333" until `)

	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"matchers": {`rule=~".*"`}, "duration": {"1h"}, "comment": {"x"}}, "the silence would mute every alert"},
		{url.Values{"matchers": {`rule=="x"`}, "duration": {"1h"}, "comment": {"x"}}, "The silence was not created"},
		{url.Values{"matchers": {`rule="x"`}, "duration": {"soon"}, "comment": {"x"}}, "is not a duration"},
		{url.Values{"matchers": {`rule="x"`}, "duration": {"1h"}, "end": {"2030-01-01T00:00"}, "comment": {"x"}}, "not both"},
		{url.Values{"matchers": {`rule="x"`}, "end": {"2001-01-01T00:00"}, "comment": {"x"}}, "not after it starts"},
		{url.Values{"matchers": {`rule="x"`}, "duration": {"1h"}}, "Say why in the comment."},
		{url.Values{"matchers": {""}, "duration": {"1h"}, "comment": {"x"}}, "Write at least one matcher"},
	} {
		page := pageOf(t, ana.post("/silences", c.form), http.StatusBadRequest)
		wantIn(t, page, c.want)
	}
	if ss, _ := tc.db.Silences(ctx, time.Time{}); len(ss) != 1 {
		t.Errorf("refused forms made silences: %+v", ss)
	}

	followTo(t, ana, ana.post("/silences/"+ss[0].ID+"/expire", nil), "/silences")
	if s, _ := tc.db.Silence(ctx, ss[0].ID); s.EndsAt.After(time.Now()) {
		t.Errorf("the silence ends at %s", s.EndsAt)
	}
	wantEntry(t, tc, audit.ActionSilenceRemove, "ana", ss[0].ID, audit.ResultSuccess, "CHG-4711")
	page = pageOf(t, ana.post("/silences/"+ss[0].ID+"/expire", nil), http.StatusConflict)
	wantIn(t, page, "The silence had already ended.")
	wantIn(t, pageOf(t, ana.get("/silences?all=1"), http.StatusOK), "CHG-4711", "expired")
}

func TestApprovals(t *testing.T) {
	tc, ids := newPagesConsole(t)
	ctx := t.Context()
	acts, _, err := tc.db.Actions(ctx, store.ActionQuery{AlertID: ids.key})
	if err != nil || len(acts) != 1 {
		t.Fatal(acts, err)
	}
	id := acts[0].ID
	ana := tc.as("ana")
	page := pageOf(t, ana.post("/actions/"+id+"/approve", url.Values{"comment": {"confirmed with ops"}}), http.StatusBadRequest)
	wantIn(t, page, "Enter your password to approve.")
	page = pageOf(t, ana.post("/actions/"+id+"/approve", url.Values{"password": {"not it"}}), http.StatusForbidden)
	wantIn(t, page, "The password or code was not accepted. Nothing was approved.")
	wantEntry(t, tc, audit.ActionApprove, "ana", "ana", audit.ResultFailure, "wrong current password")
	if a, _ := tc.db.Action(ctx, id); a.State != store.ActionPending {
		t.Fatalf("approved without the password: %s", a.State)
	}

	w := ana.post("/actions/"+id+"/approve", url.Values{"password": {analystPassword}, "comment": {"confirmed with ops"}})
	page = followTo(t, ana, w, "/actions")
	wantIn(t, page, "Action approved")
	a, _ := tc.db.Action(ctx, id)
	if a.State != store.ActionQueued || a.DecidedBy != "ana" || a.Comment != "confirmed with ops" {
		t.Errorf("action after approval: %+v", a)
	}
	wantEntry(t, tc, audit.ActionApprove, "ana", id, audit.ResultSuccess, "deactivate-access-key of alert "+ids.key+": confirmed with ops")

	page = pageOf(t, ana.post("/actions/"+id+"/reject", url.Values{"comment": {"too late"}}), http.StatusConflict)
	wantIn(t, page, "The action was not decided")
	wantEntry(t, tc, audit.ActionReject, "ana", id, audit.ResultFailure, "only pending actions")
	pageOf(t, ana.post("/actions/01ARZ3NDEKTSV4RRFFQ69G5FAV/reject", nil), http.StatusNotFound)
}

func TestReject(t *testing.T) {
	tc, ids := newPagesConsole(t)
	acts, _, _ := tc.db.Actions(t.Context(), store.ActionQuery{AlertID: ids.key})
	ana := tc.as("ana")
	followTo(t, ana, ana.post("/actions/"+acts[0].ID+"/reject", url.Values{"comment": {"it is the pipeline"}}), "/actions")
	if a, _ := tc.db.Action(t.Context(), acts[0].ID); a.State != store.ActionRejected || a.DecidedBy != "ana" {
		t.Errorf("action after rejection: %+v", a)
	}
	wantEntry(t, tc, audit.ActionReject, "ana", acts[0].ID, audit.ResultSuccess, "it is the pipeline")
}

func TestRedrive(t *testing.T) {
	tc, _ := newPagesConsole(t)
	ana := tc.as("ana")
	const id = "01JQ8Y7ZKD5N3XW4RVB2TEHMCA"
	followTo(t, ana, ana.post("/deliveries/"+id+"/redrive", nil), "/actions")
	d, err := tc.db.Delivery(t.Context(), id)
	if err != nil || d.State != store.Pending || d.Attempts != 0 {
		t.Fatalf("delivery after the re-drive: %+v, %v", d, err)
	}
	wantEntry(t, tc, audit.ActionRedrive, "ana", id, audit.ResultSuccess, "pager pagerduty[0]")
	page := pageOf(t, ana.post("/deliveries/"+id+"/redrive", nil), http.StatusConflict)
	wantIn(t, page, "The delivery was not re-driven")
}

func TestChineseOverview(t *testing.T) {
	tc, _ := newPagesConsole(t)
	cl := tc.as("ana")
	cl.jar[langCookie] = string(Chinese)
	page := pageOf(t, cl.get("/"), http.StatusOK)
	wantIn(t, page, "按严重程度统计的告警", "严重", "最近 24 小时")
	wantNotIn(t, page, "Alerts by severity")
}

func TestDocument(t *testing.T) {
	text := "a: 1\n---\nid: x\nb: 2\n---\nid: y\n"
	for _, c := range []struct {
		line int
		want string
	}{{1, "a: 1"}, {3, "id: x\nb: 2"}, {6, "id: y"}, {0, "a: 1"}} {
		if got := document(text, c.line); got != c.want {
			t.Errorf("document at line %d: %q, want %q", c.line, got, c.want)
		}
	}
	if got := document("---\nid: z\n", 2); got != "id: z" {
		t.Errorf("a file that starts with a separator: %q", got)
	}
}

func TestAlertQuery(t *testing.T) {
	q, err := alertQuery(url.Values{"severity": {"high,critical", "low"}, "status": {"open"}, "min_severity": {"medium"},
		"from": {"2026-03-14T09:30"}, "to": {"2026-03-15T00:00:00Z"}, "limit": {"100000"}, "rule": {" r "}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprint([]rule.Severity{rule.High, rule.Critical, rule.Low}, []store.Status{store.Open}, rule.Medium,
		time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), maxPageSize, "r")
	if got := fmt.Sprint(q.Severity, q.Status, *q.MinSeverity, q.From, q.To, q.Limit, q.Rule); got != want {
		t.Errorf("query %s, want %s", got, want)
	}
}

// TestTemplatesHaveNoInlineScriptOrStyle checks every template against
// the Content-Security-Policy, which runs only the console's own script
// files and styles: no inline script, event handler, style element or
// attribute, or javascript: URL.
func TestTemplatesHaveNoInlineScriptOrStyle(t *testing.T) {
	scripts := regexp.MustCompile(`(?i)<script[^>]*>`)
	bad := regexp.MustCompile(`(?i)\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:`)
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := fs.Glob(files, "templates/partials/*.html")
	for _, name := range append(names, parts...) {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scripts.FindAllString(string(b), -1) {
			if !strings.Contains(s, "src=") {
				t.Errorf("%s: an inline script: %s", name, s)
			}
		}
		if m := bad.FindString(string(b)); m != "" {
			t.Errorf("%s: %q", name, m)
		}
	}
}

// sigmaRules are a Sigma rule and a correlation of it, as a SigmaHQ
// checkout holds them.
const sigmaRules = `title: Console login without MFA
id: 3b3c9a3e-2f6a-4c55-9d4e-6f1f0e8a9b10
level: high
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: ConsoleLogin, additionalEventData.MFAUsed: "No"}
  condition: selection
---
title: Many logins without MFA
id: 8d0f2f4e-1c2b-4e9a-a3f5-0b9c7d6e5f41
correlation: {type: event_count, rules: [3b3c9a3e-2f6a-4c55-9d4e-6f1f0e8a9b10], group-by: [sourceIPAddress], timespan: 1h, condition: {gte: 5}}
level: critical
`

func TestSigmaRules(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aws_console_login.yml")
	if err := os.WriteFile(path, []byte(sigmaRules), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := &sigma.Collection{}
	if err := sc.AddPath(dir); err != nil {
		t.Fatal(err)
	}
	sc.Compile(nil)
	if len(sc.Rules) != 1 || len(sc.Correlations) != 1 {
		t.Fatalf("%d rules, %d correlations: %v", len(sc.Rules), len(sc.Correlations), sc.Problems)
	}
	files := &rule.Parsed{Rules: []*rule.Rule{rule.FromSigma(sc.Rules[0])}}
	tc := newConsole(t, func(c *Console) { c.Pages = Pages{Rules: files, Correlations: sc.Correlations} })
	admin := tc.as("admin")
	page := pageOf(t, admin.get("/rules"), http.StatusOK)
	wantIn(t, page, "Console login without MFA", "Many logins without MFA", ">Sigma<", ">Sigma correlation<")
	page = pageOf(t, admin.get("/rules/3b3c9a3e-2f6a-4c55-9d4e-6f1f0e8a9b10"), http.StatusOK)
	wantIn(t, page, "ConsoleLogin", "condition: selection", `/settings"`)
	page = pageOf(t, admin.get("/rules/8d0f2f4e-1c2b-4e9a-a3f5-0b9c7d6e5f41"), http.StatusOK)
	wantIn(t, page, "event_count")
	wantNotIn(t, page, `/settings"`)
	page = pageOf(t, admin.post("/rules/8d0f2f4e-1c2b-4e9a-a3f5-0b9c7d6e5f41/settings", url.Values{"state": {"disabled"}}), http.StatusBadRequest)
	wantIn(t, page, "Sigma correlation rules cannot be changed in the console.")
	followTo(t, admin, admin.post("/rules/3b3c9a3e-2f6a-4c55-9d4e-6f1f0e8a9b10/settings", url.Values{"state": {"disabled"}}),
		"/rules/3b3c9a3e-2f6a-4c55-9d4e-6f1f0e8a9b10")
	wantIn(t, pageOf(t, admin.get("/rules?q=without"), http.StatusOK), "1 in force, 1 disabled")
}
