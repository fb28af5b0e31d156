package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// everyEvent is a rule that matches every CloudTrail record, folding them
// all into one alert: its events are exactly the events evaluated.
const everyEvent = `id: every-event
title: Every CloudTrail event
severity: info
scenario: data
pattern:
  detail:
    eventSource: [{exists: true}]
`

// killBatch is a CloudTrail file of n records with ids of batch b.
func killBatch(b, n int) ([]byte, []string) {
	var recs, ids []string
	for i := range n {
		id := fmt.Sprintf("k-%d-%d", b, i)
		ids = append(ids, id)
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u%d","userName":"u%d"},"eventTime":"2026-11-20T10:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d","eventID":%q,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
			i%7, i%7, b%60, i%60, i%250, id))
	}
	return []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`), ids
}

// sender sends batches to whichever node is current, and remembers the
// events of the batches acknowledged with 202.
type sender struct {
	t     *testing.T
	node  atomic.Pointer[node]
	token string
	next  atomic.Int64
	mu    sync.Mutex
	acked []string
	sent  atomic.Int64
}

func (s *sender) run(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-stop:
			return
		default:
		}
		b := int(s.next.Add(1))
		body, ids := killBatch(b, 100)
		n := s.node.Load()
		req, _ := http.NewRequest("POST", n.url+"/api/v1/ingest/cloudtrail", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := n.client.Do(req)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue // the node is down: not acknowledged
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusAccepted {
			s.mu.Lock()
			s.acked = append(s.acked, ids...)
			s.mu.Unlock()
		}
		s.sent.Add(1)
	}
}

// TestKill kills vigil serve with SIGKILL while events stream in, starts
// it again, and checks that every event it acknowledged was evaluated,
// once.
func TestKill(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	os.MkdirAll(rules, 0o755)
	os.WriteFile(filepath.Join(rules, "every.yaml"), []byte(everyEvent), 0o644)
	data := filepath.Join(dir, "data")
	args := []string{"--no-builtin", "--rules", rules}
	n := serveNode(t, data, args...)
	admin := n.admin
	tok, _ := token(t, "--data-dir", data, "--role", "ingest", "--name", "load")
	s := &sender{t: t, token: tok}
	s.node.Store(n)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go s.run(stop, &wg)
	}
	eventually(t, 30*time.Second, "batches before the kill", func() bool { return s.sent.Load() > 150 })
	n.kill()
	if !strings.Contains(n.stderr.String(), "vigil serving") {
		t.Fatal("not started")
	}
	n2 := serveNode(t, data, args...)
	s.node.Store(n2)
	before := s.sent.Load()
	eventually(t, 30*time.Second, "batches after the restart", func() bool { return s.sent.Load() > before+100 })
	close(stop)
	wg.Wait()

	s.mu.Lock()
	acked := s.acked
	s.mu.Unlock()
	want := map[string]bool{}
	for _, id := range acked {
		want[id] = true
	}
	var alertID string
	eventually(t, 60*time.Second, "every acknowledged event evaluated", func() bool {
		a := n2.alerts(admin, "rule=every-event")
		if len(a) != 1 {
			return false
		}
		alertID = a[0].ID
		return a[0].Count >= len(want)
	})
	ids := n2.eventIDs(admin, alertID)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("event %s twice", id)
		}
		seen[id] = true
	}
	missing := 0
	for id := range want {
		if !seen[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged events lost", missing, len(want))
	}
	t.Logf("%d events acknowledged, %d evaluated (the rest were sent before the kill but not acknowledged)", len(want), len(ids))
	n2.stop()
}
