package logline

import (
	"fmt"
	"strconv"
	"time"
)

// Format is a text log format.
type Format uint8

// The formats.
const (
	// Unknown is not a format this package reads.
	Unknown Format = iota
	// Auditd is a line of the Linux audit log, /var/log/audit/audit.log.
	Auditd
	// Syslog is a syslog line, RFC 3164 (as in /var/log/auth.log) or
	// RFC 5424.
	Syslog
	// Combined is a web access log line in the NCSA Common or Combined
	// Log Format.
	Combined
	// ErrorLog is a line of the error log of Apache httpd or nginx.
	ErrorLog
)

var formatNames = [...]string{"unknown", "auditd", "syslog", "combined", "errorlog"}

// String returns the name of the format: "auditd", "syslog", "combined",
// "errorlog" or "unknown".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Parse appends the JSON object for one line of the given format to dst
// and returns it. It is ParseWith with the current time, which places
// RFC 3164 syslog timestamps, written without a year, in a year.
func Parse(dst []byte, f Format, line []byte) ([]byte, error) {
	return ParseWith(dst, f, line, time.Now())
}

// ParseWith appends the JSON object for one line of the given format to
// dst and returns it. now is when the line is read: an RFC 3164 syslog
// timestamp, which has neither year nor zone, is taken to be in UTC, in
// the latest year that puts it at most a day after now. A line ending in
// "\n" or "\r\n" is read without them.
//
// A line that is broken returns a *SyntaxError and dst as it was.
func ParseWith(dst []byte, f Format, line []byte, now time.Time) ([]byte, error) {
	if f == Unknown || f > ErrorLog {
		return dst, fmt.Errorf("logline: cannot parse a line of format %v", f)
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	switch {
	case len(line) == 0:
		return dst, &SyntaxError{Format: f, Msg: "empty line"}
	case f == Auditd:
		return parseAuditd(dst, line)
	case f == Syslog:
		return parseSyslog(dst, line, now)
	case f == Combined:
		return parseCombined(dst, line)
	}
	return parseErrorLog(dst, line)
}

// A SyntaxError reports a line of a format that is broken: what is wrong
// and at which byte of the line.
type SyntaxError struct {
	Format Format
	Offset int // byte offset in the line
	Msg    string
}

func (e *SyntaxError) Error() string {
	name := e.Format.String()
	switch e.Format {
	case Combined:
		name = "combined log"
	case ErrorLog:
		name = "error log"
	}
	return fmt.Sprintf("%s: %s at byte %d", name, e.Msg, e.Offset)
}

// excerpt returns the start of b, at most 40 bytes, quoted for an error
// message.
func excerpt(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}
