// Package batch splits a body of JSON text into events, in each of the
// forms logs are written in: a CloudTrail file as AWS writes it to S3
// ({"Records":[...]}), a Kubernetes audit EventList, as the API server
// sends it to a webhook, a JSON array, newline-delimited JSON, a stream of
// concatenated JSON values (as jq prints them), or a single object.
//
// Splitting only delimits events; it does not validate them, so that the
// events nothing will look at are never parsed. A body whose structure
// breaks off partway is split up to the break and reported.
package batch

import (
	"bytes"
	"fmt"

	"vigil/event"
	"vigil/jsonscan"
)

// Format is the form of a body.
type Format uint8

// The forms of bodies.
const (
	Empty     Format = iota
	Records          // {"Records":[...]}, as CloudTrail writes to S3
	EventList        // {"kind":"EventList","items":[...]}, of Kubernetes audit
	Array            // [event, ...]
	Lines            // one event per line
	Stream           // events one after another, spanning lines
	Single           // one event
)

var formatNames = [...]string{"empty", "cloudtrail", "eventlist", "array", "ndjson", "json-stream", "json"}

func (f Format) String() string { return formatNames[f] }

// Func receives each event: its index in the body, its bytes (a slice of
// the body) and its kind when the form tells it (records of a CloudTrail
// file are CloudTrail records), else event.Unknown.
type Func func(i int, raw []byte, kind event.Kind) error

// Error is a part of a body that could not be split into events: the
// events before it, and after it when the form allows, are delivered.
type Error struct {
	Offset int // in the body
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Split calls fn for each event of body and returns the body's form. It
// stops at the first error fn returns, or at a break in the structure
// that leaves the rest undelimitable (an *Error).
func Split(body []byte, fn Func) (Format, error) {
	i := jsonscan.Space(body, 0)
	if i == len(body) {
		return Empty, nil
	}
	if body[i] != '{' && body[i] != '[' {
		return Empty, &Error{i, fmt.Errorf("not JSON: expected '{' or '[' at the start, found %q", body[i])}
	}
	end, err := jsonscan.Value(body, i, 0)
	if err != nil {
		l := listAt(body, i)
		switch {
		case firstLine(body[i:]):
			return Lines, EachLine(body, fn)
		case l.format != Empty: // a CloudTrail file or an EventList cut short
			_, aerr := elements(body, l.at, 0, l.kind, fn)
			if aerr == nil {
				aerr = wrap(err)
			}
			return l.format, aerr
		case body[i] == '[':
			_, err := elements(body, i, 0, event.Unknown, fn)
			return Array, err
		}
		return Single, wrap(err)
	}
	next := jsonscan.Space(body, end)
	switch {
	case next == len(body) && body[i] == '[':
		_, err := elements(body, i, 0, event.Unknown, fn)
		return Array, err
	case next == len(body):
		if l := listAt(body, i); l.format != Empty {
			_, err := elements(body, l.at, 0, l.kind, fn)
			return l.format, err
		}
		return Single, fn(0, body[i:end], event.Unknown)
	case bytes.IndexByte(body[i:end], '\n') < 0 && firstLine(body[i:]):
		return Lines, EachLine(body, fn)
	case body[next] != '{':
		return Single, &Error{next, fmt.Errorf("unexpected %q after the first JSON value", body[next])}
	}
	return Stream, stream(body, i, fn)
}

// firstLine reports whether the body's first line is followed by another
// that starts an event: the body is one event per line, even if the first
// is malformed.
func firstLine(b []byte) bool {
	nl := bytes.IndexByte(b, '\n')
	return nl >= 0 && len(bytes.TrimSpace(b[nl:])) > 0 && (b[jsonscan.Space(b, nl)] == '{' || b[jsonscan.Space(b, nl)] == '[')
}

func wrap(err error) error {
	if se, ok := err.(*jsonscan.SyntaxError); ok {
		return &Error{se.Offset, err}
	}
	return err
}

// elements calls fn for each element of the array at body[i], numbering
// them from n, and returns the next number.
func elements(body []byte, i, n int, kind event.Kind, fn Func) (int, error) {
	i = jsonscan.Space(body, i+1)
	if i < len(body) && body[i] == ']' {
		return n, nil
	}
	for {
		end, err := jsonscan.Value(body, i, 1)
		if err != nil {
			return n, &Error{i, fmt.Errorf("event %d: %w", n, err)}
		}
		if err := fn(n, body[i:end], kind); err != nil {
			return n, err
		}
		n++
		i = jsonscan.Space(body, end)
		if i >= len(body) {
			return n, &Error{i, fmt.Errorf("unexpected end of input in an array")}
		}
		switch body[i] {
		case ',':
			i = jsonscan.Space(body, i+1)
		case ']':
			return n, nil
		default:
			return n, &Error{i, fmt.Errorf("expected ',' or ']' after event %d", n-1)}
		}
	}
}

// list is where the events of an object that lists them are: the array
// of a {"Records":[...]} object or of a Kubernetes EventList.
type list struct {
	format Format // Records, EventList, or Empty when the object is neither
	at     int    // where the array starts
	kind   event.Kind
}

// listAt returns the list of the object that starts at body[i], complete
// or cut short, if it is one. Its keys may come in any order.
func listAt(body []byte, i int) list {
	items, eventList := 0, false
	i = jsonscan.Space(body, i+1)
	for i < len(body) && body[i] == '"' {
		kend, err := jsonscan.String(body, i)
		if err != nil {
			break
		}
		key := string(body[i+1 : kend-1])
		i = jsonscan.Space(body, kend)
		if i >= len(body) || body[i] != ':' {
			break
		}
		i = jsonscan.Space(body, i+1)
		if i < len(body) && body[i] == '[' {
			switch key {
			case "Records":
				return list{Records, i, event.CloudTrail}
			case "items":
				items = i
			}
		}
		vend, err := jsonscan.Value(body, i, 1)
		if key == "kind" && err == nil {
			eventList = string(body[i:vend]) == `"EventList"`
		}
		if err != nil {
			break
		}
		if i = jsonscan.Space(body, vend); i < len(body) && body[i] == ',' {
			i = jsonscan.Space(body, i+1)
		}
	}
	if items > 0 && eventList {
		return list{EventList, items, event.K8sAudit}
	}
	return list{}
}

// EachLine calls fn for the events of each non-empty line of body, each
// line on its own: a line that is a JSON array yields its elements, a
// line that is a whole CloudTrail file or EventList (as some pipelines
// write them) its events, any other line one event. A line that breaks off is reported
// to fn as an event, for its reader to find malformed; EachLine returns
// only the errors fn returns.
func EachLine(body []byte, fn Func) error {
	n := 0
	for len(body) > 0 {
		line := body
		if j := bytes.IndexByte(body, '\n'); j >= 0 {
			line, body = body[:j], body[j+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		at, kind := -1, event.Unknown
		switch {
		case line[0] == '[':
			at = 0
		case bytes.HasPrefix(line, []byte(`{"Records"`)) || bytes.HasPrefix(line, []byte(`{"kind":"EventList"`)):
			if l := listAt(line, 0); l.format != Empty {
				at, kind = l.at, l.kind
			}
		}
		if at < 0 {
			if err := fn(n, line, event.Unknown); err != nil {
				return err
			}
			n++
			continue
		}
		m, err := elements(line, at, n, kind, fn)
		if _, broken := err.(*Error); err != nil && !broken {
			return err
		}
		if err != nil { // the rest of the line, as one malformed event
			if err := fn(m, line[err.(*Error).Offset:], event.Unknown); err != nil {
				return err
			}
			m++
		}
		n = m
	}
	return nil
}

// stream calls fn for each of the values that follow each other from
// body[i].
func stream(body []byte, i int, fn Func) error {
	for n := 0; i < len(body); n++ {
		end, err := jsonscan.Value(body, i, 0)
		if err != nil {
			return &Error{i, fmt.Errorf("event %d: %w", n, err)}
		}
		if err := fn(n, body[i:end], event.Unknown); err != nil {
			return err
		}
		i = jsonscan.Space(body, end)
	}
	return nil
}
