// Package batch splits a body of JSON text into events, in each of the
// forms logs are written in: a CloudTrail file as AWS writes it to S3
// ({"Records":[...]}), a JSON array, newline-delimited JSON, a stream of
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
	Empty   Format = iota
	Records        // {"Records":[...]}, as CloudTrail writes to S3
	Array          // [event, ...]
	Lines          // one event per line
	Stream         // events one after another, spanning lines
	Single         // one event
)

var formatNames = [...]string{"empty", "cloudtrail", "array", "ndjson", "json-stream", "json"}

func (f Format) String() string { return formatNames[f] }

// Func receives each event: its index in the body, its bytes (a slice of
// the body) and its kind when the form tells it (records of a CloudTrail
// file are CloudTrail records), else event.Unknown.
type Func func(i int, raw []byte, kind event.Kind) error

// Split calls fn for each event of body and returns the body's form. It
// stops at the first error fn returns, or at a break in the structure
// that leaves the rest undelimitable.
func Split(body []byte, fn Func) (Format, error) {
	i := jsonscan.Space(body, 0)
	if i == len(body) {
		return Empty, nil
	}
	switch body[i] {
	case '[':
		_, err := elements(body, i, 0, event.Unknown, fn)
		return Array, err
	case '{':
	default:
		return Empty, jsonscan.Errorf(i, "not JSON: expected '{' or '[' at the start, found %q", body[i])
	}
	end, err := jsonscan.Value(body, i, 0)
	if err != nil {
		switch {
		case bytes.HasPrefix(body[i:], recordsPrefix) && arrayAt(body, i+len(recordsPrefix)): // a CloudTrail file cut short
			_, aerr := elements(body, jsonscan.Space(body, i+len(recordsPrefix)), 0, event.CloudTrail, fn)
			if aerr == nil {
				aerr = err
			}
			return Records, aerr
		case bytes.IndexByte(body[i:], '\n') >= 0:
			return Lines, lines(body, fn)
		}
		return Single, err
	}
	next := jsonscan.Space(body, end)
	switch {
	case next == len(body):
		if recs, ok := records(body[i:end]); ok {
			_, err := elements(recs, 0, 0, event.CloudTrail, fn)
			return Records, err
		}
		return Single, fn(0, body[i:end], event.Unknown)
	case body[next] != '{':
		return Single, jsonscan.Errorf(next, "unexpected %q after the first JSON value", body[next])
	case bytes.IndexByte(body[i:end], '\n') < 0:
		return Lines, lines(body, fn)
	}
	return Stream, stream(body, i, fn)
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
			return n, fmt.Errorf("event %d: %w", n, err)
		}
		if err := fn(n, body[i:end], kind); err != nil {
			return n, err
		}
		n++
		i = jsonscan.Space(body, end)
		if i >= len(body) {
			return n, jsonscan.Errorf(i, "unexpected end of input in an array")
		}
		switch body[i] {
		case ',':
			i = jsonscan.Space(body, i+1)
		case ']':
			return n, nil
		default:
			return n, jsonscan.Errorf(i, "expected ',' or ']' after event %d", n-1)
		}
	}
}

// records returns the array of a {"Records":[...]} object.
func records(obj []byte) ([]byte, bool) {
	i := jsonscan.Space(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		kend, err := jsonscan.String(obj, i)
		if err != nil {
			return nil, false
		}
		key := obj[i+1 : kend-1]
		i = jsonscan.Space(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = jsonscan.Space(obj, i+1)
		vend, err := jsonscan.Value(obj, i, 1)
		if err != nil {
			return nil, false
		}
		if string(key) == "Records" && obj[i] == '[' {
			return obj[i:vend], true
		}
		i = jsonscan.Space(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = jsonscan.Space(obj, i+1)
		}
	}
	return nil, false
}

var recordsPrefix = []byte(`{"Records":`)

func arrayAt(body []byte, i int) bool {
	i = jsonscan.Space(body, i)
	return i < len(body) && body[i] == '['
}

// lines calls fn for each non-empty line. A line that is a whole
// CloudTrail file, as some pipelines write them, yields its records.
func lines(body []byte, fn Func) error {
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
		if bytes.HasPrefix(line, recordsPrefix) {
			if recs, ok := records(line); ok {
				var err error
				if n, err = elements(recs, 0, n, event.CloudTrail, fn); err != nil {
					return err
				}
				continue
			}
		}
		if err := fn(n, line, event.Unknown); err != nil {
			return err
		}
		n++
	}
	return nil
}

// stream calls fn for each of the values that follow each other from
// body[i].
func stream(body []byte, i int, fn Func) error {
	for n := 0; i < len(body); n++ {
		end, err := jsonscan.Value(body, i, 0)
		if err != nil {
			return fmt.Errorf("event %d: %w", n, err)
		}
		if err := fn(n, body[i:end], event.Unknown); err != nil {
			return err
		}
		i = jsonscan.Space(body, end)
	}
	return nil
}
