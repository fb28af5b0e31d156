package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/batch"
	"vigil/event"
	"vigil/jsonscan"
)

// TestMain bounds how long the fuzzers minimize an input found
// interesting, unless -test.fuzzminimizetime says: the goroutines of the
// embedded bus, which run alongside each input, make the coverage of an
// input vary, so that the fuzzing engine takes many inputs for new and
// would spend a minute minimizing each.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		flag.Set("test.fuzzminimizetime", "10x")
	}
	os.Exit(m.Run())
}

// fuzzLimits are small, for the fuzzers to reach them.
var fuzzLimits = Limits{MaxBody: 1 << 20, MaxDecompressed: 1 << 20, MaxEvents: 20, MaxEventSize: 512, MaxDepth: 6}

// fuzzKinds are the kinds of sources, by the fuzzer's choice.
var fuzzKinds = []Kind{CloudTrail, K8sAudit, EventBridge, JSON}

// FuzzBody checks events over arbitrary bodies, for each kind of source:
// it never panics, every event of the body is accepted or rejected, and
// every event accepted is stored on the bus, a valid JSON object of the
// body that its source takes.
func FuzzBody(f *testing.F) {
	for i, s := range []string{
		records(ctRecord(1), ctRecord(2)),
		records(ctRecord(1), ctRecord(2))[:300],
		`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + k8sEvent(1) + `]}`,
		"[" + ebEvent(1) + "," + ebEvent(2) + "]",
		`{"a":1}` + "\n" + `{"b":[1,2,{"c":null}]}` + "\n",
		"{\"a\":1}\n[{\"b\":2},\n{\"c\":\"\xff\"}\n",
		`{"a":{"b":{"c":{"d":{"e":{"f":{"g":1}}}}}}}`,
		"{\"a\":\"\\ud800\"} {\"b\":1e400}",
		`[1, "x", null, {}]`,
		"",
		"\x1e{}",
		`{"Records":[{"eventVersion":"1"},`,
		`[{"a":1}` + "\n" + `{"b":2}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	e := newEnv(f, envConfig{limits: &fuzzLimits, message: 1 << 10})
	n := 0
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		e.t = t
		n++
		// A source of its own for each body, so that the bus does not
		// take a body the fuzzer tries again for a client's retry.
		src := Source{Name: fmt.Sprintf("s%d", n), Kind: fuzzKinds[int(kind)%len(fuzzKinds)]}
		in := *e.in
		in.Metrics = NewMetrics(prometheus.NewRegistry())

		count, broken := 0, false
		_, err := batch.Split(body, func(i int, _ []byte, _ event.Kind) error {
			count = i + 1
			return nil
		})
		var be *batch.Error
		if errors.As(err, &be) {
			broken = true
		}

		res, err := in.Body(t.Context(), src, body, time.Now())
		events := e.events(src.Name)
		if count > in.Limits.MaxEvents {
			if !errors.Is(err, ErrTooMany) || len(events) != 0 {
				t.Fatalf("%d events: %v, %d events on the bus; want ErrTooMany and none", count, err, len(events))
			}
			return
		}
		if err != nil {
			t.Fatalf("Body: %v", err)
		}
		want := count
		if broken {
			want++
		}
		if res.Accepted+res.Rejected != want {
			t.Fatalf("accepted %d + rejected %d, want %d (%d events, broken %v)", res.Accepted, res.Rejected, want, count, broken)
		}
		if len(res.Errors) != min(res.Rejected, maxErrors) {
			t.Fatalf("%d errors listed for %d rejected", len(res.Errors), res.Rejected)
		}
		for i, r := range res.Errors {
			if r.Index < 0 || r.Index >= want || i > 0 && r.Index <= res.Errors[i-1].Index || r.Error == "" {
				t.Fatalf("errors %+v", res.Errors)
			}
		}
		if len(events) != res.Accepted {
			t.Fatalf("%d events on the bus, %d accepted", len(events), res.Accepted)
		}
		det := event.NewDetector()
		for _, ev := range events {
			if !isObject(ev) {
				t.Fatalf("event on the bus is not a JSON object: %q", ev)
			}
			if err := jsonscan.Validate([]byte(ev), in.Limits.MaxDepth); err != nil || len(ev) > in.Limits.MaxEventSize {
				t.Fatalf("event on the bus beyond the limits (%v): %q", err, ev)
			}
			if !bytes.Contains(body, []byte(ev)) {
				t.Fatalf("event on the bus is not in the body: %q", ev)
			}
			if k, err := det.Kind([]byte(ev)); err != nil || !src.Kind.takes(k) {
				t.Fatalf("a %v event (%v) on a source of kind %s: %q", k, err, src.Kind, ev)
			}
		}
	})
}

// FuzzPutEvents checks PutEvents over arbitrary request bodies: it never
// panics, it counts the entries it fails, and each entry put is on the
// bus, a valid event in its envelope.
func FuzzPutEvents(f *testing.F) {
	for _, s := range []string{
		`{"Entries":[{"Source":"bank.payments","DetailType":"Transfer","Detail":"{\"amount\":12}","Time":1773480413.5,"Resources":["arn:aws:s3:::b"]}]}`,
		`{"Entries":[{"Source":"a","DetailType":"b","Detail":" {\"x\":[1,{}]} ","Time":"2026-03-14T09:00:00+01:00"},{"Source":"aws.iam"}]}`,
		`{"Entries":[{"Source":"a","DetailType":"b","Detail":"{\"x\":","EventBusName":"default"},{"DetailType":"b"}]}`,
		`{"Entries":[{"Source":"a","DetailType":"b","Detail":"{}","Time":1e300}]}`,
		`{"Entries":[{"Source":"\u003c\ud800","DetailType":"\u0000","Detail":"{\"\\ud800\":1}","Time":null,"Resources":null}]}`,
		`{"Entries":[]}`,
		`{"Entries":null}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	e := newEnv(f, envConfig{limits: &fuzzLimits})
	eb := &AWSEvents{Ingester: e.in, Source: testSources["eventbridge"], Account: testAccount}
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		r := httptest.NewRequest("POST", "/", nil).WithContext(t.Context())
		v, ae := eb.putEvents(r, body, "eu-west-1")
		events := e.events("eventbridge")
		if ae != nil {
			if ae.Type == "" || ae.Msg == "" || ae.code != 400 || len(events) != 0 {
				t.Fatalf("error %+v with %d events on the bus", ae, len(events))
			}
			return
		}
		out := v.(putOutput)
		var in struct{ Entries []json.RawMessage }
		if err := json.Unmarshal(body, &in); err != nil || len(in.Entries) != len(out.Entries) {
			t.Fatalf("%d results for %d entries (%v)", len(out.Entries), len(in.Entries), err)
		}
		failed := 0
		var ids []string
		for _, res := range out.Entries {
			switch {
			case res.ErrorCode != "" && res.ErrorMessage != "" && res.EventID == "":
				failed++
			case res.ErrorCode == "" && res.ErrorMessage == "" && uuid4.MatchString(res.EventID):
				ids = append(ids, res.EventID)
			default:
				t.Fatalf("result %+v", res)
			}
		}
		if out.FailedEntryCount != failed {
			t.Fatalf("FailedEntryCount %d, %d entries failed", out.FailedEntryCount, failed)
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatal(err)
		}
		if len(events) != len(ids) {
			t.Fatalf("%d events on the bus, %d entries put", len(events), len(ids))
		}
		for i, ev := range events {
			var env map[string]json.RawMessage
			if err := json.Unmarshal([]byte(ev), &env); err != nil || !isObject(ev) {
				t.Fatalf("event on the bus is not a JSON object (%v): %q", err, ev)
			}
			var id, region string
			json.Unmarshal(env["id"], &id)
			json.Unmarshal(env["region"], &region)
			if id != ids[i] || region != "eu-west-1" || len(env) != 9 || !strings.HasPrefix(string(env["detail"]), "{") {
				t.Fatalf("event %d on the bus: %s", i, ev)
			}
			if err := jsonscan.Validate([]byte(ev), fuzzLimits.MaxDepth); err != nil || len(ev) > fuzzLimits.MaxEventSize {
				t.Fatalf("event on the bus beyond the limits (%v): %q", err, ev)
			}
			if k, err := event.NewDetector().Kind([]byte(ev)); err != nil || k != event.EventBridge {
				t.Fatalf("a %v event (%v): %q", k, err, ev)
			}
		}
	})
}

// isObject reports whether s is a JSON object, as encoding/json reads
// JSON: valid, one value, an object (whose numbers may be beyond a
// float64).
func isObject(s string) bool {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var obj map[string]any
	if !json.Valid([]byte(s)) || dec.Decode(&obj) != nil || obj == nil {
		return false
	}
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}
