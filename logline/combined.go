package logline

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// parseCombined appends the object of an access log line in the Common or
// Combined Log Format:
//
//	HOST IDENT USER [dd/Mon/yyyy:hh:mm:ss ±hhmm] "REQUEST" STATUS BYTES ["REFERER" ["USER-AGENT"]]
//
// Whatever follows the user agent, such as the fields some servers add,
// is left out.
func parseCombined(dst, line []byte) ([]byte, error) {
	ip, i, ok := field(line, 0)
	if !ok {
		return dst, combinedError(0, "missing client address")
	}
	at := i
	if _, i, ok = field(line, at); !ok {
		return dst, combinedError(at, "missing identity")
	}
	at = i
	user, i, ok := field(line, at)
	if !ok {
		return dst, combinedError(at, "missing user")
	}
	if i == len(line) || line[i] != '[' {
		return dst, combinedError(i, "expected [time] after the user, found %s", excerpt(line[i:]))
	}
	end := bytes.IndexByte(line[i:], ']')
	if end < 0 {
		return dst, combinedError(i, "unterminated [time]")
	}
	t, ok := clfTime(line[i+1 : i+end])
	if !ok {
		return dst, combinedError(i+1, "bad time %q", line[i+1:i+end])
	}
	i += end + 1
	if !bytes.HasPrefix(line[i:], []byte(` "`)) {
		return dst, combinedError(i, "missing request")
	}
	req, i, ok := quoted(line, i+1)
	if !ok {
		return dst, combinedError(i, "unterminated request %s", excerpt(line[i:]))
	}
	if i == len(line) || line[i] != ' ' {
		return dst, combinedError(i, "missing status")
	}
	at = i + 1
	status, i, _ := field(line, at)
	code, ok := number(status)
	if !ok || len(status) > 3 {
		return dst, combinedError(at, "bad status %s", excerpt(status))
	}
	if i == len(line) {
		return dst, combinedError(i, "missing size")
	}
	at = i
	size, i, _ := field(line, at)
	n, ok := number(size)
	if !ok && string(size) != "-" {
		return dst, combinedError(at, "bad size %s", excerpt(size))
	}
	var referer, agent []byte
	if i < len(line) {
		if referer, i, ok = quoted(line, i); !ok {
			return dst, combinedError(i, "expected quoted referer, found %s", excerpt(line[i:]))
		}
		if i < len(line) {
			if line[i] != ' ' {
				return dst, combinedError(i, "expected a space after the referer")
			}
			if agent, i, ok = quoted(line, i+1); !ok {
				return dst, combinedError(i, "expected quoted user agent, found %s", excerpt(line[i:]))
			}
		}
	}

	dst = append(dst, `{"time":`...)
	dst = appendTime(dst, t, nil)
	dst = appendField(dst, `"c-ip":`, ip)
	if string(user) != "-" {
		dst = appendLogField(dst, `"c-username":`, user)
	}
	dst = appendRequest(dst, req)
	dst = strconv.AppendInt(append(dst, `,"sc-status":`...), int64(code), 10)
	if string(size) != "-" {
		dst = strconv.AppendInt(append(dst, `,"sc-bytes":`...), int64(n), 10)
	}
	if referer != nil && string(referer) != "-" {
		dst = appendLogField(dst, `"cs-referer":`, referer)
	}
	if agent != nil && string(agent) != "-" {
		dst = appendLogField(dst, `"c-useragent":`, agent)
	}
	return append(dst, '}'), nil
}

// combinedError returns a *SyntaxError of an access log line.
func combinedError(off int, format string, args ...any) error {
	return &SyntaxError{Format: Combined, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// field returns the field of line at offset i, which ends at a space,
// and the offset after the space, or len(line) at the end of the line. ok
// is false if the field is empty.
func field(line []byte, i int) (f []byte, next int, ok bool) {
	end := bytes.IndexByte(line[i:], ' ')
	if end < 0 {
		return line[i:], len(line), i < len(line)
	}
	return line[i : i+end], i + end + 1, end > 0
}

// quoted returns the inside of the quoted field of line at offset i and
// the offset after its closing quote. A backslash escapes the byte after
// it. ok is false if line has no quoted field at i, or it is not closed.
func quoted(line []byte, i int) (f []byte, next int, ok bool) {
	if i == len(line) || line[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return line[i+1 : j], j + 1, true
		}
	}
	return nil, i, false
}

// clfTime reads the time of an access log line, "10/Oct/2026:13:55:36
// -0700".
func clfTime(b []byte) (_ time.Time, ok bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' ||
		b[21] != '+' && b[21] != '-' {
		return time.Time{}, false
	}
	d, ok1 := number(b[0:2])
	y, ok2 := number(b[7:11])
	h, ok3 := number(b[12:14])
	mi, ok4 := number(b[15:17])
	s, ok5 := number(b[18:20])
	zh, ok6 := number(b[22:24])
	zm, ok7 := number(b[24:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || zm > 59 {
		return time.Time{}, false
	}
	t, ok := date(y, month(b[3:6]), d, h, mi, s)
	off := time.Duration(zh)*time.Hour + time.Duration(zm)*time.Minute
	if b[21] == '+' {
		off = -off
	}
	t = t.Add(off)
	return t, ok && inRange(t)
}

// appendRequest appends the members of a request line: cs-method, c-uri,
// cs-uri-stem, cs-uri-query, c-uri-extension and cs-version, or, if it is
// not METHOD TARGET VERSION, c-uri alone with the line as it is.
func appendRequest(dst, req []byte) []byte {
	method, target, version, ok := splitRequest(req)
	if !ok {
		return appendLogField(dst, `"c-uri":`, req)
	}
	dst = appendField(dst, `"cs-method":`, method)
	dst = appendLogField(dst, `"c-uri":`, target)
	stem, query, hasQuery := bytes.Cut(target, []byte("?"))
	dst = appendLogField(dst, `"cs-uri-stem":`, stem)
	if hasQuery && len(query) > 0 {
		dst = appendLogField(dst, `"cs-uri-query":`, query)
	}
	if ext := extension(stem); len(ext) > 0 {
		dst = appendLogField(dst, `"c-uri-extension":`, ext)
	}
	return appendField(dst, `"cs-version":`, version)
}

// splitRequest splits "METHOD TARGET HTTP/VERSION"; ok is false if req is
// not so.
func splitRequest(req []byte) (method, target, version []byte, ok bool) {
	first, last := bytes.IndexByte(req, ' '), bytes.LastIndexByte(req, ' ')
	if first <= 0 || last <= first+1 {
		return nil, nil, nil, false
	}
	method, target, version = req[:first], req[first+1:last], req[last+1:]
	for _, c := range method {
		if (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return nil, nil, nil, false
		}
	}
	if len(version) <= len("HTTP/") || !bytes.HasPrefix(version, []byte("HTTP/")) {
		return nil, nil, nil, false
	}
	return method, target, version, true
}

// extension returns the extension of the last segment of the path of a
// request target's stem, without the dot. An absolute target
// (http://host/path) has the extension of its path; others that do not
// start with "/", such as the host:port of CONNECT, have none.
func extension(stem []byte) []byte {
	if len(stem) == 0 || stem[0] != '/' {
		_, rest, ok := bytes.Cut(stem, []byte("://"))
		slash := bytes.IndexByte(rest, '/')
		if !ok || slash < 0 {
			return nil
		}
		stem = rest[slash:]
	}
	seg := stem[bytes.LastIndexByte(stem, '/')+1:]
	if dot := bytes.LastIndexByte(seg, '.'); dot >= 0 {
		return seg[dot+1:]
	}
	return nil
}

// appendLogField appends a member whose key, quoted and followed by a
// colon, is key, and whose value is v, a field as Apache and nginx write
// them, with its escapes decoded: \" \\ \xHH and \b \n \r \t \v.
func appendLogField(dst []byte, key string, v []byte) []byte {
	dst = append(comma(dst), key...)
	if bytes.IndexByte(v, '\\') < 0 {
		return appendString(dst, v)
	}
	from := len(dst)
	return quoteTail(appendUnescaped(dst, v), from)
}

// appendUnescaped appends v with the escapes Apache and nginx write in
// their logs decoded: \" \\ \xHH and \b \n \r \t \v. A backslash that
// does not start one of them stays as it is.
func appendUnescaped(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, '\\')
		if i < 0 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i]...)
		if c, n := logEscape(v[i+1:]); n > 0 {
			dst = append(dst, c)
			v = v[i+1+n:]
		} else {
			dst = append(dst, '\\')
			v = v[i+1:]
		}
	}
}

// logEscape decodes the escape at the start of b, after a backslash: it
// returns the byte and the length of the escape after the backslash, or
// 0 if b does not start with one.
func logEscape(b []byte) (c byte, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	switch b[0] {
	case '"', '\\':
		return b[0], 1
	case 'b':
		return '\b', 1
	case 'n':
		return '\n', 1
	case 'r':
		return '\r', 1
	case 't':
		return '\t', 1
	case 'v':
		return '\v', 1
	case 'x':
		if len(b) >= 3 && isHexDigit(b[1]) && isHexDigit(b[2]) {
			return fromHex(b[1])<<4 | fromHex(b[2]), 3
		}
	}
	return 0, 0
}

// isHexDigit reports whether c is a hexadecimal digit.
func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// fromHex returns the value of the hexadecimal digit c.
func fromHex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
