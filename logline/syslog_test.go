package logline

import (
	"strings"
	"testing"
	"time"
)

func TestSyslog(t *testing.T) {
	runCases(t, Syslog, []parseCase{
		{
			name: "RFC 3164 with PRI",
			line: `<34>Oct 11 22:14:15 mymachine su[1234]: 'su root' failed for lonvick on /dev/pts/8`,
			want: `{"time":"2026-10-11T22:14:15Z","host":"mymachine","program":"su","pid":"1234","message":"'su root' failed for lonvick on /dev/pts/8","facility":"auth","severity":"crit"}`,
		},
		{
			name: "auth.log, no PRI",
			line: "Nov 20 08:14:07 bastion-1 sshd[2231]: Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2\n",
			want: `{"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"sshd","pid":"2231","message":"Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2"}`,
		},
		{
			name: "program without pid",
			line: `Nov 21 09:12:44 bastion-1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow`,
			want: `{"time":"2026-11-21T09:12:44Z","host":"bastion-1","program":"sudo","message":"alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow"}`,
		},
		{
			name: "day padded with a space, program with a slash",
			line: `Nov  3 04:05:06 mx-1 postfix/smtpd[4321]: connect from unknown[198.51.100.7]`,
			want: `{"time":"2026-11-03T04:05:06Z","host":"mx-1","program":"postfix/smtpd","pid":"4321","message":"connect from unknown[198.51.100.7]"}`,
		},
		{
			name: "less than a day ahead: this year",
			line: `Nov 22 01:00:00 db-1 CRON[9876]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`,
			want: `{"time":"2026-11-22T01:00:00Z","host":"db-1","program":"CRON","pid":"9876","message":"pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"}`,
		},
		{
			name: "more than a day ahead: last year",
			line: `Nov 22 10:00:00 db-1 CRON[9876]: pam_unix(cron:session): session closed for user root`,
			want: `{"time":"2025-11-22T10:00:00Z","host":"db-1","program":"CRON","pid":"9876","message":"pam_unix(cron:session): session closed for user root"}`,
		},
		{
			name: "no program",
			line: `Nov 20 08:14:07 bastion-1 last message repeated 3 times`,
			want: `{"time":"2026-11-20T08:14:07Z","host":"bastion-1","message":"last message repeated 3 times"}`,
		},
		{
			name: "two spaces before the host",
			line: `Nov 20 08:14:07  bastion-1 sshd[2231]: Connection closed by 198.51.100.7 port 40000 [preauth]`,
			want: `{"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"sshd","pid":"2231","message":"Connection closed by 198.51.100.7 port 40000 [preauth]"}`,
		},
		{
			name: "no host",
			line: `<13>Nov 20 08:14:07 myprog[77]: hello`,
			want: `{"time":"2026-11-20T08:14:07Z","program":"myprog","pid":"77","message":"hello","facility":"user","severity":"notice"}`,
		},
		{
			name: "kernel message, empty message",
			line: `<0>Nov 20 08:14:07 bastion-1 kernel:`,
			want: `{"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"kernel","message":"","facility":"kern","severity":"emerg"}`,
		},
		{
			name: "RFC 3339 timestamp, as rsyslog writes it",
			line: `<191>2024-11-20T08:14:07.123456+01:00 bastion-1 sshd[2231]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2`,
			want: `{"time":"2024-11-20T07:14:07.123456Z","host":"bastion-1","program":"sshd","pid":"2231","message":"Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2","facility":"local7","severity":"debug"}`,
		},
		{
			name: "invalid UTF-8 and control characters",
			line: "Nov 20 08:14:07 h app: caf\xe9\tok\x01 \"q\" \\",
			want: `{"time":"2026-11-20T08:14:07Z","host":"h","program":"app","message":"caf` + "\uFFFD" + `\tok\u0001 \"q\" \\"}`,
		},
		{
			name: "RFC 5424 with structured data",
			line: `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] An application event`,
			want: `{"time":"2003-10-11T22:14:15.003Z","host":"mymachine.example.com","program":"evntslog","message":"An application event","facility":"local4","severity":"notice","msgid":"ID47","sd.exampleSDID@32473.iut":"3","sd.exampleSDID@32473.eventSource":"Application","sd.exampleSDID@32473.eventID":"1011","sd.examplePriority@32473.class":"high"}`,
		},
		{
			name: "RFC 5424 with a BOM, no structured data",
			line: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
			want: `{"time":"2003-10-11T22:14:15.003Z","host":"mymachine.example.com","program":"su","message":"'su root' failed for lonvick on /dev/pts/8","facility":"auth","severity":"crit","msgid":"ID47"}`,
		},
		{
			name: "RFC 5424 with structured data and no message",
			line: `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"]`,
			want: `{"time":"2003-10-11T22:14:15.003Z","host":"mymachine.example.com","program":"evntslog","facility":"local4","severity":"notice","msgid":"ID47","sd.exampleSDID@32473.iut":"3"}`,
		},
		{
			name: "RFC 5424 with an offset",
			line: `<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.`,
			want: `{"time":"2003-08-24T12:14:15.000003Z","host":"192.0.2.1","program":"myproc","pid":"8710","message":"%% It's time to make the do-nuts.","facility":"local4","severity":"notice"}`,
		},
		{
			name: "RFC 5424, everything missing",
			line: `<14>1 - - - - - -`,
			want: `{"facility":"user","severity":"info"}`,
		},
		{
			name: "RFC 5424, escapes and repeated parameters",
			line: `<86>1 2026-11-20T08:14:07Z bastion-1 sshd 2231 - [x@1 a="q\"uote" b="back\\slash" c="br\]acket" d="new\nline" e=""][meta][origin ip="192.0.2.1" ip="192.0.2.2" software="openssh"] ok`,
			want: `{"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"sshd","pid":"2231","message":"ok","facility":"authpriv","severity":"info","sd.x@1.a":"q\"uote","sd.x@1.b":"back\\slash","sd.x@1.c":"br]acket","sd.x@1.d":"new\\nline","sd.x@1.e":"","sd.origin.ip":"192.0.2.1","sd.origin.software":"openssh"}`,
		},
		{name: "PRI out of range", line: `<192>Oct 11 22:14:15 h su: x`, err: "syslog: PRI 192 out of range at byte 1"},
		{name: "bad PRI", line: `<3a>Oct 11 22:14:15 h su: x`, err: `bad PRI "<3a>O"`},
		{name: "bad day", line: `Feb 30 10:00:00 h su: x`, err: `bad timestamp "Feb 30 10:00:00"`},
		{name: "bad hour", line: `<34>Oct 11 25:14:15 h su: x`, err: `bad timestamp "Oct 11 25:14:15" at byte 4`},
		{name: "not a timestamp", line: `Octo 11 22:14:15 h su: x`, err: `bad timestamp`},
		{name: "bad RFC 3339 timestamp", line: `2024-13-20T08:14:07Z h sshd: x`, err: `bad timestamp`},
		{name: "timestamp alone", line: `Oct 11 22:14:15`, err: `bad timestamp`},
		{name: "timestamp and space alone", line: `2024-11-20T08:14:07Z`, err: `missing host and message at byte 20`},
		{name: "unsupported version", line: `<34>2 2003-10-11T22:14:15.003Z h su - - - x`, err: `unsupported version "2" at byte 4`},
		{name: "bad 5424 timestamp", line: `<34>1 2003-10-11 22:14:15 h su - - - x`, err: `bad TIMESTAMP "2003-10-11" at byte 6`},
		{name: "5424 timestamp out of range", line: `<34>1 0000-01-01T00:00:00+01:00 h su - - - x`, err: `TIMESTAMP out of range`},
		{name: "missing app", line: `<34>1 2003-10-11T22:14:15.003Z mymachine`, err: `missing APP-NAME at byte 40`},
		{name: "empty field", line: `<34>1 2003-10-11T22:14:15.003Z mymachine  su - - - x`, err: `empty APP-NAME`},
		{name: "missing structured data", line: `<34>1 - h su - ID47`, err: `missing STRUCTURED-DATA at byte 19`},
		{name: "bad structured data", line: `<34>1 - h su - ID47 x=1`, err: `bad STRUCTURED-DATA "x=1" at byte 20`},
		{name: "unterminated element", line: `<34>1 - h su - - [x@1 a="1"`, err: `unterminated STRUCTURED-DATA element [x@1 at byte 27`},
		{name: "unterminated value", line: `<34>1 - h su - - [x@1 a="1] x`, err: `unterminated value of a`},
		{name: "unquoted value", line: `<34>1 - h su - - [x@1 a=1] x`, err: `expected PARAM-NAME="VALUE"`},
		{name: "empty SD-ID", line: `<34>1 - h su - - [ a="1"] x`, err: `empty SD-ID at byte 18`},
		{name: "junk after structured data", line: `<34>1 - h su - - [x@1 a="1"]x`, err: `missing space after STRUCTURED-DATA at byte 28`},
		{name: "junk after nil structured data", line: `<34>1 - h su - - -x`, err: `missing space after STRUCTURED-DATA at byte 18`},
	})
}

func TestSyslogYear(t *testing.T) {
	for _, tt := range []struct {
		now, stamp, want string
	}{
		{"2027-01-02T03:00:00Z", "Dec 31 23:59:59", "2026-12-31T23:59:59Z"},
		{"2026-12-31T23:30:00Z", "Jan  1 00:10:00", "2027-01-01T00:10:00Z"},
		{"2026-12-31T23:30:00Z", "Dec 31 23:29:00", "2026-12-31T23:29:00Z"},
		{"2027-03-01T00:00:00Z", "Feb 29 12:00:00", "2024-02-29T12:00:00Z"},
		{"2028-02-28T12:00:00Z", "Feb 29 12:00:00", "2028-02-29T12:00:00Z"},
		// now is 2026-06-14T22:00:00Z: lines are in UTC.
		{"2026-06-15T00:00:00+02:00", "Jun 15 21:59:59", "2026-06-15T21:59:59Z"},
		{"2026-06-15T00:00:00+02:00", "Jun 15 22:00:01", "2025-06-15T22:00:01Z"},
	} {
		now, err := time.Parse(time.RFC3339, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		out, err := ParseWith(nil, Syslog, []byte(tt.stamp+" h app: x"), now)
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"time":"` + tt.want + `",`; !strings.HasPrefix(string(out), want) {
			t.Errorf("%s read at %s: got %s, want %s...", tt.stamp, tt.now, out, want)
		}
	}
}

func TestSyslogLongLine(t *testing.T) {
	msg := strings.Repeat("Invalid user \xff\"x\" from 198.51.100.7 ", 20000)
	out, err := ParseWith(nil, Syslog, []byte("Nov 20 08:14:07 bastion-1 sshd[2231]: "+msg), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObject(nil, out); err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(strings.ReplaceAll(msg, "\xff", "\uFFFD"), `"`, `\"`)
	if !strings.Contains(string(out), `"message":"`+want+`"}`) {
		t.Error("message changed")
	}
}
