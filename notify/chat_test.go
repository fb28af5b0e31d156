package notify_test

import (
	"strings"
	"testing"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

const (
	dingToken  = "d1ngt0k3n0000000000000000000000000000000000000000000000000000000"
	dingSecret = "SEC0123456789abcdef"
	wecomKey   = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
)

func chat(url string, c config.ChatConfig) config.ChatConfig {
	c.URL = config.Secret(url)
	return c
}

func TestDingtalk(t *testing.T) {
	s := notifytest.NewDingTalk(t, dingToken, dingSecret)
	in := one(t, config.Receiver{DingtalkConfigs: []config.DingtalkConfig{{ChatConfig: chat(s.URL, config.ChatConfig{}), Secret: dingSecret}}}, notify.Options{})
	if in.String() != "dingtalk[0]" || !in.SendResolved() {
		t.Errorf("%s, send resolved %v", in, in.SendResolved())
	}
	n := sample()
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	m := s.Received()[0]
	title := "CRITICAL: Access key created for another user, Root account sign-in (2 alerts)"
	if m.Msgtype != "markdown" || m.Markdown.Title != title || m.Sign == "" || m.Timestamp == "" {
		t.Errorf("message %+v", m)
	}
	for _, want := range []string{
		"#### CRITICAL: Access key created for another user, Root account sign-in (2 alerts)\n\n",
		"**HIGH** Access key created for another user, 3 events\n- principal: `arn:aws:iam::111122223333:user/svc-legacy-etl`\n",
		"[open in vigil](https://vigil.bank.example/alerts/01JDALERT0000000000000001)",
	} {
		if !strings.Contains(m.Markdown.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, m.Markdown.Text)
		}
	}
	// Without the secret, the robot refuses: for good.
	unsigned := one(t, config.Receiver{DingtalkConfigs: []config.DingtalkConfig{{ChatConfig: chat(s.URL, config.ChatConfig{})}}}, notify.Options{})
	if err := unsigned.Notify(ctx(t), n); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "310000") {
		t.Errorf("unsigned: %v", err)
	}
	for _, tt := range []struct {
		body, want string
	}{
		{`{"errcode":410100,"errmsg":"send too fast, exceed 20 times per minute"}`, "retry"},
		{`{"errcode":-1,"errmsg":"system busy"}`, "retry"},
		{`{"errcode":300001,"errmsg":"token is not exist"}`, "permanent"},
		{`<html>gateway</html>`, "retry"},
	} {
		s.Fail(notifytest.Reply{Status: 200, Body: tt.body})
		if err := in.Notify(ctx(t), n); outcome(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.body, err, tt.want)
		}
	}
	refused := one(t, config.Receiver{DingtalkConfigs: []config.DingtalkConfig{{ChatConfig: chat("http://"+notifytest.ClosedAddr(t)+"/robot/send?access_token="+dingToken, config.ChatConfig{})}}}, notify.Options{})
	testFailures(t, in, s, n, dingToken, refused)
}

func TestWecom(t *testing.T) {
	s := notifytest.NewWeCom(t, wecomKey)
	in := one(t, config.Receiver{WecomConfigs: []config.WecomConfig{{ChatConfig: chat(s.URL, config.ChatConfig{})}}}, notify.Options{})
	if in.String() != "wecom[0]" {
		t.Error(in)
	}
	n := many(60)
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	c := s.Received()[0].Markdown.Content
	if len(c) > 4096 || !strings.HasPrefix(c, "#### HIGH: Access key created for another user (60 alerts)\n\n**HIGH**") ||
		!strings.Contains(c, "more alerts not shown: [console](https://vigil.bank.example)") {
		t.Errorf("content of %d bytes:\n%s", len(c), c)
	}
	for _, tt := range []struct{ body, want string }{
		{`{"errcode":45009,"errmsg":"api freq out of limit"}`, "retry"},
		{`{"errcode":93000,"errmsg":"invalid webhook url"}`, "permanent"},
	} {
		s.Fail(notifytest.Reply{Status: 200, Body: tt.body})
		if err := in.Notify(ctx(t), n); outcome(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.body, err, tt.want)
		}
	}
	wrong := one(t, config.Receiver{WecomConfigs: []config.WecomConfig{{ChatConfig: chat(strings.Replace(s.URL, wecomKey, "other", 1), config.ChatConfig{})}}}, notify.Options{})
	if err := wrong.Notify(ctx(t), n); !notify.IsPermanent(err) || strings.Contains(err.Error(), "other") {
		t.Errorf("wrong key: %v", err)
	}
	refused := one(t, config.Receiver{WecomConfigs: []config.WecomConfig{{ChatConfig: chat("http://"+notifytest.ClosedAddr(t)+"/cgi-bin/webhook/send?key="+wecomKey, config.ChatConfig{})}}}, notify.Options{})
	testFailures(t, in, s, n, wecomKey, refused)
}

func TestFeishu(t *testing.T) {
	const secret = "feishu-signing-secret"
	s := notifytest.NewFeishu(t, secret)
	in := one(t, config.Receiver{FeishuConfigs: []config.FeishuConfig{{ChatConfig: chat(s.URL, config.ChatConfig{Title: "vigil: {{ .Total }} alerts"}), Secret: secret}}}, notify.Options{})
	if in.String() != "feishu[0]" {
		t.Error(in)
	}
	n := many(200)
	n.Alerts[0].Rule.Severity = "critical"
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	if err := in.Notify(ctx(t), resolved()); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	m := got[0]
	if m.MsgType != "interactive" || m.Card.Header.Title.Content != "vigil: 200 alerts" || m.Card.Header.Template != "red" ||
		m.Card.Elements[0].Tag != "markdown" || !strings.Contains(m.Card.Elements[0].Content, "more alerts not shown") {
		t.Errorf("message %+v", m)
	}
	if got[1].Card.Header.Template != "green" {
		t.Errorf("resolved: %+v", got[1].Card.Header)
	}
	unsigned := one(t, config.Receiver{FeishuConfigs: []config.FeishuConfig{{ChatConfig: chat(s.URL, config.ChatConfig{})}}}, notify.Options{})
	if err := unsigned.Notify(ctx(t), n); !notify.IsPermanent(err) || !strings.Contains(err.Error(), "19021") {
		t.Errorf("unsigned: %v", err)
	}
	s.Fail(notifytest.Reply{Status: 200, Body: `{"code":11232,"msg":"frequency limited"}`})
	if err := in.Notify(ctx(t), n); outcome(err) != "retry" {
		t.Errorf("rate limited: %v", err)
	}
	refused := one(t, config.Receiver{FeishuConfigs: []config.FeishuConfig{{ChatConfig: chat("http://"+notifytest.ClosedAddr(t)+"/open-apis/bot/v2/hook/tok", config.ChatConfig{})}}}, notify.Options{})
	testFailures(t, in, s, n, "", refused)
}
