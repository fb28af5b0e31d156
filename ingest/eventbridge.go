package ingest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/auth"
	"vigil/engine"
	"vigil/jsonscan"
	"vigil/pattern"
	"vigil/sigv4"
)

// AWSEvents serves the PutEvents and TestEventPattern actions of the
// Amazon EventBridge API (AWS JSON 1.1, POST / with X-Amz-Target), so
// that `aws events put-events --endpoint-url` and the AWS SDKs deliver
// events to vigil. Requests are signed with AWS Signature Version 4: the
// access key id is a token's id, the secret the one derived from it.
type AWSEvents struct {
	*Ingester
	Source Source
	// Account is the account id of the events put.
	Account string
	// Secret returns the secret access key of an access key id that may
	// put events in Source, ok false otherwise.
	Secret  func(accessKeyID string) (string, bool)
	Limiter interface {
		Allow(key string) (bool, time.Duration)
	}
	now func() time.Time
}

// Limits of PutEvents, as AWS sets them.
const (
	maxEntries   = 10
	maxPutEvents = 256 << 10 // bytes of all entries of a request
)

// awsError is an error of the AWS JSON protocol.
type awsError struct {
	code   int
	Type   string `json:"__type"`
	Msg    string `json:"message"`
	header http.Header
}

func (e *awsError) Error() string { return e.Type + ": " + e.Msg }

// ServeHTTP runs the action of a request and answers as EventBridge
// does, errors included, counting the request by status.
func (eb *AWSEvents) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	code := http.StatusOK
	defer func() { eb.Metrics.Requests.WithLabelValues("eventbridge", strconv.Itoa(code)).Inc() }()
	out, ae := eb.serve(r)
	if ae != nil {
		eb.Metrics.reject(eb.Source.Name, ae.Type)
		for k, v := range ae.header {
			w.Header()[k] = v
		}
		code = ae.code
		writeAWS(w, code, ae, ae.Type)
		return
	}
	writeAWS(w, code, out, "")
}

func writeAWS(w http.ResponseWriter, code int, v any, errType string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if errType != "" {
		w.Header().Set("X-Amzn-ErrorType", errType)
	}
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func badRequest(typ, format string, args ...any) *awsError {
	return &awsError{code: http.StatusBadRequest, Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// serve authenticates a request and runs its action.
func (eb *AWSEvents) serve(r *http.Request) (any, *awsError) {
	target := r.Header.Get("X-Amz-Target")
	action, ok := strings.CutPrefix(target, "AWSEvents.")
	if !ok {
		return nil, badRequest("UnknownOperationException", "X-Amz-Target %q is not an EventBridge action", target)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 2*maxPutEvents))
	if err != nil {
		return nil, &awsError{code: http.StatusRequestEntityTooLarge, Type: "ValidationException", Msg: "the request is larger than EventBridge allows"}
	}
	id, err := sigv4.Verify(r, body, eb.Secret, eb.clock())
	if err != nil {
		return nil, authError(err)
	}
	if ok, wait := eb.Limiter.Allow(id.AccessKeyID); !ok {
		return nil, &awsError{code: http.StatusBadRequest, Type: "ThrottlingException", Msg: "Rate exceeded",
			header: http.Header{"Retry-After": {auth.RetryAfter(wait)}}}
	}
	switch action {
	case "PutEvents":
		return eb.putEvents(r, body, id.Region)
	case "TestEventPattern":
		return testEventPattern(body)
	}
	return nil, badRequest("UnknownOperationException", "vigil serves the PutEvents and TestEventPattern actions, not %s", action)
}

func (eb *AWSEvents) clock() time.Time {
	if eb.now != nil {
		return eb.now()
	}
	return time.Now()
}

// authError returns the AWS error of a failed signature check.
func authError(err error) *awsError {
	switch {
	case errors.Is(err, sigv4.ErrNoAuthorization):
		return &awsError{code: http.StatusForbidden, Type: "MissingAuthenticationTokenException", Msg: "Missing Authentication Token"}
	case errors.Is(err, sigv4.ErrUnknownKey):
		return badRequest("UnrecognizedClientException", "The security token included in the request is invalid.")
	case errors.Is(err, sigv4.ErrSignature), errors.Is(err, sigv4.ErrPayloadHash):
		return badRequest("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
	case errors.Is(err, sigv4.ErrSkew):
		return badRequest("InvalidSignatureException", "Signature expired: %v", err)
	}
	return badRequest("IncompleteSignatureException", "%v", err)
}

// putEntry is an entry of PutEvents.
type putEntry struct {
	Source       *string         `json:"Source"`
	DetailType   *string         `json:"DetailType"`
	Detail       *string         `json:"Detail"`
	Resources    []string        `json:"Resources"`
	Time         json.RawMessage `json:"Time"`
	EventBusName *string         `json:"EventBusName"`
	TraceHeader  *string         `json:"TraceHeader"`
}

// putResult is the result of one entry.
type putResult struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

type putOutput struct {
	FailedEntryCount int         `json:"FailedEntryCount"`
	Entries          []putResult `json:"Entries"`
}

// putEvents puts the entries of a request as events in the envelope
// EventBridge gives them, each refused with AWS's error code if AWS would
// refuse it, and answers once the bus stored the others.
func (eb *AWSEvents) putEvents(r *http.Request, body []byte, region string) (any, *awsError) {
	var in struct {
		Entries    []putEntry `json:"Entries"`
		EndpointID *string    `json:"EndpointId"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("SerializationException", "the request body is not valid JSON for PutEvents: %v", err)
	}
	switch {
	case len(in.Entries) == 0:
		return nil, badRequest("ValidationException", "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null")
	case len(in.Entries) > maxEntries:
		return nil, badRequest("ValidationException", "1 validation error detected: Value '%d' at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", len(in.Entries), maxEntries)
	case entriesSize(in.Entries) > maxPutEvents:
		return nil, badRequest("ValidationException", "Total size of the entries in the request is over the limit.")
	}
	now := eb.clock()
	out := putOutput{Entries: make([]putResult, len(in.Entries))}
	var events [][]byte
	for i, e := range in.Entries {
		ev, res := eb.envelope(e, region, now)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
			eb.Metrics.reject(eb.Source.Name, res.ErrorCode)
		} else {
			events = append(events, ev)
		}
		out.Entries[i] = res
	}
	if err := eb.publish(r.Context(), eb.Source, events, now); err != nil {
		return nil, &awsError{code: http.StatusServiceUnavailable, Type: "InternalException", Msg: err.Error(),
			header: http.Header{"Retry-After": {auth.RetryAfter(retryAfter)}}}
	}
	return out, nil
}

// entriesSize returns the size of entries as AWS counts it against the
// limit of a request.
func entriesSize(entries []putEntry) int {
	n := 0
	for _, e := range entries {
		n += 14 // the time, counted whether given or not
		for _, s := range []*string{e.Source, e.DetailType, e.Detail} {
			if s != nil {
				n += len(*s)
			}
		}
		for _, res := range e.Resources {
			n += len(res)
		}
	}
	return n
}

// envelope returns the event of an entry, or the error AWS gives it.
func (eb *AWSEvents) envelope(e putEntry, region string, now time.Time) ([]byte, putResult) {
	fail := func(code, msg string) ([]byte, putResult) { return nil, putResult{ErrorCode: code, ErrorMessage: msg} }
	required := func(name string) ([]byte, putResult) {
		return fail("InvalidArgument", fmt.Sprintf("Parameter %s is not valid. Reason: %s is a required argument.", name, name))
	}
	switch {
	case e.Source == nil || *e.Source == "":
		return required("Source")
	case e.DetailType == nil || *e.DetailType == "":
		return required("DetailType")
	case e.Detail == nil || *e.Detail == "":
		return required("Detail")
	case strings.HasPrefix(*e.Source, "aws."):
		return fail("NotAuthorizedForSourceException", "Not authorized for the source.")
	case e.EventBusName != nil && !defaultBus(*e.EventBusName):
		return fail("InvalidArgument", fmt.Sprintf("Parameter EventBusName is not valid. Reason: vigil has the default event bus only, not %q.", *e.EventBusName))
	}
	// The detail nests one level down in the event, which MaxDepth bounds.
	detail := []byte(*e.Detail)
	if !utf8.Valid(detail) || jsonscan.Validate(detail, eb.Limits.MaxDepth-1) != nil || bytes.TrimSpace(detail)[0] != '{' {
		return fail("MalformedDetail", "Detail is malformed.")
	}
	t, ok := entryTime(e.Time, now)
	if !ok {
		return fail("InvalidArgument", "Parameter Time is not valid.")
	}
	id := uuid()
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	head, _ := json.Marshal(struct {
		Version    string   `json:"version"`
		ID         string   `json:"id"`
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Time       string   `json:"time"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
	}{"0", id, *e.DetailType, *e.Source, eb.Account, t.UTC().Format("2006-01-02T15:04:05Z"), region, resources})
	ev := append(head[:len(head)-1], `,"detail":`...)
	ev = append(ev, bytes.TrimSpace(detail)...)
	ev = append(ev, '}')
	if len(ev) > eb.Limits.MaxEventSize {
		return fail("InvalidArgument", "The entry is larger than vigil takes.")
	}
	return ev, putResult{EventID: id}
}

// defaultBus reports whether a bus name or ARN names the default bus.
func defaultBus(name string) bool {
	return name == "" || name == "default" || strings.HasPrefix(name, "arn:") && strings.HasSuffix(name, ":event-bus/default")
}

// entryTime returns the time of an entry: epoch seconds, as the SDKs send
// it, or an RFC 3339 string; now when it has none.
func entryTime(raw json.RawMessage, now time.Time) (time.Time, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return now, true
	}
	var secs float64
	if err := json.Unmarshal(raw, &secs); err == nil {
		return time.Unix(0, int64(secs*float64(time.Second))), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// uuid returns a random (version 4) UUID, as EventBridge's event ids are.
func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// testEventPattern answers TestEventPattern as EventBridge does.
func testEventPattern(body []byte) (any, *awsError) {
	var in struct {
		EventPattern *string `json:"EventPattern"`
		Event        *string `json:"Event"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("SerializationException", "the request body is not valid JSON for TestEventPattern: %v", err)
	}
	if in.EventPattern == nil || in.Event == nil {
		return nil, badRequest("ValidationException", "EventPattern and Event are required.")
	}
	p, err := pattern.Parse([]byte(*in.EventPattern))
	if err != nil {
		return nil, badRequest("InvalidEventPatternException", "%v", err)
	}
	ok, err := engine.TestPattern(p, []byte(*in.Event))
	if err != nil {
		return nil, badRequest("ValidationException", "%v", err)
	}
	return struct{ Result bool }{ok}, nil
}
