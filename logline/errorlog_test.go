package logline

import (
	"strings"
	"testing"
)

func TestErrorLogApache(t *testing.T) {
	runCases(t, ErrorLog, []parseCase{
		{
			name: "2.4",
			line: `[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50126] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
			want: `{"time":"2011-09-09T10:42:29.902022Z","server":"apache","module":"core","level":"error","pid":"35708","tid":"4328636416","client":"72.15.99.187","code":"AH00128","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}`,
		},
		{
			name: "2.2",
			line: `[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test`,
			want: `{"time":"2000-10-11T14:32:52Z","server":"apache","level":"error","client":"127.0.0.1","message":"client denied by server configuration: /export/home/live/ap/htdocs/test"}`,
		},
		{
			name: "1.3, no client",
			line: "[Sun Mar 07 16:02:00 2004] [notice] Apache/1.3.29 (Unix) configured -- resuming normal operations\r\n",
			want: `{"time":"2004-03-07T16:02:00Z","server":"apache","level":"notice","message":"Apache/1.3.29 (Unix) configured -- resuming normal operations"}`,
		},
		{
			name: "2.4, no client",
			line: `[Sat Nov 21 09:01:02.000123 2026] [mpm_event:notice] [pid 1:tid 139871234567] AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations`,
			want: `{"time":"2026-11-21T09:01:02.000123Z","server":"apache","module":"mpm_event","level":"notice","pid":"1","tid":"139871234567","code":"AH00489","message":"Apache/2.4.58 (Unix) configured -- resuming normal operations"}`,
		},
		{
			name: "2.4 prefork: no tid; IPv6 client; referer",
			line: `[Sat Nov 21 09:01:02.123456 2026] [authz_core:error] [pid 4242] [client 2001:db8::17:51122] AH01630: client denied by server configuration: /srv/www/.git/config, referer: http://example.com/`,
			want: `{"time":"2026-11-21T09:01:02.123456Z","server":"apache","module":"authz_core","level":"error","pid":"4242","client":"2001:db8::17","code":"AH01630","message":"client denied by server configuration: /srv/www/.git/config, referer: http://example.com/"}`,
		},
		{
			name: "2.2: IPv6 client, no port",
			line: `[Sat Nov 21 09:01:02 2026] [error] [client ::1] File does not exist: /var/www/favicon.ico`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","level":"error","client":"::1","message":"File does not exist: /var/www/favicon.ico"}`,
		},
		{
			name: "no module, escapes, invalid UTF-8",
			line: `[Sat Nov 21 09:01:02.5 2026] [:error] [pid 77] [client 198.51.100.7:4000] PHP Warning:  include(caf\xc3\xa9 "x"): failed \\ to open \q` + "\xff" + `\t\x01`,
			want: `{"time":"2026-11-21T09:01:02.5Z","server":"apache","level":"error","pid":"77","client":"198.51.100.7","message":"PHP Warning:  include(café \"x\"): failed \\ to open \\q` + "\uFFFD" + `\t\u0001"}`,
		},
		{
			name: "OS error before the client",
			line: `[Sat Nov 21 09:01:02.123456 2026] [core:error] [pid 1234:tid 5678] (13)Permission denied: [client 10.0.0.1:51234] AH00035: access to /index.html denied (filesystem path '/var/www/html/index.html') because search permissions are missing on a component of the path`,
			want: `{"time":"2026-11-21T09:01:02.123456Z","server":"apache","module":"core","level":"error","pid":"1234","tid":"5678","client":"10.0.0.1","code":"AH00035","message":"(13)Permission denied: access to /index.html denied (filesystem path '/var/www/html/index.html') because search permissions are missing on a component of the path"}`,
		},
		{
			name: "OS error, no client",
			line: `[Sat Nov 21 09:01:02.123456 2026] [proxy:error] [pid 123:tid 456] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed`,
			want: `{"time":"2026-11-21T09:01:02.123456Z","server":"apache","module":"proxy","level":"error","pid":"123","tid":"456","code":"AH00957","message":"(111)Connection refused: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed"}`,
		},
		{
			name: "resolver error, escapes in the message",
			line: `[Sat Nov 21 09:01:02 2026] [proxy:error] [pid 123] (EAI 2)Name or service not known: [client 10.0.0.1:1] AH00898: DNS lookup failure for: b\x61ckend returned by /a\\b`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","module":"proxy","level":"error","pid":"123","client":"10.0.0.1","code":"AH00898","message":"(EAI 2)Name or service not known: DNS lookup failure for: backend returned by /a\\b"}`,
		},
		{
			name: "debug: source file and line",
			line: `[Sat Nov 21 09:01:02.123456 2026] [authz_core:debug] [pid 123:tid 456] mod_authz_core.c(820): [client 192.0.2.4:5555] AH01626: authorization result of Require all granted: granted`,
			want: `{"time":"2026-11-21T09:01:02.123456Z","server":"apache","module":"authz_core","level":"debug","pid":"123","tid":"456","client":"192.0.2.4","code":"AH01626","message":"mod_authz_core.c(820): authorization result of Require all granted: granted"}`,
		},
		{
			name: "trace: source file and line and OS error",
			line: `[Sat Nov 21 09:01:02 2026] [ssl:trace3] [pid 1] ssl_engine_io.c(2253): (104)Connection reset by peer: [client 192.0.2.4:5555] read failed`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","module":"ssl","level":"trace3","pid":"1","client":"192.0.2.4","message":"ssl_engine_io.c(2253): (104)Connection reset by peer: read failed"}`,
		},
		{
			name: "a source file and line is not looked for at level error",
			line: `[Sat Nov 21 09:01:02 2026] [core:error] [pid 1] x.c(1): [client 192.0.2.4:5555] AH00001: y`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","module":"core","level":"error","pid":"1","message":"x.c(1): [client 192.0.2.4:5555] AH00001: y"}`,
		},
		{
			name: "a remote is not a client",
			line: `[Sat Nov 21 09:01:02 2026] [proxy_http:error] [pid 1:tid 2] [remote 10.0.0.5:8080] AH01102: error reading status line from remote server 10.0.0.5:8080`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","module":"proxy_http","level":"error","pid":"1","tid":"2","message":"[remote 10.0.0.5:8080] AH01102: error reading status line from remote server 10.0.0.5:8080"}`,
		},
		{
			name: "not a code, not an OS error, client without port",
			line: `[Sat Nov 21 09:01:02 2026] [core:error] [pid 1] [client host.example] AH0012: (x)y: z`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"apache","module":"core","level":"error","pid":"1","client":"host.example","message":"AH0012: (x)y: z"}`,
		},
		{
			name: "code alone, day padded with a space",
			line: `[Tue Feb  3 00:00:00 2026] [core:warn] [pid 1] AH00558:`,
			want: `{"time":"2026-02-03T00:00:00Z","server":"apache","module":"core","level":"warn","pid":"1","code":"AH00558","message":""}`,
		},
		{
			name: "nothing after the level",
			line: `[Tue Feb 03 00:00:00 2026] [error]`,
			want: `{"time":"2026-02-03T00:00:00Z","server":"apache","level":"error","message":""}`,
		},
		{name: "unterminated time", line: `[Fri Sep 09 10:42:29 2011`, err: `error log: unterminated [time] at byte 0`},
		{name: "not a time", line: `[client 1.2.3.4] x`, err: `bad time "client 1.2.3.4" at byte 1`},
		{name: "bad date", line: `[Fri Sep 31 10:42:29 2011] [error] x`, err: `bad time "Fri Sep 31 10:42:29 2011" at byte 1`},
		{name: "wrong weekday", line: `[Sat Sep 09 10:42:29 2011] [error] x`, err: `bad time "Sat Sep 09 10:42:29 2011" at byte 1`},
		{name: "empty fraction", line: `[Fri Sep 09 10:42:29. 2011] [error] x`, err: `bad time`},
		{name: "fraction too long", line: `[Fri Sep 09 10:42:29.1234567890 2011] [error] x`, err: `bad time`},
		{name: "two-digit year", line: `[Fri Sep 09 10:42:29 11] [error] x`, err: `bad time`},
		{name: "missing level", line: `[Fri Sep 09 10:42:29 2011] error x`, err: `missing [level] after the time at byte 26`},
		{name: "unterminated level", line: `[Fri Sep 09 10:42:29 2011] [error`, err: `unterminated [level] at byte 27`},
		{name: "bad level", line: `[Fri Sep 09 10:42:29 2011] [Error] x`, err: `bad [level] "Error" at byte 28`},
		{name: "empty level", line: `[Fri Sep 09 10:42:29 2011] [core:] x`, err: `bad [level] "core:" at byte 28`},
		{name: "space in module", line: `[Fri Sep 09 10:42:29 2011] [my mod:error] x`, err: `bad [level] "my mod:error" at byte 28`},
		{name: "no space after level", line: `[Fri Sep 09 10:42:29 2011] [error]x`, err: `expected a space after [level] at byte 34`},
		{name: "bad pid", line: `[Fri Sep 09 10:42:29 2011] [core:error] [pid 12a] x`, err: `bad [pid ...] "[pid 12a]" at byte 40`},
		{name: "empty tid", line: `[Fri Sep 09 10:42:29 2011] [core:error] [pid 12:tid ] x`, err: `bad [pid ...] "[pid 12:tid ]" at byte 40`},
		{name: "unterminated pid", line: `[Fri Sep 09 10:42:29 2011] [core:error] [pid 12`, err: `unterminated [pid ...] at byte 40`},
		{name: "no space after pid", line: `[Fri Sep 09 10:42:29 2011] [core:error] [pid 12]x`, err: `expected a space after [pid ...] at byte 48`},
		{name: "unterminated client", line: `[Fri Sep 09 10:42:29 2011] [error] [client 10.0.0.1 x`, err: `unterminated [client ...] at byte 35`},
		{name: "empty client", line: `[Fri Sep 09 10:42:29 2011] [error] [client ] x`, err: `empty [client ] at byte 35`},
		{name: "no space after client", line: `[Fri Sep 09 10:42:29 2011] [error] [client 10.0.0.1]x`, err: `expected a space after [client ...] at byte 52`},
	})
}

func TestErrorLogNginx(t *testing.T) {
	runCases(t, ErrorLog, []parseCase{
		{
			name: "request",
			line: `2011/06/10 13:30:10 [error] 1234#0: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"`,
			want: `{"time":"2011-06-10T13:30:10Z","server":"nginx","level":"error","pid":"1234","tid":"0","connection":"1","client":"127.0.0.1","message":"open() \"/usr/share/nginx/html/x\" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: \"GET /x HTTP/1.1\", host: \"localhost\"","server_name":"localhost","request":"GET /x HTTP/1.1","host":"localhost"}`,
		},
		{
			name: "no connection",
			line: "2024/01/15 08:00:00 [notice] 1#1: signal 17 (SIGCHLD) received from 30\n",
			want: `{"time":"2024-01-15T08:00:00Z","server":"nginx","level":"notice","pid":"1","tid":"1","message":"signal 17 (SIGCHLD) received from 30"}`,
		},
		{
			name: "alert",
			line: `2024/01/15 08:00:00 [alert] 7#7: worker process 31 exited on signal 6 (core dumped)`,
			want: `{"time":"2024-01-15T08:00:00Z","server":"nginx","level":"alert","pid":"7","tid":"7","message":"worker process 31 exited on signal 6 (core dumped)"}`,
		},
		{
			name: "all pairs, IPv6 client",
			line: `2026/11/21 09:01:02 [error] 31#31: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 2001:db8::17, server: example.com, request: "POST /api HTTP/2.0", subrequest: "/auth", upstream: "http://127.0.0.1:8080/api", host: "example.com", referrer: "https://example.com/"`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"31","tid":"31","connection":"7","client":"2001:db8::17","message":"connect() failed (111: Connection refused) while connecting to upstream, client: 2001:db8::17, server: example.com, request: \"POST /api HTTP/2.0\", subrequest: \"/auth\", upstream: \"http://127.0.0.1:8080/api\", host: \"example.com\", referrer: \"https://example.com/\"","server_name":"example.com","request":"POST /api HTTP/2.0","host":"example.com"}`,
		},
		{
			name: "no request: the server is the listening address",
			line: `2026/11/21 09:01:02 [info] 31#31: *9 SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"info","pid":"31","tid":"31","connection":"9","client":"198.51.100.7","message":"SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443","server_name":"0.0.0.0:443"}`,
		},
		{
			name: "empty server name, request only, control characters and invalid UTF-8 as written",
			line: "2026/11/21 09:01:02 [info] 31#31: *11 client sent invalid request while reading client request line, client: 198.51.100.7, server: , request: \"\x16\x03\x01\xff \\x41\"",
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"info","pid":"31","tid":"31","connection":"11","client":"198.51.100.7","message":"client sent invalid request while reading client request line, client: 198.51.100.7, server: , request: \"\u0016\u0003\u0001` + "\uFFFD" + ` \\x41\"","server_name":"","request":"\u0016\u0003\u0001` + "\uFFFD" + ` \\x41"}`,
		},
		{
			name: "stream: client and server only",
			line: `2026/11/21 09:01:02 [error] 5#5: *3 upstream timed out (110: Connection timed out) while proxying connection, client: 198.51.100.7, server: 0.0.0.0:5432, upstream: "10.0.0.2:5432", bytes from/to client:0/0, bytes from/to upstream:0/0`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"5","tid":"5","connection":"3","client":"198.51.100.7","message":"upstream timed out (110: Connection timed out) while proxying connection, client: 198.51.100.7, server: 0.0.0.0:5432, upstream: \"10.0.0.2:5432\", bytes from/to client:0/0, bytes from/to upstream:0/0","server_name":"0.0.0.0:5432"}`,
		},
		{
			name: "mail: client only",
			line: `2026/11/21 09:01:02 [info] 5#5: *4 client timed out (110: Connection timed out) while in auth state, client: 198.51.100.7`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"info","pid":"5","tid":"5","connection":"4","client":"198.51.100.7","message":"client timed out (110: Connection timed out) while in auth state, client: 198.51.100.7"}`,
		},
		{
			name: "a quote in the request: a value ends at the first quote before a later pair",
			line: `2026/11/21 09:01:02 [error] 1#1: *1 x, client: 198.51.100.7, server: a, request: "GET /", host: "evil HTTP/1.1", host: "example.com"`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"1","tid":"1","connection":"1","client":"198.51.100.7","message":"x, client: 198.51.100.7, server: a, request: \"GET /\", host: \"evil HTTP/1.1\", host: \"example.com\"","server_name":"a","request":"GET /","host":"evil HTTP/1.1\", host: \"example.com"}`,
		},
		{
			name: "a client in the request that is not a suffix",
			line: `2026/11/21 09:01:02 [error] 1#1: *1 x, client: 198.51.100.7, server: a, request: "GET /, client: 10.0.0.1, server: b HTTP/1.1"`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"1","tid":"1","connection":"1","client":"198.51.100.7","message":"x, client: 198.51.100.7, server: a, request: \"GET /, client: 10.0.0.1, server: b HTTP/1.1\"","server_name":"a","request":"GET /, client: 10.0.0.1, server: b HTTP/1.1"}`,
		},
		{
			name: "a suffix in the request: two suffixes, none read",
			line: `2026/11/21 09:01:02 [error] 1#1: *1 x, client: 198.51.100.7, server: a, request: "GET /, client: 10.0.0.1, server: b, c HTTP/1.1", host: "a"`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"1","tid":"1","connection":"1","message":"x, client: 198.51.100.7, server: a, request: \"GET /, client: 10.0.0.1, server: b, c HTTP/1.1\", host: \"a\""}`,
		},
		{
			name: "a suffix in the message: two suffixes, none read",
			line: `2026/11/21 09:01:02 [error] 1#1: *1 open() "/srv/, client: 10.0.0.1, server: b, referrer: "" failed (2: No such file or directory), client: 198.51.100.7, server: a, request: "GET /%2C%20client HTTP/1.1"`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"1","tid":"1","connection":"1","message":"open() \"/srv/, client: 10.0.0.1, server: b, referrer: \"\" failed (2: No such file or directory), client: 198.51.100.7, server: a, request: \"GET /%2C%20client HTTP/1.1\""}`,
		},
		{
			name: "unterminated request",
			line: `2026/11/21 09:01:02 [error] 1#1: *1 x, client: 198.51.100.7, server: a, request: "GET / HTTP/1.1`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"error","pid":"1","tid":"1","connection":"1","client":"198.51.100.7","message":"x, client: 198.51.100.7, server: a, request: \"GET / HTTP/1.1","server_name":"a"}`,
		},
		{
			name: "debug, connection alone",
			line: `2026/11/21 09:01:02 [debug] 1#1: *12`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"debug","pid":"1","tid":"1","connection":"12","message":""}`,
		},
		{
			name: "not a connection",
			line: `2026/11/21 09:01:02 [warn] 1#1: *12a *`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"warn","pid":"1","tid":"1","message":"*12a *"}`,
		},
		{
			name: "nothing after PID#TID",
			line: `2026/11/21 09:01:02 [emerg] 1#0:`,
			want: `{"time":"2026-11-21T09:01:02Z","server":"nginx","level":"emerg","pid":"1","tid":"0","message":""}`,
		},
		{name: "bad time", line: `2011/13/10 13:30:10 [error] 1#0: x`, err: `error log: bad time "2011/13/10 13:30:10" at byte 0`},
		{name: "neither Apache nor nginx", line: `2011-06-10 13:30:10 [error] 1#0: x`, err: `expected [Www Mmm dd hh:mm:ss yyyy] (Apache) or yyyy/mm/dd hh:mm:ss (nginx), found "2011-06-10 13:30:10 [error] 1#0: x" at byte 0`},
		{name: "missing level", line: `2011/06/10 13:30:10 error 1#0: x`, err: `missing [level] after the time at byte 19`},
		{name: "unterminated level", line: `2011/06/10 13:30:10 [error 1#0: x`, err: `unterminated [level] at byte 20`},
		{name: "bad level", line: `2011/06/10 13:30:10 [ERROR] 1#0: x`, err: `bad [level] "ERROR" at byte 21`},
		{name: "module", line: `2011/06/10 13:30:10 [core:error] 1#0: x`, err: `bad [level] "core:error" at byte 21`},
		{name: "no space after level", line: `2011/06/10 13:30:10 [error]1#0: x`, err: `expected a space after [level] at byte 27`},
		{name: "missing PID#TID", line: `2011/06/10 13:30:10 [error]`, err: `expected PID#TID: after [level], found "" at byte 27`},
		{name: "missing TID", line: `2011/06/10 13:30:10 [error] 1: x`, err: `expected PID#TID: after [level], found "1: x" at byte 28`},
		{name: "missing colon", line: `2011/06/10 13:30:10 [error] 1#0 x`, err: `expected PID#TID: after [level], found "1#0 x" at byte 28`},
		{name: "no space after PID#TID", line: `2011/06/10 13:30:10 [error] 1#0:x`, err: `expected a space after PID#TID: at byte 32`},
	})
}

func TestErrorLogLongLine(t *testing.T) {
	msg := strings.Repeat(`open() "/srv/\xff" failed, client: 198.51.100.7 `, 20000)
	line := "2026/11/21 09:01:02 [error] 1#1: *1 " + msg + `, client: 198.51.100.7, server: a, request: "GET / HTTP/1.1"`
	out, err := ParseWith(nil, ErrorLog, []byte(line), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObject(nil, out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(out), `"server_name":"a","request":"GET / HTTP/1.1"}`) || !strings.Contains(string(out), `"client":"198.51.100.7"`) {
		t.Errorf("suffix not read: %s", out[len(out)-200:])
	}

	msg = strings.Repeat(`caf\xc3\xa9 \\ "x" `, 50000)
	out, err = ParseWith(nil, ErrorLog, []byte(`[Sat Nov 21 09:01:02 2026] [core:error] [pid 1] (13)Permission denied: [client 10.0.0.1:1] AH00035: `+msg), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObject(nil, out); err != nil {
		t.Fatal(err)
	}
	want := `"message":"(13)Permission denied: ` + strings.Repeat(`café \\ \"x\" `, 50000) + `"}`
	if !strings.HasSuffix(string(out), want) {
		t.Error("message changed")
	}
}
