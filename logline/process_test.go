package logline

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProcess(t *testing.T) {
	records := []string{
		`node=db-1 type=SYSCALL msg=audit(1700000000.123:4570): arch=c000003e syscall=59 success=yes exit=0 a0=55d5e0 a1=55d5e1 items=2 ppid=812 pid=4242 auid=1000 uid=0 tty=pts0 ses=3 comm="curl" exe=2F746D702F6D79207363726970742E7368 key="exec"` +
			gs + `ARCH=x86_64 SYSCALL=execve AUID="alice" UID="root"`,
		`node=db-1 type=EXECVE msg=audit(1700000000.123:4570): argc=4 a0="curl" a1="-s" a2_len=22 a2[0]=687474703A2F2F3230332E30 a2[1]=2E3131332E392F782E7368 a3=2D6F202F746D702F78` + "\n",
		`node=db-1 type=CWD msg=audit(1700000000.123:4570): cwd="/root"`,
		`node=db-1 type=PATH msg=audit(1700000000.123:4570): item=0 name="/usr/bin/curl" inode=1 dev=fd:00`,
		`node=db-1 type=PROCTITLE msg=audit(1700000000.123:4570): proctitle=6375726C`,
	}
	var lines [][]byte
	for _, r := range records {
		lines = append(lines, []byte(r))
	}
	out, ok := Process([]byte("x"), lines)
	if !ok {
		t.Fatal("not a process")
	}
	want := `x{"time":"2023-11-14T22:13:20.123Z","serial":"4570","Computer":"db-1","Image":"/tmp/my script.sh","CommandLine":"curl -s http://203.0.113.9/x.sh -o /tmp/x","CurrentDirectory":"/root","ProcessId":"4242","ParentProcessId":"812","User":"root","auid":"alice","comm":"curl","key":"exec","success":"yes","exit":"0"}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if !json.Valid(out[1:]) {
		t.Error("not valid JSON")
	}

	node, stamp, ok := AuditEvent(lines[1])
	if !ok || string(node) != "db-1" || string(stamp) != "1700000000.123:4570" {
		t.Errorf("AuditEvent = %q, %q, %v", node, stamp, ok)
	}
	if _, _, ok := AuditEvent([]byte("Nov 20 08:14:07 host sshd[1]: x")); ok {
		t.Error("AuditEvent of a syslog line")
	}
}

func TestProcessNot(t *testing.T) {
	for name, recs := range map[string][]string{
		"no execve":  {`type=SYSCALL msg=audit(1700000000.123:1): syscall=2 exe="/bin/cat"`},
		"broken":     {`type=EXECVE msg=audit(1700000000.123:1): argc=1 a0="x`, `type=SYSCALL msg=audit(1700000000.123:1): exe="/bin/x"`},
		"not audit":  {`hello`},
		"no records": nil,
	} {
		var lines [][]byte
		for _, r := range recs {
			lines = append(lines, []byte(r))
		}
		if out, ok := Process([]byte("x"), lines); ok || string(out) != "x" {
			t.Errorf("%s: got %q, %v", name, out, ok)
		}
	}
}

func TestProcessOnlyExecve(t *testing.T) {
	out, ok := Process(nil, [][]byte{[]byte(`type=EXECVE msg=audit(1700000000.000:7): argc=2 a0="echo" a1="hello"`)})
	if !ok {
		t.Fatal("not a process")
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if got["CommandLine"] != "echo hello" || strings.Contains(string(out), "Image") {
		t.Errorf("got %s", out)
	}
}
