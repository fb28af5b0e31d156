package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"vigil/auth"
	"vigil/event"
	"vigil/jsonscan"
	"vigil/store"
)

// ebEnv is the EventBridge API of a test environment, and the access key
// of an ingest token.
type ebEnv struct {
	*testEnv
	eb     *AWSEvents
	srv    *httptest.Server
	id     string // the access key id
	secret string
}

const testAccount = "123456789012"

func newEBEnv(t *testing.T, c envConfig) *ebEnv {
	e := newEnv(t, c)
	eb := &AWSEvents{Ingester: e.in, Source: testSources["eventbridge"], Account: testAccount,
		Secret: e.awsSecrets("eventbridge"), Limiter: auth.NewLimiter(1000, 1000)}
	srv := e.serve(e.handler(), eb)
	id, _ := e.token("putter", store.Ingest, "eventbridge")
	return &ebEnv{testEnv: e, eb: eb, srv: srv, id: id, secret: auth.AWSSecret(e.key, id)}
}

// client returns the AWS SDK's EventBridge client, signing for
// eu-north-1 with the access key given.
func (e *ebEnv) client(id, secret string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region:           "eu-north-1",
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
		BaseEndpoint:     aws.String(e.srv.URL),
		HTTPClient:       e.srv.Client(),
		RetryMaxAttempts: 1,
	})
}

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// envelope is an event as EventBridge delivers it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// readEnvelope decodes an event put, which must have the fields of the
// envelope and no other.
func readEnvelope(t *testing.T, raw string) envelope {
	t.Helper()
	var env envelope
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("event %s: %v", raw, err)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal([]byte(raw), &keys)
	if len(keys) != 9 || env.Resources == nil {
		t.Errorf("event %s: want the 9 fields of the envelope", raw)
	}
	if k, err := event.NewDetector().Kind([]byte(raw)); err != nil || k != event.EventBridge {
		t.Errorf("event %s: of kind %v (%v), want eventbridge", raw, k, err)
	}
	return env
}

func TestPutEvents(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	s := aws.String
	entries := []types.PutEventsRequestEntry{
		0: {Source: s("bank.payments"), DetailType: s("Transfer"), Detail: s(`{"from":"alice","amount":1200.5,"to":["bob"]}`),
			Resources: []string{"arn:aws:s3:::ledger", "arn:aws:iam::123456789012:user/alice"}, Time: aws.Time(t0)},
		1: {DetailType: s("Transfer"), Detail: s(`{}`)},
		2: {Source: s("bank.payments"), Detail: s(`{}`)},
		3: {Source: s("bank.payments"), DetailType: s("Transfer")},
		4: {Source: s("bank.payments"), DetailType: s("Transfer"), Detail: s(`{"from":`)},
		5: {Source: s("aws.ec2"), DetailType: s("EC2 Instance State-change Notification"), Detail: s(`{"state":"running"}`)},
		6: {Source: s("bank.login"), DetailType: s("Login <failed> & locked"), Detail: s(" \n{\"user\": \"bob\", \"n\": [1, 2]}\n ")},
		7: {Source: s("bank.payments"), DetailType: s("Transfer"), Detail: s(`[1,2]`)},
		8: {Source: s("bank.payments"), DetailType: s("Transfer"), Detail: s(`{}`), EventBusName: s("payments")},
		9: {Source: s("bank.payments"), DetailType: s("Transfer"), Detail: s(`{"n":9}`),
			EventBusName: s("arn:aws:events:eu-north-1:123456789012:event-bus/default")},
	}
	before := time.Now().Truncate(time.Second)
	out, err := e.client(e.id, e.secret).PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: entries})
	after := time.Now()
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	wantErr := map[int][2]string{
		1: {"InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."},
		2: {"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
		3: {"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."},
		4: {"MalformedDetail", "Detail is malformed."},
		5: {"NotAuthorizedForSourceException", "Not authorized for the source."},
		7: {"MalformedDetail", "Detail is malformed."},
		8: {"InvalidArgument", `Parameter EventBusName is not valid. Reason: vigil has the default event bus only, not "payments".`},
	}
	if out.FailedEntryCount != int32(len(wantErr)) || len(out.Entries) != len(entries) {
		t.Fatalf("FailedEntryCount %d, %d entries; want %d, %d", out.FailedEntryCount, len(out.Entries), len(wantErr), len(entries))
	}
	var ids []string
	for i, r := range out.Entries {
		code, msg, id := aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), aws.ToString(r.EventId)
		if want, failed := wantErr[i]; failed {
			if code != want[0] || msg != want[1] || id != "" {
				t.Errorf("entry %d: %q %q %q, want %q %q", i, id, code, msg, want[0], want[1])
			}
			continue
		}
		if !uuid4.MatchString(id) || code != "" || msg != "" || slices.Contains(ids, id) {
			t.Errorf("entry %d: %q %q %q, want a new UUID v4", i, id, code, msg)
		}
		ids = append(ids, id)
	}

	got := e.events("eventbridge")
	if len(got) != 3 {
		t.Fatalf("%d events on the bus, want 3", len(got))
	}
	want := []envelope{
		{"0", ids[0], "Transfer", "bank.payments", testAccount, "2026-03-14T09:26:53Z", "eu-north-1",
			[]string{"arn:aws:s3:::ledger", "arn:aws:iam::123456789012:user/alice"}, json.RawMessage(`{"from":"alice","amount":1200.5,"to":["bob"]}`)},
		{"0", ids[1], "Login <failed> & locked", "bank.login", testAccount, "", "eu-north-1",
			[]string{}, json.RawMessage(`{"user": "bob", "n": [1, 2]}`)},
		{"0", ids[2], "Transfer", "bank.payments", testAccount, "", "eu-north-1", []string{}, json.RawMessage(`{"n":9}`)},
	}
	for i, raw := range got {
		env := readEnvelope(t, raw)
		w := want[i]
		if w.Time == "" { // now
			tm, err := time.Parse("2006-01-02T15:04:05Z", env.Time)
			if err != nil || tm.Before(before) || tm.After(after) {
				t.Errorf("event %d: time %q, want between %v and %v", i, env.Time, before, after)
			}
			w.Time = env.Time
		}
		if env.Version != w.Version || env.ID != w.ID || env.DetailType != w.DetailType || env.Source != w.Source ||
			env.Account != w.Account || env.Time != w.Time || env.Region != w.Region || !slices.Equal(env.Resources, w.Resources) ||
			!bytes.Equal(env.Detail, w.Detail) {
			t.Errorf("event %d:\n%s\nwant %+v", i, raw, w)
		}
	}
	for _, c := range []struct {
		reason string
		n      float64
	}{{"InvalidArgument", 4}, {"MalformedDetail", 2}, {"NotAuthorizedForSourceException", 1}} {
		if got := e.counter("vigil_ingest_rejected_total", "source=eventbridge", "reason="+c.reason); got != c.n {
			t.Errorf("rejected %s = %v, want %v", c.reason, got, c.n)
		}
	}
	if got := e.counter("vigil_ingest_events_total", "source=eventbridge"); got != 3 {
		t.Errorf("events = %v, want 3", got)
	}
	if got := e.counter("vigil_ingest_requests_total", "endpoint=eventbridge", "code=200"); got != 1 {
		t.Errorf("requests = %v, want 1", got)
	}
}

// TestPutEventsErrors checks the requests EventBridge refuses whole: none
// of their entries is put.
func TestPutEventsErrors(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	analyst, _ := e.token("analyst", store.Analyst, "")
	k8s, _ := e.token("k8s", store.Ingest, "k8s-audit")
	old, _ := e.token("old", store.Ingest, "")
	if err := e.db.RevokeToken(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	admin, _ := e.token("admin", store.Admin, "")
	entry := types.PutEventsRequestEntry{Source: aws.String("bank.payments"), DetailType: aws.String("Transfer"), Detail: aws.String(`{"n":1}`)}
	big := entry
	big.Detail = aws.String(`{"pad":"` + strings.Repeat("x", 200<<10) + `"}`)

	tests := []struct {
		name    string
		id      string
		secret  string // auth.AWSSecret of the id when ""
		entries []types.PutEventsRequestEntry
		code    string
		msg     string // in the message
	}{
		{"11 entries", e.id, "", slices.Repeat([]types.PutEventsRequestEntry{entry}, 11), "ValidationException",
			"Value '11' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"over 256 KiB", e.id, "", []types.PutEventsRequestEntry{big, big}, "ValidationException",
			"Total size of the entries in the request is over the limit."},
		{"unknown access key", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []types.PutEventsRequestEntry{entry},
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"wrong secret", e.id, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []types.PutEventsRequestEntry{entry},
			"InvalidSignatureException", "The request signature we calculated does not match the signature you provided."},
		{"analyst token", analyst, "", []types.PutEventsRequestEntry{entry}, "UnrecognizedClientException", ""},
		{"token of another source", k8s, "", []types.PutEventsRequestEntry{entry}, "UnrecognizedClientException", ""},
		{"revoked token", old, "", []types.PutEventsRequestEntry{entry}, "UnrecognizedClientException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			secret := tt.secret
			if secret == "" {
				secret = auth.AWSSecret(e.key, tt.id)
			}
			_, err := e.client(tt.id, secret).PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: tt.entries})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code || !strings.Contains(ae.ErrorMessage(), tt.msg) {
				t.Errorf("PutEvents: %v, want %s: %s", err, tt.code, tt.msg)
			}
			if n := e.messages(); n != 0 {
				t.Errorf("%d messages on the bus", n)
			}
		})
	}
	e.t = t
	// An admin token puts events in any source.
	if out, err := e.client(admin, auth.AWSSecret(e.key, admin)).PutEvents(t.Context(),
		&eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry}}); err != nil || out.FailedEntryCount != 0 {
		t.Errorf("an admin's PutEvents: %v", err)
	}
	if n := len(e.events("eventbridge")); n != 1 {
		t.Errorf("%d events on the bus, want 1", n)
	}
}

// TestAWSEventsRaw sends requests that the SDK would not: no signature,
// another action, a body that is not JSON.
func TestAWSEventsRaw(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	tests := []struct {
		name, target, body string
		status             int
		code               string
	}{
		{"no signature", "AWSEvents.PutEvents", `{"Entries":[]}`, 403, "MissingAuthenticationTokenException"},
		{"another service", "Kinesis_20131202.PutRecord", `{}`, 400, "UnknownOperationException"},
		{"no target", "", `{}`, 400, "UnknownOperationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", e.srv.URL+"/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			if tt.target != "" {
				r.Header.Set("X-Amz-Target", tt.target)
			}
			res, err := e.srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Type string `json:"__type"`
				Msg  string `json:"message"`
			}
			raw, _ := io.ReadAll(res.Body)
			json.Unmarshal(raw, &body)
			if res.StatusCode != tt.status || body.Type != tt.code || res.Header.Get("X-Amzn-ErrorType") != tt.code || body.Msg == "" {
				t.Errorf("answer %d %s, want %d %s", res.StatusCode, raw, tt.status, tt.code)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestTestEventPattern(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	c := e.client(e.id, e.secret)
	ev := `{"version":"0","id":"1","detail-type":"Transfer","source":"bank.payments","account":"123456789012","time":"2026-03-14T09:26:53Z","region":"eu-north-1","resources":[],"detail":{"amount":1200}}`
	tests := []struct {
		name, pattern, event string
		want                 bool
		code, msg            string
	}{
		{"match", `{"source":["bank.payments"],"detail":{"amount":[{"numeric":[">",1000]}]}}`, ev, true, "", ""},
		{"no match", `{"source":["bank.login"]}`, ev, false, "", ""},
		{"no match on a number", `{"detail":{"amount":[{"numeric":["<",1000]}]}}`, ev, false, "", ""},
		{"bare CloudTrail record", `{"source":["aws.iam"],"detail":{"eventName":["CreateUser"]}}`, ctRecord(1), true, "", ""},
		{"invalid pattern", `{"source":[]}`, ev, false, "InvalidEventPatternException",
			"Event pattern is not valid. Reason: Empty arrays are not allowed\n at [Source: (String)\"{\"source\":[]}\"; line: 1, column: 13]"},
		{"pattern not JSON", `{"source":`, ev, false, "InvalidEventPatternException", "Event pattern is not valid. Reason: "},
		{"event without its envelope", `{"source":["x"]}`, `{"source":"x"}`, false, "ValidationException", "Parameter Event is not valid."},
		{"event not JSON", `{"source":["x"]}`, `{"source":`, false, "ValidationException", "Parameter Event is not valid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.TestEventPattern(t.Context(), &eventbridge.TestEventPatternInput{EventPattern: &tt.pattern, Event: &tt.event})
			if tt.code == "" {
				if err != nil || out.Result != tt.want {
					t.Errorf("TestEventPattern: %v, %v; want %v", out, err, tt.want)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code || !strings.HasPrefix(ae.ErrorMessage(), tt.msg) {
				t.Errorf("TestEventPattern: %v, want %s: %q", err, tt.code, tt.msg)
			}
		})
	}
	if n := e.messages(); n != 0 {
		t.Errorf("%d messages on the bus", n)
	}
}

// TestPutEventsThrottled checks that an access key past its rate is told
// to slow down.
func TestPutEventsThrottled(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	e.eb.Limiter = auth.NewLimiter(0.5, 1)
	c := e.client(e.id, e.secret)
	in := &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("bank.payments"),
		DetailType: aws.String("Transfer"), Detail: aws.String(`{"n":1}`)}}}
	if _, err := c.PutEvents(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutEvents(t.Context(), in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" || ae.ErrorMessage() != "Rate exceeded" {
		t.Errorf("second PutEvents: %v, want ThrottlingException", err)
	}
	if n := len(e.events("eventbridge")); n != 1 {
		t.Errorf("%d events on the bus, want 1", n)
	}
}

// TestPutEventsBusFull checks that PutEvents refuses events the bus cannot
// take, and takes them once it can.
func TestPutEventsBusFull(t *testing.T) {
	e := newEBEnv(t, envConfig{maxBytes: 16 << 10, limits: &Limits{MaxEventSize: 64 << 10, MaxDepth: 16}})
	c := e.client(e.id, e.secret)
	entry := func(n int) types.PutEventsRequestEntry {
		return types.PutEventsRequestEntry{Source: aws.String("bank.payments"), DetailType: aws.String("Transfer"),
			Detail: aws.String(`{"pad":"` + strings.Repeat("x", n) + `"}`)}
	}
	_, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(10 << 10), entry(10 << 10)}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalException" {
		t.Fatalf("PutEvents over the stream's size: %v, want InternalException", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
		t.Errorf("PutEvents over the stream's size: %v, want 503", err)
	}
	out, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(10)}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("then: %v", err)
	}
	if got := e.events("eventbridge"); len(got) != 1 || readEnvelope(t, got[0]).ID != aws.ToString(out.Entries[0].EventId) {
		t.Errorf("on the bus %q", got)
	}
}

// TestPutEventsEnvelopeLimits checks the limits an event put is held to,
// as events sent to the ingest endpoint are: its size and its depth,
// counted in the envelope.
func TestPutEventsEnvelopeLimits(t *testing.T) {
	e := newEBEnv(t, envConfig{})
	c := e.client(e.id, e.secret)
	deep := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	entries := []types.PutEventsRequestEntry{
		{Source: aws.String("bank"), DetailType: aws.String("t"), Detail: aws.String(deep(testLimits.MaxDepth - 1))},
		{Source: aws.String("bank"), DetailType: aws.String("t"), Detail: aws.String(deep(testLimits.MaxDepth))},
		{Source: aws.String("bank"), DetailType: aws.String("t"), Detail: aws.String(`{"pad":"` + strings.Repeat("x", testLimits.MaxEventSize) + `"}`)},
	}
	out, err := c.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 2 || out.Entries[0].ErrorCode != nil || aws.ToString(out.Entries[1].ErrorCode) != "MalformedDetail" ||
		aws.ToString(out.Entries[2].ErrorCode) != "InvalidArgument" {
		t.Errorf("FailedEntryCount %d, entries %+v", out.FailedEntryCount, out.Entries)
	}
	for _, ev := range e.events("eventbridge") {
		if err := jsonscan.Validate([]byte(ev), testLimits.MaxDepth); err != nil {
			t.Errorf("event put: %v", err)
		}
	}
}
