package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// node is a vigil serve process.
type node struct {
	t       *testing.T
	cmd     *exec.Cmd
	dataDir string
	url     string
	admin   string // the admin token, on a first start
	stderr  *syncBuffer
	client  *http.Client
	exited  chan struct{}
}

// syncBuffer is a buffer written by a process and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	servingLine = regexp.MustCompile(`"msg":"vigil serving".*?"listen":"([^"]+)"`)
	tokenLine   = regexp.MustCompile(`(?m)^\s+(vgl_\S+)$`)
)

// serveNode starts vigil serve on a free loopback port and waits until it
// serves.
func serveNode(t *testing.T, dataDir string, args ...string) *node {
	t.Helper()
	n := &node{t: t, dataDir: dataDir, stderr: &syncBuffer{}, exited: make(chan struct{})}
	n.cmd = exec.Command(binary, append([]string{"serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0"}, args...)...)
	n.cmd.Stderr = n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() { n.kill() })
	deadline := time.After(60 * time.Second)
	for {
		if m := servingLine.FindStringSubmatch(n.stderr.String()); m != nil {
			n.url = "https://" + m[1]
			break
		}
		select {
		case <-n.exited:
			t.Fatalf("vigil serve exited: %v\n%s", n.cmd.ProcessState, n.stderr)
		case <-deadline:
			t.Fatalf("vigil serve did not start:\n%s", n.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if m := tokenLine.FindStringSubmatch(n.stderr.String()); m != nil {
		n.admin = m[1]
	}
	n.client = trusting(t, filepath.Join(dataDir, "tls", "cert.pem"))
	return n
}

// trusting returns a client that trusts the certificate in a file.
func trusting(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// stop stops the node as an operator does, and checks that it exits 0.
func (n *node) stop() {
	n.t.Helper()
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(60 * time.Second):
		n.t.Fatalf("vigil serve did not stop:\n%s", n.stderr)
	}
	if code := n.cmd.ProcessState.ExitCode(); code != 0 {
		n.t.Errorf("vigil serve exited %d:\n%s", code, n.stderr)
	}
}

// kill kills the node at once, as a crash or kill -9 does.
func (n *node) kill() {
	n.cmd.Process.Kill()
	<-n.exited
}

// do sends a request and returns the status and body.
func (n *node) do(method, path, token string, body []byte, headers ...string) (int, []byte) {
	n.t.Helper()
	req, err := http.NewRequest(method, n.url+path, bytes.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// ingest sends a JSON body to a source and returns the status and result.
func (n *node) ingest(source, token string, body []byte, headers ...string) (int, ingestResult) {
	n.t.Helper()
	code, out := n.do("POST", "/api/v1/ingest/"+source, token, body, append([]string{"Content-Type", "application/json"}, headers...)...)
	var r ingestResult
	json.Unmarshal(out, &r)
	r.raw = string(out)
	return code, r
}

type ingestResult struct {
	Accepted, Rejected int
	Errors             []struct {
		Index int
		Error string
	}
	raw string
}

// servedAlert is an alert as the API gives it.
type servedAlert struct {
	alertJSON
	ID     string
	Status string
}

// alerts returns every alert, through all pages.
func (n *node) alerts(token, query string) []servedAlert {
	n.t.Helper()
	var all []servedAlert
	cursor := ""
	for {
		code, out := n.do("GET", "/api/v1/alerts?limit=500&"+query+"&cursor="+cursor, token, nil)
		if code != http.StatusOK {
			n.t.Fatalf("alerts: %d %s", code, out)
		}
		var page struct {
			Alerts []servedAlert
			Next   string
		}
		if err := json.Unmarshal(out, &page); err != nil {
			n.t.Fatal(err)
		}
		all = append(all, page.Alerts...)
		if page.Next == "" {
			return all
		}
		cursor = page.Next
	}
}

// eventIDs returns the ids of every event of an alert, through all pages.
func (n *node) eventIDs(token, alert string) []string {
	n.t.Helper()
	var ids []string
	cursor := ""
	for {
		code, out := n.do("GET", "/api/v1/alerts/"+alert+"/events?limit=500&cursor="+cursor, token, nil)
		if code != http.StatusOK {
			n.t.Fatalf("events: %d %s", code, out)
		}
		var page struct {
			Events []struct{ ID string }
			Next   string
		}
		if err := json.Unmarshal(out, &page); err != nil {
			n.t.Fatal(err)
		}
		for _, e := range page.Events {
			ids = append(ids, e.ID)
		}
		if page.Next == "" {
			return ids
		}
		cursor = page.Next
	}
}

// eventually polls cond until it holds, or fails the test after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// token makes a token with the CLI.
func token(t *testing.T, args ...string) (string, string) {
	t.Helper()
	out, errOut, code := vigil(t, "", append([]string{"token", "create"}, args...)...)
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[0], out
}

// sampleFiles are the files of the sample archive.
func sampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	filepath.WalkDir("../../examples/cloudtrail", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".json.gz") {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no sample archive")
	}
	return files
}

// scanSample returns what scan finds in the sample archive: the number
// of alerts and of events in them.
func scanSample(t *testing.T, args ...string) (alerts, events int) {
	t.Helper()
	out, errOut, code := vigil(t, "", append(append([]string{"scan", "--format", "json"}, args...), "../../examples/cloudtrail")...)
	if code != 0 {
		t.Fatalf("scan: %s", errOut)
	}
	var all []alertJSON
	json.Unmarshal([]byte(out), &all)
	for _, a := range all {
		events += a.Count
	}
	return len(all), events
}

func count(alerts []servedAlert) (events int) {
	for _, a := range alerts {
		events += a.Count
	}
	return events
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
