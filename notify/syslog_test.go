package notify_test

import (
	"strconv"
	"strings"
	"testing"

	"vigil/config"
	"vigil/notify"
	"vigil/notify/notifytest"
)

func syslogIn(t *testing.T, s *notifytest.Syslog, network, format string) notify.Integration {
	t.Helper()
	c := config.SyslogConfig{Network: network, Address: s.Addr, Format: format, Hostname: "vigil-1"}
	if network == "tls" {
		c.TLSConfig.CAFile = notifytest.CAFile(t)
	}
	return one(t, config.Receiver{SyslogConfigs: []config.SyslogConfig{c}}, notify.Options{})
}

func TestSyslog(t *testing.T) {
	for _, network := range []string{"udp", "tcp", "tls"} {
		t.Run(network, func(t *testing.T) {
			s := notifytest.NewSyslog(t, network)
			in := syslogIn(t, s, network, "")
			n := sample()
			if err := in.Notify(ctx(t), n); err != nil {
				t.Fatal(err)
			}
			got, err := s.Wait(ctx(t), 2)
			if err != nil {
				t.Fatal(err)
			}
			if bad := s.Invalid(); len(bad) > 0 {
				t.Fatal(bad)
			}
			m := got[0]
			if m.Facility != 16 || m.Severity != 3 || m.Version != 1 || m.Hostname != "vigil-1" || m.AppName != "vigil" ||
				m.MsgID != "firing" || m.ProcID == "" || m.Timestamp.IsZero() || got[1].Severity != 2 {
				t.Errorf("header %+v", m)
			}
			for _, p := range [][3]string{
				{"alert@32473", "id", "01JDALERT0000000000000001"},
				{"alert@32473", "rule", "aws-iam-access-key-created"},
				{"alert@32473", "severity", "high"},
				{"alert@32473", "count", "3"},
				{"alert@32473", "notification", n.ID},
				{"alert@32473", "url", n.Alerts[0].URL},
				{"alert@32473", "dedup", `{"detail.requestParameters.userName":null,"detail.userIdentity.arn":"arn:aws:iam::111122223333:user/svc-legacy-etl"}`},
				{"entity@32473", "principal", "arn:aws:iam::111122223333:user/svc-legacy-etl"},
				{"entity@32473", "source_ip", "198.51.100.23"},
			} {
				if v, _ := m.Param(p[0], p[1]); v != p[2] {
					t.Errorf("%s %s = %q, want %q", p[0], p[1], v, p[2])
				}
			}
			if !m.BOM || !strings.HasPrefix(m.Msg, "[HIGH] Access key created for another user, 3 events; principal=arn:aws:iam::111122223333:user/svc-legacy-etl; source_ip=198.51.100.23") {
				t.Errorf("MSG %q", m.Msg)
			}
		})
	}
}

func TestSyslogCEF(t *testing.T) {
	s := notifytest.NewSyslog(t, "tcp")
	in := syslogIn(t, s, "tcp", "cef")
	n := sample()
	n.Alerts[0].Rule.Title = "Key | created = bad\\"
	n.Alerts[1].Entities["source_ip"] = []string{"2001:db8::1"}
	if err := in.Notify(ctx(t), n); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Wait(ctx(t), 2)
	if bad := s.Invalid(); len(bad) > 0 {
		t.Fatal(bad)
	}
	c := got[0].CEF
	if c == nil || got[0].SD != nil || got[0].BOM {
		t.Fatalf("%+v", got[0])
	}
	if c.Vendor != "vigil" || c.SignatureID != "aws-iam-access-key-created" || c.Name != "Key | created = bad\\" || c.Severity != "8" {
		t.Errorf("header %+v", c)
	}
	for k, v := range map[string]string{
		"externalId": "01JDALERT0000000000000001", "cnt": "3", "src": "198.51.100.23", "cs1Label": "status", "cs1": "firing",
		"suser": "arn:aws:iam::111122223333:user/svc-legacy-etl", "request": n.Alerts[0].URL, "cs4": n.ID, "cat": "privilege",
		"start": strconv.FormatInt(t0.UnixMilli(), 10),
	} {
		if c.Ext[k] != v {
			t.Errorf("%s = %q, want %q", k, c.Ext[k], v)
		}
	}
	if !strings.HasPrefix(c.Ext["msg"], "[HIGH] Key | created = bad\\, 3 events;") {
		t.Errorf("msg %q", c.Ext["msg"])
	}
	if c6 := got[1].CEF; c6.Ext["c6a2"] != "2001:db8::1" || c6.Ext["src"] != "" || c6.Severity != "10" {
		t.Errorf("IPv6 %v", c6.Ext)
	}
}

func TestSyslogLimits(t *testing.T) {
	for _, format := range []string{"rfc5424", "cef"} {
		s := notifytest.NewSyslog(t, "udp")
		in := syslogIn(t, s, "udp", format)
		n := sample()
		n.Alerts = n.Alerts[:1]
		big := strings.Repeat("ü]\"=\\|", 300)
		n.Alerts[0].Rule.Title = big
		n.Alerts[0].Entities["principal"] = []string{big, big, big}
		n.Alerts[0].URL = "https://vigil.bank.example/" + big
		if err := in.Notify(ctx(t), n); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Wait(ctx(t), 1)
		if bad := s.Invalid(); len(bad) > 0 {
			t.Fatalf("%s: %s", format, bad)
		}
		if v, _ := got[0].Param("alert@32473", "id"); format == "rfc5424" && v != n.Alerts[0].ID {
			t.Errorf("%s: the id was left out", format)
		}
		if format == "cef" && got[0].CEF.Ext["externalId"] != n.Alerts[0].ID {
			t.Errorf("%s: the id was left out: %v", format, got[0].CEF.Ext)
		}
	}
}

func TestSyslogDown(t *testing.T) {
	s := notifytest.NewSyslog(t, "tcp")
	in := syslogIn(t, s, "tcp", "")
	s.SetDown(true)
	if err := in.Notify(ctx(t), sample()); outcome(err) != "retry" {
		t.Errorf("down: %v", err)
	}
	s.SetDown(false)
	if err := in.Notify(ctx(t), sample()); err != nil {
		t.Errorf("up again: %v", err)
	}
	if got, _ := s.Wait(ctx(t), 2); len(got) != 2 {
		t.Errorf("%d messages", len(got))
	}
}
