package logline

import (
	"fmt"
	"strings"
	"testing"
)

const gs = "\x1d" // separates the enriched part of a record

func TestAuditd(t *testing.T) {
	runCases(t, Auditd, []parseCase{
		{
			name: "execve with an argument in hex",
			line: `type=EXECVE msg=audit(1700000000.123:4567): argc=3 a0="sh" a1="-c" a2=6964202D61`,
			want: `{"type":"EXECVE","time":"2023-11-14T22:13:20.123Z","serial":"4567","argc":"3","a0":"sh","a1":"-c","a2":"id -a"}`,
		},
		{
			name: "execve with a long argument in pieces",
			line: `type=EXECVE msg=audit(1700000000.123:4568): argc=2 a0="bash" a1_len=16 a1[0]=6563686F2068656C6C6F20 a1[1]=776F726C64`,
			want: `{"type":"EXECVE","time":"2023-11-14T22:13:20.123Z","serial":"4568","argc":"2","a0":"bash","a1_len":"16","a1[0]":"echo hello ","a1[1]":"world"}`,
		},
		{
			name: "execve argument with a newline and invalid UTF-8",
			line: `type=EXECVE msg=audit(1700000000.123:4569): argc=2 a0="printf" a1=610AFF22`,
			want: `{"type":"EXECVE","time":"2023-11-14T22:13:20.123Z","serial":"4569","argc":"2","a0":"printf","a1":"a\n` + "\uFFFD" + `\""}`,
		},
		{
			name: "syscall: arguments in lower-case hex are numbers, kept as they are",
			line: `type=SYSCALL msg=audit(1700000000.123:4570): arch=c000003e syscall=59 success=yes exit=0 a0=55d5e0 a1=55d5e1 a2=55d5e2 a3=0 items=2 ppid=812 pid=4242 auid=1000 uid=0 gid=0 euid=0 tty=pts0 ses=3 comm="curl" exe=2F746D702F6D79207363726970742E7368 subj=unconfined key=(null)`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4570","arch":"c000003e","syscall":"59","success":"yes","exit":"0","a0":"55d5e0","a1":"55d5e1","a2":"55d5e2","a3":"0","items":"2","ppid":"812","pid":"4242","auid":"1000","uid":"0","gid":"0","euid":"0","tty":"pts0","ses":"3","comm":"curl","exe":"/tmp/my script.sh","subj":"unconfined","key":"(null)","ARCH":"x86_64","SYSCALL":"execve"}`,
		},
		{
			name: "syscall of aarch64 named",
			line: `type=SYSCALL msg=audit(1700000000.123:4580): arch=c00000b7 syscall=279 success=yes exit=3`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4580","arch":"c00000b7","syscall":"279","success":"yes","exit":"3","ARCH":"aarch64","SYSCALL":"memfd_create"}`,
		},
		{
			name: "syscall of i386 named",
			line: `type=SYSCALL msg=audit(1700000000.123:4581): arch=40000003 syscall=11 success=yes exit=0`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4581","arch":"40000003","syscall":"11","success":"yes","exit":"0","ARCH":"i386","SYSCALL":"execve"}`,
		},
		{
			name: "syscall of an unknown arch or number not named",
			line: `type=SYSCALL msg=audit(1700000000.123:4582): arch=c0000028 syscall=11 success=yes a0=1 syscall=99999`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4582","arch":"c0000028","syscall":"11","success":"yes","a0":"1"}`,
		},
		{
			name: "syscall number beyond the table not named",
			line: `type=SYSCALL msg=audit(1700000000.123:4583): arch=c000003e syscall=99999`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4583","arch":"c000003e","syscall":"99999"}`,
		},
		{
			name: "path record: name in hex, odd or lower-case hex kept",
			line: `type=PATH msg=audit(1700000000.123:4571): item=0 name=2F686F6D652F616C6963652F6D7920646972 inode=1234 dev=fd:00 mode=040755 ouid=1000 nametype=NORMAL` +
				` cap_fp=0` + "\n",
			want: `{"type":"PATH","time":"2023-11-14T22:13:20.123Z","serial":"4571","item":"0","name":"/home/alice/my dir","inode":"1234","dev":"fd:00","mode":"040755","ouid":"1000","nametype":"NORMAL","cap_fp":"0"}`,
		},
		{
			name: "values that are not hex in encoded fields",
			line: `type=PATH msg=audit(1700000000.123:4572): item=1 name=(null) cwd=ABC path=abcd key=(null) comm=""`,
			want: `{"type":"PATH","time":"2023-11-14T22:13:20.123Z","serial":"4572","item":"1","name":"(null)","cwd":"ABC","path":"abcd","key":"(null)","comm":""}`,
		},
		{
			name: "proctitle: NULs become spaces",
			line: `type=PROCTITLE msg=audit(1700000000.123:4573): proctitle=6375726C002D7300687474703A2F2F3230332E302E3131332E392F782E736800`,
			want: `{"type":"PROCTITLE","time":"2023-11-14T22:13:20.123Z","serial":"4573","proctitle":"curl -s http://203.0.113.9/x.sh"}`,
		},
		{
			name: "proctitle without arguments, quoted",
			line: `type=PROCTITLE msg=audit(1700000000.123:4573): proctitle="bash"`,
			want: `{"type":"PROCTITLE","time":"2023-11-14T22:13:20.123Z","serial":"4573","proctitle":"bash"}`,
		},
		{
			name: "node prefix, backslash in a quoted value",
			line: `node=web-2.example.com type=CWD msg=audit(1700000000.001:17): cwd="C:\temp"`,
			want: `{"type":"CWD","time":"2023-11-14T22:13:20.001Z","serial":"17","node":"web-2.example.com","cwd":"C:\\temp"}`,
		},
		{
			name: "enriched syscall",
			line: `type=SYSCALL msg=audit(1700000000.123:4574): arch=c000003e syscall=257 success=no exit=-13 comm="cat" exe="/usr/bin/cat" key="shadow"` +
				gs + `ARCH=x86_64 SYSCALL=openat AUID="alice" UID="alice" GID="alice" EUID="alice"`,
			want: `{"type":"SYSCALL","time":"2023-11-14T22:13:20.123Z","serial":"4574","arch":"c000003e","syscall":"257","success":"no","exit":"-13","comm":"cat","exe":"/usr/bin/cat","key":"shadow","ARCH":"x86_64","SYSCALL":"openat","AUID":"alice","UID":"alice","GID":"alice","EUID":"alice"}`,
		},
		{
			name: "enriched sockaddr: a value in braces",
			line: `type=SOCKADDR msg=audit(1700000000.123:4575): saddr=02000050CB00710900000000` + gs + `SADDR={ saddr_fam=inet laddr=203.0.113.9 lport=80 }`,
			want: `{"type":"SOCKADDR","time":"2023-11-14T22:13:20.123Z","serial":"4575","saddr":"02000050CB00710900000000","SADDR":"{ saddr_fam=inet laddr=203.0.113.9 lport=80 }"}`,
		},
		{
			name: "user_cmd: nested msg, command in hex, enriched",
			line: `type=USER_CMD msg=audit(1700000000.500:99): pid=1234 uid=1000 auid=1000 ses=3 subj=unconfined msg='cwd="/home/alice" cmd=6C73202D6C61202F726F6F74 exe="/usr/bin/sudo" terminal=pts/0 res=success'` +
				gs + `UID="alice" AUID="alice"`,
			want: `{"type":"USER_CMD","time":"2023-11-14T22:13:20.500Z","serial":"99","pid":"1234","uid":"1000","auid":"1000","ses":"3","subj":"unconfined","cwd":"/home/alice","cmd":"ls -la /root","exe":"/usr/bin/sudo","terminal":"pts/0","res":"success","UID":"alice","AUID":"alice"}`,
		},
		{
			name: "user_auth: account in hex, repeated key keeps the first",
			line: `type=USER_AUTH msg=audit(1700000000.250:100): pid=2231 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=? acct=6A6F686E20646F65 exe="/usr/sbin/sshd" hostname=203.0.113.50 addr=203.0.113.50 terminal=ssh res=failed pid=1'`,
			want: `{"type":"USER_AUTH","time":"2023-11-14T22:13:20.250Z","serial":"100","pid":"2231","uid":"0","auid":"4294967295","ses":"4294967295","op":"PAM:authentication","grantors":"?","acct":"john doe","exe":"/usr/sbin/sshd","hostname":"203.0.113.50","addr":"203.0.113.50","terminal":"ssh","res":"failed"}`,
		},
		{
			name: "user_avc: words of the nested msg go to text",
			line: `type=USER_AVC msg=audit(1700000000.123:4576): pid=1 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:init_t:s0 msg='avc:  received setenforce notice (enforcing=1)  exe="/usr/lib/systemd/systemd" sauid=0 hostname=? addr=? terminal=?'`,
			want: `{"type":"USER_AVC","time":"2023-11-14T22:13:20.123Z","serial":"4576","pid":"1","uid":"0","auid":"4294967295","ses":"4294967295","subj":"system_u:system_r:init_t:s0","exe":"/usr/lib/systemd/systemd","sauid":"0","hostname":"?","addr":"?","terminal":"?","text":"avc: received setenforce notice (enforcing=1)"}`,
		},
		{
			name: "avc: words go to text",
			line: `type=AVC msg=audit(1700000000.123:4577): avc:  denied  { read } for  pid=4242 comm="cat" name="shadow" dev="dm-0" ino=3215 scontext=unconfined_u:unconfined_r:unconfined_t:s0 tcontext=system_u:object_r:shadow_t:s0 tclass=file permissive=0`,
			want: `{"type":"AVC","time":"2023-11-14T22:13:20.123Z","serial":"4577","pid":"4242","comm":"cat","name":"shadow","dev":"dm-0","ino":"3215","scontext":"unconfined_u:unconfined_r:unconfined_t:s0","tcontext":"system_u:object_r:shadow_t:s0","tclass":"file","permissive":"0","text":"avc: denied { read } for"}`,
		},
		{
			name: "login: old- fields are numbers",
			line: `type=LOGIN msg=audit(1700000000.123:4578): pid=2231 uid=0 subj=unconfined old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=3 res=1`,
			want: `{"type":"LOGIN","time":"2023-11-14T22:13:20.123Z","serial":"4578","pid":"2231","uid":"0","subj":"unconfined","old-auid":"4294967295","auid":"1000","tty":"(none)","old-ses":"4294967295","ses":"3","res":"1"}`,
		},
		{
			name: "keys named like the fixed ones are left out",
			line: `type=CONFIG_CHANGE msg=audit(1700000000:5): auid=1000 ses=3 op=add_rule key="etc-passwd" list=4 res=1 type=x time=y`,
			want: `{"type":"CONFIG_CHANGE","time":"2023-11-14T22:13:20.000Z","serial":"5","auid":"1000","ses":"3","op":"add_rule","key":"etc-passwd","list":"4","res":"1"}`,
		},
		{
			name: "empty values and a value with an equals sign",
			line: `type=DAEMON_START msg=audit(1700000000.123:6): op=start ver=3.1.2 format=enriched kernel=6.1.0 auid=4294967295 pid=512 uid=0 ses=4294967295 subj= res=success opt=a=b`,
			want: `{"type":"DAEMON_START","time":"2023-11-14T22:13:20.123Z","serial":"6","op":"start","ver":"3.1.2","format":"enriched","kernel":"6.1.0","auid":"4294967295","pid":"512","uid":"0","ses":"4294967295","subj":"","res":"success","opt":"a=b"}`,
		},
		{
			name: "invalid UTF-8 in a quoted value",
			line: "type=USER_LOGIN msg=audit(1700000000.123:7): pid=9 msg='acct=\"b\xe9a\" exe=\"/usr/sbin/sshd\" res=failed'",
			want: `{"type":"USER_LOGIN","time":"2023-11-14T22:13:20.123Z","serial":"7","pid":"9","acct":"b` + "\uFFFD" + `a","exe":"/usr/sbin/sshd","res":"failed"}`,
		},
		{name: "missing msg", line: `type=SYSCALL arch=c000003e syscall=59`, err: "auditd: missing msg=audit(...) at byte 13"},
		{name: "missing type", line: `node=a msg=audit(1700000000.123:1): x=1`, err: "missing type="},
		{name: "not audit at all", line: `msg=audit(1700000000.123:1): x=1`, err: "missing type= at byte 0"},
		{name: "bad time", line: `type=SYSCALL msg=audit(17000x0000.123:1): x=1`, err: `bad time "17000x0000.123"`},
		{name: "time out of range", line: `type=SYSCALL msg=audit(999999999999.123:1): x=1`, err: `bad time`},
		{name: "bad serial", line: `type=SYSCALL msg=audit(1700000000.123:): x=1`, err: `bad serial ""`},
		{name: "no serial", line: `type=SYSCALL msg=audit(1700000000.123): x=1`, err: `missing serial`},
		{name: "unterminated stamp", line: `type=SYSCALL msg=audit(1700000000.123:1 x=1`, err: `unterminated msg=audit(...)`},
		{name: "unterminated quote", line: `type=SYSCALL msg=audit(1700000000.123:1): comm="cat exe=/bin/cat`, err: `unterminated quoted value of comm= at byte 47`},
		{name: "unterminated nested msg", line: `type=USER_CMD msg=audit(1700000000.123:1): pid=1 msg='cmd=6C73 res=success`, err: `unterminated quoted value of msg=`},
		{name: "unterminated quote in nested msg", line: `type=USER_CMD msg=audit(1700000000.123:1): pid=1 msg='cwd="/root res=success'`, err: `unterminated quoted value of cwd= at byte 58`},
	})
}

func TestAuditdLongLine(t *testing.T) {
	// An EXECVE record of 5,000 arguments: more keys than are kept inline.
	var b strings.Builder
	b.WriteString(`type=EXECVE msg=audit(1700000000.123:8): argc=5000`)
	for i := range 5000 {
		fmt.Fprintf(&b, " a%d=%X", i, fmt.Sprintf("arg %d", i))
	}
	b.WriteString(` a7="again" a4000="again"`)
	out, err := ParseWith(nil, Auditd, []byte(b.String()), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObject(nil, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"a0":"arg 0",`, `"a7":"arg 7",`, `"a4000":"arg 4000",`, `"a4999":"arg 4999"}`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s", want)
		}
	}
}

func TestAuditEncoded(t *testing.T) {
	for _, tt := range []struct {
		key    string
		execve bool
		want   bool
	}{
		{"name", false, true}, {"proctitle", false, true}, {"new-disk", false, true}, {"old-auid", false, false},
		{"a0", true, true}, {"a12", true, true}, {"a1[3]", true, true}, {"a0", false, false},
		{"a1_len", true, false}, {"argc", true, false}, {"a", true, false}, {"a1[]", true, false}, {"a1[x]", true, false}, {"a1[2", true, false},
	} {
		if got := auditEncoded([]byte(tt.key), tt.execve); got != tt.want {
			t.Errorf("auditEncoded(%q, %v) = %v", tt.key, tt.execve, got)
		}
	}
}
