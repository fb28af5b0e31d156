package server_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/server"
)

// running is a Server.Run in progress.
type running struct {
	srv    *server.Server
	cancel context.CancelFunc
	done   chan error // Run's result; closed once wait has received it
	err    error
	client *http.Client
	addr   string
	logs   *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// wait returns Run's result, and false if Run has not returned within d.
// It is called from the test's goroutine only.
func (r *running) wait(d time.Duration) (error, bool) {
	returned := false
	select {
	case err, ok := <-r.done:
		if ok {
			r.err = err
			close(r.done)
		}
		returned = true
	case <-time.After(d):
	}
	return r.err, returned
}

// run starts a Server on a free port of 127.0.0.1 with a self-signed
// certificate, and returns once it is ready, with a client that trusts
// it.
func run(t *testing.T, h http.Handler, grace time.Duration) *running {
	t.Helper()
	cfg, _, certFile, _ := selfSigned(t)
	roots := x509.NewCertPool()
	roots.AddCert(readCert(t, certFile))
	logs := &syncBuffer{}
	srv := &server.Server{Addr: "127.0.0.1:0", Handler: h, TLS: cfg,
		Log: slog.New(slog.NewJSONHandler(logs, nil)), Ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- srv.Run(ctx, grace) }()
	t.Cleanup(func() {
		cancel()
		if _, ok := r.wait(10 * time.Second); !ok {
			t.Error("Run did not return")
		}
	})
	select {
	case <-srv.Ready:
	case <-time.After(10 * time.Second):
		err, _ := r.wait(0)
		t.Fatalf("Run is not ready after 10 s: %v", err)
	}
	if srv.Listening == nil {
		t.Fatal("Ready closed without Listening")
	}
	r.addr = srv.Listening.String()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	r.client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return r
}

func TestRunServesHTTPS(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	r := run(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hits.Add(1)
		io.WriteString(w, "secret content")
	}), time.Second)

	// HTTPS, checked against the self-signed certificate, for the
	// address and for localhost.
	_, port, _ := net.SplitHostPort(r.addr)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		resp, err := r.client.Get("https://" + net.JoinHostPort(host, port) + "/x")
		if err != nil {
			t.Fatalf("HTTPS GET via %s: %v", host, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "secret content" {
			t.Errorf("HTTPS GET via %s: %d %q", host, resp.StatusCode, b)
		}
		if resp.TLS == nil {
			t.Errorf("HTTPS GET via %s: no TLS", host)
		}
	}
	served := hits.Load()

	// Plain HTTP: the server answers with an error and the handler never
	// runs.
	plain := &http.Client{Timeout: 10 * time.Second}
	resp, err := plain.Get("http://" + r.addr + "/x")
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || strings.Contains(string(b), "secret content") {
			t.Errorf("plain HTTP: %d %q", resp.StatusCode, b)
		}
	}
	if n := hits.Load(); n != served {
		t.Errorf("the handler served a plain-HTTP request")
	}

	// A client that does not trust the certificate fails.
	if _, err := (&http.Client{Timeout: 10 * time.Second}).Get("https://" + r.addr + "/x"); err == nil {
		t.Error("a client without the certificate connected")
	}
}

func TestRunTLSVersions(t *testing.T) {
	t.Parallel()
	r := run(t, http.NotFoundHandler(), time.Second)
	dial := func(minV, maxV uint16) (uint16, error) {
		d := &tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true, MinVersion: minV, MaxVersion: maxV}}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := d.DialContext(ctx, "tcp", r.addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.(*tls.Conn).ConnectionState().Version, nil
	}
	for _, tc := range []struct {
		name     string
		min, max uint16
		want     uint16 // 0: the handshake fails
	}{
		{"TLS 1.0", tls.VersionTLS10, tls.VersionTLS10, 0},
		{"TLS 1.1", tls.VersionTLS10, tls.VersionTLS11, 0},
		{"TLS 1.2", tls.VersionTLS12, tls.VersionTLS12, tls.VersionTLS12},
		{"TLS 1.3", tls.VersionTLS13, tls.VersionTLS13, tls.VersionTLS13},
		{"any", tls.VersionTLS10, 0, tls.VersionTLS13},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := dial(tc.min, tc.max)
			if tc.want == 0 {
				if err == nil {
					t.Errorf("handshake succeeded with version %x", v)
				}
				return
			}
			if err != nil || v != tc.want {
				t.Errorf("version %x, %v; want %x", v, err, tc.want)
			}
		})
	}

	// The client above can speak TLS 1.1 to a server that allows it: the
	// refusal is the server's.
	cfg, _, _, _ := selfSigned(t)
	cfg.MinVersion = tls.VersionTLS10
	old := httptest.NewUnstartedServer(http.NotFoundHandler())
	old.TLS = cfg
	old.StartTLS()
	defer old.Close()
	c, err := tls.Dial("tcp", old.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err != nil {
		t.Fatalf("a TLS 1.1 client cannot reach a server that allows TLS 1.1: %v", err)
	}
	c.Close()
}

func TestRunGracefulShutdown(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	r := run(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done "+req.URL.Path)
	}), 10*time.Second)

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := r.client.Get("https://" + r.addr + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	r.cancel()

	// Run waits for the request in flight, while refusing new
	// connections.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", r.addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Error("the listener still takes connections after cancellation")
	}
	if err, returned := r.wait(100 * time.Millisecond); returned {
		t.Fatalf("Run returned %v while a request was in flight", err)
	}

	close(release)
	err, returned := r.wait(10 * time.Second)
	if !returned {
		t.Fatal("Run did not return once the request was done")
	}
	if err != nil {
		t.Errorf("Run: %v", err)
	}
	res := <-got
	if res.err != nil || res.body != "done /slow" {
		t.Errorf("the request in flight got %q, %v; want its whole answer", res.body, res.err)
	}
}

func TestRunGraceExpires(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	r := run(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		close(started)
		<-release
	}), 100*time.Millisecond)
	got := make(chan error, 1)
	go func() {
		resp, err := r.client.Get("https://" + r.addr + "/stuck")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		got <- err
	}()
	<-started
	r.cancel()
	err, returned := r.wait(10 * time.Second)
	if !returned {
		t.Fatal("Run did not return after its grace")
	}
	if err == nil || !strings.Contains(err.Error(), "shutting down") {
		t.Errorf("Run: %v, want an error for the request left in flight", err)
	}
	// The request left in flight loses its connection rather than
	// holding it open after Run has returned.
	select {
	case err := <-got:
		if err == nil {
			t.Error("the request left in flight got an answer")
		}
	case <-time.After(5 * time.Second):
		t.Error("the connection of the request left in flight is still open after Run returned")
	}
}

func TestRunListenError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg, _, _, _ := selfSigned(t)
	srv := &server.Server{Addr: ln.Addr().String(), Handler: http.NotFoundHandler(), TLS: cfg, Ready: make(chan struct{})}
	err = srv.Run(t.Context(), time.Second)
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("Run on a busy address: %v, want an error naming it", err)
	}
	select {
	case <-srv.Ready:
		t.Error("Ready closed though Run could not listen")
	default:
	}
}

func TestSecure(t *testing.T) {
	t.Parallel()
	called := false
	h := server.Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = true
		w.Header().Set("X-Own", "kept")
		w.WriteHeader(http.StatusTeapot)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://vigil.example/api/v1/alerts", nil))
	if !called || rec.Code != http.StatusTeapot {
		t.Fatalf("the handler was not served: called %v, status %d", called, rec.Code)
	}
	for k, want := range map[string]string{
		"Strict-Transport-Security": "max-age=31536000",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
		"Cache-Control":             "no-store",
		"X-Own":                     "kept",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// logLine is a line of Logged's JSON log.
type logLine struct {
	Msg      string `json:"msg"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Duration *int64 `json:"duration"`
	Remote   string `json:"remote"`
}

func TestLogged(t *testing.T) {
	t.Parallel()
	const secret = "vgl_AAAAAAAAAAAAAAAA_secretsecretsecretsecretsecretsecretsecr"
	for _, tc := range []struct {
		name    string
		method  string
		target  string
		handler http.HandlerFunc
		status  int
		// sent is the status the client sees, when not status.
		sent int
	}{
		{"default status", "GET", "/api/v1/alerts?token=" + secret + "&entity=alice%40bank.example", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "ok")
		}, 200, 0},
		{"status", "PATCH", "/api/v1/alerts/01ABC?cursor=c", func(w http.ResponseWriter, r *http.Request) {
			server.Error(w, http.StatusConflict, "no")
		}, http.StatusConflict, 0},
		{"first status wins", "POST", "/x", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusCreated)
			w.WriteHeader(http.StatusInternalServerError)
		}, http.StatusCreated, 0},
		{"written body wins", "GET", "/x", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "body")
			w.WriteHeader(http.StatusInternalServerError)
		}, http.StatusOK, 0},
		{"informational status", "GET", "/x", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
		}, http.StatusAccepted, http.StatusEarlyHints}, // httptest.ResponseRecorder keeps the first
		{"flush", "GET", "/x", func(w http.ResponseWriter, r *http.Request) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				w.WriteHeader(http.StatusNotImplemented)
			}
		}, http.StatusOK, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			h := server.Logged(slog.New(slog.NewJSONHandler(&logs, nil)), tc.handler)
			req := httptest.NewRequest(tc.method, "https://vigil.example"+tc.target, strings.NewReader(`{"comment":"`+secret+`"}`))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Cookie", "session="+secret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if sent := cmp.Or(tc.sent, tc.status); rec.Code != sent {
				t.Errorf("response status %d, want %d", rec.Code, sent)
			}
			text := logs.String()
			lines := strings.Split(strings.TrimSpace(text), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1: %s", len(lines), text)
			}
			var l logLine
			if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
				t.Fatal(err)
			}
			path, _, _ := strings.Cut(tc.target, "?")
			if l.Msg != "request" || l.Method != tc.method || l.Path != path || l.Status != tc.status || l.Duration == nil || l.Remote != req.RemoteAddr {
				t.Errorf("log %s: want method %s, path %s, status %d, duration and remote %s", lines[0], tc.method, path, tc.status, req.RemoteAddr)
			}
			for _, s := range []string{secret, "Bearer", "Authorization", "Cookie", "token=", "cursor", "entity", "alice", "?"} {
				if strings.Contains(text, s) {
					t.Errorf("the log holds %q: %s", s, text)
				}
			}
		})
	}
}

func TestLoggedOverHTTPS(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { server.JSON(w, 200, "ok") })
	srv := httptest.NewTLSServer(server.Secure(server.Logged(slog.New(slog.NewJSONHandler(&logs, nil)), mux)))
	defer srv.Close()
	for _, p := range []string{"/ok?q=hidden", "/missing?q=hidden"} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		req.Header.Set("Authorization", "Bearer hidden")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("%s: no security headers", p)
		}
	}
	var got []string
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		got = append(got, l.Method+" "+l.Path+" "+http.StatusText(l.Status))
	}
	want := []string{"GET /ok OK", "GET /missing Not Found"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q, want %q", got, want)
	}
	if strings.Contains(logs.String(), "hidden") {
		t.Errorf("the log holds the query or the token: %s", logs.String())
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	server.JSON(rec, http.StatusCreated, map[string]string{"cmd": "a && b <c>"})
	if rec.Code != http.StatusCreated || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got := rec.Body.String(); got != `{"cmd":"a && b <c>"}`+"\n" {
		t.Errorf("body %q", got)
	}
	rec = httptest.NewRecorder()
	server.Error(rec, http.StatusBadRequest, "limit: want 1 to 500")
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 400 || body["error"] != "limit: want 1 to 500" || len(body) != 1 {
		t.Errorf("Error: %d %q, %v", rec.Code, rec.Body, err)
	}
}

func TestRunNilLog(t *testing.T) {
	t.Parallel()
	cfg, _, _, _ := selfSigned(t)
	srv := &server.Server{Addr: "127.0.0.1:0", Handler: http.NotFoundHandler(), TLS: cfg, Ready: make(chan struct{})}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, time.Second) }()
	select {
	case <-srv.Ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}
