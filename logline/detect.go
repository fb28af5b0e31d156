package logline

import "bytes"

// Detect returns the format of one line, or Unknown. It looks only at how
// the line starts: an audit record starts with "type=" or "node="; a
// syslog line with "<PRI>", a "Mmm dd hh:mm:ss" timestamp or an RFC 3339
// one; an access log line with a client address or host name, a space,
// and, a few fields on, " [dd/Mon/yyyy:"; an error log line with Apache's
// "[Www Mmm dd hh:mm:ss" or nginx's "yyyy/mm/dd hh:mm:ss [". A JSON
// object (starting with "{") is Unknown.
func Detect(line []byte) Format {
	switch {
	case bytes.HasPrefix(line, []byte("type=")) || bytes.HasPrefix(line, []byte("node=")):
		return Auditd
	case priLen(line) > 0 || isBSDStamp(line):
		return Syslog
	case len(line) >= 20 && line[4] == '-' && line[10] == 'T':
		if _, _, _, ok := parseRFC3339(line); ok {
			return Syslog
		}
	case isApacheStamp(line) || isNginxStamp(line):
		return ErrorLog
	case isCombined(line):
		return Combined
	}
	return Unknown
}

// priLen returns the length of the "<PRI>" at the start of b, one to
// three digits between angle brackets, or 0.
func priLen(b []byte) int {
	if len(b) < 3 || b[0] != '<' {
		return 0
	}
	for i := 1; i < len(b) && i <= 4; i++ {
		switch c := b[i]; {
		case c == '>' && i > 1:
			return i + 1
		case c < '0' || c > '9':
			return 0
		}
	}
	return 0
}

// isBSDStamp reports whether b starts with an RFC 3164 timestamp,
// "Mmm dd hh:mm:ss" (the day may be padded with a space), and a space.
func isBSDStamp(b []byte) bool {
	return len(b) >= 16 && isBSDTime(b) && b[15] == ' '
}

// isBSDTime reports whether b starts with "Mmm dd hh:mm:ss", the day
// padded with a zero or a space.
func isBSDTime(b []byte) bool {
	if len(b) < 15 || month(b[:3]) == 0 || b[3] != ' ' {
		return false
	}
	for i, c := range b[4:15] {
		switch i {
		case 0:
			if c != ' ' && (c < '0' || c > '9') {
				return false
			}
		case 2:
			if c != ' ' {
				return false
			}
		case 5, 8:
			if c != ':' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// isCombined reports whether b looks like an access log line: a client
// address or host name, a space, two more fields and " [dd/Mon/yyyy:".
func isCombined(b []byte) bool {
	i := 0
	for i < len(b) && isHostByte(b[i]) {
		i++
	}
	if i == 0 || i == len(b) || b[i] != ' ' {
		return false
	}
	j := bytes.Index(b[i:], []byte(" ["))
	if j < 0 {
		return false
	}
	d := b[i+j+2:]
	return len(d) >= 12 && isDigit(d[0]) && isDigit(d[1]) && d[2] == '/' && month(d[3:6]) != 0 &&
		d[6] == '/' && isDigit(d[7]) && isDigit(d[8]) && isDigit(d[9]) && isDigit(d[10]) && d[11] == ':'
}

// isHostByte reports whether c may be part of an IPv4 or IPv6 address or
// a host name.
func isHostByte(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == ':' || c == '-' || c == '_' || c == '%'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
