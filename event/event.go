// Package event defines vigil's event: raw JSON bytes and a little metadata.
// Nothing re-encodes the bytes; rules see views of them (see DESIGN.md).
//
// A CloudTrail record that arrives bare, as in the {"Records":[...]} files
// AWS writes to S3, is seen by event patterns inside the envelope
// EventBridge puts around it, so that patterns written for EventBridge work
// unchanged on archives. Envelope builds that envelope.
package event

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"vigil/field"
)

// Kind is what an event's bytes are.
type Kind uint8

// The kinds of events.
const (
	// Unknown has not been detected yet.
	Unknown Kind = iota
	// JSON is any other JSON object; rules see it as it is.
	JSON
	// CloudTrail is a bare CloudTrail (or ActionTrail) record.
	CloudTrail
	// EventBridge is an event in the EventBridge envelope.
	EventBridge
)

var kindNames = [...]string{"unknown", "json", "cloudtrail", "eventbridge"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one event.
type Event struct {
	Raw  []byte
	Kind Kind
	// Origin says where the event came from: a file and record number in
	// scan, a source name in serve.
	Origin string
}

// Keys are the top-level keys that tell kinds apart.
var Keys = []string{"detail-type", "source", "eventVersion", "eventSource", "eventName"}

// KindOf returns the kind of an event from which of its top-level Keys
// have a value: an EventBridge event has "detail-type" and "source"; a
// CloudTrail record has "eventVersion", "eventSource" and "eventName"; any
// other JSON object is JSON.
func KindOf(has func(key string) bool) Kind {
	switch {
	case has("detail-type") && has("source"):
		return EventBridge
	case has("eventVersion") && has("eventSource") && has("eventName"):
		return CloudTrail
	}
	return JSON
}

var detection = field.NewSet(Keys)

// Detector tells the kind of events. It is reused from event to event and
// is not safe for concurrent use.
type Detector struct{ v *field.Values }

// NewDetector returns a Detector.
func NewDetector() *Detector { return &Detector{v: field.NewValues(detection)} }

// Kind returns the kind of raw (see KindOf), or an error when raw is not a
// JSON object.
func (d *Detector) Kind(raw []byte) (Kind, error) {
	d.v.Reset()
	if err := d.v.Extract(raw, detection.Scope("")); err != nil {
		return Unknown, err
	}
	return KindOf(func(key string) bool {
		id, _ := detection.ID(key)
		return d.v.Has(id)
	}), nil
}

// Guess returns the likely kind of raw from its first key, as the services
// write them: CloudTrail records start with "eventVersion", EventBridge
// events with "version". It is only a guess, to be checked with KindOf.
func Guess(raw []byte) Kind {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	switch {
	case bytes.HasPrefix(raw, []byte(`{"eventVersion"`)):
		return CloudTrail
	case bytes.HasPrefix(raw, []byte(`{"version"`)):
		return EventBridge
	}
	return Unknown
}

// The record fields an envelope is derived from.
const (
	RecordID        = "eventID"
	RecordSource    = "eventSource"
	RecordType      = "eventType"
	RecordTime      = "eventTime"
	RecordAccount   = "recipientAccountId"
	RecordAccountID = "userIdentity.accountId"
	RecordRegion    = "awsRegion"
)

// Source returns the EventBridge source of a CloudTrail event source:
// "aws." and the service part of it ("iam.amazonaws.com" → "aws.iam").
func Source(dst, eventSource []byte) []byte {
	svc := eventSource
	if i := bytes.IndexByte(svc, '.'); i >= 0 {
		svc = svc[:i]
	}
	dst = append(dst, "aws."...)
	return append(dst, svc...)
}

// DetailType returns the EventBridge detail-type of a CloudTrail record
// of the given eventType.
func DetailType(eventType []byte) string {
	switch string(eventType) {
	case "AwsConsoleSignIn":
		return "AWS Console Sign In via CloudTrail"
	case "AwsServiceEvent":
		return "AWS Service Event via CloudTrail"
	case "AwsCloudTrailInsight":
		return "AWS Insight via CloudTrail"
	}
	return "AWS API Call via CloudTrail"
}

// envelopeFields is what Envelope reads from a record.
var envelopeFields = field.NewSet([]string{RecordID, RecordSource, RecordType, RecordTime, RecordAccount, RecordAccountID, RecordRegion})

// Envelope returns a CloudTrail record wrapped as EventBridge delivers it:
// version "0", the record's eventID as id, the detail-type of its
// eventType, source from its eventSource, its recipient account, time and
// region, no resources, and the record itself, byte for byte, as detail.
func Envelope(record []byte) ([]byte, error) {
	v := field.NewValues(envelopeFields)
	if err := v.Extract(record, envelopeFields.Scope("")); err != nil {
		return nil, err
	}
	get := func(p string) []byte {
		id, _ := envelopeFields.ID(p)
		b, _ := v.String(id)
		return b
	}
	account := get(RecordAccount)
	if account == nil {
		account = get(RecordAccountID)
	}
	var b bytes.Buffer
	b.WriteString(`{"version":"0","id":`)
	b.WriteString(quote(get(RecordID)))
	b.WriteString(`,"detail-type":`)
	b.WriteString(quote([]byte(DetailType(get(RecordType)))))
	b.WriteString(`,"source":`)
	b.WriteString(quote(Source(nil, get(RecordSource))))
	b.WriteString(`,"account":`)
	b.WriteString(quote(account))
	b.WriteString(`,"time":`)
	b.WriteString(quote(get(RecordTime)))
	b.WriteString(`,"region":`)
	b.WriteString(quote(get(RecordRegion)))
	b.WriteString(`,"resources":[],"detail":`)
	b.Write(bytes.TrimSpace(record))
	b.WriteByte('}')
	return b.Bytes(), nil
}

// quote returns s as a JSON string.
func quote(s []byte) string {
	b, _ := json.Marshal(string(s))
	return string(b)
}

// Digest returns a stable id for an event that carries none: the first 16
// bytes of the SHA-256 of its bytes, in hex.
func Digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// ParseTime parses an event time as AWS writes it (RFC 3339).
func ParseTime(b []byte) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}
