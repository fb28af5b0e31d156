package logline

import (
	"errors"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		line string
		want Format
	}{
		{`type=EXECVE msg=audit(1700000000.123:4567): argc=1 a0="id"`, Auditd},
		{`node=host1 type=EXECVE msg=audit(1700000000.123:4567): argc=1 a0="id"`, Auditd},
		{`<34>Oct 11 22:14:15 mymachine su: 'su root' failed`, Syslog},
		{`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - x`, Syslog},
		{`Nov 20 08:14:07 bastion-1 sshd[2231]: Accepted publickey`, Syslog},
		{`Nov  3 08:14:07 bastion-1 sshd[2231]: Accepted publickey`, Syslog},
		{`2024-11-20T08:14:07.123456+01:00 bastion-1 sshd[2231]: Accepted publickey`, Syslog},
		{`203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Combined},
		{`2001:db8::1 - - [10/Oct/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Combined},
		{`Octopus.example.com - - [10/Oct/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Combined},
		{`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] AH00128: x`, ErrorLog},
		{`[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied`, ErrorLog},
		{`[Tue Feb  3 00:00:00 2026] [notice] x`, ErrorLog},
		{`2011/06/10 13:30:10 [error] 1234#0: *1 open() failed`, ErrorLog},
		{`2024/01/15 08:00:00 [notice] 1#1: signal 17 (SIGCHLD) received from 30`, ErrorLog},
		{`[Fri Sep 09 10:42:29,902022 2011] [core:error] x`, Unknown},
		{`[Fri Sep 09 10:42 2011] [error] x`, Unknown},
		{`[Fri] [error] x`, Unknown},
		{`[Fry Sep 09 10:42:29 2011] [error] x`, Unknown},
		{`[{"type":"EXECVE"}]`, Unknown},
		{`[]`, Unknown},
		{`2011/06/10 13:30:10 error 1234#0: x`, Unknown},
		{`2011/06/10 13:30 [error] 1234#0: x`, Unknown},
		{`2011-06-10 13:30:10 [error] 1234#0: x`, Unknown},
		{`{"type":"EXECVE"}`, Unknown},
		{`{"eventVersion":"1.08"}`, Unknown},
		{``, Unknown},
		{`----`, Unknown},
		{`time->Tue Nov 14 22:13:20 2023`, Unknown},
		{`<>Oct 11 22:14:15 h x`, Unknown},
		{`<1234>Oct 11 22:14:15 h x`, Unknown},
		{`Nov 20 08:14 bastion-1 sshd: x`, Unknown},
		{`Nov 20 08:14:07`, Unknown},
		{`2024-11-20 08:14:07 bastion-1 sshd: x`, Unknown},
		{`203.0.113.50 - frank [10/10/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Unknown},
		{`203.0.113.50 hello world`, Unknown},
		{`"203.0.113.50" - - [10/Oct/2026:13:55:36 -0700] "GET / HTTP/1.0" 200 2326`, Unknown},
	} {
		if got := Detect([]byte(tt.line)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{Unknown: "unknown", Auditd: "auditd", Syslog: "syslog", Combined: "combined", ErrorLog: "errorlog", 9: "Format(9)"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", f, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, f := range []Format{Auditd, Syslog, Combined, ErrorLog} {
		_, err := Parse(nil, f, []byte("\r\n"))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Format != f || !strings.Contains(err.Error(), "empty line at byte 0") {
			t.Errorf("%v: empty line: %v", f, err)
		}
	}
	for _, f := range []Format{Unknown, 5} {
		if out, err := Parse([]byte("x"), f, []byte("type=X")); err == nil || string(out) != "x" {
			t.Errorf("%v: got %q, %v; want an error", f, out, err)
		}
	}
}
