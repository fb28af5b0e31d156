package logline

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// seeds are lines of every format for the fuzz targets to start from.
var seeds = []string{
	`type=EXECVE msg=audit(1700000000.123:4567): argc=3 a0="sh" a1="-c" a2=6964202D61`,
	`node=h type=USER_CMD msg=audit(1700000000.500:99): pid=1 msg='cwd="/" cmd=6C73 res=success'` + gs + `UID="root" SADDR={ a=b }`,
	`type=AVC msg=audit(1700000000.123:4577): avc:  denied  { read } for  pid=4242 comm="cat" tclass=file`,
	`type=PROCTITLE msg=audit(1700000000.123:4573): proctitle=6375726C002D7300`,
	`<34>Oct 11 22:14:15 mymachine su[1234]: 'su root' failed for lonvick on /dev/pts/8`,
	`Nov  3 04:05:06 mx-1 postfix/smtpd[4321]: connect from unknown[198.51.100.7]`,
	`<191>2024-11-20T08:14:07.123456+01:00 bastion-1 sshd[2231]: Failed password`,
	`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\"lication"][x a="\]"] An application event`,
	"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed",
	`203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
	`2001:db8::17 - - [21/Nov/2026:14:31:02 +0530] "\x16\x03\x01" 400 - "-" "a \"b\" \\c"`,
	`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50126] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
	`[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test`,
	`[Sat Nov 21 09:01:02 2026] [ssl:trace3] [pid 1] ssl_engine_io.c(2253): (104)Connection reset by peer: [client ::1:5555] caf\xc3\xa9 \\ \q`,
	`[Sat Nov 21 09:01:02 2026] [proxy:error] [pid 123:tid 4] (EAI 2)Name or service not known: AH00898: DNS lookup failure`,
	`2011/06/10 13:30:10 [error] 1234#0: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"`,
	`2026/11/21 09:01:02 [error] 31#31: *7 connect() failed while connecting to upstream, client: 2001:db8::17, server: , request: "POST /", host: "a", subrequest: "/b", upstream: "http://127.0.0.1:8080/api", host: "example.com", referrer: "https://example.com/"`,
	`2026/11/21 09:01:02 [error] 1#1: *1 open() "/srv/, client: 10.0.0.1, server: b, referrer: "" failed, client: 198.51.100.7, server: a`,
	`2024/01/15 08:00:00 [notice] 1#1: signal 17 (SIGCHLD) received from 30`,
}

// fuzzParse checks that a line parses into a valid JSON object with no
// repeated key appended to dst, or fails with a *SyntaxError and dst as
// it was.
func fuzzParse(t *testing.T, f Format, line []byte) {
	prefix := []byte(`{"previous":1}` + "\n")
	out, err := ParseWith(prefix, f, line, now)
	if err != nil {
		var se *SyntaxError
		if f != Unknown && !errors.As(err, &se) {
			t.Fatalf("%q: not a *SyntaxError: %v", line, err)
		}
		if string(out) != string(prefix) {
			t.Fatalf("%q: dst changed on error %v: %q", line, err, out)
		}
		return
	}
	if err := checkObject(prefix, out); err != nil {
		t.Fatalf("%q: %v:\n%s", line, err, out)
	}
}

func fuzzFormat(f *testing.F, format Format) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) { fuzzParse(t, format, line) })
}

func FuzzAuditd(f *testing.F)   { fuzzFormat(f, Auditd) }
func FuzzSyslog(f *testing.F)   { fuzzFormat(f, Syslog) }
func FuzzCombined(f *testing.F) { fuzzFormat(f, Combined) }
func FuzzErrorLog(f *testing.F) { fuzzFormat(f, ErrorLog) }

// FuzzParse parses lines in the format Detect finds.
func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) { fuzzParse(t, Detect(line), line) })
}

// FuzzProcess assembles a process from records split out of the input:
// the result must be a JSON object and the input left unchanged.
func FuzzProcess(f *testing.F) {
	f.Add([]byte("type=SYSCALL msg=audit(1.5:1): exe=\"/bin/x\" uid=0\x1dUID=\"root\"\ntype=EXECVE msg=audit(1.5:1): argc=2 a0=\"x\" a1_len=4 a1[0]=4142 a1[1]=4344\ntype=CWD msg=audit(1.5:1): cwd=\"/\""))
	f.Fuzz(func(t *testing.T, in []byte) {
		keep := bytes.Clone(in)
		out, ok := Process([]byte("["), bytes.Split(in, []byte{'\n'}))
		if !bytes.Equal(in, keep) {
			t.Fatal("input changed")
		}
		if ok && !json.Valid(out[1:]) {
			t.Fatalf("invalid JSON %s", out)
		}
		if !ok && string(out) != "[" {
			t.Fatalf("dst changed: %q", out)
		}
	})
}
