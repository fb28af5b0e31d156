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
