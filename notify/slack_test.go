package notify_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

const slackToken = "XXXXXXXXXXXXXXXXXXXXXXXX"

func slackIn(t *testing.T, url string, c config.SlackConfig, o notify.Options) notify.Integration {
	t.Helper()
	c.APIURL = config.Secret(url)
	return one(t, config.Receiver{SlackConfigs: []config.SlackConfig{c}}, o)
}

func TestSlack(t *testing.T) {
	s := notifytest.NewSlack(t)
	in := slackIn(t, s.URL, config.SlackConfig{Channel: "#secops", Username: "vigil"}, notify.Options{})
	if in.String() != "slack[0]" || in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	n.Alerts[1].Entities["user_agent"] = []string{"<https://evil.example|click here> & *bold*"}
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	m := s.Received()[0]
	title := "CRITICAL: Access key created for another user, Root account sign-in (2 alerts)"
	if m.Channel != "#secops" || m.Username != "vigil" || m.Text != title {
		t.Errorf("channel %q, username %q, text %q", m.Channel, m.Username, m.Text)
	}
	if len(m.Blocks) != 2 || m.Blocks[0].Type != "header" || m.Blocks[0].Text.Text != title || m.Blocks[1].Text.Type != "mrkdwn" {
		t.Fatalf("blocks %+v", m.Blocks)
	}
	body := m.Blocks[1].Text.Text
	for _, want := range []string{
		"*HIGH* Access key created for another user, 3 events\n",
		"- principal: `arn:aws:iam::111122223333:user/svc-legacy-etl`\n- source_ip: `198.51.100.23`\n- account: `111122223333`\n",
		"- dedup: detail.requestParameters.userName=(none), detail.userIdentity.arn=`arn:aws:iam::111122223333:user/svc-legacy-etl`\n",
		"- rule `aws-iam-access-key-created`, alert `01JDALERT0000000000000001`: <https://vigil.bank.example/alerts/01JDALERT0000000000000001|open in vigil>",
		"*CRITICAL* Root account sign-in, 3 events",
		"- user_agent: `&lt;https://evil.example|click here&gt; &amp; *bold*`",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the text lacks %q:\n%s", want, body)
		}
	}
	refused := slackIn(t, "http://"+notifytest.ClosedAddr(t)+"/services/T0/B0/"+slackToken, config.SlackConfig{}, notify.Options{})
	testFailures(t, in, s, n, slackToken, refused)

	s.Fail(notifytest.Reply{Status: 200, Body: "not ok"})
	if err := in.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("200 not ok: %v", err)
	}
}

func TestSlackLimits(t *testing.T) {
	s := notifytest.NewSlack(t)
	in := slackIn(t, s.URL, config.SlackConfig{}, notify.Options{})
	n := many(100)
	long := strings.Repeat("長い規則の名前 ", 40)
	for i := range n.Alerts {
		n.Alerts[i].Rule.Title = long
	}
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	m := s.Received()[0]
	head, body := m.Blocks[0].Text.Text, m.Blocks[1].Text.Text
	if utf8.RuneCountInString(head) > 150 || !strings.HasSuffix(head, "…") {
		t.Errorf("header of %d characters: %q", utf8.RuneCountInString(head), head)
	}
	if utf8.RuneCountInString(body) > 3000 || !strings.Contains(body, "more alerts not shown: <https://vigil.bank.example|console>") {
		t.Errorf("section of %d characters, ending %q", utf8.RuneCountInString(body), body[max(0, len(body)-200):])
	}
	if !strings.Contains(body, "`01JDALERT0000000000000000`") {
		t.Error("the first alert is not shown")
	}
}

func TestSlackTemplates(t *testing.T) {
	s := notifytest.NewSlack(t)
	var logs bytes.Buffer
	o := notify.Options{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	custom := slackIn(t, s.URL, config.SlackConfig{
		Title: `{{ .Receiver }}: {{ .Total }} {{ .Severity }}`,
		Text:  `{{ range .Firing }}{{ code .ID }} {{ link .URL (text .Rule.Title) }}{{ "\n" }}{{ end }}`,
	}, o)
	if err := custom.Notify(ctx(t), sample()); err != nil {
		t.Fatal(err)
	}
	m := s.Received()[0]
	if m.Blocks[0].Text.Text != "secops: 2 critical" ||
		!strings.HasPrefix(m.Blocks[1].Text.Text, "`01JDALERT0000000000000001` <https://vigil.bank.example/alerts/01JDALERT0000000000000001|Access key created for another user>\n") {
		t.Errorf("custom templates: %q / %q", m.Blocks[0].Text.Text, m.Blocks[1].Text.Text)
	}
	// A template that fails when it runs falls back to the default.
	broken := slackIn(t, s.URL, config.SlackConfig{Title: `{{ (index .Alerts 7).ID }}`}, o)
	if err := broken.Notify(ctx(t), sample()); err != nil {
		t.Fatal(err)
	}
	if m := s.Received()[1]; !strings.HasPrefix(m.Blocks[0].Text.Text, "CRITICAL: ") {
		t.Errorf("broken template: %q", m.Blocks[0].Text.Text)
	}
	if !strings.Contains(logs.String(), "template failed") || !strings.Contains(logs.String(), "field=title") {
		t.Errorf("nothing logged: %s", logs.String())
	}
	// One that does not parse is refused when built.
	if _, err := notify.New(config.Receiver{Name: "x", SlackConfigs: []config.SlackConfig{{APIURL: "http://x", Text: "{{ .Nope"}}}, notify.Options{}); err == nil {
		t.Error("a template that does not parse was taken")
	}
}
