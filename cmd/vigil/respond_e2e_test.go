package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/action/iamtest"
	"vigil/builtin"
	"vigil/notify/notifytest"
	"vigil/rule"
)

// ruleEvent returns the first test event of a built-in rule that it
// must match, with its eventID made unique by tag.
func ruleEvent(t *testing.T, id, tag string) string {
	t.Helper()
	p, err := rule.Load(builtin.FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rules {
		if r.ID == id && len(r.Tests.Match) > 0 {
			var rec map[string]any
			if err := json.Unmarshal(r.Tests.Match[0], &rec); err != nil {
				t.Fatal(err)
			}
			rec["eventID"] = fmt.Sprintf("%s-%s", id, tag)
			b, _ := json.Marshal(rec)
			return string(b)
		}
	}
	t.Fatalf("no test event of rule %s", id)
	return ""
}

// respondEnv is vigil serve with the default routing tree, its
// receivers pointed at stand-ins of the services, and its actions at
// an IAM test server.
type respondEnv struct {
	t       *testing.T
	dir     string
	config  string
	pager   *notifytest.Server[notifytest.PagerDutyEvent]
	slack   *notifytest.Server[notifytest.SlackMessage]
	hook    *notifytest.Server[notifytest.WebhookDelivery]
	smtp    *notifytest.SMTP
	iam     *iamtest.Server
	n       *node
	ingest  string
	analyst string
}

const pdKey = "0123456789abcdef0123456789abcdef"

func newRespondEnv(t *testing.T) *respondEnv {
	e := &respondEnv{t: t, dir: t.TempDir(),
		pager: notifytest.NewPagerDuty(t, pdKey), slack: notifytest.NewSlack(t), hook: notifytest.NewWebhook(t, "hook-secret"),
		smtp: notifytest.NewSMTP(t, notifytest.SMTPConfig{User: "vigil", Password: "smtp-pass"}), iam: iamtest.New(t)}
	e.iam.AddUser(iamtest.Account, "svc-backup", "AKIAEXAMPLENEWKEY001", "AKIAEXAMPLEBACKUP001")
	e.config = filepath.Join(e.dir, "vigil.yaml")
	e.write("auto")
	e.start()
	e.ingest, _ = token(t, "--data-dir", e.data(), "--role", "ingest", "--name", "shipper")
	e.analyst, _ = token(t, "--data-dir", e.data(), "--role", "analyst", "--name", "ana")
	return e
}

func (e *respondEnv) data() string { return filepath.Join(e.dir, "data") }

// write writes the configuration, with the access-key action in a mode.
// It keeps the default routing tree: it gives receivers only.
func (e *respondEnv) write(mode string) {
	cfg := fmt.Sprintf(`
alerting:
  external_url: https://vigil.example.com:8443
  delivery: {min_backoff: 100ms, max_backoff: 1s, max_attempts: 1000}
  receivers:
    - name: pager
      pagerduty_configs: [{routing_key: %q, url: %q}]
    - name: team
      slack_configs: [{api_url: %q, channel: "#secops"}]
      webhook_configs: [{url: %q, secret: hook-secret}]
      email_configs:
        - to: secops@bank.example
          from: vigil@bank.example
          smarthost: %s
          auth_username: vigil
          auth_password: smtp-pass
          tls_config: {ca_file: %q}
response:
  aws: {endpoint: %q, sts_endpoint: %q, access_key_id: %s, secret_access_key: %q}
  actions:
    - {name: deactivate-access-key, type: aws_iam_deactivate_access_key, mode: %s}
`, pdKey, e.pager.URL, e.slack.URL, e.hook.URL, e.smtp.Addr, notifytest.CAFile(e.t),
		e.iam.URL, e.iam.URL, iamtest.AccessKeyID, iamtest.SecretAccessKey, mode)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *respondEnv) start() { e.n = serveNode(e.t, e.data(), "--config", e.config) }

// send ingests CloudTrail records.
func (e *respondEnv) send(records ...string) {
	e.t.Helper()
	code, r := e.n.ingest("cloudtrail", e.ingest, []byte(`{"Records":[`+strings.Join(records, ",")+`]}`))
	if code != 202 || r.Accepted != len(records) {
		e.t.Fatalf("ingest: %d %s", code, r.raw)
	}
}

// alertOf waits for the open alert of a rule whose entities name value,
// and returns its id.
func (e *respondEnv) alertOf(ruleID, value string) string {
	e.t.Helper()
	var id string
	eventually(e.t, 30*time.Second, "an alert of "+ruleID, func() bool {
		for _, a := range e.n.alerts(e.analyst, "rule="+ruleID) {
			if strings.Contains(fmt.Sprint(a.Entities), value) {
				id = a.ID
				return true
			}
		}
		return false
	})
	return id
}

// mentioned returns the alert ids a stand-in's requests mention.
func mentioned[T any](s *notifytest.Server[T], ids ...string) []string {
	var got []string
	for _, r := range s.Received() {
		b, _ := json.Marshal(r)
		for _, id := range ids {
			if strings.Contains(string(b), id) && !slices.Contains(got, id) {
				got = append(got, id)
			}
		}
	}
	return got
}

func mailed(s *notifytest.SMTP, ids ...string) []string {
	var got []string
	for _, m := range s.Received() {
		for _, id := range ids {
			if strings.Contains(m.Text, id) && !slices.Contains(got, id) {
				got = append(got, id)
			}
		}
	}
	return got
}

// archived returns the alert ids the archive file holds.
func (e *respondEnv) archived() []string {
	b, _ := os.ReadFile(filepath.Join(e.data(), "notifications.ndjson"))
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var l struct{ ID string }
		if json.Unmarshal([]byte(line), &l) == nil && l.ID != "" && !slices.Contains(ids, l.ID) {
			ids = append(ids, l.ID)
		}
	}
	return ids
}

func TestRespond(t *testing.T) {
	e := newRespondEnv(t)

	// The three tiers: a critical alert pages, a medium one goes to
	// chat, mail and the webhook, every one to the archive.
	e.send(ruleEvent(t, "aws-signin-root-console-login", "1"), ruleEvent(t, "aws-iam-access-key-created", "1"),
		ruleEvent(t, "aws-iam-role-created", "1"))
	crit := e.alertOf("aws-signin-root-console-login", "111122223333")
	med := e.alertOf("aws-iam-access-key-created", "AKIAEXAMPLENEWKEY001")
	low := e.alertOf("aws-iam-role-created", "111122223333")
	all := []string{crit, med, low}
	eventually(t, 60*time.Second, "every alert archived", func() bool { return len(intersect(e.archived(), all)) == 3 })
	eventually(t, 30*time.Second, "the page", func() bool { return len(mentioned(e.pager, all...)) > 0 })
	eventually(t, 30*time.Second, "the chat, mail and webhook", func() bool {
		return len(mentioned(e.slack, all...)) > 0 && len(mentioned(e.hook, all...)) > 0 && len(mailed(e.smtp, all...)) > 0
	})
	if got := mentioned(e.pager, all...); !slices.Equal(got, []string{crit}) {
		t.Errorf("PagerDuty was told of %v, want only the critical alert %s", got, crit)
	}
	for name, got := range map[string][]string{"slack": mentioned(e.slack, all...), "webhook": mentioned(e.hook, all...),
		"email": mailed(e.smtp, all...)} {
		if !slices.Equal(got, []string{med}) {
			t.Errorf("%s was told of %v, want only the medium alert %s", name, got, med)
		}
	}
	pd := e.pager.Received()[0]
	if pd.EventAction != "trigger" || pd.Payload.Severity != "critical" || len(pd.Links) == 0 ||
		pd.Links[0].Href != "https://vigil.example.com:8443/alerts/"+crit {
		t.Errorf("PagerDuty event %+v", pd)
	}

	// The access key the attacker made is deactivated, once.
	eventually(t, 30*time.Second, "the key deactivated", func() bool {
		return e.iam.KeyStatus(iamtest.Account, "AKIAEXAMPLENEWKEY001") == "Inactive"
	})
	e.send(ruleEvent(t, "aws-iam-access-key-created", "1")) // a replay changes nothing
	checkKeyCalls(t, e, "AKIAEXAMPLENEWKEY001", 1)

	// A silence mutes notification, not storage.
	code, out := e.n.do("POST", "/api/v1/silences", e.analyst, []byte(`{"matchers":["rule=\"aws-iam-user-created\""],"duration":"1h","comment":"onboarding batch"}`),
		"Content-Type", "application/json")
	if code != 201 {
		t.Fatalf("create silence: %d %s", code, out)
	}
	e.send(ruleEvent(t, "aws-iam-user-created", "1"), ruleEvent(t, "aws-iam-user-added-to-group", "1"))
	silenced := e.alertOf("aws-iam-user-created", "111122223333")
	other := e.alertOf("aws-iam-user-added-to-group", "111122223333")
	eventually(t, 60*time.Second, "the unsilenced alert notified", func() bool { return len(mentioned(e.hook, other)) == 1 })
	if got := mentioned(e.hook, silenced); len(got) != 0 {
		t.Errorf("the silenced alert %s was notified", silenced)
	}

	// A receiver down for a while, across a restart, gets every alert.
	e.slack.SetDown(true)
	e.send(ruleEvent(t, "aws-iam-password-policy-weakened", "1"))
	late := e.alertOf("aws-iam-password-policy-weakened", "111122223333")
	eventually(t, 60*time.Second, "a failed attempt to reach Slack", func() bool { return pendingFailed(e, "team", "slack[0]") })
	e.n.stop()
	e.slack.SetDown(false)
	e.write("approve")
	e.start()
	eventually(t, 60*time.Second, "Slack told after the restart", func() bool { return len(mentioned(e.slack, late)) == 1 })

	// approve: the reactivated key waits for an analyst.
	e.send(ruleEvent(t, "aws-iam-access-key-reactivated", "1"))
	react := e.alertOf("aws-iam-access-key-reactivated", "111122223333")
	var pending struct {
		Actions []struct{ ID, AlertID, State, Request string } `json:"actions"`
	}
	eventually(t, 30*time.Second, "an action waiting for approval", func() bool {
		_, out := e.n.do("GET", "/api/v1/actions?state=pending&alert="+react, e.analyst, nil)
		return json.Unmarshal(out, &pending) == nil && len(pending.Actions) == 1
	})
	key := reactivatedKey(t, pending.Actions[0].Request)
	time.Sleep(2 * time.Second) // the dispatcher looks every second: it must not act
	checkKeyCalls(t, e, key, 0)
	code, out = e.n.do("POST", "/api/v1/actions/"+pending.Actions[0].ID+"/approve", e.analyst, []byte(`{"comment":"confirmed with the key owner"}`),
		"Content-Type", "application/json")
	if code != 200 {
		t.Fatalf("approve: %d %s", code, out)
	}
	eventually(t, 30*time.Second, "the approved action run", func() bool { return len(keyCalls(e, key)) == 1 })
	var done struct {
		State     string
		DecidedBy string `json:"decided_by"`
	}
	eventually(t, 10*time.Second, "the action recorded", func() bool {
		_, out = e.n.do("GET", "/api/v1/actions/"+pending.Actions[0].ID, e.analyst, nil)
		return json.Unmarshal(out, &done) == nil && done.State == "succeeded"
	})
	if done.DecidedBy != "api:ana" {
		t.Errorf("approved by %q", done.DecidedBy)
	}
	e.n.stop()

	// What the analyst's token did is in the audit trail, intact.
	if out, errOut, code := vigil(t, "", "audit", "verify", "--data-dir", e.data()); code != 0 {
		t.Errorf("audit verify: exit %d: %s%s", code, out, errOut)
	}
	trail, errOut, code := vigil(t, "", "audit", "export", "--data-dir", e.data())
	if code != 0 {
		t.Fatalf("audit export: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"api:ana", "silence.add", "action.approve", "confirmed with the key owner"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the audit trail has no %q:\n%s", want, trail)
		}
	}
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// keyCalls returns the UpdateAccessKey calls that deactivated a key.
func keyCalls(e *respondEnv, key string) []iamtest.Call {
	var out []iamtest.Call
	for _, c := range e.iam.CallsOf("UpdateAccessKey") {
		if c.Params["AccessKeyId"] == key && c.Params["Status"] == "Inactive" {
			out = append(out, c)
		}
	}
	return out
}

func checkKeyCalls(t *testing.T, e *respondEnv, key string, n int) {
	t.Helper()
	if got := keyCalls(e, key); len(got) != n {
		t.Errorf("%d UpdateAccessKey calls deactivating %s, want %d: %+v", len(got), key, n, e.iam.Calls())
	}
}

// pendingFailed reports whether a delivery to an integration is pending
// after a failed attempt.
func pendingFailed(e *respondEnv, receiver, integration string) bool {
	_, out := e.n.do("GET", "/api/v1/deliveries?state=pending&receiver="+receiver, e.analyst, nil)
	var page struct {
		Deliveries []struct {
			Integration string
			Attempts    int
			LastError   string `json:"last_error"`
		}
	}
	json.Unmarshal(out, &page)
	for _, d := range page.Deliveries {
		if d.Integration == integration && d.Attempts > 0 && d.LastError != "" {
			return true
		}
	}
	return false
}

func reactivatedKey(t *testing.T, request string) string {
	t.Helper()
	var r struct{ Params map[string]string }
	if err := json.Unmarshal([]byte(request), &r); err != nil || r.Params["access_key_id"] == "" {
		t.Fatalf("request %s: %v", request, err)
	}
	return r.Params["access_key_id"]
}
