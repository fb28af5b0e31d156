package notify_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

const genieKey = "eb243592-faa2-4ba2-a551-1afdf565c889"

func ogIn(t *testing.T, url string, c config.OpsgenieConfig) notify.Integration {
	t.Helper()
	c.APIURL, c.APIKey = url, genieKey
	return one(t, config.Receiver{OpsgenieConfigs: []config.OpsgenieConfig{c}}, notify.Options{})
}

func TestOpsgenie(t *testing.T) {
	s := notifytest.NewOpsgenie(t, genieKey)
	in := ogIn(t, s.URL, config.OpsgenieConfig{})
	if in.String() != "opsgenie[0]" || !in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if err := in.Notify(ctx(t), resolved()); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(n.GroupKey))
	alias := hex.EncodeToString(h[:])
	got := s.Received()
	c := got[0].Create
	if got[0].Action != "create" || c.Alias != alias || c.Priority != "P1" || c.Source != "vigil" ||
		c.Message != "CRITICAL: Access key created for another user, Root account sign-in (2 alerts)" {
		t.Errorf("create %+v", got[0])
	}
	if strings.Join(c.Tags, ",") != "vigil,critical,privilege" || c.Details["rules"] != "aws-iam-access-key-created, aws-root-sign-in" ||
		c.Details["alerts"] != "01JDALERT0000000000000001, 01JDALERT0000000000000002" || c.Details["console"] != n.ExternalURL {
		t.Errorf("tags %q, details %v", c.Tags, c.Details)
	}
	if !strings.Contains(c.Description, "- source_ip: 198.51.100.23\n") || !strings.Contains(c.Description, n.Alerts[0].URL) {
		t.Errorf("description:\n%s", c.Description)
	}
	if cl := got[1]; cl.Action != "close" || cl.Identifier != alias || cl.IdentifierType != "alias" || cl.Close.Source != "vigil" {
		t.Errorf("close %+v", cl)
	}
	refused := ogIn(t, "http://"+notifytest.ClosedAddr(t)+"/", config.OpsgenieConfig{})
	testFailures(t, in, s, n, genieKey, refused)

	empty := ogIn(t, s.URL, config.OpsgenieConfig{Message: `{{ if false }}never{{ end }}`})
	if err := empty.Notify(ctx(t), n); err != nil {
		t.Fatalf("an empty message: %v", err)
	}
	if got := s.Received(); got[len(got)-1].Create.Message != "vigil alert" {
		t.Errorf("an empty message became %q", got[len(got)-1].Create.Message)
	}
	wrong := one(t, config.Receiver{OpsgenieConfigs: []config.OpsgenieConfig{{APIURL: s.URL, APIKey: "nope"}}}, notify.Options{})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) || strings.Contains(err.Error(), "nope") {
		t.Errorf("wrong key: %v", err)
	}
}

func TestOpsgenieFields(t *testing.T) {
	s := notifytest.NewOpsgenie(t, genieKey)
	for _, tt := range []struct {
		sev      string
		c        config.OpsgenieConfig
		priority string
		tags     string
	}{
		{"critical", config.OpsgenieConfig{}, "P1", "vigil,critical,privilege"},
		{"high", config.OpsgenieConfig{}, "P2", "vigil,high,privilege"},
		{"medium", config.OpsgenieConfig{}, "P3", "vigil,medium,privilege"},
		{"low", config.OpsgenieConfig{}, "P4", "vigil,low,privilege"},
		{"info", config.OpsgenieConfig{Priority: "P2", Tags: " bank, aws ,"}, "P2", "bank,aws"},
	} {
		n := sample()
		n.Alerts = n.Alerts[:1]
		n.Alerts[0].Rule.Severity = tt.sev
		n.Alerts[0].Rule.Title = strings.Repeat("访问密钥", 50) // 200 characters
		if err := ogIn(t, s.URL, tt.c).Notify(ctx(t), n); err != nil {
			t.Fatal(err)
		}
		got := s.Received()
		c := got[len(got)-1].Create
		if c.Priority != tt.priority || strings.Join(c.Tags, ",") != tt.tags {
			t.Errorf("%s: priority %s, tags %q; want %s, %q", tt.sev, c.Priority, c.Tags, tt.priority, tt.tags)
		}
		if n := utf8.RuneCountInString(c.Message); n > 130 || !strings.HasSuffix(c.Message, "…") {
			t.Errorf("message of %d characters", n)
		}
	}
}
