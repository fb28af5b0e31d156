package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"vigil/store/storetest"
)

// TestServePostgres runs serve on PostgreSQL: it finds in the sample
// archive what scan finds, and keeps it across a restart.
func TestServePostgres(t *testing.T) {
	db := storetest.Postgres(t)
	data := t.TempDir()
	n := serveNode(t, data, "--db", db)
	if n.admin == "" {
		t.Fatal("no admin token")
	}
	for _, f := range sampleFiles(t) {
		body, _ := os.ReadFile(f)
		if code, r := n.ingest("cloudtrail", n.admin, body, "Content-Encoding", "gzip"); code != http.StatusAccepted {
			t.Fatalf("%s: %d %s", f, code, r.raw)
		}
	}
	wantAlerts, wantEvents := scanSample(t)
	eventually(t, 30*time.Second, "the sample's alerts", func() bool {
		a := n.alerts(n.admin, "")
		return len(a) == wantAlerts && count(a) == wantEvents
	})
	n.stop()
	n2 := serveNode(t, data, "--db", db)
	if a := n2.alerts(n.admin, ""); len(a) != wantAlerts {
		t.Errorf("after a restart: %d alerts, want %d", len(a), wantAlerts)
	}
	n2.stop()
}

// freePorts returns n loopback ports free at the time of the call.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// natsCluster starts a cluster of three NATS servers with JetStream on
// loopback and returns the URL that names them all.
func natsCluster(t *testing.T) string {
	t.Helper()
	ports := freePorts(t, 6)
	var routes, urls []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[3+i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
	}
	var servers []*server.Server
	for i := range 3 {
		s, err := server.NewServer(&server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       ports[i],
			JetStream:  true,
			StoreDir:   t.TempDir(),
			Cluster:    server.ClusterOpts{Name: "vigil-test", Host: "127.0.0.1", Port: ports[3+i]},
			Routes:     server.RoutesFromStr(strings.Join(routes, ",")),
			NoSigs:     true,
			NoLog:      true,
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		servers = append(servers, s)
		t.Cleanup(s.Shutdown)
	}
	for _, s := range servers {
		if !s.ReadyForConnections(30 * time.Second) {
			t.Fatal("NATS did not start")
		}
	}
	eventually(t, 30*time.Second, "a JetStream meta leader", func() bool {
		for _, s := range servers {
			if s.JetStreamIsLeader() {
				return true
			}
		}
		return false
	})
	return strings.Join(urls, ",")
}

// clusterRules are the rules of the cluster test: every event into one
// alert, and a Sigma correlation of three failed console logins of a user.
const clusterSigma = `title: Failed console login
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: ConsoleLogin, responseElements.ConsoleLogin: Failure}
    condition: sel
---
title: Password guessing
id: 0b7e2c4d-0000-4000-8000-0000000000c1
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [userIdentity.userName]
    timespan: 30m
    condition: {gte: 3}
    generate: true
level: high
`

// failedLogin is the n-th failed console login of a user.
func failedLogin(user string, n int) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","userName":%q},"eventTime":"2026-11-20T09:%02d:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.23","responseElements":{"ConsoleLogin":"Failure"},"eventID":"login-%s-%d","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`,
		user, user, 10+n, user, n)
}

// TestCluster runs two vigil nodes on a three-server NATS cluster and a
// shared PostgreSQL, kills one with SIGKILL while events stream in and
// correlation windows are open, and checks that no acknowledged event is
// lost, none is counted twice, and every window completes once.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("the cluster test takes a minute")
	}
	db := storetest.Postgres(t)
	natsURL := natsCluster(t)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	sigmaDir := filepath.Join(dir, "sigma")
	os.MkdirAll(rules, 0o755)
	os.MkdirAll(sigmaDir, 0o755)
	os.WriteFile(filepath.Join(rules, "every.yaml"), []byte(everyEvent), 0o644)
	os.WriteFile(filepath.Join(sigmaDir, "guessing.yml"), []byte(clusterSigma), 0o644)
	conf := filepath.Join(dir, "vigil.yaml")
	os.WriteFile(conf, []byte(fmt.Sprintf(`db: %s
secret_key_file: %s
audit: {key_file: %s}
nats: {url: %q, replicas: 3}
detect: {partitions: 8, checkpoint: 1s}
rules: {builtin: false, dirs: [%s], sigma: [%s]}
`, db, filepath.Join(dir, "secret.key"), filepath.Join(dir, "audit.key"), natsURL, rules, sigmaDir)), 0o644)

	a := serveNode(t, filepath.Join(dir, "a"), "--config", conf)
	admin := a.admin
	b := serveNode(t, filepath.Join(dir, "b"), "--config", conf)
	if b.admin != "" {
		t.Fatal("the second node made another admin token")
	}
	tok, _ := token(t, "--config", conf, "--data-dir", filepath.Join(dir, "a"), "--role", "ingest", "--name", "load")

	// Load on both nodes all along.
	sa, sb := &sender{t: t, token: tok}, &sender{t: t, token: tok}
	sa.node.Store(a)
	sb.node.Store(b)
	sb.next.Store(1_000_000) // batches of b have other event ids
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go sa.run(stop, &wg)
	go sb.run(stop, &wg)

	// Two failed logins of each user, half through each node...
	users := 40
	send := func(n *node, nth int, from, to int) {
		var recs []string
		for u := from; u < to; u++ {
			recs = append(recs, failedLogin(fmt.Sprintf("user%02d", u), nth))
		}
		if code, r := n.ingest("cloudtrail", tok, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`)); code != http.StatusAccepted {
			t.Fatalf("logins: %d %s", code, r.raw)
		}
	}
	for nth := 1; nth <= 2; nth++ {
		send(a, nth, 0, users/2)
		send(b, nth, users/2, users)
	}
	eventually(t, 30*time.Second, "the first logins evaluated", func() bool {
		return count(a.alerts(admin, "rule=failed_login")) == 2*users
	})
	time.Sleep(2 * time.Second) // a checkpoint of the partitions
	// ... then b dies mid-stream, and the third logins all come through a.
	b.kill()
	send(a, 3, 0, users)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	eventually(t, 90*time.Second, "every user's window to complete", func() bool {
		return len(a.alerts(admin, "rule=0b7e2c4d-0000-4000-8000-0000000000c1")) == users
	})
	for _, al := range a.alerts(admin, "rule=0b7e2c4d-0000-4000-8000-0000000000c1") {
		if al.Count != 3 {
			t.Errorf("%v: %d events, want 3", al.Dedup, al.Count)
		}
	}
	acked := map[string]bool{}
	for _, s := range []*sender{sa, sb} {
		for _, id := range s.acked {
			acked[id] = true
		}
	}
	var every string
	eventually(t, 90*time.Second, "every acknowledged event evaluated", func() bool {
		al := a.alerts(admin, "rule=every-event")
		if len(al) != 1 {
			return false
		}
		every = al[0].ID
		return al[0].Count >= len(acked)+3*users
	})
	seen := map[string]bool{}
	for _, id := range a.eventIDs(admin, every) {
		if seen[id] {
			t.Errorf("event %s counted twice", id)
		}
		seen[id] = true
	}
	lost := 0
	for id := range acked {
		if !seen[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged events lost", lost, len(acked))
	}
	t.Logf("%d events acknowledged through both nodes, %d evaluated", len(acked), len(seen))
	a.stop()
}
