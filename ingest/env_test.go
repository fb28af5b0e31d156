package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/auth"
	"vigil/bus"
	"vigil/server"
	"vigil/store"
)

// testEnv is ingest on the real components: an embedded JetStream bus, a
// SQLite store for tokens and files, and a consumer that reads back what
// was stored on the event stream.
type testEnv struct {
	t    testing.TB
	bus  *bus.Bus
	db   *store.DB
	reg  *prometheus.Registry
	in   *Ingester
	cons jetstream.Consumer
	key  []byte // the server key that AWS secrets derive from
}

// envConfig adjusts a testEnv.
type envConfig struct {
	maxBytes int64   // of the streams; 64 MiB when 0
	limits   *Limits // testLimits when nil
	message  int     // MaxMessage; 64 KiB when 0
}

// testLimits are limits small enough to reach in a test.
var testLimits = Limits{
	MaxBody:         64 << 10,
	MaxDecompressed: 256 << 10,
	MaxEvents:       50,
	MaxEventSize:    4 << 10,
	MaxDepth:        16,
}

func newEnv(t testing.TB, c envConfig) *testEnv {
	t.Helper()
	ctx := context.Background()
	if c.maxBytes == 0 {
		c.maxBytes = 64 << 20
	}
	if c.limits == nil {
		c.limits = &testLimits
	}
	if c.message == 0 {
		c.message = 64 << 10
	}
	b, err := bus.Open(ctx, bus.Config{Dir: t.TempDir(), Name: "t", MaxBytes: c.maxBytes, Duplicates: time.Minute, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	db, err := store.OpenDB(ctx, filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cons, err := b.JS.CreateOrUpdateConsumer(ctx, bus.EventStream, jetstream.ConsumerConfig{
		Durable: "test", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	e := &testEnv{t: t, bus: b, db: db, reg: reg, cons: cons, key: bytes.Repeat([]byte{7}, 32)}
	e.in = &Ingester{Bus: b, Limits: *c.limits, Metrics: NewMetrics(reg), MaxMessage: c.message,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

// batches reads every batch on the event stream, in order, and
// acknowledges it, which removes it from the stream.
func (e *testEnv) batches() []*bus.Batch {
	e.t.Helper()
	var out []*bus.Batch
	// The stream's count is exact once Publish returned; a consumer may
	// see its messages a moment later.
	n := int(e.messages())
	for len(out) < n {
		mb, err := e.cons.Fetch(n-len(out), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			e.t.Fatalf("fetching from the event stream: %v", err)
		}
		got := 0
		for m := range mb.Messages() {
			got++
			b, err := bus.ReadBatch(m.Headers(), m.Data())
			if err != nil {
				e.t.Fatalf("reading a batch on %s: %v", m.Subject(), err)
			}
			if want := bus.EventSubject(b.Source); m.Subject() != want {
				e.t.Errorf("batch of source %q on subject %s, want %s", b.Source, m.Subject(), want)
			}
			if err := m.DoubleAck(context.Background()); err != nil {
				e.t.Fatal(err)
			}
			out = append(out, b)
		}
		if err := mb.Error(); err != nil {
			e.t.Fatalf("fetching from the event stream: %v", err)
		}
		if got == 0 {
			e.t.Fatalf("the stream holds %d messages, the consumer got %d", n, len(out))
		}
	}
	if left := e.messages(); left != 0 {
		e.t.Fatalf("%d messages left on the stream", left)
	}
	return out
}

// events reads every event on the event stream, in order, checking that
// each came from the source named.
func (e *testEnv) events(source string) []string {
	e.t.Helper()
	var out []string
	for _, b := range e.batches() {
		if b.Source != source {
			e.t.Errorf("a batch of source %q, want %q", b.Source, source)
		}
		for _, ev := range b.Events {
			out = append(out, string(ev))
		}
	}
	return out
}

// messages returns the number of messages stored on the event stream.
func (e *testEnv) messages() uint64 {
	e.t.Helper()
	s, err := e.bus.JS.Stream(context.Background(), bus.EventStream)
	if err != nil {
		e.t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return info.State.Msgs
}

// token creates a token in the store and returns its id and secret.
func (e *testEnv) token(name string, role store.Role, source string) (id, token string) {
	e.t.Helper()
	id, token = auth.New()
	err := e.db.CreateToken(context.Background(), store.Token{ID: id, Name: name, Role: role, Source: source,
		Hash: auth.Hash(token), Created: time.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	return id, token
}

// awsSecrets returns the secret access keys of the tokens that may put
// events in a source, as vigil serve derives them.
func (e *testEnv) awsSecrets(source string) func(string) (string, bool) {
	return func(id string) (string, bool) {
		t, err := e.db.TokenByID(context.Background(), id)
		if err != nil || !auth.Allowed(t, store.Ingest, store.Admin) || t.Source != "" && t.Source != source {
			return "", false
		}
		return auth.AWSSecret(e.key, id), true
	}
}

// testSources are the sources of the tests: one of each kind.
var testSources = map[string]Source{
	"cloudtrail":  {"cloudtrail", CloudTrail},
	"k8s-audit":   {"k8s-audit", K8sAudit},
	"eventbridge": {"eventbridge", EventBridge},
	"ndjson":      {"ndjson", JSON},
}

// serve serves h and eb, as vigil serve mounts them, over HTTPS.
func (e *testEnv) serve(h *Handler, eb *AWSEvents) *httptest.Server {
	mux := http.NewServeMux()
	if h != nil {
		mux.Handle("POST /api/v1/ingest/{source}", h)
	}
	if eb != nil {
		mux.Handle("POST /{$}", eb)
	}
	srv := httptest.NewTLSServer(server.Secure(server.Logged(e.in.Log, mux)))
	e.t.Cleanup(srv.Close)
	return srv
}

// handler returns the ingest endpoint over the test sources, its tokens in
// the store, with a limiter that does not get in the way.
func (e *testEnv) handler() *Handler {
	return &Handler{Ingester: e.in, Sources: testSources, Tokens: e.db, Limiter: auth.NewLimiter(1000, 1000)}
}

// counter returns the value of the counter named with the labels given
// (name=value pairs), 0 when it has none.
func (e *testEnv) counter(name string, labels ...string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			var have []string
			for _, l := range m.GetLabel() {
				have = append(have, l.GetName()+"="+l.GetValue())
			}
			for _, l := range labels {
				if !slices.Contains(have, l) {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// labelValues returns every value the label has in the series of a
// metric.
func (e *testEnv) labelValues(name, label string) []string {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && !slices.Contains(out, l.GetValue()) {
					out = append(out, l.GetValue())
				}
			}
		}
	}
	return out
}

// ctRecord returns a CloudTrail record, told apart by i.
func ctRecord(i int) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},"eventTime":"2026-03-14T09:%02d:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":{"userName":"mallory-%d"},"responseElements":null,"eventID":"7e1c9a5e-0000-4000-8000-%012d","eventType":"AwsApiCall","recipientAccountId":"111122223333"}`, i%60, i, i)
}

// k8sEvent returns a Kubernetes audit event, told apart by i.
func k8sEvent(i int) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"5d1b7c2e-0000-4000-8000-%012d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/payments/secrets/db","verb":"get","user":{"username":"system:serviceaccount:payments:web"},"sourceIPs":["10.0.0.7"],"objectRef":{"resource":"secrets","namespace":"payments","name":"db"},"responseStatus":{"code":200}}`, i)
}

// ebEvent returns an event in the EventBridge envelope, told apart by i.
func ebEvent(i int) string {
	return fmt.Sprintf(`{"version":"0","id":"0e5c6a3b-0000-4000-8000-%012d","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2026-03-14T09:00:00Z","region":"us-east-1","resources":[],"detail":{"eventName":"DeleteUser","n":%d}}`, i, i)
}

// records returns a CloudTrail file of the records.
func records(recs ...string) string {
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}

// gz returns s gzipped.
func gz(s string) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

// noise returns n bytes that do not compress, the same each time.
func noise(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return string(b)
}

// diff describes how the events got differ from those wanted.
func diff(got, want []string) string {
	short := func(s string) string {
		if len(s) > 60 {
			return s[:60] + "…"
		}
		return s
	}
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			return fmt.Sprintf("%d events, want %d: missing %q", len(got), len(want), short(want[i]))
		case i >= len(want):
			return fmt.Sprintf("%d events, want %d: extra %q", len(got), len(want), short(got[i]))
		case got[i] != want[i]:
			return fmt.Sprintf("event %d is %q, want %q", i, short(got[i]), short(want[i]))
		}
	}
	return "the same"
}
