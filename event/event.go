// Package event defines vigil's event: raw JSON bytes and their kind.
// Nothing re-encodes the bytes; rules see views of them.
//
// A CloudTrail record that arrives bare, as in the {"Records":[...]} files
// AWS writes to S3, is seen by event patterns inside the envelope
// EventBridge puts around it, so that patterns written for EventBridge work
// unchanged on archives. Derivations say how that envelope is made.
package event

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

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
	// K8sAudit is a Kubernetes audit event (audit.k8s.io).
	K8sAudit
	// Host is a host event named as in Sigma's taxonomy: a process
	// started (CommandLine), a file written (TargetFilename), a network
	// connection (DestinationIp, DestinationHostname).
	Host
	// HTTP is a web server or proxy access log entry named as in Sigma's
	// web taxonomy (cs-method, c-uri, ...).
	HTTP
	// Auditd is a Linux audit record, from a line of audit.log.
	Auditd
	// Syslog is a syslog message, from a line of a syslog file.
	Syslog
	// WebError is a line of a web server's error log (Apache httpd,
	// nginx).
	WebError
)

var kindNames = [...]string{"unknown", "json", "cloudtrail", "eventbridge", "k8s-audit", "host", "http", "auditd", "syslog", "web-error"}

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
}

// Keys are the top-level keys that tell the kinds of JSON events apart.
// (Auditd, Syslog and WebError events come from text lines, which say
// their kind.)
var Keys = []string{
	"detail-type", "source", "eventVersion", "eventSource", "eventName", "auditID", "verb", "stage",
	"CommandLine", "TargetFilename", "DestinationIp", "DestinationHostname", "cs-method", "c-uri",
}

// KindOf returns the kind of an event from which of its top-level Keys
// have a value: an EventBridge event has "detail-type" and "source"; a
// CloudTrail record has "eventVersion", "eventSource" and "eventName"; a
// Kubernetes audit event has "auditID", "verb" and "stage"; an HTTP access
// log entry "cs-method" or "c-uri"; a host event one of "CommandLine",
// "TargetFilename", "DestinationIp" and "DestinationHostname". Any other
// JSON object is JSON.
func KindOf(has func(key string) bool) Kind {
	switch {
	case has("detail-type") && has("source"):
		return EventBridge
	case has("eventVersion") && has("eventSource") && has("eventName"):
		return CloudTrail
	case has("auditID") && has("verb") && has("stage"):
		return K8sAudit
	case has("cs-method") || has("c-uri"):
		return HTTP
	case has("CommandLine") || has("TargetFilename") || has("DestinationIp") || has("DestinationHostname"):
		return Host
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

// EnvelopeFields are the top-level fields of an EventBridge event.
var EnvelopeFields = []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources"}

// Derivation says how EventBridge derives a field of the envelope of a
// CloudTrail record.
type Derivation struct {
	Field string
	// From are the record fields it comes from, in order of preference:
	// the first present is used. None: it is a constant.
	From []string
	// Make writes the field's value from the record field's; nil copies
	// it. (For a constant, from is nil.)
	Make func(dst, from []byte) []byte
}

// Derivations are how EventBridge derives the envelope of a CloudTrail
// record: version "0", the record's eventID as id, the detail-type of its
// eventType, the source of its eventSource, its recipient account, time
// and region. (Its resources are always empty.)
var Derivations = []Derivation{
	{Field: "version", Make: func(dst, _ []byte) []byte { return append(dst, '0') }},
	{Field: "id", From: []string{"eventID"}},
	{Field: "detail-type", From: []string{"eventType"}, Make: func(dst, t []byte) []byte { return append(dst, DetailType(t)...) }},
	{Field: "source", From: []string{"eventSource"}, Make: Source},
	{Field: "account", From: []string{"recipientAccountId", "userIdentity.accountId"}},
	{Field: "time", From: []string{"eventTime"}},
	{Field: "region", From: []string{"awsRegion"}},
}

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

// derivedFrom is every record field the derivations read.
var derivedFrom = func() *field.Set {
	var paths []string
	for _, d := range Derivations {
		paths = append(paths, d.From...)
	}
	return field.NewSet(paths)
}()

// Envelope returns a CloudTrail record wrapped as EventBridge delivers it
// (see Derivations), the record itself, byte for byte, as detail. A field
// the record has nothing to derive from is left out.
func Envelope(record []byte) ([]byte, error) {
	v := field.NewValues(derivedFrom)
	if err := v.Extract(record, derivedFrom.Scope("")); err != nil {
		return nil, err
	}
	b := []byte{'{'}
	for _, d := range Derivations {
		var from []byte
		found := len(d.From) == 0
		for _, f := range d.From {
			id, _ := derivedFrom.ID(f)
			if s, ok := v.String(id); ok {
				from, found = s, true
				break
			}
		}
		if !found {
			continue
		}
		if d.Make != nil {
			from = d.Make(nil, from)
		}
		b = append(b, quote([]byte(d.Field))...)
		b = append(b, ':')
		b = append(b, quote(from)...)
		b = append(b, ',')
	}
	b = append(b, `"resources":[],"detail":`...)
	b = append(b, bytes.TrimSpace(record)...)
	return append(b, '}'), nil
}

// quote returns s as a JSON string.
func quote(s []byte) []byte {
	b, _ := json.Marshal(string(s))
	return b
}

// Digest returns a stable id for an event that carries none: the first 16
// bytes of the SHA-256 of its bytes, in hex.
func Digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}
