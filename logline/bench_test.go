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
		{"errorlog/apache", ErrorLog, `[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50126] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico`},
		{"errorlog/apache-escaped", ErrorLog, `[Sat Nov 21 09:01:02.123456 2026] [core:error] [pid 1234:tid 5678] (13)Permission denied: [client 10.0.0.1:51234] AH00035: access to /caf\xc3\xa9/index.html denied because search permissions are missing`},
		{"errorlog/nginx", ErrorLog, `2011/06/10 13:30:10 [error] 1234#0: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost", referrer: "https://example.com/"`},
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
