package logline

import (
	"strings"
	"testing"
)

func TestCombined(t *testing.T) {
	runCases(t, Combined, []parseCase{
		{
			name: "combined",
			line: `203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			want: `{"time":"2026-10-10T20:55:36Z","c-ip":"203.0.113.50","c-username":"frank","cs-method":"GET","c-uri":"/apache_pb.gif?x=1","cs-uri-stem":"/apache_pb.gif","cs-uri-query":"x=1","c-uri-extension":"gif","cs-version":"HTTP/1.0","sc-status":200,"sc-bytes":2326,"cs-referer":"http://www.example.com/start.html","c-useragent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}`,
		},
		{
			name: "common",
			line: "198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] \"POST /login HTTP/1.1\" 302 -\r\n",
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","cs-method":"POST","c-uri":"/login","cs-uri-stem":"/login","cs-version":"HTTP/1.1","sc-status":302}`,
		},
		{
			name: "IPv6 client, placeholders, offset east of UTC",
			line: `2001:db8::17 - - [21/Nov/2026:14:31:02 +0530] "GET /wp-login.php HTTP/2.0" 404 162 "-" "-"`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"2001:db8::17","cs-method":"GET","c-uri":"/wp-login.php","cs-uri-stem":"/wp-login.php","c-uri-extension":"php","cs-version":"HTTP/2.0","sc-status":404,"sc-bytes":162}`,
		},
		{
			name: "escaped quotes, Apache and nginx",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET /search?q=\"x\"&r=\x22y\x22 HTTP/1.1" 200 512 "-" "Mozilla/5.0 \"scanner\" \\x41 \xC3\xA9"`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","cs-method":"GET","c-uri":"/search?q=\"x\"&r=\"y\"","cs-uri-stem":"/search","cs-uri-query":"q=\"x\"&r=\"y\"","cs-version":"HTTP/1.1","sc-status":200,"sc-bytes":512,"c-useragent":"Mozilla/5.0 \"scanner\" \\x41 é"}`,
		},
		{
			name: "garbage request from a scanner",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "\x16\x03\x01\x00\xA5\x01" 400 157 "-" "-"`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","c-uri":"\u0016\u0003\u0001\u0000` + "\uFFFD" + `\u0001","sc-status":400,"sc-bytes":157}`,
		},
		{
			name: "request -",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "-" 408 0 "-" "-"`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","c-uri":"-","sc-status":408,"sc-bytes":0}`,
		},
		{
			name: "empty request, unknown escape kept",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "" 400 0 "-" "curl\q"`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","c-uri":"","sc-status":400,"sc-bytes":0,"c-useragent":"curl\\q"}`,
		},
		{
			name: "HTTP/0.9 request and lower-case method are not METHOD TARGET VERSION",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "get /" 400 0`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","c-uri":"get /","sc-status":400,"sc-bytes":0}`,
		},
		{
			name: "absolute target, empty query, double extension",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET http://203.0.113.9/backup/db.tar.gz? HTTP/1.1" 200 10`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","cs-method":"GET","c-uri":"http://203.0.113.9/backup/db.tar.gz?","cs-uri-stem":"http://203.0.113.9/backup/db.tar.gz","c-uri-extension":"gz","cs-version":"HTTP/1.1","sc-status":200,"sc-bytes":10}`,
		},
		{
			name: "CONNECT: no extension",
			line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "CONNECT example.com:443 HTTP/1.1" 405 0`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","cs-method":"CONNECT","c-uri":"example.com:443","cs-uri-stem":"example.com:443","cs-version":"HTTP/1.1","sc-status":405,"sc-bytes":0}`,
		},
		{
			name: "dot in a directory, dot file, host name client, extra fields",
			line: `crawler.example.net - - [21/Nov/2026:09:01:02 +0000] "GET /v1.2/.env HTTP/1.1" 403 0 "-" "python-requests/2.31" "203.0.113.1" 0.002`,
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"crawler.example.net","cs-method":"GET","c-uri":"/v1.2/.env","cs-uri-stem":"/v1.2/.env","c-uri-extension":"env","cs-version":"HTTP/1.1","sc-status":403,"sc-bytes":0,"c-useragent":"python-requests/2.31"}`,
		},
		{
			name: "target with a space, no extension, referer only, invalid UTF-8",
			line: "198.51.100.7 - b\xffb [21/Nov/2026:09:01:02 +0000] \"GET /a b/c HTTP/1.1\" 200 0010 \"http://x/\xfe\"",
			want: `{"time":"2026-11-21T09:01:02Z","c-ip":"198.51.100.7","c-username":"b` + "\uFFFD" + `b","cs-method":"GET","c-uri":"/a b/c","cs-uri-stem":"/a b/c","cs-version":"HTTP/1.1","sc-status":200,"sc-bytes":10,"cs-referer":"http://x/` + "\uFFFD" + `"}`,
		},
		{name: "unterminated request", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET /a\" 200 0`, err: `combined log: unterminated request "\"GET /a\\\" 200 0" at byte 46`},
		{name: "bad time", line: `198.51.100.7 - - [31/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 0`, err: `bad time "31/Nov/2026:09:01:02 +0000" at byte 18`},
		{name: "bad zone", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0060] "GET / HTTP/1.1" 200 0`, err: `bad time`},
		{name: "time out of range", line: `198.51.100.7 - - [31/Dec/9999:23:01:02 -0100] "GET / HTTP/1.1" 200 0`, err: `bad time`},
		{name: "unterminated time", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000 "GET / HTTP/1.1" 200 0`, err: `unterminated [time] at byte 17`},
		{name: "vhost first", line: `www.example.com:443 198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 0`, err: `expected [time] after the user, found "- [21/`},
		{name: "missing user", line: `198.51.100.7 -`, err: `missing user at byte 14`},
		{name: "missing request", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] 200 0`, err: `missing request at byte 45`},
		{name: "bad status", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 2000 0`, err: `bad status "2000" at byte 63`},
		{name: "missing status", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1"`, err: `missing status at byte 62`},
		{name: "missing size", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200`, err: `missing size at byte 66`},
		{name: "bad size", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 12k`, err: `bad size "12k" at byte 67`},
		{name: "unquoted referer", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 0 - -`, err: `expected quoted referer, found "- -" at byte 69`},
		{name: "unquoted agent", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 0 "-" curl`, err: `expected quoted user agent`},
		{name: "junk after referer", line: `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET / HTTP/1.1" 200 0 "-"x`, err: `expected a space after the referer at byte 72`},
	})
}

func TestCombinedLongLine(t *testing.T) {
	agent := strings.Repeat(`Mozilla/5.0 \"x\" `, 50000)
	line := `198.51.100.7 - - [21/Nov/2026:09:01:02 +0000] "GET /` + strings.Repeat("a", 100000) + `.php HTTP/1.1" 200 1 "-" "` + agent + `"`
	out, err := ParseWith(nil, Combined, []byte(line), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObject(nil, out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(out), `"c-useragent":"`+agent+`"}`) || !strings.Contains(string(out), `"c-uri-extension":"php"`) {
		t.Error("fields changed")
	}
}
