package notify_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2026, 11, 20, 9, 58, 3, 0, time.UTC)

// alert returns a firing alert of rule id with severity sev.
func alert(id, rule, title, sev string) notify.Alert {
	first, last := t0, t0.Add(5*time.Minute)
	arn := "arn:aws:iam::111122223333:user/svc-legacy-etl"
	return notify.Alert{
		ID:     id,
		Status: "firing",
		Labels: map[string]string{"alertname": title, "rule": rule, "severity": sev, "account": "111122223333"},
		Rule:   notify.Rule{ID: rule, Title: title, Severity: sev, Scenario: "privilege", Tags: []string{"attack.t1098.001"}, Description: "Someone made an access key."},
		Dedup:  map[string]*string{"detail.userIdentity.arn": &arn, "detail.requestParameters.userName": nil},
		Entities: map[string][]string{
			"principal": {arn}, "source_ip": {"198.51.100.23"}, "account": {"111122223333"},
			"access_key": {"AKIAEXAMPLELEGACY001"}, "user_agent": {"aws-cli/2.15.10"},
		},
		Count: 3, FirstSeen: &first, LastSeen: &last, StartsAt: t0.Add(time.Minute),
		URL: "https://vigil.bank.example/alerts/" + id,
	}
}

// sample returns a firing notification of two alerts.
func sample() *notify.Notification {
	return &notify.Notification{
		ID: "01JD0000000000000000000001", Receiver: "secops", GroupKey: `{}:{rule="aws-iam-access-key-created"}`,
		Status:       "firing",
		GroupLabels:  map[string]string{"rule": "aws-iam-access-key-created"},
		CommonLabels: map[string]string{"account": "111122223333"},
		Alerts: []notify.Alert{
			alert("01JDALERT0000000000000001", "aws-iam-access-key-created", "Access key created for another user", "high"),
			alert("01JDALERT0000000000000002", "aws-root-sign-in", "Root account sign-in", "critical"),
		},
		ExternalURL: "https://vigil.bank.example",
		Created:     t0.Add(2 * time.Minute),
	}
}

// resolved returns sample with every alert resolved.
func resolved() *notify.Notification {
	n := sample()
	n.Status = "resolved"
	end := t0.Add(time.Hour)
	for i := range n.Alerts {
		n.Alerts[i].Status, n.Alerts[i].EndsAt = "resolved", &end
	}
	return n
}

// many returns a notification of n alerts.
func many(n int) *notify.Notification {
	s := sample()
	s.Alerts = nil
	for i := range n {
		s.Alerts = append(s.Alerts, alert(fmt.Sprintf("01JDALERT%016d", i), "aws-iam-access-key-created", "Access key created for another user", "high"))
	}
	return s
}

// one builds the only integration of r.
func one(t *testing.T, r config.Receiver, o notify.Options) notify.Integration {
	t.Helper()
	if r.Name == "" {
		r.Name = "secops"
	}
	ins, err := notify.New(r, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 {
		t.Fatalf("%d integrations, want 1", len(ins))
	}
	return ins[0]
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

// outcome names what an error says to the caller.
func outcome(err error) string {
	switch d, ok := notify.RetryAfter(err); {
	case err == nil:
		return "ok"
	case ok:
		return "retry after " + d.String()
	case notify.IsPermanent(err):
		return "permanent"
	}
	return "retry"
}

// failures are the answers every HTTP integration must classify alike.
var failures = []struct {
	name  string
	reply notifytest.Reply
	want  string
}{
	{"400", notifytest.Reply{Status: 400, Body: `{"error":"bad"}`}, "permanent"},
	{"401", notifytest.Reply{Status: 401}, "permanent"},
	{"404", notifytest.Reply{Status: 404}, "permanent"},
	{"408", notifytest.Reply{Status: 408}, "retry"},
	{"429", notifytest.Reply{Status: 429}, "retry"},
	{"429 retry-after", notifytest.Reply{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, "retry after 7s"},
	{"500", notifytest.Reply{Status: 500}, "retry"},
	{"503 retry-after", notifytest.Reply{Status: 503, Header: http.Header{"Retry-After": {"120"}}}, "retry after 2m0s"},
	{"302", notifytest.Reply{Status: 302, Header: http.Header{"Location": {"http://elsewhere.example/"}}}, "permanent"},
}

// failing is what an HTTP stand-in has: queued answers, and down.
type failing interface {
	Fail(...notifytest.Reply)
	SetDown(bool)
	Requests() int
}

// testFailures checks that in classifies failures, a server that is
// down, and one that refuses connections, and that its errors do not
// quote the secret part of its URL.
func testFailures(t *testing.T, in notify.Integration, s failing, n *notify.Notification, secret string, refused notify.Integration) {
	t.Helper()
	for _, f := range failures {
		s.Fail(f.reply)
		err := in.Notify(ctx(t), n)
		if got := outcome(err); got != f.want {
			t.Errorf("%s: %s (%v), want %s", f.name, got, err, f.want)
		}
		if err != nil && secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error quotes the secret: %v", f.name, err)
		}
	}
	s.SetDown(true)
	if err := in.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("down: %v, want a retry", err)
	}
	s.SetDown(false)
	if err := in.Notify(ctx(t), n); err != nil {
		t.Errorf("up again: %v", err)
	}
	if refused != nil {
		err := refused.Notify(ctx(t), n)
		if outcome(err) != "retry" {
			t.Errorf("connection refused: %v, want a retry", err)
		}
		if err != nil && secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("connection refused: the error quotes the secret: %v", err)
		}
	}
}

// write writes a file in dir and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := dir + "/" + name
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
