package notifytest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string, h ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// TestRefusals checks that the stand-ins refuse what the services
// refuse, with their answers, and record nothing of it.
func TestRefusals(t *testing.T) {
	slack := NewSlack(t)
	pd := NewPagerDuty(t, "key")
	og := NewOpsgenie(t, "key")
	ding := NewDingTalk(t, "tok", "sec")
	wecom := NewWeCom(t, "key")
	feishu := NewFeishu(t, "sec")
	am := NewAlertmanager(t)
	hook := NewWebhook(t, "sec")
	long := strings.Repeat("x", 151)
	for _, tt := range []struct {
		name, url, body string
		h               []string
		status          int
		answer          string
	}{
		{"slack ok", slack.URL, `{"text":"hi"}`, nil, 200, "ok"},
		{"slack empty", slack.URL, `{}`, nil, 400, "no_text"},
		{"slack not json", slack.URL, `{`, nil, 400, "invalid_payload"},
		{"slack unknown field", slack.URL, `{"txt":"a"}`, nil, 400, "invalid_payload"},
		{"slack long header", slack.URL, `{"blocks":[{"type":"header","text":{"type":"plain_text","text":"` + long + `"}}]}`, nil, 400, "invalid_blocks"},
		{"slack mrkdwn header", slack.URL, `{"blocks":[{"type":"header","text":{"type":"mrkdwn","text":"a"}}]}`, nil, 400, "invalid_blocks"},
		{"slack empty section", slack.URL, `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":""}}]}`, nil, 400, "invalid_blocks"},
		{"slack unknown block", slack.URL, `{"blocks":[{"type":"banner"}]}`, nil, 400, "invalid_blocks"},
		{"pd ok", pd.URL, `{"routing_key":"key","event_action":"resolve","dedup_key":"d"}`, nil, 202, "success"},
		{"pd key", pd.URL, `{"routing_key":"other","event_action":"resolve","dedup_key":"d"}`, nil, 400, "Invalid routing key"},
		{"pd action", pd.URL, `{"routing_key":"key","event_action":"fire"}`, nil, 400, "event_action"},
		{"pd severity", pd.URL, `{"routing_key":"key","event_action":"trigger","payload":{"summary":"s","source":"s","severity":"high"}}`, nil, 400, "severity"},
		{"pd summary", pd.URL, `{"routing_key":"key","event_action":"trigger","payload":{"summary":"` + strings.Repeat("s", 1025) + `","source":"s","severity":"info"}}`, nil, 400, "summary"},
		{"pd timestamp", pd.URL, `{"routing_key":"key","event_action":"trigger","payload":{"summary":"s","source":"s","severity":"info","timestamp":"yesterday"}}`, nil, 400, "timestamp"},
		{"og key", og.URL + "v2/alerts", `{"message":"m"}`, []string{"Authorization", "GenieKey nope"}, 401, "authenticate"},
		{"og message", og.URL + "v2/alerts", `{"message":"` + long + `"}`, []string{"Authorization", "GenieKey key"}, 422, "Message"},
		{"og priority", og.URL + "v2/alerts", `{"message":"m","priority":"P0"}`, []string{"Authorization", "GenieKey key"}, 422, "Priority"},
		{"og close type", og.URL + "v2/alerts/x/close?identifierType=name", `{}`, []string{"Authorization", "GenieKey key"}, 422, "identifierType"},
		{"og path", og.URL + "v2/alerts/x/ack", `{}`, []string{"Authorization", "GenieKey key"}, 404, "No such"},
		{"dingtalk token", strings.Replace(ding.URL, "tok", "bad", 1), `{"msgtype":"text","text":{"content":"a"}}`, nil, 200, `"errcode":300001`},
		{"dingtalk unsigned", ding.URL, `{"msgtype":"text","text":{"content":"a"}}`, nil, 200, `"errcode":310000`},
		{"wecom long", wecom.URL, `{"msgtype":"markdown","markdown":{"content":"` + strings.Repeat("x", 4097) + `"}}`, nil, 200, `"errcode":40058`},
		{"wecom empty", wecom.URL, `{"msgtype":"markdown","markdown":{"content":" "}}`, nil, 200, `"errcode":44004`},
		{"wecom ok", wecom.URL, `{"msgtype":"markdown","markdown":{"content":"` + strings.Repeat("x", 4096) + `"}}`, nil, 200, `"errcode":0`},
		{"feishu unsigned", feishu.URL, `{"msg_type":"text","content":{"text":"a"}}`, nil, 200, `"code":19021`},
		{"am empty labels", am.URL + "/api/v2/alerts", `[{"labels":{},"startsAt":"2026-11-20T10:00:00Z","endsAt":"2026-11-20T11:00:00Z"}]`, nil, 400, "label"},
		{"am label name", am.URL + "/api/v2/alerts", `[{"labels":{"a-b":"x"},"startsAt":"2026-11-20T10:00:00Z","endsAt":"2026-11-20T11:00:00Z"}]`, nil, 400, "invalid name"},
		{"am ends before", am.URL + "/api/v2/alerts", `[{"labels":{"a":"x"},"startsAt":"2026-11-20T10:00:00Z","endsAt":"2026-11-20T09:00:00Z"}]`, nil, 400, "before"},
		{"am no start", am.URL + "/api/v2/alerts", `[{"labels":{"a":"x"},"startsAt":"0001-01-01T00:00:00Z","endsAt":"2026-11-20T09:00:00Z"}]`, nil, 400, "start time missing"},
		{"hook unsigned", hook.URL, `{"id":"1"}`, nil, 401, "signature"},
	} {
		status, answer := post(t, tt.url, tt.body, tt.h...)
		if status != tt.status || !strings.Contains(answer, tt.answer) {
			t.Errorf("%s: %d %s, want %d …%s…", tt.name, status, answer, tt.status, tt.answer)
		}
	}
	if len(slack.Received()) != 1 || len(pd.Received()) != 1 || len(og.Received()) != 0 || len(wecom.Received()) != 1 || len(am.Received()) != 0 {
		t.Errorf("recorded: slack %d, pd %d, og %d, wecom %d, am %d", len(slack.Received()), len(pd.Received()), len(og.Received()), len(wecom.Received()), len(am.Received()))
	}
}

func TestWait(t *testing.T) {
	s := NewSlack(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Wait(ctx, 1); err == nil {
		t.Error("Wait returned without a message")
	}
	done := make(chan []SlackMessage)
	go func() {
		got, _ := s.Wait(t.Context(), 2)
		done <- got
	}()
	post(t, s.URL, `{"text":"1"}`)
	post(t, s.URL, `{"text":"2"}`)
	if got := <-done; len(got) != 2 || got[1].Text != "2" {
		t.Errorf("%+v", got)
	}
}

func TestSMTPRefusals(t *testing.T) {
	s := NewSMTP(t, SMTPConfig{NoTLS: true})
	for _, tt := range []struct{ name, data, want string }{
		{"long line", "Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nFrom: a@b.c\r\n\r\n" + strings.Repeat("x", 999) + "\r\n", "554 5.5.2"},
		{"8-bit", "Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nFrom: a@b.c\r\nSubject: é\r\n\r\nx\r\n", "554 5.6.1"},
		{"no date", "From: a@b.c\r\n\r\nx\r\n", "554 5.6.0"},
	} {
		c, err := smtp.Dial(s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Mail("a@b.c")
		c.Rcpt("d@e.f")
		w, _ := c.Data()
		w.Write([]byte(tt.data))
		if err := w.Close(); err == nil || !strings.HasPrefix(err.Error(), tt.want[:3]) || !strings.Contains(err.Error(), tt.want[4:]) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
		c.Close()
	}
	if len(s.Received()) != 0 {
		t.Errorf("%d mails recorded", len(s.Received()))
	}
	auth := NewSMTP(t, SMTPConfig{User: "u", Password: "p", NoTLS: true})
	c, err := smtp.Dial(auth.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("a@b.c"); err == nil || !strings.Contains(err.Error(), "530") {
		t.Errorf("MAIL without AUTH: %v", err)
	}
	// net/smtp turns a bare LF into CRLF: this one is sent raw.
	conn, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "EHLO x\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<d@e.f>\r\nDATA\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nFrom: a@b.c\r\n\r\nbare\nLF\r\n.\r\nQUIT\r\n")
	all, _ := io.ReadAll(conn)
	if !strings.Contains(string(all), "554 5.6.11") {
		t.Errorf("bare LF:\n%s", all)
	}
}
