package logline_test

import (
	"fmt"
	"time"

	"vigil/logline"
)

func ExampleParseWith() {
	read := time.Date(2026, time.November, 21, 9, 30, 0, 0, time.UTC)
	var dst []byte
	for _, line := range []string{
		`type=USER_CMD msg=audit(1700000000.500:99): pid=1234 uid=1000 auid=1000 ses=3 msg='cwd="/home/alice" cmd=6C73202D6C61202F726F6F74 exe="/usr/bin/sudo" terminal=pts/0 res=success'`,
		`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event`,
		`Nov 20 08:14:07 bastion-1 sshd[2231]: Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2`,
		`203.0.113.50 - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
		`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50126] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
		`2011/06/10 13:30:10 [error] 1234#0: *1 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /x HTTP/1.1", host: "localhost"`,
		`type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e syscall=59 comm="sh`,
	} {
		f := logline.Detect([]byte(line))
		var err error
		if dst, err = logline.ParseWith(dst[:0], f, []byte(line), read); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s\n", dst)
	}
	// Output:
	// {"type":"USER_CMD","time":"2023-11-14T22:13:20.500Z","serial":"99","pid":"1234","uid":"1000","auid":"1000","ses":"3","cwd":"/home/alice","cmd":"ls -la /root","exe":"/usr/bin/sudo","terminal":"pts/0","res":"success"}
	// {"time":"2003-10-11T22:14:15.003Z","host":"mymachine.example.com","program":"evntslog","message":"An application event","facility":"local4","severity":"notice","msgid":"ID47","sd.exampleSDID@32473.iut":"3","sd.exampleSDID@32473.eventSource":"Application"}
	// {"time":"2026-11-20T08:14:07Z","host":"bastion-1","program":"sshd","pid":"2231","message":"Accepted publickey for ec2-user from 203.0.113.50 port 51122 ssh2"}
	// {"time":"2026-10-10T20:55:36Z","c-ip":"203.0.113.50","c-username":"frank","cs-method":"GET","c-uri":"/apache_pb.gif?x=1","cs-uri-stem":"/apache_pb.gif","cs-uri-query":"x=1","c-uri-extension":"gif","cs-version":"HTTP/1.0","sc-status":200,"sc-bytes":2326,"cs-referer":"http://www.example.com/start.html","c-useragent":"Mozilla/4.08 [en] (Win98; I ;Nav)"}
	// {"time":"2011-09-09T10:42:29.902022Z","server":"apache","module":"core","level":"error","pid":"35708","tid":"4328636416","client":"72.15.99.187","code":"AH00128","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}
	// {"time":"2011-06-10T13:30:10Z","server":"nginx","level":"error","pid":"1234","tid":"0","connection":"1","client":"127.0.0.1","message":"open() \"/usr/share/nginx/html/x\" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: \"GET /x HTTP/1.1\", host: \"localhost\"","server_name":"localhost","request":"GET /x HTTP/1.1","host":"localhost"}
	// auditd: unterminated quoted value of comm= at byte 75
}
