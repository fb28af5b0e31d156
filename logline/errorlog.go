package logline

import (
	"bytes"
	"fmt"
	"time"
)

// errorEntry is the parts of an error log line. A part the line does not
// have is nil.
type errorEntry struct {
	time                          time.Time
	frac                          []byte // digits of the fraction of a second
	nginx                         bool
	module, level, pid, tid, conn []byte
	client, code                  []byte
	head, message                 []byte // for Apache, head then message, escapes undecoded
	serverName, request, host     []byte
}

// parseErrorLog appends the object of an error log line, Apache's if it
// starts with "[", nginx's otherwise.
func parseErrorLog(dst, line []byte) ([]byte, error) {
	var e errorEntry
	var err error
	switch {
	case line[0] == '[':
		err = e.parseApache(line)
	case isNginxTime(line):
		err = e.parseNginx(line)
	default:
		err = errorLogError(0, "expected [Www Mmm dd hh:mm:ss yyyy] (Apache) or yyyy/mm/dd hh:mm:ss (nginx), found %s", excerpt(line))
	}
	if err != nil {
		return dst, err
	}
	return e.append(dst), nil
}

// errorLogError returns a *SyntaxError of an error log line.
func errorLogError(off int, format string, args ...any) error {
	return &SyntaxError{Format: ErrorLog, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// parseApache reads an Apache httpd error log line:
//
//	[Www Mmm dd hh:mm:ss[.ffffff] yyyy] [[MODULE:]LEVEL] [pid PID[:tid TID]] [client ADDRESS[:PORT]] [AHnnnnn: ]MESSAGE
//
// The pid, the client and the code may be missing; 2.2 and 1.3 write no
// module, no pid and no port.
func (e *errorEntry) parseApache(line []byte) error {
	end := bytes.IndexByte(line, ']')
	if end < 0 {
		return errorLogError(0, "unterminated [time]")
	}
	t, frac, ok := apacheTime(line[1:end])
	if !ok {
		return errorLogError(1, "bad time %s", excerpt(line[1:end]))
	}
	e.time, e.frac = t, frac
	i, err := e.parseLevel(line, end+1)
	if err != nil {
		return err
	}
	if bytes.HasPrefix(line[i:], []byte("[pid ")) {
		end := bytes.IndexByte(line[i:], ']')
		if end < 0 {
			return errorLogError(i, "unterminated [pid ...]")
		}
		pid, tid, hasTID := bytes.Cut(line[i+5:i+end], []byte(":tid "))
		if !isDigits(pid) || hasTID && !isDigits(tid) {
			return errorLogError(i, "bad [pid ...] %s", excerpt(line[i:i+end+1]))
		}
		e.pid = pid
		if hasTID {
			e.tid = tid
		}
		if i, err = afterBracket(line, i+end+1, "[pid ...]"); err != nil {
			return err
		}
	}
	start := i
	i += apacheHead(line[i:], string(e.level) == "debug" || bytes.HasPrefix(e.level, []byte("trace")))
	head := i
	if bytes.HasPrefix(line[i:], []byte("[client ")) {
		end := bytes.IndexByte(line[i:], ']')
		switch {
		case end < 0:
			return errorLogError(i, "unterminated [client ...]")
		case end == len("[client "):
			return errorLogError(i, "empty [client ]")
		}
		e.client = line[i+len("[client ") : i+end]
		if e.pid != nil { // 2.4 writes the port
			e.client = withoutPort(e.client)
		}
		if i, err = afterBracket(line, i+end+1, "[client ...]"); err != nil {
			return err
		}
	}
	if n := ahCode(line[i:]); n > 0 {
		e.code = line[i : i+7]
		i += n
	}
	if e.client == nil && e.code == nil {
		e.message = line[start:]
	} else {
		e.head, e.message = line[start:head], line[i:]
	}
	return nil
}

// parseLevel reads the " [LEVEL]" or " [MODULE:LEVEL]" after the time,
// which ends at offset i, and returns the offset of what follows it.
func (e *errorEntry) parseLevel(line []byte, i int) (next int, err error) {
	if !bytes.HasPrefix(line[i:], []byte(" [")) {
		return i, errorLogError(i, "missing [level] after the time")
	}
	i += 2
	end := bytes.IndexByte(line[i:], ']')
	if end < 0 {
		return i, errorLogError(i-1, "unterminated [level]")
	}
	b := line[i : i+end]
	module, level, hasModule := bytes.Cut(b, []byte(":"))
	if !hasModule {
		module, level = nil, b
	}
	if !isLevel(level) || bytes.IndexByte(module, ' ') >= 0 || e.nginx && hasModule {
		return i, errorLogError(i, "bad [level] %s", excerpt(b))
	}
	if len(module) > 0 {
		e.module = module
	}
	e.level = level
	return afterBracket(line, i+end+1, "[level]")
}

// afterBracket returns the offset of what follows the bracket of an error
// log line that ends at offset i: the end of the line, or a space.
func afterBracket(line []byte, i int, what string) (next int, err error) {
	switch {
	case i == len(line):
		return i, nil
	case line[i] == ' ':
		return i + 1, nil
	}
	return i, errorLogError(i, "expected a space after %s", what)
}

// isLevel reports whether b may be the name of a level: lower-case
// letters and digits, such as error or trace3.
func isLevel(b []byte) bool {
	for _, c := range b {
		if (c < 'a' || c > 'z') && !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// isDigits reports whether b is one or more decimal digits.
func isDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// apacheHead returns the length of what Apache 2.4 writes before the
// client, at the start of b: the source file and line, at levels debug
// and trace1 to trace8, such as "mod_authz_core.c(820): ", and an OS
// error, such as "(13)Permission denied: " or "(EAI 2)Name or service not
// known: ". It returns 0 if b starts with neither.
func apacheHead(b []byte, debug bool) int {
	n := 0
	if debug {
		j := 0
		for j < len(b) && (isDigit(b[j]) || b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z' || b[j] == '_' || b[j] == '.' || b[j] == '-') {
			j++
		}
		if k := bytes.Index(b[j:], []byte("): ")); j > 0 && k > 1 && b[j] == '(' && isDigits(b[j+1:j+k]) {
			n = j + k + 3
		}
	}
	if n == len(b) || b[n] != '(' {
		return n
	}
	s := b[n+1:]
	digit := isDigit
	switch {
	case bytes.HasPrefix(s, []byte("EAI ")):
		s = s[4:]
	case bytes.HasPrefix(s, []byte("OS ")):
		s = s[3:]
	case bytes.HasPrefix(s, []byte("os 0x")):
		s, digit = s[5:], isHexDigit
	}
	k := 0
	for k < len(s) && digit(s[k]) {
		k++
	}
	if k == 0 || k == len(s) || s[k] != ')' {
		return n
	}
	text := s[k+1:]
	if c := bytes.Index(text, []byte(": ")); c > 0 {
		return len(b) - len(text) + c + 2
	}
	return n
}

// withoutPort returns addr without the ":PORT" at its end, if it has one.
// Apache 2.4 writes IPv6 addresses without brackets: the port is what
// follows the last colon.
func withoutPort(addr []byte) []byte {
	if c := bytes.LastIndexByte(addr, ':'); c > 0 && isDigits(addr[c+1:]) {
		return addr[:c]
	}
	return addr
}

// ahCode returns the length of the error code of Apache 2.4 at the start
// of b, "AHnnnnn:" and the space after it if there is one, or 0.
func ahCode(b []byte) int {
	if len(b) < 8 || b[0] != 'A' || b[1] != 'H' || !isDigits(b[2:7]) || b[7] != ':' {
		return 0
	}
	switch {
	case len(b) == 8:
		return 8
	case b[8] == ' ':
		return 9
	}
	return 0
}

// apacheTime reads the time of an Apache error log line, inside the
// brackets: "Fri Sep 09 10:42:29.902022 2011". The weekday must be the
// date's.
func apacheTime(b []byte) (t time.Time, frac []byte, ok bool) {
	if len(b) < 24 || b[3] != ' ' || b[7] != ' ' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, nil, false
	}
	wd, ok1 := weekday(b[0:3])
	d, ok2 := number(b[8:10])
	if b[8] == ' ' {
		d, ok2 = number(b[9:10])
	}
	h, ok3 := number(b[11:13])
	mi, ok4 := number(b[14:16])
	s, ok5 := number(b[17:19])
	n := 19
	if b[n] == '.' {
		n++
		for n < len(b) && isDigit(b[n]) {
			n++
		}
		frac = b[20:n]
		if len(frac) == 0 || len(frac) > 9 {
			return time.Time{}, nil, false
		}
	}
	if len(b) != n+5 || b[n] != ' ' {
		return time.Time{}, nil, false
	}
	y, ok6 := number(b[n+1:])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, nil, false
	}
	if t, ok = date(y, month(b[4:7]), d, h, mi, s); !ok || t.Weekday() != wd {
		return time.Time{}, nil, false
	}
	return t, frac, true
}

// weekday returns the weekday of an English three-letter abbreviation
// such as "Fri"; ok is false if b is none.
func weekday(b []byte) (_ time.Weekday, ok bool) {
	if len(b) == 3 {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if s := d.String(); b[0] == s[0] && b[1] == s[1] && b[2] == s[2] {
				return d, true
			}
		}
	}
	return 0, false
}

// isApacheStamp reports whether b starts with the time of an Apache
// error log line up to the seconds, "[Www Mmm dd hh:mm:ss", and a dot or
// a space.
func isApacheStamp(b []byte) bool {
	if len(b) < 21 || b[0] != '[' || b[4] != ' ' || b[20] != '.' && b[20] != ' ' {
		return false
	}
	_, ok := weekday(b[1:4])
	return ok && isBSDTime(b[5:])
}

// isNginxTime reports whether b starts with digits and separators as in
// the time of an nginx error log line, "yyyy/mm/dd hh:mm:ss".
func isNginxTime(b []byte) bool {
	if len(b) < 19 {
		return false
	}
	for i, c := range b[:19] {
		switch i {
		case 4, 7:
			if c != '/' {
				return false
			}
		case 10:
			if c != ' ' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		default:
			if !isDigit(c) {
				return false
			}
		}
	}
	return true
}

// isNginxStamp reports whether b starts as an nginx error log line,
// "yyyy/mm/dd hh:mm:ss [".
func isNginxStamp(b []byte) bool {
	return isNginxTime(b) && len(b) >= 21 && b[19] == ' ' && b[20] == '['
}

// parseNginx reads an nginx error log line:
//
//	yyyy/mm/dd hh:mm:ss [LEVEL] PID#TID: [*CONNECTION ]MESSAGE
func (e *errorEntry) parseNginx(line []byte) error {
	e.nginx = true
	y, _ := number(line[0:4])
	mo, _ := number(line[5:7])
	d, _ := number(line[8:10])
	h, _ := number(line[11:13])
	mi, _ := number(line[14:16])
	s, _ := number(line[17:19])
	t, ok := date(y, time.Month(mo), d, h, mi, s)
	if !ok {
		return errorLogError(0, "bad time %q", line[:19])
	}
	e.time = t
	i, err := e.parseLevel(line, 19)
	if err != nil {
		return err
	}
	at := i
	pid, rest, _ := bytes.Cut(line[i:], []byte("#"))
	n := 0
	for n < len(rest) && isDigit(rest[n]) {
		n++
	}
	if !isDigits(pid) || n == 0 || n == len(rest) || rest[n] != ':' {
		return errorLogError(at, "expected PID#TID: after [level], found %s", excerpt(line[at:]))
	}
	e.pid, e.tid = pid, rest[:n]
	i = at + len(pid) + 1 + n // the colon
	if i, err = afterBracket(line, i+1, "PID#TID:"); err != nil {
		return err
	}
	if i < len(line) && line[i] == '*' {
		j := i + 1
		for j < len(line) && isDigit(line[j]) {
			j++
		}
		if j > i+1 && (j == len(line) || line[j] == ' ') {
			e.conn = line[i+1 : j]
			i = min(j+1, len(line))
		}
	}
	e.message = line[i:]
	e.nginxSuffix(e.message)
	return nil
}

// clientKey starts the suffix nginx appends to messages about a client.
const clientKey = ", client: "

// nginxSuffix reads the suffix nginx appends to the message of a client
// connection:
//
//	, client: ADDRESS[, server: NAME[, request: "..."][, subrequest: "..."][, upstream: "..."][, host: "..."][, referrer: "..."]]
//
// nginx writes these values as they come, without escaping them, so that
// what comes before the suffix or a value in it may hold a suffix of its
// own: if the message has more than one, none is read.
func (e *errorEntry) nginxSuffix(msg []byte) {
	var client, name, rest []byte
	found := false
	for off := 0; ; {
		k := bytes.Index(msg[off:], []byte(clientKey))
		if k < 0 {
			break
		}
		off += k
		if c, n, r, ok := clientPair(msg[off:]); ok {
			if found {
				return
			}
			client, name, rest, found = c, n, r, true
		}
		off += len(clientKey)
	}
	if found {
		e.client, e.serverName = client, name
		e.request, e.host = httpPairs(rest)
	}
}

// clientPair reads ", client: ADDRESS" and ", server: NAME" at the start
// of b, which must be followed by the end of b or a comma and a space.
// ADDRESS, which is not empty, and NAME have no space, comma or quote.
// name is nil if b has no ", server: ".
func clientPair(b []byte) (client, name, rest []byte, ok bool) {
	b = b[len(clientKey):]
	n := nameLen(b)
	if n == 0 {
		return nil, nil, nil, false
	}
	client, b = b[:n], b[n:]
	if len(b) == 0 {
		return client, nil, b, true
	}
	if !bytes.HasPrefix(b, []byte(", server: ")) {
		return nil, nil, nil, false
	}
	b = b[len(", server: "):]
	n = nameLen(b)
	name, rest = b[:n], b[n:]
	if len(rest) > 0 && !bytes.HasPrefix(rest, []byte(", ")) {
		return nil, nil, nil, false
	}
	return client, name, rest, true
}

// nameLen returns the length of the start of b up to a space, a comma or a
// quote.
func nameLen(b []byte) int {
	for i, c := range b {
		if c == ' ' || c == ',' || c == '"' {
			return i
		}
	}
	return len(b)
}

// httpKeys are the keys of the quoted values nginx appends to the message
// of an HTTP request, in the order it writes them.
var httpKeys = [...]string{"request", "subrequest", "upstream", "host", "referrer"}

// httpPairs reads the pairs `, KEY: "VALUE"` that make up b, the keys in
// the order of httpKeys, and returns the values of request and host. A
// value ends at the first quote followed by the end of b or by a pair of
// a later key. If b is not made of such pairs, it returns nil.
func httpPairs(b []byte) (request, host []byte) {
	last := -1
	for len(b) > 0 {
		k := httpKey(b, last)
		if k < 0 {
			return nil, nil
		}
		v := b[len(httpKeys[k])+5:] // `, KEY: "`
		end := -1
		for j := 0; j < len(v); j++ {
			q := bytes.IndexByte(v[j:], '"')
			if q < 0 {
				break
			}
			j += q
			if j+1 == len(v) || httpKey(v[j+1:], k) >= 0 {
				end = j
				break
			}
		}
		if end < 0 {
			return nil, nil
		}
		switch httpKeys[k] {
		case "request":
			request = v[:end]
		case "host":
			host = v[:end]
		}
		last, b = k, v[end+1:]
	}
	return request, host
}

// httpKey returns the index in httpKeys of the key of the pair `, KEY: "`
// at the start of b, which must come after the key of index after; or -1.
func httpKey(b []byte, after int) int {
	if len(b) < 2 || b[0] != ',' || b[1] != ' ' {
		return -1
	}
	for k := after + 1; k < len(httpKeys); k++ {
		key := httpKeys[k]
		if len(b) >= len(key)+5 && string(b[2:2+len(key)]) == key && string(b[2+len(key):5+len(key)]) == `: "` {
			return k
		}
	}
	return -1
}

// append appends the object of the entry.
func (e *errorEntry) append(dst []byte) []byte {
	dst = append(dst, `{"time":`...)
	dst = appendTime(dst, e.time, e.frac)
	if e.nginx {
		dst = append(dst, `,"server":"nginx"`...)
	} else {
		dst = append(dst, `,"server":"apache"`...)
	}
	if e.module != nil {
		dst = appendField(dst, `"module":`, e.module)
	}
	dst = appendField(dst, `"level":`, e.level)
	if e.pid != nil {
		dst = appendField(dst, `"pid":`, e.pid)
	}
	if e.tid != nil {
		dst = appendField(dst, `"tid":`, e.tid)
	}
	if e.conn != nil {
		dst = appendField(dst, `"connection":`, e.conn)
	}
	if e.client != nil {
		dst = appendField(dst, `"client":`, e.client)
	}
	if e.code != nil {
		dst = appendField(dst, `"code":`, e.code)
	}
	if e.nginx {
		dst = appendField(dst, `"message":`, e.message)
	} else {
		dst = appendApacheMessage(dst, e.head, e.message)
	}
	if e.serverName != nil {
		dst = appendField(dst, `"server_name":`, e.serverName)
	}
	if e.request != nil {
		dst = appendField(dst, `"request":`, e.request)
	}
	if e.host != nil {
		dst = appendField(dst, `"host":`, e.host)
	}
	return append(dst, '}')
}

// appendApacheMessage appends the member "message" whose value is head
// followed by rest, with the escapes Apache writes in its error log
// decoded: \\ \xHH \b \n \r \t \v (and \", which it does not write).
func appendApacheMessage(dst, head, rest []byte) []byte {
	dst = append(comma(dst), `"message":`...)
	if bytes.IndexByte(head, '\\') < 0 && bytes.IndexByte(rest, '\\') < 0 {
		dst = append(dst, '"')
		dst = appendEscaped(appendEscaped(dst, head), rest)
		return append(dst, '"')
	}
	from := len(dst)
	return quoteTail(appendUnescaped(appendUnescaped(dst, head), rest), from)
}
