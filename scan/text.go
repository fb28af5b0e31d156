package scan

import (
	"bytes"
	"errors"
	"fmt"

	"vigil/batch"
	"vigil/event"
	"vigil/logline"
)

// kinds are the kinds of events of the text formats.
var kinds = map[logline.Format]event.Kind{
	logline.Auditd:   event.Auditd,
	logline.Syslog:   event.Syslog,
	logline.Combined: event.HTTP,
	logline.ErrorLog: event.WebError,
}

// text evaluates a chunk of text log lines, each in the format it is
// written in (a line that is a JSON object is read as JSON). The records
// of an audit event, which follow one another, are also assembled into
// the process it started, if it started one, evaluated as a host event.
func (w *worker) text(c chunk) {
	var audit auditGroup
	for at := 0; at < len(c.data); {
		end := bytes.IndexByte(c.data[at:], '\n') + 1 + at
		if end == at { // the last line has no newline
			end = len(c.data)
		}
		line := bytes.TrimRight(c.data[at:end], "\r\n")
		if err := w.textLine(c, at, line, &audit); err != nil {
			return
		}
		at = end
	}
	w.process(c, &audit)
}

// textLine evaluates one line, which starts at offset at of the chunk. It
// returns an error when the scan must stop.
func (w *worker) textLine(c chunk, at int, line []byte, audit *auditGroup) error {
	trimmed := bytes.TrimLeft(line, " \t")
	if len(trimmed) == 0 {
		return nil
	}
	if isJSON(trimmed) {
		err := batch.EachLine(line, func(_ int, raw []byte, kind event.Kind) error {
			w.events++
			return w.eval(raw, kind)
		})
		if err != nil {
			return w.malformed(c, at, err)
		}
		return nil
	}
	w.events++
	f := logline.Detect(line)
	if f == logline.Unknown {
		return w.malformed(c, at, fmt.Errorf("not a line of a text log vigil reads: %s", excerpt(line)))
	}
	var err error
	if w.tbuf, err = logline.ParseWith(w.tbuf[:0], f, line, c.read); err != nil {
		var se *logline.SyntaxError
		if errors.As(err, &se) {
			at += se.Offset
		}
		return w.malformed(c, at, err)
	}
	if err := w.eval(w.tbuf, kinds[f]); err != nil {
		return w.malformed(c, at, err)
	}
	if f == logline.Auditd && !audit.add(line) {
		w.process(c, audit) // the records of the event before are all in
		audit.add(line)
	}
	return nil
}

// isJSON reports whether a line that is not blank is JSON: it starts with
// a brace, or a bracket that does not open an Apache error log line.
func isJSON(line []byte) bool {
	return line[0] == '{' || line[0] == '[' && logline.Detect(line) != logline.ErrorLog
}

// process evaluates the process an audit event started, if its records
// say it started one, and forgets the records.
func (w *worker) process(c chunk, g *auditGroup) {
	if len(g.records) == 0 {
		return
	}
	var ok bool
	if w.tbuf, ok = logline.Process(w.tbuf[:0], g.records); ok {
		if err := w.eval(w.tbuf, event.Host); err != nil {
			w.malformed(c, offset(c.data, g.records[0]), err)
		}
	}
	g.records = g.records[:0]
}

// auditGroup gathers the records of one audit event: the lines in a row
// that share its node and stamp.
type auditGroup struct {
	records     [][]byte
	node, stamp []byte
}

// add adds a record to the group if it is of the group's event, or if the
// group is empty; ok is false when it belongs to another event.
func (g *auditGroup) add(line []byte) (ok bool) {
	node, stamp, ok := logline.AuditEvent(line)
	if !ok {
		return true // broken: ParseWith said so already
	}
	if len(g.records) > 0 && (!bytes.Equal(node, g.node) || !bytes.Equal(stamp, g.stamp)) {
		return false
	}
	g.node, g.stamp = node, stamp
	g.records = append(g.records, line)
	return true
}
