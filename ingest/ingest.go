// Package ingest takes events in: over HTTPS, from the bodies that AWS,
// Kubernetes and log shippers send, and from directories of CloudTrail
// archives. It checks every event, publishes the good ones to the bus in
// batches, and answers only once the bus has stored them, naming each
// event it rejected and why.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"

	"vigil/batch"
	"vigil/bus"
	"vigil/event"
	"vigil/jsonscan"
)

// Kind is the kind of events a source takes.
type Kind string

// The kinds of sources.
const (
	CloudTrail  Kind = "cloudtrail"  // CloudTrail records
	K8sAudit    Kind = "k8s-audit"   // Kubernetes audit events
	EventBridge Kind = "eventbridge" // events in the EventBridge envelope
	JSON        Kind = "json"        // any JSON object
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	switch k {
	case CloudTrail, K8sAudit, EventBridge, JSON:
		return true
	}
	return false
}

// takes reports whether a source of kind k takes an event of kind e.
func (k Kind) takes(e event.Kind) bool {
	switch k {
	case CloudTrail:
		return e == event.CloudTrail
	case K8sAudit:
		return e == event.K8sAudit
	case EventBridge:
		return e == event.EventBridge
	}
	return true
}

// Source is a named input of events of one kind.
type Source struct {
	Name string
	Kind Kind
}

// DefaultSources are the sources of a default installation: one of each
// kind, named after it ("ndjson" takes any JSON).
var DefaultSources = []Source{
	{"cloudtrail", CloudTrail}, {"k8s-audit", K8sAudit}, {"eventbridge", EventBridge}, {"ndjson", JSON},
}

// Limits bound what one request may hold.
type Limits struct {
	MaxBody         int64 // bytes of a request body, as sent
	MaxDecompressed int64 // bytes of a body once decompressed
	MaxEvents       int   // events in one request
	MaxEventSize    int   // bytes of one event
	MaxDepth        int   // nesting of objects and arrays in an event
}

// DefaultLimits are the limits of a default installation.
var DefaultLimits = Limits{
	MaxBody:         16 << 20,
	MaxDecompressed: 256 << 20,
	MaxEvents:       100_000,
	MaxEventSize:    512 << 10,
	MaxDepth:        64,
}

// Publisher stores messages on the bus.
type Publisher interface {
	Publish(ctx context.Context, msgs []*nats.Msg) error
}

// Ingester checks events and publishes them.
type Ingester struct {
	Bus     Publisher
	Limits  Limits
	Metrics *Metrics
	Log     *slog.Logger
	// MaxMessage bounds the bytes of one bus message.
	MaxMessage int
	// Activity, when set, counts the events each source takes in.
	Activity *Activity
}

// Result is what became of the events of one request.
type Result struct {
	Accepted int         `json:"accepted"`
	Rejected int         `json:"rejected"`
	Errors   []Rejection `json:"errors"`
}

// Rejection is an event refused, by its index in the request.
type Rejection struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

// maxErrors bounds the rejections a result lists; the rest are counted.
const maxErrors = 100

func (r *Result) reject(i int, reason string) {
	r.Rejected++
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, Rejection{i, reason})
	}
}

// Errors of whole requests.
var (
	// ErrUnavailable is the bus refusing events, full or unreachable: the
	// sender should try again later.
	ErrUnavailable = errors.New("the event stream cannot take events now")
	// ErrTooMany is a request of more events than allowed.
	ErrTooMany = errors.New("too many events in one request")
)

// Body checks the events of a body for a source and publishes the good
// ones, in as few bus messages as the message size allows. It returns
// once the bus stored them. A body whose structure breaks off yields the
// events before the break, and a rejection for the rest.
func (in *Ingester) Body(ctx context.Context, src Source, body []byte, received time.Time) (*Result, error) {
	res := &Result{Errors: []Rejection{}}
	var events [][]byte
	n := 0
	det := event.NewDetector()
	_, err := batch.Split(body, func(i int, raw []byte, _ event.Kind) error {
		n = i + 1
		if n > in.Limits.MaxEvents {
			return ErrTooMany
		}
		if class, reason := in.check(det, src, raw); class != "" {
			res.reject(i, reason)
			in.Metrics.reject(src.Name, class)
			return nil
		}
		events = append(events, raw)
		return nil
	})
	if errors.Is(err, ErrTooMany) {
		return nil, fmt.Errorf("%w: more than %d", ErrTooMany, in.Limits.MaxEvents)
	}
	var be *batch.Error
	if errors.As(err, &be) {
		res.reject(n, fmt.Sprintf("the body breaks off at byte %d: %v", be.Offset, be.Err))
		in.Metrics.reject(src.Name, "broken_body")
	}
	if err := in.publish(ctx, src, events, received); err != nil {
		return nil, err
	}
	res.Accepted = len(events)
	return res, nil
}

// check returns why an event is refused, as a class for the metrics and
// in words, or "" when it is not.
func (in *Ingester) check(det *event.Detector, src Source, raw []byte) (class, reason string) {
	switch {
	case len(raw) > in.Limits.MaxEventSize:
		return "too_large", fmt.Sprintf("event of %d bytes, more than the %d allowed", len(raw), in.Limits.MaxEventSize)
	case len(raw) == 0: // the rest of a line that breaks off after an event
		return "invalid_json", "invalid JSON: unexpected end of input"
	case !utf8.Valid(raw):
		return "invalid_utf8", "invalid UTF-8"
	case raw[0] != '{':
		return "not_object", "not a JSON object"
	}
	if err := jsonscan.Validate(raw, in.Limits.MaxDepth); err != nil {
		return "invalid_json", "invalid JSON: " + err.Error()
	}
	kind, err := det.Kind(raw)
	if err != nil {
		return "invalid_json", "invalid JSON: " + err.Error()
	}
	if !src.Kind.takes(kind) {
		return "wrong_kind", fmt.Sprintf("a %s event, where source %s takes %s events", kind, src.Name, src.Kind)
	}
	return "", ""
}

// publish publishes events in batches of at most MaxMessage bytes, and
// counts them once the bus stored them.
func (in *Ingester) publish(ctx context.Context, src Source, events [][]byte, received time.Time) error {
	n := len(events)
	var msgs []*nats.Msg
	for len(events) > 0 {
		size, n := 2, 0
		for n < len(events) && (n == 0 || size+len(events[n])+1 <= in.MaxMessage) {
			size += len(events[n]) + 1
			n++
		}
		b := &bus.Batch{Source: src.Name, ID: batchID(src.Name, len(msgs), events[:n]), Received: received, Events: events[:n]}
		msgs = append(msgs, b.Msg())
		events = events[n:]
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := in.Bus.Publish(ctx, msgs); err != nil {
		in.Log.Warn("publishing events", "source", src.Name, "err", err)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	in.Metrics.accepted(src.Name, n)
	in.Activity.Add(src.Name, n, received)
	return nil
}

// batchID names a batch by its content and its place among the batches
// of a request: the same events sent again (a client retrying) make the
// same batches, which the bus stores once, while batches of the same
// events within one request (an event repeated many times) are each
// stored.
func batchID(source string, place int, events [][]byte) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(place)))
	for _, e := range events {
		h.Write([]byte{0})
		h.Write(e)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
