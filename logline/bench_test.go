package logline

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, bb := range []struct {
		name   string
		format Format
		line   string
	}{
		{"auditd/execve", Auditd, `type=EXECVE msg=audit(1700000000.123:4567): argc=3 a0="sh" a1="-c" a2=6964202D61202F746D702F6D7920736372697074`},
		{"auditd/syscall", Auditd, `type=SYSCALL msg=audit(1700000000.123:4570): arch=c000003e syscall=59 success=yes exit=0 a0=55d5e0 a1=55d5e1 a2=55d5e2 a3=0 items=2 ppid=812 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="curl" exe="/usr/bin/curl" subj=unconfined key="exec"`},
		{"auditd/syscall-enriched", Auditd, `type=SYSCALL msg=audit(1700000000.123:4570): arch=c000003e syscall=59 success=yes exit=0 a0=55d5e0 a1=55d5e1 a2=55d5e2 a3=0 items=2 ppid=812 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="curl" exe="/usr/bin/curl" subj=unconfined key="exec"` +
			gs + `ARCH=x86_64 SYSCALL=execve AUID="alice" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"`},
		{"auditd/user_cmd", Auditd, `type=USER_CMD msg=audit(1700000000.500:99): pid=1234 uid=1000 auid=1000 ses=3 subj=unconfined msg='cwd="/home/alice" cmd=6C73202D6C61202F726F6F74 exe="/usr/bin/sudo" terminal=pts/0 res=success'`},
		{"syslog/3164", Syslog, `Nov 20 08:14:07 bastion-1 sshd[2231]: Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2: RSA SHA256:Xq4fOJ2mMjXvb3gdTl6ZX0xjU2Yzb1+Y4p3SbYB8o8A`},
		{"syslog/5424", Syslog, `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry`},
		{"combined", Combined, `203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"`},
	} {
		b.Run(bb.name, func(b *testing.B) {
			line := []byte(bb.line)
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			var dst []byte
			for b.Loop() {
				var err error
				if dst, err = ParseWith(dst[:0], bb.format, line, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
