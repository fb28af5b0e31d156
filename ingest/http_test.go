package ingest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/auth"
	"vigil/store"
)

// req is a request to the ingest endpoint.
type req struct {
	source   string
	token    string // sent as a bearer token unless ""
	auth     string // the Authorization header, when set: overrides token
	ctype    string // the Content-Type; application/json when "" and noCType is false
	noCType  bool
	encoding string
	body     []byte
}

// answer is a response of the ingest endpoint.
type answer struct {
	code   int
	header http.Header
	body   []byte
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.code, bytes.TrimSpace(a.body)) }

// result decodes the body as a Result, strictly.
func (a answer) result(t *testing.T) Result {
	t.Helper()
	var r Result
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("answer %s: not a result: %v", a, err)
	}
	if r.Errors == nil {
		t.Errorf("answer %s: errors is not a list", a)
	}
	return r
}

// errorText decodes the body as {"error": ...}.
func (a answer) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == "" {
		t.Fatalf("answer %s: not an error", a)
	}
	return e.Error
}

func post(t *testing.T, srv *httptest.Server, r req) answer {
	t.Helper()
	hr, err := http.NewRequest("POST", srv.URL+"/api/v1/ingest/"+r.source, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case r.auth != "":
		hr.Header.Set("Authorization", r.auth)
	case r.token != "":
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	switch {
	case r.ctype != "":
		hr.Header.Set("Content-Type", r.ctype)
	case !r.noCType:
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.encoding != "" {
		hr.Header.Set("Content-Encoding", r.encoding)
	}
	res, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("answer %d: Content-Type %q", res.StatusCode, ct)
	}
	return answer{res.StatusCode, res.Header, body}
}

// TestHandlerBodies sends every form of body the endpoint takes and
// checks that exactly its events, byte for byte, are on the bus.
func TestHandlerBodies(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")

	// Each case sends events of its own: the bus would take the same
	// events sent again for a retry, and store them once.
	type tc struct {
		name, source, ctype, enc string
		body                     []byte
		want                     []string
	}
	var tests []tc
	add := func(name, source, ctype, enc string, body []byte, want ...string) {
		tests = append(tests, tc{name, source, ctype, enc, body, want})
	}
	seq := 0
	cts := func(n int) []string {
		var out []string
		for range n {
			seq++
			out = append(out, ctRecord(seq))
		}
		return out
	}
	ct := cts(3)
	add("CloudTrail file", "cloudtrail", "", "", []byte(records(ct...)), ct...)
	ct = cts(3)
	add("CloudTrail file, pretty", "cloudtrail", "", "", []byte("{\n \"Records\": [\n  "+strings.Join(ct, ",\n  ")+"\n ]\n}\n"), ct...)
	ct = cts(3)
	add("CloudTrail file, gzip", "cloudtrail", "", "gzip", gz(records(ct...)), ct...)
	ct = cts(3)
	add("CloudTrail file, GZIP", "cloudtrail", "", "GZIP", gz(records(ct...)), ct...)
	ct = cts(3)
	add("CloudTrail file, identity", "cloudtrail", "", "identity", []byte(records(ct...)), ct...)
	ct = cts(3)
	add("JSON array", "cloudtrail", "", "", []byte("["+strings.Join(ct, ", ")+"]"), ct...)
	ct = cts(1)
	add("one record", "cloudtrail", "", "", []byte(ct[0]), ct...)
	ct = cts(3)
	add("NDJSON", "cloudtrail", "application/x-ndjson", "", []byte(strings.Join(ct, "\n")+"\n"), ct...)
	ct = cts(3)
	add("NDJSON, CRLF and blank lines", "cloudtrail", "application/x-ndjson", "", []byte(strings.Join(ct, "\r\n\r\n")), ct...)
	ct = cts(3)
	add("NDJSON, gzip", "cloudtrail", "application/jsonl", "gzip", gz(strings.Join(ct, "\n")), ct...)
	ct = cts(3)
	add("JSON lines", "cloudtrail", "application/x-jsonlines", "", []byte(strings.Join(ct, "\n")), ct...)
	ct = cts(3)
	add("NDJSON as application/json", "cloudtrail", "", "", []byte(strings.Join(ct, "\n")), ct...)
	ct = cts(3)
	add("JSON text sequence", "cloudtrail", "application/json-seq", "", []byte("\x1e"+strings.Join(ct, "\n\x1e")+"\n"), ct...)
	ct = cts(2)
	for i := range ct {
		var b bytes.Buffer
		json.Indent(&b, []byte(ct[i]), "", "  ")
		ct[i] = b.String()
	}
	add("JSON text sequence, pretty", "cloudtrail", "application/json-seq", "gzip", gz("\x1e"+ct[0]+"\n\x1e"+ct[1]+"\n"), ct...)
	ct = cts(3)
	add("charset", "cloudtrail", "Application/JSON; charset=utf-8", "", []byte(records(ct...)), ct...)
	k8s := []string{k8sEvent(1), k8sEvent(2)}
	add("Kubernetes EventList", "k8s-audit", "", "",
		[]byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[`+strings.Join(k8s, ",")+`]}`), k8s...)
	k8s = []string{k8sEvent(3), k8sEvent(4)}
	add("Kubernetes EventList, items first", "k8s-audit", "", "",
		[]byte(`{"items":[`+strings.Join(k8s, ",")+`],"kind":"EventList","apiVersion":"audit.k8s.io/v1"}`), k8s...)
	k8s = []string{k8sEvent(5), k8sEvent(6)}
	add("Kubernetes NDJSON", "k8s-audit", "application/x-ndjson", "", []byte(strings.Join(k8s, "\n")), k8s...)
	eb := []string{ebEvent(1), ebEvent(2)}
	add("EventBridge events", "eventbridge", "", "", []byte("["+strings.Join(eb, ",")+"]"), eb...)
	add("EventBridge event", "eventbridge", "", "", []byte(ebEvent(3)), ebEvent(3))
	add("any JSON", "ndjson", "", "", []byte(`{"msg":"payment sent","amount":12.5,"tags":["a",{"b":null}]}`),
		`{"msg":"payment sent","amount":12.5,"tags":["a",{"b":null}]}`)
	pretty := "{\n  \"user\": \"alice\",\n  \"action\": \"login\"\n}"
	add("any JSON, pretty", "ndjson", "", "", []byte(pretty), pretty)
	pretty2 := "{\n  \"user\": \"bob\",\n  \"action\": \"login\"\n}"
	add("any JSON, a stream", "ndjson", "", "", []byte(pretty+"\n"+pretty2), pretty, pretty2)
	add("any kind to a JSON source", "ndjson", "application/x-ndjson", "",
		[]byte(ctRecord(100)+"\n"+k8sEvent(100)+"\n"+ebEvent(100)), ctRecord(100), k8sEvent(100), ebEvent(100))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			a := post(t, srv, req{source: tt.source, token: tok, ctype: tt.ctype, encoding: tt.enc, body: tt.body})
			if a.code != http.StatusAccepted {
				t.Fatalf("answer %s, want 202", a)
			}
			if r := a.result(t); r.Accepted != len(tt.want) || r.Rejected != 0 || len(r.Errors) != 0 {
				t.Errorf("result %+v, want %d accepted", r, len(tt.want))
			}
			if got := e.events(tt.source); !slices.Equal(got, tt.want) {
				t.Errorf("on the bus: %s", diff(got, tt.want))
			}
		})
	}
}

// TestHandlerRejects sends a batch with bad events among good ones: the
// good ones are stored, and the answer names each bad one by its index.
func TestHandlerRejects(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")

	deep := strings.Repeat(`{"a":`, 20) + "1" + strings.Repeat("}", 20)
	large := fmt.Sprintf(`{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject","pad":%q}`, strings.Repeat("x", 5000))
	lines := []string{
		0: ctRecord(0),
		1: `{"eventVersion":"1.09","eventSource":"iam.amazonaws.com",`, // breaks off
		2: "{\"eventVersion\":\"1.09\",\"eventSource\":\"iam\xff.amazonaws.com\",\"eventName\":\"X\"}",
		3: `"a string"`,
		4: `42`,
		5: deep,
		6: large,
		7: k8sEvent(1),
		8: `{"eventVersion":"1.09","eventName":tru}`,
		9: ctRecord(9),
		// A line that is an array breaking off after its first event: the
		// event, and the nothing after it.
		10: "[" + ctRecord(10) + ",",
	}
	wantErr := map[int]string{
		1:  "invalid JSON: invalid JSON at offset 57: unexpected end of input in an object",
		2:  "invalid UTF-8",
		3:  "not a JSON object",
		4:  "not a JSON object",
		5:  "invalid JSON: invalid JSON at offset 80: nested deeper than 16 levels",
		6:  "more than the 4096 allowed",
		7:  "a k8s-audit event, where source cloudtrail takes cloudtrail events",
		8:  "invalid JSON: invalid JSON at offset 38: invalid character '}' in the literal true",
		11: "invalid JSON: unexpected end of input",
	}
	a := post(t, srv, req{source: "cloudtrail", token: tok, ctype: "application/x-ndjson", body: []byte(strings.Join(lines, "\n"))})
	if a.code != http.StatusAccepted {
		t.Fatalf("answer %s, want 202", a)
	}
	r := a.result(t)
	if r.Accepted != 3 || r.Rejected != len(wantErr) || len(r.Errors) != len(wantErr) {
		t.Errorf("result %+v, want 3 accepted, %d rejected", r, len(wantErr))
	}
	for _, rej := range r.Errors {
		want, ok := wantErr[rej.Index]
		if !ok || !strings.Contains(rej.Error, want) {
			t.Errorf("event %d rejected with %q, want %q", rej.Index, rej.Error, want)
		}
		delete(wantErr, rej.Index)
	}
	for i, want := range wantErr {
		t.Errorf("event %d not rejected (want %q)", i, want)
	}
	if got, want := e.events("cloudtrail"), []string{lines[0], lines[9], ctRecord(10)}; !slices.Equal(got, want) {
		t.Errorf("on the bus %s", diff(got, want))
	}

	for _, c := range []struct {
		reason string
		n      float64
	}{{"invalid_json", 4}, {"invalid_utf8", 1}, {"not_object", 2}, {"too_large", 1}, {"wrong_kind", 1}} {
		if got := e.counter("vigil_ingest_rejected_total", "source=cloudtrail", "reason="+c.reason); got != c.n {
			t.Errorf("rejected %s = %v, want %v", c.reason, got, c.n)
		}
	}
	if got := e.counter("vigil_ingest_events_total", "source=cloudtrail"); got != 3 {
		t.Errorf("events = %v, want 3", got)
	}
	if got := e.counter("vigil_ingest_requests_total", "endpoint=ingest", "code=202"); got != 1 {
		t.Errorf("requests 202 = %v, want 1", got)
	}
}

// TestHandlerBrokenBody sends bodies whose structure breaks off: the
// events before the break are stored, the rest rejected at its index.
func TestHandlerBrokenBody(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	recs := func(base int) (string, []string) {
		ct := []string{ctRecord(base + 1), ctRecord(base + 2), ctRecord(base + 3)}
		return records(ct...), ct
	}
	full, ct := recs(0)
	full2, ct2 := recs(10)
	full3, ct3 := recs(20)
	full4, ct4 := recs(30)
	tests := []struct {
		name      string
		body      string
		enc       string
		want      []string
		wantIndex int
	}{
		{"CloudTrail file cut in a record", full[:len(full)-40], "", ct[:2], 2},
		{"CloudTrail file cut after a record", full2[:len(full2)-2] + ",", "", ct2, 3},
		{"CloudTrail file without its closing brace", full3[:len(full3)-1], "", ct3, 3},
		{"array cut in a record", "[" + ct4[0] + "," + ct4[1][:50], "", ct4[:1], 1},
		{"gzip of a cut file", full4[:len(full4)-40], "gzip", ct4[:2], 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			body := []byte(tt.body)
			if tt.enc == "gzip" {
				body = gz(tt.body)
			}
			a := post(t, srv, req{source: "cloudtrail", token: tok, encoding: tt.enc, body: body})
			if a.code != http.StatusAccepted {
				t.Fatalf("answer %s, want 202", a)
			}
			r := a.result(t)
			if r.Accepted != len(tt.want) || r.Rejected != 1 || len(r.Errors) != 1 ||
				r.Errors[0].Index != tt.wantIndex || !strings.HasPrefix(r.Errors[0].Error, "the body breaks off at byte ") {
				t.Errorf("result %+v, want %d accepted and the break at index %d", r, len(tt.want), tt.wantIndex)
			}
			if got := e.events("cloudtrail"); !slices.Equal(got, tt.want) {
				t.Errorf("on the bus: %s", diff(got, tt.want))
			}
		})
	}
	e.t = t
	if got := e.counter("vigil_ingest_rejected_total", "source=cloudtrail", "reason=broken_body"); got != float64(len(tests)) {
		t.Errorf("rejected broken_body = %v, want %d", got, len(tests))
	}
}

// TestHandlerConnectionCut sends a body that the connection ends before
// its length: nothing is stored.
func TestHandlerConnectionCut(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	body := records(ctRecord(1), ctRecord(2))
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), srv.Client().Transport.(*http.Transport).TLSClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/ingest/cloudtrail HTTP/1.1\r\nHost: vigil\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", tok, len(body), body[:len(body)/2])
	if err := conn.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(msg), "reading the body") {
		t.Errorf("answer %d %s, want 400", res.StatusCode, msg)
	}
	if n := e.messages(); n != 0 {
		t.Errorf("%d messages on the bus", n)
	}
}

// TestHandlerRefuses checks every answer that refuses a whole request,
// and that a refused request stores nothing.
func TestHandlerRefuses(t *testing.T) {
	lim := testLimits
	lim.MaxEvents = 5
	e := newEnv(t, envConfig{limits: &lim})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	_, revoked := e.token("old", store.Ingest, "")
	if err := e.db.RevokeToken(t.Context(), "old"); err != nil {
		t.Fatal(err)
	}
	_, analyst := e.token("analyst", store.Analyst, "")
	_, auditor := e.token("auditor", store.Auditor, "")
	_, k8sOnly := e.token("k8s", store.Ingest, "k8s-audit")
	_, admin := e.token("admin", store.Admin, "")
	good := []byte(records(ctRecord(1), ctRecord(2)))

	bomb := gz(strings.Repeat(" ", int(testLimits.MaxDecompressed)+1))
	if len(bomb) > 4<<10 {
		t.Fatalf("the gzip bomb is %d bytes", len(bomb))
	}
	var sixEvents []string
	for i := range 6 {
		sixEvents = append(sixEvents, ctRecord(i))
	}
	tests := []struct {
		name   string
		r      req
		code   int
		err    string // in the error message
		reason string // the rejection counted, with its source
	}{
		{"all rejected", req{body: []byte(`[{"a":1},{"b":2}]`)}, 400, "", "wrong_kind"},
		{"empty body", req{body: nil}, 400, "no events in the body", ""},
		{"blank body", req{body: []byte(" \n\t\r\n")}, 400, "no events in the body", ""},
		{"empty CloudTrail file", req{body: []byte(`{"Records":[]}`)}, 400, "no events in the body", ""},
		{"not JSON", req{body: []byte(`hello`)}, 400, "", "broken_body"},
		{"no Content-Type", req{noCType: true, body: good}, 415, `Content-Type ""`, "unsupported_media_type"},
		{"text/plain", req{ctype: "text/plain", body: good}, 415, "send application/json", "unsupported_media_type"},
		{"malformed Content-Type", req{ctype: "application/json; charset", body: good}, 415, "Content-Type", ""},
		{"Content-Encoding br", req{encoding: "br", body: good}, 415, `Content-Encoding "br"`, ""},
		{"Content-Encoding deflate", req{encoding: "deflate", body: good}, 415, "send gzip or none", ""},
		{"body over the limit", req{body: append([]byte(`[`), bytes.Repeat([]byte(" "), int(testLimits.MaxBody))...)}, 413,
			"body larger than 65536 bytes", "request_entity_too_large"},
		{"gzip over the limit", req{encoding: "gzip", body: gz(noise(int(testLimits.MaxBody)))}, 413, "body larger than 65536 bytes", ""},
		{"gzip bomb", req{encoding: "gzip", body: bomb}, 413, "too large once decompressed: more than 262144 bytes", ""},
		{"not gzip", req{encoding: "gzip", body: good}, 400, "Content-Encoding gzip: not gzip", "bad_request"},
		{"gzip cut off", req{encoding: "gzip", body: gz(string(good))[:60]}, 400, "Content-Encoding gzip: gzip: unexpected EOF", ""},
		{"gzip and garbage", req{encoding: "gzip", body: append(gz(string(good)), "garbage"...)}, 400, "Content-Encoding gzip", ""},
		{"unknown source", req{source: "nope", body: good}, 404, `unknown source "nope"`, "(unknown)/unknown_source"},
		{"no token", req{token: "-", body: good}, 401, "no bearer token", "cloudtrail/unauthenticated"},
		{"not bearer", req{auth: "Basic YWxpY2U6c2VjcmV0", body: good}, 401, "no bearer token", ""},
		{"bad token", req{token: "vgl_AAAAAAAAAAAAAAAA_nope", body: good}, 401, "not valid, or was revoked", ""},
		{"revoked token", req{token: revoked, body: good}, 401, "not valid, or was revoked", ""},
		{"analyst token", req{token: analyst, body: good}, 403, "a token of role analyst cannot send events", "cloudtrail/forbidden"},
		{"auditor token", req{token: auditor, body: good}, 403, "a token of role auditor cannot send events", ""},
		{"token of another source", req{token: k8sOnly, body: good}, 403, `this token sends to source "k8s-audit" only`, ""},
		{"too many events", req{body: []byte(records(sixEvents...))}, 413, "too many events in one request: more than 5", "cloudtrail/too_many_events"},
		{"too many events, NDJSON", req{ctype: "application/x-ndjson", body: []byte(strings.Join(sixEvents, "\n"))}, 413, "more than 5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			r := tt.r
			if r.source == "" {
				r.source = "cloudtrail"
			}
			switch r.token {
			case "":
				r.token = tok
			case "-":
				r.token = ""
			}
			src, reason, _ := strings.Cut(tt.reason, "/")
			if reason == "" {
				src, reason = "cloudtrail", tt.reason
			}
			before := e.counter("vigil_ingest_rejected_total", "source="+src, "reason="+reason)
			a := post(t, srv, r)
			if a.code != tt.code {
				t.Fatalf("answer %s, want %d", a, tt.code)
			}
			if tt.err != "" {
				if msg := a.errorText(t); !strings.Contains(msg, tt.err) {
					t.Errorf("error %q, want %q in it", msg, tt.err)
				}
			}
			if tt.code == 401 && a.header.Get("WWW-Authenticate") != `Bearer realm="vigil"` {
				t.Errorf("WWW-Authenticate %q", a.header.Get("WWW-Authenticate"))
			}
			if tt.reason != "" {
				if after := e.counter("vigil_ingest_rejected_total", "source="+src, "reason="+reason); after <= before {
					t.Errorf("rejections for %s/%s: %v, then %v", src, reason, before, after)
				}
			}
			if n := e.messages(); n != 0 {
				t.Errorf("%d messages on the bus", n)
			}
		})
	}
	e.t = t

	// All rejected: the answer still names each.
	a := post(t, srv, req{source: "cloudtrail", token: tok, body: []byte(`[{"a":1},"x"]`)})
	if r := a.result(t); a.code != 400 || r.Accepted != 0 || r.Rejected != 2 || len(r.Errors) != 2 ||
		r.Errors[0].Index != 0 || r.Errors[1].Index != 1 {
		t.Errorf("all rejected: %s", a)
	}
	// What the forbidden tokens may do.
	for _, c := range []struct{ source, token string }{{"k8s-audit", k8sOnly}, {"cloudtrail", admin}} {
		body := good
		if c.source == "k8s-audit" {
			body = []byte(k8sEvent(1))
		}
		if a := post(t, srv, req{source: c.source, token: c.token, body: body}); a.code != http.StatusAccepted {
			t.Errorf("to %s: %s, want 202", c.source, a)
		}
	}
	if n := len(e.batches()); n != 2 {
		t.Errorf("%d batches on the bus, want 2", n)
	}
	if got := e.counter("vigil_ingest_requests_total", "endpoint=ingest", "code=401"); got != 4 {
		t.Errorf("requests 401 = %v, want 4", got)
	}
}

// TestHandlerMetricLabels checks that requests to sources that do not
// exist, authenticated or not, do not make a series each.
func TestHandlerMetricLabels(t *testing.T) {
	e := newEnv(t, envConfig{})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	_, analyst := e.token("analyst", store.Analyst, "")
	for i := range 5 {
		for _, token := range []string{"", tok, analyst} {
			post(t, srv, req{source: fmt.Sprintf("made-up-%d", i), token: token, body: []byte(ctRecord(1))})
		}
	}
	post(t, srv, req{source: "cloudtrail", body: []byte(ctRecord(1))})
	got := e.labelValues("vigil_ingest_rejected_total", "source")
	slices.Sort(got)
	if want := []string{"(unknown)", "cloudtrail"}; !slices.Equal(got, want) {
		t.Errorf("source labels %q, want %q", got, want)
	}
	if got := e.counter("vigil_ingest_rejected_total", "source=(unknown)", "reason=unauthenticated"); got != 5 {
		t.Errorf("unauthenticated to unknown sources: %v, want 5", got)
	}
	if got := e.counter("vigil_ingest_rejected_total", "source=(unknown)", "reason=unknown_source"); got != 5 {
		t.Errorf("unknown sources: %v, want 5", got)
	}
}

// TestHandlerRateLimit checks that a token past its rate is told when to
// retry, and that other tokens are not held back.
func TestHandlerRateLimit(t *testing.T) {
	e := newEnv(t, envConfig{})
	h := e.handler()
	h.Limiter = auth.NewLimiter(0.5, 2)
	srv := e.serve(h, nil)
	_, tok := e.token("shipper", store.Ingest, "")
	_, other := e.token("other", store.Ingest, "")
	for i := range 2 {
		if a := post(t, srv, req{source: "cloudtrail", token: tok, body: []byte(ctRecord(i))}); a.code != http.StatusAccepted {
			t.Fatalf("request %d: %s", i, a)
		}
	}
	a := post(t, srv, req{source: "cloudtrail", token: tok, body: []byte(ctRecord(3))})
	if a.code != http.StatusTooManyRequests {
		t.Fatalf("third request: %s, want 429", a)
	}
	if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", a.header.Get("Retry-After"))
	}
	if msg := a.errorText(t); !strings.Contains(msg, "too many requests") {
		t.Errorf("error %q", msg)
	}
	if a := post(t, srv, req{source: "cloudtrail", token: other, body: []byte(ctRecord(4))}); a.code != http.StatusAccepted {
		t.Errorf("another token: %s", a)
	}
	if got := e.counter("vigil_ingest_rejected_total", "source=cloudtrail", "reason=rate_limited"); got != 1 {
		t.Errorf("rate_limited = %v", got)
	}
	want := []string{ctRecord(0), ctRecord(1), ctRecord(4)}
	if got := e.events("cloudtrail"); !slices.Equal(got, want) {
		t.Errorf("on the bus %s", diff(got, want))
	}
}

// TestHandlerBusFull fills a small stream: the endpoint answers 503 with
// Retry-After, stores nothing of the refused request, and takes events
// again once the backlog is consumed.
func TestHandlerBusFull(t *testing.T) {
	e := newEnv(t, envConfig{maxBytes: 16 << 10})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	body := func(i int) []byte {
		return []byte(fmt.Sprintf(`[{"n":%d,"pad":%q}]`, i, strings.Repeat("x", 3000)))
	}
	var stored []string
	full := -1
	for i := range 20 {
		a := post(t, srv, req{source: "ndjson", token: tok, body: body(i)})
		if a.code == http.StatusServiceUnavailable {
			full = i
			if a.header.Get("Retry-After") != "5" {
				t.Errorf("Retry-After %q, want 5", a.header.Get("Retry-After"))
			}
			if msg := a.errorText(t); !strings.Contains(msg, "cannot take events now") {
				t.Errorf("error %q", msg)
			}
			break
		}
		if a.code != http.StatusAccepted {
			t.Fatalf("request %d: %s", i, a)
		}
		stored = append(stored, string(body(i)[1:len(body(i))-1]))
	}
	if full < 1 {
		t.Fatalf("the stream refused request %d", full)
	}
	// Still answering, and refusing while full.
	if a := post(t, srv, req{source: "ndjson", token: tok, body: body(100)}); a.code != http.StatusServiceUnavailable {
		t.Errorf("while full: %s, want 503", a)
	}
	if a := post(t, srv, req{source: "ndjson", body: body(100)}); a.code != http.StatusUnauthorized {
		t.Errorf("while full, without a token: %s, want 401", a)
	}
	if got := e.events("ndjson"); !slices.Equal(got, stored) {
		t.Fatalf("on the bus %d events, want the %d accepted", len(got), len(stored))
	}
	// Consumed: there is room again, for the request refused too.
	for _, i := range []int{full, full + 1} {
		if a := post(t, srv, req{source: "ndjson", token: tok, body: body(i)}); a.code != http.StatusAccepted {
			t.Errorf("after the backlog was consumed: %s", a)
		}
	}
	want := []string{string(body(full)[1 : len(body(full))-1]), string(body(full + 1)[1 : len(body(full+1))-1])}
	if got := e.events("ndjson"); !slices.Equal(got, want) {
		t.Errorf("on the bus %s", diff(got, want))
	}
	if got := e.counter("vigil_ingest_requests_total", "endpoint=ingest", "code=503"); got != 2 {
		t.Errorf("requests 503 = %v, want 2", got)
	}
}

// TestHandlerRetry sends the same body twice, as a client retrying does:
// the bus stores its events once.
func TestHandlerRetry(t *testing.T) {
	e := newEnv(t, envConfig{message: 2 << 10})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	var recs []string
	for i := range 5 {
		recs = append(recs, ctRecord(i))
	}
	body := []byte(records(recs...))
	for range 2 {
		a := post(t, srv, req{source: "cloudtrail", token: tok, body: body})
		if r := a.result(t); a.code != http.StatusAccepted || r.Accepted != 5 {
			t.Fatalf("answer %s", a)
		}
	}
	if got := e.events("cloudtrail"); !slices.Equal(got, recs) {
		t.Errorf("on the bus %d events, want %d, once each", len(got), len(recs))
	}
	// Another body with some of the same events is another batch.
	body = []byte(records(recs[:2]...))
	if a := post(t, srv, req{source: "cloudtrail", token: tok, body: body}); a.code != http.StatusAccepted {
		t.Fatalf("answer %s", a)
	}
	if got := e.events("cloudtrail"); !slices.Equal(got, recs[:2]) {
		t.Errorf("on the bus %s", diff(got, recs[:2]))
	}
}

// TestHandlerRepeatedEvents sends one request of the same event many
// times, more than one bus message holds: every copy is stored.
func TestHandlerRepeatedEvents(t *testing.T) {
	e := newEnv(t, envConfig{message: 1 << 10})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	ev := `{"msg":"login failed","user":"bob","pad":"` + strings.Repeat("x", 200) + `"}`
	var want []string
	for range 20 {
		want = append(want, ev)
	}
	a := post(t, srv, req{source: "ndjson", token: tok, ctype: "application/x-ndjson", body: []byte(strings.Join(want, "\n"))})
	if r := a.result(t); a.code != http.StatusAccepted || r.Accepted != 20 {
		t.Fatalf("answer %s", a)
	}
	bs := e.batches()
	var got []string
	for _, b := range bs {
		for _, ev := range b.Events {
			got = append(got, string(ev))
		}
		if size := len(b.Msg().Data); size > 1<<10 {
			t.Errorf("a message of %d bytes, more than 1 KiB", size)
		}
	}
	if len(bs) < 2 || !slices.Equal(got, want) {
		t.Errorf("%d events in %d batches on the bus, want %d", len(got), len(bs), len(want))
	}
}

// TestHandlerMessages checks how events are grouped into bus messages:
// in order, each message within MaxMessage, batch ids of 32 hex digits,
// the time received.
func TestHandlerMessages(t *testing.T) {
	e := newEnv(t, envConfig{message: 2 << 10})
	srv := e.serve(e.handler(), nil)
	_, tok := e.token("shipper", store.Ingest, "")
	var recs []string
	for i := range 12 {
		recs = append(recs, ctRecord(i))
	}
	before := time.Now()
	a := post(t, srv, req{source: "cloudtrail", token: tok, body: []byte(records(recs...))})
	if a.code != http.StatusAccepted {
		t.Fatalf("answer %s", a)
	}
	var got []string
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	bs := e.batches()
	for _, b := range bs {
		if size := len(b.Msg().Data); size > 2<<10 {
			t.Errorf("a message of %d bytes", size)
		}
		if !hexID.MatchString(b.ID) {
			t.Errorf("batch id %q", b.ID)
		}
		if b.Received.Before(before) || b.Received.After(time.Now()) {
			t.Errorf("received %v", b.Received)
		}
		for _, ev := range b.Events {
			got = append(got, string(ev))
		}
	}
	if len(bs) < 3 || !slices.Equal(got, recs) {
		t.Errorf("%d batches of %d events", len(bs), len(got))
	}
}
