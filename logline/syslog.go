package logline

import (
	"bytes"
	"fmt"
	"time"
)

// facilities are the names of the syslog facilities, by number.
var facilities = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
	"ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// severities are the names of the syslog severities, by number.
var severities = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// syslogMsg is the parts of a syslog line.
type syslogMsg struct {
	pri                       int // -1 if none
	time                      time.Time
	frac                      []byte // digits of the fraction of a second
	host, program, pid, msgid []byte // nil if none
	message                   []byte
	hasTime, hasMessage       bool
	sd                        []byte // RFC 5424 structured data, checked
}

// parseSyslog appends the object of a syslog line, RFC 5424 if the PRI is
// followed by a version, RFC 3164 otherwise.
func parseSyslog(dst, line []byte, now time.Time) ([]byte, error) {
	m := syslogMsg{pri: -1}
	i := priLen(line)
	switch {
	case i > 0:
		m.pri, _ = number(line[1 : i-1])
		if m.pri > 191 {
			return dst, syslogError(1, "PRI %d out of range", m.pri)
		}
	case line[0] == '<':
		return dst, syslogError(0, "bad PRI %s", excerpt(line[:min(len(line), 5)]))
	}
	var err error
	if m.pri >= 0 && hasVersion(line[i:]) {
		err = m.parse5424(line, i)
	} else {
		err = m.parse3164(line, i, now)
	}
	if err != nil {
		return dst, err
	}
	return m.append(dst), nil
}

// hasVersion reports whether b starts with the VERSION of RFC 5424, one to
// three digits, and a space.
func hasVersion(b []byte) bool {
	j := 0
	for j < len(b) && j < 3 && isDigit(b[j]) {
		j++
	}
	return j > 0 && j < len(b) && b[j] == ' '
}

// syslogError returns a *SyntaxError of a syslog line.
func syslogError(off int, format string, args ...any) error {
	return &SyntaxError{Format: Syslog, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// parse3164 reads an RFC 3164 line from offset i, after the PRI:
//
//	TIMESTAMP HOST PROGRAM[PID]: MESSAGE
//
// The timestamp is "Mmm dd hh:mm:ss", or RFC 3339 as rsyslog writes it
// in its high-precision format. The host may be missing, and so may the
// program and pid: then the message is all that follows.
func (m *syslogMsg) parse3164(line []byte, i int, now time.Time) error {
	b := line[i:]
	if isBSDStamp(b) {
		d := int(b[5] - '0')
		if b[4] != ' ' {
			d += 10 * int(b[4]-'0')
		}
		h, _ := number(b[7:9])
		mi, _ := number(b[10:12])
		s, _ := number(b[13:15])
		t, ok := yearOf(month(b[:3]), d, h, mi, s, now)
		if !ok {
			return syslogError(i, "bad timestamp %q", b[:15])
		}
		m.time, m.hasTime = t, true
		i += 15
	} else {
		t, frac, n, ok := parseRFC3339(b)
		switch {
		case !ok || n < len(b) && b[n] != ' ':
			return syslogError(i, "bad timestamp %s", excerpt(b[:min(len(b), 32)]))
		case !inRange(t):
			return syslogError(i, "time out of range")
		}
		m.time, m.frac, m.hasTime = t, frac, true
		i += n
	}
	if i == len(line) {
		return syslogError(i, "missing host and message")
	}
	rest := bytes.TrimLeft(line[i+1:], " ")
	host, after, _ := bytes.Cut(rest, []byte(" "))
	if len(host) > 0 && !bytes.HasSuffix(host, []byte(":")) && bytes.IndexByte(host, '[') < 0 {
		m.host, rest = host, after
	}
	m.program, m.pid, m.message = tag(rest)
	m.hasMessage = true
	return nil
}

// yearOf returns the time of an RFC 3164 timestamp, which has no year, in
// the latest year that puts it at most a day after now; ok is false if
// the date and clock are not valid in a recent year.
func yearOf(mo time.Month, d, h, mi, s int, now time.Time) (_ time.Time, ok bool) {
	limit := now.Add(24 * time.Hour)
	last := now.UTC().Year() + 1
	for y := last; y >= last-9; y-- {
		if t, ok := date(y, mo, d, h, mi, s); ok && inRange(t) && !t.After(limit) {
			return t, true
		}
	}
	return time.Time{}, false
}

// tag splits "PROGRAM[PID]: MESSAGE" or "PROGRAM: MESSAGE". If b does not
// start so, program is nil and message is b.
func tag(b []byte) (program, pid, message []byte) {
	k := 0
	for k < len(b) && b[k] != ' ' && b[k] != '[' && b[k] != ':' {
		k++
	}
	if k == 0 || k == len(b) {
		return nil, nil, b
	}
	rest := b[k:]
	if rest[0] == '[' {
		end := bytes.IndexByte(rest, ']')
		if end < 2 || end+1 == len(rest) || rest[end+1] != ':' {
			return nil, nil, b
		}
		pid, rest = rest[1:end], rest[end+1:]
	}
	if rest[0] != ':' {
		return nil, nil, b
	}
	return b[:k], pid, bytes.TrimLeft(rest[1:], " ")
}

// parse5424 reads an RFC 5424 line from offset i, after the PRI:
//
//	VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
//
// "-" stands for a missing header field or structured data.
func (m *syslogMsg) parse5424(line []byte, i int) error {
	v, i, _ := header(line, i, "VERSION") // there is one: see hasVersion
	if string(v) != "1" {
		return syslogError(i-len(v)-1, "unsupported version %q", v)
	}
	at := i
	ts, i, err := header(line, i, "TIMESTAMP")
	if err != nil {
		return err
	}
	if string(ts) != "-" {
		t, frac, n, ok := parseRFC3339(ts)
		switch {
		case !ok || n != len(ts):
			return syslogError(at, "bad TIMESTAMP %s", excerpt(ts))
		case !inRange(t):
			return syslogError(at, "TIMESTAMP out of range")
		}
		m.time, m.frac, m.hasTime = t, frac, true
	}
	if m.host, i, err = nilHeader(line, i, "HOSTNAME"); err != nil {
		return err
	}
	if m.program, i, err = nilHeader(line, i, "APP-NAME"); err != nil {
		return err
	}
	if m.pid, i, err = nilHeader(line, i, "PROCID"); err != nil {
		return err
	}
	if m.msgid, i, err = nilHeader(line, i, "MSGID"); err != nil {
		return err
	}
	end := i + 1
	if i == len(line) {
		return syslogError(i, "missing STRUCTURED-DATA")
	}
	if line[i] != '-' {
		r := sdReader{b: line[i:]}
		for {
			_, _, _, ok, err := r.next()
			if err != nil {
				err.Offset += i
				return err
			}
			if !ok {
				break
			}
		}
		if r.i == 0 {
			return syslogError(i, "bad STRUCTURED-DATA %s", excerpt(line[i:]))
		}
		m.sd, end = line[i:i+r.i], i+r.i
	}
	switch {
	case end == len(line):
	case line[end] == ' ':
		m.message, m.hasMessage = bytes.TrimPrefix(line[end+1:], []byte("\uFEFF")), true
	default:
		return syslogError(end, "missing space after STRUCTURED-DATA")
	}
	return nil
}

// header reads a header field of an RFC 5424 line at offset i, and
// returns it and the offset after the space that ends it.
func header(line []byte, i int, name string) (field []byte, next int, err error) {
	end := bytes.IndexByte(line[i:], ' ')
	switch {
	case i == len(line):
		return nil, i, syslogError(i, "missing %s", name)
	case end == 0:
		return nil, i, syslogError(i, "empty %s", name)
	case end < 0:
		return line[i:], len(line), nil
	}
	return line[i : i+end], i + end + 1, nil
}

// nilHeader is header for a field that may be "-", for which it returns
// nil.
func nilHeader(line []byte, i int, name string) (field []byte, next int, err error) {
	field, next, err = header(line, i, name)
	if string(field) == "-" {
		field = nil
	}
	return field, next, err
}

// append appends the object of the message.
func (m *syslogMsg) append(dst []byte) []byte {
	dst = append(dst, '{')
	if m.hasTime {
		dst = appendTime(append(dst, `"time":`...), m.time, m.frac)
	}
	if m.host != nil {
		dst = appendField(dst, `"host":`, m.host)
	}
	if m.program != nil {
		dst = appendField(dst, `"program":`, m.program)
	}
	if m.pid != nil {
		dst = appendField(dst, `"pid":`, m.pid)
	}
	if m.hasMessage {
		dst = appendField(dst, `"message":`, m.message)
	}
	if m.pri >= 0 {
		dst = append(comma(dst), `"facility":"`...)
		dst = append(dst, facilities[m.pri>>3]...)
		dst = append(dst, `","severity":"`...)
		dst = append(dst, severities[m.pri&7]...)
		dst = append(dst, '"')
	}
	if m.msgid != nil {
		dst = appendField(dst, `"msgid":`, m.msgid)
	}
	if m.sd != nil {
		dst = appendSD(dst, m.sd)
	}
	return append(dst, '}')
}

// appendSD appends a member "sd.SD-ID.PARAM-NAME" for each parameter of
// structured data that has been checked; of repeated ones, the first.
func appendSD(dst, sd []byte) []byte {
	var keys keySet
	r := sdReader{b: sd}
	for {
		id, name, value, ok, _ := r.next()
		if !ok {
			return dst
		}
		var isNew bool
		mark := len(dst)
		dst = comma(dst)
		off := len(dst)
		dst = append(dst, `"sd.`...)
		dst = append(appendEscaped(dst, id), '.')
		dst = append(appendEscaped(dst, name), '"')
		if dst, isNew = keys.end(dst, mark, off); isNew {
			dst = appendSDValue(dst, value)
		}
	}
}

// appendSDValue appends the JSON string of a PARAM-VALUE, whose escapes
// \" \\ and \] it decodes.
func appendSDValue(dst, v []byte) []byte {
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(v, '\\')
		if i < 0 || i+1 == len(v) {
			break
		}
		if c := v[i+1]; c == '"' || c == '\\' || c == ']' {
			dst = appendEscaped(dst, v[:i])
			if c != ']' {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
			v = v[i+2:]
			continue
		}
		dst = appendEscaped(dst, v[:i+1])
		v = v[i+1:]
	}
	return append(appendEscaped(dst, v), '"')
}

// sdReader reads RFC 5424 structured data: elements [SD-ID PARAM="VALUE"
// ...], one after the other.
type sdReader struct {
	b  []byte
	i  int    // offset of the next byte to read
	id []byte // SD-ID of the element being read; nil between elements
}

// next returns the next parameter, with the SD-ID of its element and its
// value as written (escaped). ok is false after the last element; then
// r.i is the length of the structured data.
func (r *sdReader) next() (id, name, value []byte, ok bool, err *SyntaxError) {
	b := r.b
	for {
		if r.id == nil {
			if r.i == len(b) || b[r.i] != '[' {
				return nil, nil, nil, false, nil
			}
			start := r.i + 1
			end := start + sdName(b[start:])
			if end == start {
				return nil, nil, nil, false, &SyntaxError{Format: Syslog, Offset: start, Msg: "empty SD-ID"}
			}
			r.id, r.i = b[start:end], end
		}
		if r.i == len(b) {
			return nil, nil, nil, false, &SyntaxError{Format: Syslog, Offset: r.i, Msg: fmt.Sprintf("unterminated STRUCTURED-DATA element [%s", r.id)}
		}
		switch b[r.i] {
		case ']':
			r.id = nil
			r.i++
			continue
		case ' ':
		default:
			return nil, nil, nil, false, &SyntaxError{Format: Syslog, Offset: r.i, Msg: fmt.Sprintf("unexpected %q in STRUCTURED-DATA element [%s", b[r.i], r.id)}
		}
		start := r.i + 1
		end := start + sdName(b[start:])
		if end == start || end+1 >= len(b) || b[end] != '=' || b[end+1] != '"' {
			return nil, nil, nil, false, &SyntaxError{Format: Syslog, Offset: start, Msg: fmt.Sprintf("expected PARAM-NAME=\"VALUE\" in STRUCTURED-DATA element [%s", r.id)}
		}
		v := end + 2
		close := v
		for close < len(b) && b[close] != '"' {
			if b[close] == '\\' {
				close++
			}
			close++
		}
		if close >= len(b) {
			return nil, nil, nil, false, &SyntaxError{Format: Syslog, Offset: v - 1, Msg: fmt.Sprintf("unterminated value of %s in STRUCTURED-DATA", b[start:end])}
		}
		r.i = close + 1
		return r.id, b[start:end], b[v:close], true, nil
	}
}

// sdName returns the length of the SD-NAME at the start of b: printable
// ASCII but for '=', ' ', ']' and '"'.
func sdName(b []byte) int {
	for i, c := range b {
		if c <= ' ' || c >= 0x7F || c == '=' || c == ']' || c == '"' {
			return i
		}
	}
	return len(b)
}
