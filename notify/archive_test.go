package notify_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	o := notify.Options{DataDir: dir}
	in := one(t, config.Receiver{FileConfigs: []config.FileConfig{{Path: "archive/alerts.ndjson"}}}, o)
	n := sample()
	for range 2 { // a retry writes its lines again
		if err := in.Notify(ctx(t), n); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Notify(ctx(t), resolved()); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "archive", "alerts.ndjson")
	lines := readLines(t, p)
	if len(lines) != 6 {
		t.Fatalf("%d lines", len(lines))
	}
	var l notify.FileLine
	if err := json.Unmarshal([]byte(lines[1]), &l); err != nil {
		t.Fatal(err)
	}
	if l.NotificationID != n.ID || l.Receiver != "secops" || l.ID != n.Alerts[1].ID || l.Rule.Title != "Root account sign-in" ||
		!l.Notified.Equal(n.Created) || l.Entities["source_ip"][0] != "198.51.100.23" || l.URL != n.Alerts[1].URL {
		t.Errorf("line %s", lines[1])
	}
	if !strings.Contains(lines[5], `"status":"resolved"`) {
		t.Errorf("resolved line %s", lines[5])
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%v %v", fi.Mode(), err)
	}
	def := one(t, config.Receiver{FileConfigs: []config.FileConfig{{}}}, o)
	if err := def.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if len(readLines(t, filepath.Join(dir, "notifications.ndjson"))) != 2 {
		t.Error("the default file")
	}
	if _, err := notify.New(config.Receiver{Name: "x", FileConfigs: []config.FileConfig{{}}}, notify.Options{}); err == nil {
		t.Error("a relative path without a data directory")
	}
	ro := one(t, config.Receiver{FileConfigs: []config.FileConfig{{Path: filepath.Join(write(t, dir, "plain", ""), "under-a-file")}}}, o)
	if err := ro.Notify(ctx(t), n); err == nil || notify.IsPermanent(err) {
		t.Errorf("a path under a file: %v", err)
	}
}

func readLines(t *testing.T, p string) []string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func natsServer(t *testing.T) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(30 * time.Second) {
		t.Fatal("NATS did not start")
	}
	return ns
}

func TestNATS(t *testing.T) {
	ns := natsServer(t)
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	o := notify.Options{NATS: nc}

	// A subject no stream captures: a plain publication.
	sub, err := nc.SubscribeSync("alerts.core")
	if err != nil {
		t.Fatal(err)
	}
	n := sample()
	if err := one(t, config.Receiver{NATSConfigs: []config.NATSConfig{{Subject: "alerts.core"}}}, o).Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	msg, err := sub.NextMsgWithContext(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var got notify.Notification
	if err := json.Unmarshal(msg.Data, &got); err != nil || got.ID != n.ID || len(got.Alerts) != 2 || msg.Header.Get("Nats-Msg-Id") != n.ID {
		t.Errorf("%s %v: %v", msg.Data, msg.Header, err)
	}

	// A subject a stream captures: stored once, however often sent.
	js, _ := jetstream.New(nc)
	st, err := js.CreateStream(ctx(t), jetstream.StreamConfig{Name: "NOTIFY", Subjects: []string{"alerts.js"}, Duplicates: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	in := one(t, config.Receiver{NATSConfigs: []config.NATSConfig{{Subject: "alerts.js"}}}, o)
	for range 2 {
		if err := in.Notify(ctx(t), n); err != nil {
			t.Fatal(err)
		}
	}
	other := sample()
	other.ID = "01JD0000000000000000000002"
	if err := in.Notify(ctx(t), other); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx(t))
	if err != nil || info.State.Msgs != 2 {
		t.Errorf("%d messages in the stream, want 2 (%v)", info.State.Msgs, err)
	}

	// Another NATS, by URL.
	own := one(t, config.Receiver{NATSConfigs: []config.NATSConfig{{Subject: "alerts.core", URL: ns.ClientURL()}}}, notify.Options{})
	if err := own.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.NextMsgWithContext(ctx(t)); err != nil {
		t.Fatal(err)
	}
	own.(interface{ Close() error }).Close()

	if _, err := notify.New(config.Receiver{Name: "x", NATSConfigs: []config.NATSConfig{{Subject: "a"}}}, notify.Options{}); err == nil {
		t.Error("no NATS to publish on")
	}
	down := one(t, config.Receiver{NATSConfigs: []config.NATSConfig{{Subject: "a", URL: "nats://" + notifytest.ClosedAddr(t)}}}, notify.Options{})
	if err := down.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("NATS down: %v", err)
	}
}

func TestAlertmanager(t *testing.T) {
	s := notifytest.NewAlertmanager(t)
	s.Require("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("vigil:am-pass")))
	pw := write(t, t.TempDir(), "pw", "am-pass\n")
	c := config.AlertmanagerConfig{URL: s.URL + "/", HTTPConfig: config.HTTPConfig{BasicAuth: &config.BasicAuth{Username: "vigil", PasswordFile: pw}}}
	in := one(t, config.Receiver{AlertmanagerConfigs: []config.AlertmanagerConfig{c}}, notify.Options{})
	n := sample()
	n.Alerts[0].Labels["bad-name"] = "x"
	n.Alerts[0].Labels["empty"] = ""
	before := time.Now()
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if err := in.Notify(ctx(t), resolved()); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	if len(got) != 4 {
		t.Fatalf("%d alerts", len(got))
	}
	a := got[0]
	if a.Labels["alertname"] != "Access key created for another user" || a.Labels["alert_id"] != n.Alerts[0].ID || a.Labels["bad_name"] != "x" ||
		a.Labels["rule"] != "aws-iam-access-key-created" || a.GeneratorURL != n.Alerts[0].URL {
		t.Errorf("labels %v", a.Labels)
	}
	if _, ok := a.Labels["empty"]; ok {
		t.Error("an empty label was sent")
	}
	if a.Annotations["entity_principal"] != "arn:aws:iam::111122223333:user/svc-legacy-etl" || a.Annotations["url"] != n.Alerts[0].URL ||
		!strings.HasPrefix(a.Annotations["summary"], "[HIGH] Access key created") || a.Annotations["count"] != "3" {
		t.Errorf("annotations %v", a.Annotations)
	}
	if !a.StartsAt.Equal(n.Alerts[0].StartsAt) || a.EndsAt.Before(before.Add(24*time.Hour-time.Minute)) {
		t.Errorf("firing from %s to %s", a.StartsAt, a.EndsAt)
	}
	if r := got[2]; !r.EndsAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("resolved at %s", r.EndsAt)
	}
	wrong := one(t, config.Receiver{AlertmanagerConfigs: []config.AlertmanagerConfig{{URL: s.URL}}}, notify.Options{})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) {
		t.Errorf("without authorization: %v", err)
	}
	refused := one(t, config.Receiver{AlertmanagerConfigs: []config.AlertmanagerConfig{{URL: "http://" + notifytest.ClosedAddr(t)}}}, notify.Options{})
	testFailures(t, in, s, n, "am-pass", refused)
}
