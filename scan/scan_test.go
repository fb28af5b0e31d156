package scan

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"vigil/detect"
	"vigil/pattern"
	"vigil/rule"
	"vigil/sigma"
)

func record(i int, name, principal string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","accessKeyId":"AKIA%04d"},"eventTime":"2026-11-20T10:%02d:%02dZ","eventSource":"iam.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%d","eventID":"ev-%04d","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
		principal, i, i/60%60, i%60, name, i%250, i)
}

// cut returns a record broken off after its event name, so that the
// prefilter lets it through and parsing finds it malformed.
func cut(rec string) string { return rec[:len(rec)-40] }

func testEngine(t *testing.T) *detect.Rules {
	t.Helper()
	p, err := pattern.Parse([]byte(`{"source":["aws.iam"],"detail":{"eventName":["CreateUser"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	return compile(t, []*rule.Rule{{ID: "create-user", Title: "User created", Severity: rule.High, Pattern: p, Dedup: []string{"detail.userIdentity.arn"}}})
}

func compile(t *testing.T, rules []*rule.Rule) *detect.Rules {
	t.Helper()
	r, err := detect.Compile(rules, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func write(t *testing.T, path, data string, gz bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b := []byte(data)
	if gz {
		var buf bytes.Buffer
		z := gzip.NewWriter(&buf)
		z.Write(b)
		z.Close()
		b = buf.Bytes()
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRun scans every form of input at once and checks what is counted
// and found.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 500 {
		name := "ListUsers"
		if i%100 == 7 {
			name = "CreateUser"
		}
		lines = append(lines, record(i, name, fmt.Sprintf("u%d", i%2)))
	}
	// 5 CreateUser events by u1 (i = 7, 107, ... are odd): one alert.
	write(t, filepath.Join(dir, "a/events.ndjson"), strings.Join(lines, "\n")+"\n", false)
	write(t, filepath.Join(dir, "b/111122223333_CloudTrail_us-east-1_20261120T1000Z_x.json.gz"),
		`{"Records":[`+record(1000, "CreateUser", "attacker")+","+record(1001, "GetUser", "attacker")+`]}`, true)
	write(t, filepath.Join(dir, "b/array.json"), "["+record(1002, "CreateUser", "other")+"]", false)
	write(t, filepath.Join(dir, "b/pretty.json"), "{\n\"eventVersion\":\"1.09\",\"eventSource\":\"iam.amazonaws.com\",\n\"eventName\":\"CreateUser\",\"eventID\":\"ev-pretty\",\"userIdentity\":{\"arn\":\"p\"}}\n{\n\"eventName\":\"GetUser\"}\n", false)
	write(t, filepath.Join(dir, "b/bad.json.gz"), "this is not gzip", false)
	write(t, filepath.Join(dir, "b/notes.txt"), "ignored: not a log file", false)
	write(t, filepath.Join(dir, "b/broken.jsonl"), cut(record(1003, "CreateUser", "x"))+"\n"+record(1004, "CreateUser", "y")+"\n", false)

	var warnings []string
	var st Stats
	stdin := strings.NewReader(record(1005, "CreateUser", "piped"))
	res, err := Run(context.Background(), testEngine(t), []string{dir, Stdin}, Options{
		Stdin: stdin, ChunkSize: 4096, Warn: func(m string) { warnings = append(warnings, m) },
	}, &st)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Files.Load(); got != 6 {
		t.Errorf("files %d, want 6 (the gz that is not gzip is unreadable, notes.txt is not read)", got)
	}
	if got := st.Unreadable.Load(); got != 1 {
		t.Errorf("unreadable %d, want 1", got)
	}
	if got := st.Events.Load(); got != 500+2+1+2+2+1 {
		t.Errorf("events %d, want 508", got)
	}
	if got := st.Malformed.Load(); got != 1 {
		t.Errorf("malformed %d, want 1; warnings %q", got, warnings)
	}
	found := map[string]int{}
	for _, a := range res.Alerts {
		found[*a.Dedup["detail.userIdentity.arn"]] += a.Count
	}
	want := map[string]int{
		"arn:aws:iam::111122223333:user/u1": 5, "arn:aws:iam::111122223333:user/attacker": 1,
		"arn:aws:iam::111122223333:user/other": 1, "p": 1, "arn:aws:iam::111122223333:user/y": 1,
		"arn:aws:iam::111122223333:user/piped": 1,
	}
	if fmt.Sprint(found) != fmt.Sprint(want) {
		t.Errorf("alerts by principal %v, want %v", found, want)
	}
	joined := strings.Join(warnings, "\n")
	for _, w := range []string{"bad.json.gz: skipped: gzip", "broken.jsonl:1: malformed event"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q lack %q", joined, w)
		}
	}
}

func TestChunksKeepLinesWhole(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 2000 {
		lines = append(lines, record(i, "CreateUser", fmt.Sprintf("u%d", i)))
	}
	long := record(5000, "CreateUser", strings.Repeat("L", 20000)) // longer than a chunk
	write(t, filepath.Join(dir, "x.ndjson"), strings.Join(lines, "\n")+"\n"+long, false)
	var st Stats
	res, err := Run(context.Background(), testEngine(t), []string{dir}, Options{ChunkSize: 1000, Workers: 3}, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events.Load() != 2001 || st.Malformed.Load() != 0 || len(res.Alerts) != 2001 {
		t.Errorf("events %d malformed %d alerts %d", st.Events.Load(), st.Malformed.Load(), len(res.Alerts))
	}
}

func TestStrict(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bad.json.gz"), "not gzip", false)
	var st Stats
	if _, err := Run(context.Background(), testEngine(t), []string{dir}, Options{Strict: true}, &st); err == nil {
		t.Error("no error")
	}
}

func TestMaxWhole(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.json"), `{"Records":[`+record(1, "CreateUser", "a")+","+record(2, "CreateUser", "b")+`]}`, false)
	var warnings []string
	var st Stats
	_, err := Run(context.Background(), testEngine(t), []string{dir}, Options{MaxWhole: 300, Warn: func(m string) { warnings = append(warnings, m) }}, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unreadable.Load() != 1 || len(warnings) != 1 || !strings.Contains(warnings[0], "more than 300 bytes") {
		t.Errorf("unreadable %d, warnings %q", st.Unreadable.Load(), warnings)
	}
}

func TestPerEvent(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "x.json"), "["+record(1, "CreateUser", "a")+","+record(2, "CreateUser", "a")+","+record(2, "CreateUser", "a")+"]", false)
	for _, tt := range []struct {
		perEvent bool
		alerts   int
	}{{false, 1}, {true, 2}} { // the repeated event counts once
		var st Stats
		res, err := Run(context.Background(), testEngine(t), []string{dir}, Options{PerEvent: tt.perEvent}, &st)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Alerts) != tt.alerts {
			t.Errorf("per event %v: %d alerts, want %d", tt.perEvent, len(res.Alerts), tt.alerts)
		}
	}
}

// TestLineErrors checks that a bad line costs one event, never the rest of
// its chunk, and is reported at its line.
func TestLineErrors(t *testing.T) {
	dir := t.TempDir()
	good := record(1, "CreateUser", "a")
	var lines []string
	for i := range 40 {
		switch i % 4 {
		case 1:
			lines = append(lines, `[{"a":1}]`)
		case 2:
			lines = append(lines, `{"a":1}}`)
		case 3:
			lines = append(lines, `{"Records":[{"a":1},`+cut(record(i, "CreateUser", "b"))+`]}`)
		default:
			lines = append(lines, record(i, "CreateUser", fmt.Sprintf("u%d", i)))
		}
	}
	long := `{"x":"` + strings.Repeat("y", 10000) + `"}` // a first line longer than a chunk
	write(t, filepath.Join(dir, "x.jsonl"), long+"\n"+strings.Join(lines, "\n")+"\n"+good, false)
	var warnings []string
	var st Stats
	res, err := Run(context.Background(), testEngine(t), []string{dir}, Options{ChunkSize: 700, Warn: func(m string) { warnings = append(warnings, m) }}, &st)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, a := range res.Alerts {
		found += a.Count
	}
	if found != 11 || st.Malformed.Load() != 10 {
		t.Errorf("%d events found, want 11; %d malformed, want 10", found, st.Malformed.Load())
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], "x.jsonl:5: malformed event") {
		t.Errorf("first warning %q, want one at line 5", warnings)
	}
}

func TestBOMAndHiddenDirectories(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.json"), "\xEF\xBB\xBF"+"["+record(1, "CreateUser", "a")+"]", false)
	write(t, filepath.Join(dir, ".snapshot/b.json"), "["+record(2, "CreateUser", "b")+"]", false)
	var st Stats
	res, err := Run(context.Background(), testEngine(t), []string{dir}, Options{}, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files.Load() != 1 || len(res.Alerts) != 1 || st.Unreadable.Load() != 0 {
		t.Errorf("files %d alerts %d unreadable %d", st.Files.Load(), len(res.Alerts), st.Unreadable.Load())
	}
}

// sigmaEngine compiles Sigma rules written in YAML.
func sigmaEngine(t *testing.T, yaml string) *detect.Rules {
	t.Helper()
	c := &sigma.Collection{}
	c.Add("test.yml", []byte(yaml))
	c.Compile(nil)
	if len(c.Problems) > 0 {
		t.Fatal(c.Problems)
	}
	var rules []*rule.Rule
	for _, s := range c.Rules {
		rules = append(rules, rule.FromSigma(s))
	}
	return compile(t, rules)
}

// TestAuditEventsWhole reads audit.log in chunks far smaller than it:
// every process is assembled from all of its records all the same.
func TestAuditEventsWhole(t *testing.T) {
	e := sigmaEngine(t, `title: curl as root
logsource: {product: linux, category: process_creation}
detection:
    selection: {Image: /usr/bin/curl, User: root, CommandLine|endswith: ' -o /tmp/x'}
    condition: selection
`)
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "type=SYSCALL msg=audit(1763800000.%03d:%d): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=%d uid=0 comm=\"curl\" exe=\"/usr/bin/curl\"\x1dUID=\"root\"\n", i, i, 1000+i)
		fmt.Fprintf(&b, "type=EXECVE msg=audit(1763800000.%03d:%d): argc=4 a0=\"curl\" a1=\"http://203.0.113.9/%d\" a2=\"-o\" a3=\"/tmp/x\"\n", i, i, i)
		fmt.Fprintf(&b, "type=CWD msg=audit(1763800000.%03d:%d): cwd=\"/\"\n", i, i)
		fmt.Fprintf(&b, "type=PROCTITLE msg=audit(1763800000.%03d:%d): proctitle=6375726C\n", i, i)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "audit/audit.log.1.gz"), b.String(), true)
	write(t, filepath.Join(dir, "audit/notes.txt"), "not read", false)
	for _, size := range []int{100, 333, 1 << 20} {
		var st Stats
		res, err := Run(context.Background(), e, []string{dir}, Options{ChunkSize: size, Workers: 2, PerEvent: true}, &st)
		if err != nil {
			t.Fatal(err)
		}
		if st.Files.Load() != 1 || st.Events.Load() != 1200 || st.Malformed.Load() != 0 || len(res.Alerts) != 300 {
			t.Errorf("chunk %d: files %d events %d malformed %d alerts %d, want 1, 1200, 0, 300",
				size, st.Files.Load(), st.Events.Load(), st.Malformed.Load(), len(res.Alerts))
		}
	}
}

// TestTextErrors checks that text files vigil cannot read are skipped, and
// that a broken line is reported at its line and costs only itself.
func TestTextErrors(t *testing.T) {
	e := sigmaEngine(t, `title: sshd failure
logsource: {product: linux, service: sshd}
detection:
    keywords: [Failed]
    condition: keywords
`)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "app.log"), "2026-11-20 INFO started\n", false)
	write(t, filepath.Join(dir, "auth.log"), "Nov 20 03:01:07 h sshd[1]: Failed password\n"+
		"Nov 20 03:01:08 h sshd[1]: Failed password\n"+
		"type=EXECVE msg=audit(1763800000.1:1): a0=\"x\n"+ // unterminated quote
		"something else\n"+
		`{"program":"sshd","message":"Failed again"}`+"\n", false)
	var warnings []string
	var st Stats
	res, err := Run(context.Background(), e, []string{dir}, Options{PerEvent: true, Warn: func(m string) { warnings = append(warnings, m) }}, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unreadable.Load() != 1 || st.Malformed.Load() != 2 || len(res.Alerts) != 2 {
		t.Errorf("unreadable %d malformed %d alerts %d, want 1, 2, 2", st.Unreadable.Load(), st.Malformed.Load(), len(res.Alerts))
	}
	want := []string{"app.log: skipped: neither JSON nor a text log", "auth.log:3: malformed event: auditd: unterminated quoted value", "auth.log:4: malformed event: not a line"}
	if len(warnings) != len(want) {
		t.Fatalf("warnings %q", warnings)
	}
	for i, w := range want {
		if !strings.Contains(warnings[i], w) {
			t.Errorf("warning %q, want %q", warnings[i], w)
		}
	}
}

func TestWanted(t *testing.T) {
	for name, want := range map[string]bool{
		"a/audit.log": true, "audit.log.1": true, "audit.log.2.gz": true, "auth.log-20261122": true,
		"syslog": true, "messages.1": true, "secure-20261101.gz": true, "access_log": true, "x.ndjson.gz": true,
		"notes.txt": false, ".hidden.log": false, "syslog.conf": false, "core.12345": false,
	} {
		if wanted(name) != want {
			t.Errorf("wanted(%q) = %v", name, !want)
		}
	}
}

func TestAuditCut(t *testing.T) {
	rec := func(serial int) string {
		return fmt.Sprintf("type=PATH msg=audit(1763800000.000:%d): item=0 name=\"/etc/shadow\"\n", serial)
	}
	two := rec(1) + rec(2) + rec(2)
	if got := auditCut([]byte(two), len(two)); got != len(rec(1)) {
		t.Errorf("cut %d, want %d: before the records of the last event", got, len(rec(1)))
	}
	one := rec(3) + rec(3)
	if got := auditCut([]byte(one), len(one)); got != 0 {
		t.Errorf("cut %d, want 0: read on", got)
	}
	text := "Nov 20 03:01:07 h sshd[1]: x\n"
	if got := auditCut([]byte(rec(1)+text), len(rec(1)+text)); got != len(rec(1)+text) {
		t.Errorf("cut %d: a chunk that ends in another format is kept", got)
	}
	huge := strings.Repeat(rec(4), maxAuditEvent/len(rec(4))+1)
	if got := auditCut([]byte(huge), len(huge)); got != len(huge) {
		t.Errorf("cut %d, want %d: an event beyond the bound is cut", got, len(huge))
	}
}
