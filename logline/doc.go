// Package logline turns lines of text logs into JSON events, so that
// detection sees them as it sees any other event: Linux audit records,
// syslog messages, web access log entries and the error log entries of
// Apache httpd and nginx.
//
// Detect tells the format of a line from how it starts; Parse (or
// ParseWith, which takes the time the line is read) appends the line's
// JSON object to a buffer. Keys come in a fixed order, each once; values
// are JSON strings except where said. Strings are escaped as JSON
// requires, and bytes that are not valid UTF-8 become U+FFFD. A line
// that is of the format but broken returns a *SyntaxError saying what is
// wrong and at which byte, never a partial or guessed object.
//
// # Auditd
//
// A line of /var/log/audit/audit.log, in the raw or enriched format:
//
//	[node=NODE ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): KEY=VALUE ...[\x1dKEY=VALUE ...]
//
// becomes
//
//   - "type": the record type.
//   - "time": the time of msg=audit(...), RFC 3339 in UTC with milliseconds.
//   - "serial": the serial number of the event, which all its records share.
//   - "node": the node name, if the line has one.
//   - then every KEY=VALUE pair in the order of the line, as "KEY":"VALUE",
//     including those of the enriched part after the GS byte (0x1D),
//     whose keys are upper case (UID, AUID, SYSCALL...). A value in
//     double quotes is given without them. A bare value is given as
//     written, (null) and ? included, but for the fields auditd writes in
//     hexadecimal when they hold a space, a quote or a byte outside
//     printable ASCII (acct, cgroup, cmd, comm, cwd, data, device, dir,
//     exe, key, name, ocomm, path, proctitle, vm, watch, old-chardev,
//     new-chardev, old-disk, new-disk, old-fs, new-fs, old-rng, new-rng,
//     and in EXECVE records the arguments a0, a1... and the pieces a0[0],
//     a0[1]... of long ones): there an even
//     number of upper-case hexadecimal digits is decoded. In a proctitle,
//     the NULs between arguments become spaces. Other hexadecimal values,
//     such as the syscall arguments of a SYSCALL record or a saddr, stay
//     as written.
//   - The single-quoted msg='...' of records from user space (USER_CMD,
//     USER_AUTH, USER_LOGIN...) is not a member: its pairs are members as
//     if they were outside it.
//   - A key that comes again is left out: the first one counts.
//   - In a SYSCALL record that is not enriched, "ARCH" and "SYSCALL": the
//     names of its arch and syscall numbers, as an enriched record has
//     them (x86_64, aarch64 and i386; "SYSCALL":"execve" for
//     arch=c000003e syscall=59), so that rules written for one format
//     read the other.
//   - "text": the words of the line that are not KEY=VALUE pairs, such as
//     "avc:  denied  { read } for" in an AVC record, joined by single
//     spaces, if there are any.
//
// For example,
//
//	type=USER_CMD msg=audit(1700000000.500:99): pid=1234 uid=1000 auid=1000 ses=3 msg='cwd="/home/alice" cmd=6C73202D6C61202F726F6F74 exe="/usr/bin/sudo" terminal=pts/0 res=success'
//
// becomes
//
//	{"type":"USER_CMD","time":"2023-11-14T22:13:20.500Z","serial":"99","pid":"1234","uid":"1000","auid":"1000","ses":"3","cwd":"/home/alice","cmd":"ls -la /root","exe":"/usr/bin/sudo","terminal":"pts/0","res":"success"}
//
// # Syslog
//
// An RFC 3164 line, with or without the <PRI> in front (as in
// /var/log/auth.log):
//
//	[<PRI>]TIMESTAMP [HOST ]PROGRAM[PID]: MESSAGE
//
// where TIMESTAMP is "Mmm dd hh:mm:ss" or, as rsyslog writes it in its
// high-precision format, RFC 3339; or an RFC 5424 line:
//
//	<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
//
// becomes
//
//   - "time": the timestamp, RFC 3339 in UTC, with its fraction of a
//     second as written, if the line has one. A "Mmm dd hh:mm:ss"
//     timestamp has no zone and is taken to be in UTC; it has no year
//     either, and is given the latest year that puts it at most a day
//     after the time the line is read (a December line read in January is
//     of the year before).
//   - "host": the host name, if there is one. In RFC 3164, the word after
//     the timestamp is taken for the program, not the host, if it ends
//     with a colon or holds a "[".
//   - "program": the program (the tag, the APP-NAME), if there is one.
//   - "pid": the process id in brackets, the PROCID, if there is one.
//   - "message": the message, with the spaces after the program's colon
//     and the byte order mark of RFC 5424 left out. In RFC 3164, a line
//     without "PROGRAM:" or "PROGRAM[PID]:" is all message after the host.
//     An RFC 5424 line without MSG has no message.
//   - "facility" and "severity": the names of the two parts of the PRI,
//     if there is one: kern, user, mail, daemon, auth, syslog, lpr, news,
//     uucp, cron, authpriv, ftp, ntp, security, console, solaris-cron,
//     local0 to local7; emerg, alert, crit, err, warning, notice, info,
//     debug.
//   - "msgid": the MSGID of RFC 5424, if not "-".
//   - "sd.SD-ID.PARAM-NAME": each parameter of the structured data of
//     RFC 5424, its value unescaped; of a parameter repeated, the first.
//
// For example,
//
//	<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event
//
// becomes
//
//	{"time":"2003-10-11T22:14:15.003Z","host":"mymachine.example.com","program":"evntslog","message":"An application event","facility":"local4","severity":"notice","msgid":"ID47","sd.exampleSDID@32473.iut":"3","sd.exampleSDID@32473.eventSource":"Application"}
//
// and, read in November 2026,
//
//	Nov 20 08:14:07 bastion-1 sshd[2231]: Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2
//
// becomes
//
//	{"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"sshd","pid":"2231","message":"Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2"}
//
// # Combined
//
// A web access log line in the NCSA Common or Combined Log Format, as
// Apache and nginx write them:
//
//	HOST IDENT USER [dd/Mon/yyyy:hh:mm:ss ±hhmm] "REQUEST" STATUS BYTES ["REFERER" ["USER-AGENT"]]
//
// becomes, with the field names of Sigma's web taxonomy,
//
//   - "time": the time, RFC 3339 in UTC.
//   - "c-ip": the client address or host name.
//   - "c-username": the user, unless "-". (IDENT is left out.)
//   - "cs-method": the method of the request.
//   - "c-uri": the request target as written; or, if the request is not
//     METHOD TARGET HTTP/VERSION (a "-", or what scanners send), the whole
//     request, and then the members up to cs-version are left out.
//   - "cs-uri-stem": the target up to the first "?".
//   - "cs-uri-query": what follows the "?", if not empty.
//   - "c-uri-extension": the extension of the last segment of the stem's
//     path, without the dot, if it has one.
//   - "cs-version": the protocol, such as HTTP/1.1.
//   - "sc-status": the status, a JSON number.
//   - "sc-bytes": the size of the response, a JSON number, unless "-".
//   - "cs-referer" and "c-useragent": the referer and the user agent,
//     unless missing or "-".
//
// The escapes Apache and nginx write in these fields are decoded (\" \\
// \xHH, and Apache's \b \n \r \t \v). Whatever follows the user agent,
// such as fields a server adds, is left out.
//
// For example,
//
//	203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
//
// becomes
//
//	{"time":"2026-10-10T20:55:36Z","c-ip":"203.0.113.50","c-username":"frank","cs-method":"GET","c-uri":"/apache_pb.gif?x=1","cs-uri-stem":"/apache_pb.gif","cs-uri-query":"x=1","c-uri-extension":"gif","cs-version":"HTTP/1.0","sc-status":200,"sc-bytes":2326,"cs-referer":"http://www.example.com/start.html","c-useragent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}
//
// # ErrorLog
//
// A line of the error log of Apache httpd, as 2.4 writes it by default,
// or as 2.2 and 1.3 wrote it, without module, pid or port:
//
//	[Www Mmm dd hh:mm:ss[.ffffff] yyyy] [[MODULE:]LEVEL] [pid PID[:tid TID]] [client ADDRESS[:PORT]] [AHnnnnn: ]MESSAGE
//
// or of the error log of nginx:
//
//	yyyy/mm/dd hh:mm:ss [LEVEL] PID#TID: [*CONNECTION ]MESSAGE
//
// becomes
//
//   - "time": the time, RFC 3339 in UTC, with its fraction of a second
//     as written, if the line has one. Neither server writes a zone (both
//     write the local time of the host): the time is taken to be in UTC.
//     The weekday Apache writes must be the date's.
//   - "server": "apache" for a line that starts with "[", "nginx" for the
//     others.
//   - "module": the module of an Apache 2.4 line, unless empty.
//   - "level": the level, such as error, warn, notice or crit.
//   - "pid" and "tid": the process and thread ids, if the line has them.
//   - "connection": the number of nginx's "*CONNECTION", if there is one.
//   - "client": for Apache, the ADDRESS of the client, without the port
//     that 2.4 (a line with a pid) writes after it: what follows the last
//     colon, for 2.4 writes IPv6 addresses without brackets. For nginx,
//     the ADDRESS of the suffix described below.
//   - "code": the error code of Apache 2.4, such as AH00128, if one
//     follows the client, or is where the client would be.
//   - "message": for Apache, the rest of the line, without the client and
//     the code, with the escapes Apache writes decoded (\\ \xHH \b \n \r
//     \t \v). What 2.4 writes between the pid and the client stays at the
//     start of the message: at levels debug and trace1 to trace8 the
//     source file and line, such as "mod_authz_core.c(820): ", and an
//     operating system error, such as "(13)Permission denied: ". The
//     ", referer: ..." that Apache may add stays at the end. For nginx,
//     all that follows "PID#TID: " and "*CONNECTION ", as written, its
//     suffix included.
//   - "server_name", "request" and "host": for nginx, the NAME of the
//     suffix and the values of its request and host, if it has them.
//
// nginx ends the message about a client connection with a suffix, which
// has the quoted pairs whose values nginx knows:
//
//	, client: ADDRESS[, server: NAME[, request: "..."][, subrequest: "..."][, upstream: "..."][, host: "..."][, referrer: "..."]]
//
// ADDRESS, which is not empty, and NAME have no space, comma or quote, and what follows
// them must be the end of the line or a comma and a space. A quoted value
// ends at the first quote followed by the end of the line or by a pair
// that may come after it. If what follows NAME is not made of such pairs
// (the suffixes of nginx's stream and mail modules are not), only ADDRESS
// and NAME are read. nginx writes these values as they come, without
// escaping them, so that a message, a request or a header may hold a
// suffix of its own: a line with more than one has no client,
// server_name, request or host.
//
// For example,
//
//	[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50126] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico
//
// becomes
//
//	{"time":"2011-09-09T10:42:29.902022Z","server":"apache","module":"core","level":"error","pid":"35708","tid":"4328636416","client":"72.15.99.187","code":"AH00128","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}
//
// and
//
//	2011/06/10 13:30:10 [error] 1234#0: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"
//
// becomes
//
//	{"time":"2011-06-10T13:30:10Z","server":"nginx","level":"error","pid":"1234","tid":"0","connection":"1","client":"127.0.0.1","message":"open() \"/usr/share/nginx/html/x\" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: \"GET /x HTTP/1.1\", host: \"localhost\"","server_name":"localhost","request":"GET /x HTTP/1.1","host":"localhost"}
package logline
