// Package notifytest has local stand-ins for the services vigil sends
// notifications to: Slack, PagerDuty, Opsgenie, a signed webhook,
// DingTalk, WeCom, Feishu, Alertmanager, an SMTP server and a syslog
// server. Each checks requests as the service documents them, refuses
// what the service would refuse (with the service's own answer), and
// records what it accepted, parsed. Each can be switched down and up
// again, to test retries.
//
// The HTTP stand-ins are Servers: URL is what a receiver's configuration
// names, Received returns what was accepted, Wait blocks until enough
// was, SetDown makes the server answer 503, and Fail queues other
// answers.
package notifytest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// recorder keeps what a stand-in accepted, and wakes those waiting.
type recorder[T any] struct {
	mu      sync.Mutex
	got     []T
	changed chan struct{}
}

func (r *recorder[T]) add(v ...T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v...)
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// Received returns what the stand-in accepted, in order.
func (r *recorder[T]) Received() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// Wait returns what the stand-in accepted once it has at least n, or
// the context's error when it is done first.
func (r *recorder[T]) Wait(ctx context.Context, n int) ([]T, error) {
	for {
		r.mu.Lock()
		if len(r.got) >= n {
			got := slices.Clone(r.got)
			r.mu.Unlock()
			return got, nil
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ch:
		}
	}
}

// Reply is an HTTP answer.
type Reply struct {
	Status int
	Header http.Header
	Body   string
}

func (r Reply) write(w http.ResponseWriter) {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(r.Status)
	io.WriteString(w, r.Body)
}

// maxBody bounds the requests the HTTP stand-ins read.
const maxBody = 1 << 20

// Server is an HTTP stand-in that records what it accepts as T.
type Server[T any] struct {
	recorder[T]
	// URL is the address to configure: the service's endpoint, with the
	// path and token it expects.
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	down     bool
	next     []Reply
	require  http.Header
	requests int
	ok       Reply
	// handle checks a request and returns what to record, or the answer
	// that refuses it.
	handle func(r *http.Request, body []byte) ([]T, *Reply)
}

// Option changes how a stand-in starts.
type Option func(*options)

type options struct{ tls bool }

// TLS makes a stand-in serve HTTPS (or syslog over TLS) with the
// certificate of CertPEM.
func TLS() Option { return func(o *options) { o.tls = true } }

func newServer[T any](t testing.TB, path string, ok Reply, handle func(*http.Request, []byte) ([]T, *Reply), opts []Option) *Server[T] {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	s := &Server[T]{ok: ok, handle: handle, require: http.Header{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if o.tls {
		s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert()}}
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL + path
	return s
}

func (s *Server[T]) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	down, require := s.down, s.require.Clone()
	var next *Reply
	if !down && len(s.next) > 0 {
		next = &s.next[0]
		s.next = s.next[1:]
	}
	s.mu.Unlock()
	switch {
	case down:
		Reply{Status: http.StatusServiceUnavailable, Body: `{"error":"down"}`}.write(w)
		return
	case next != nil:
		next.write(w)
		return
	case r.Method != http.MethodPost:
		Reply{Status: http.StatusMethodNotAllowed}.write(w)
		return
	}
	for k := range require {
		if r.Header.Get(k) != require.Get(k) {
			Reply{Status: http.StatusUnauthorized, Body: `{"error":"unauthorized"}`}.write(w)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		Reply{Status: http.StatusRequestEntityTooLarge}.write(w)
		return
	}
	got, refusal := s.handle(r, body)
	if refusal != nil {
		refusal.write(w)
		return
	}
	s.add(got...)
	s.ok.write(w)
}

// SetDown makes the server answer 503 to every request while down.
func (s *Server[T]) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Fail queues answers: the next requests get them, one each, unchecked
// and unrecorded.
func (s *Server[T]) Fail(r ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, r...)
}

// Require makes the server refuse with 401 the requests whose header
// name is not value: for the authorization of an http_config.
func (s *Server[T]) Require(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.require.Set(name, value)
}

// Requests returns the number of requests the server was sent, refused
// ones included.
func (s *Server[T]) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// ClosedAddr returns a loopback address where nothing listens, so that
// connecting to it is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

var (
	certOnce sync.Once
	certTLS  tls.Certificate
	certPEM  []byte
)

// cert returns the stand-ins' self-signed certificate, for localhost,
// 127.0.0.1 and ::1, made on first use.
func cert() tls.Certificate {
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "notifytest"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			DNSNames:              []string{"localhost"},
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		leaf, _ := x509.ParseCertificate(der)
		certTLS = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	})
	return certTLS
}

// CertPEM returns the PEM of the certificate the stand-ins serve TLS
// with, which clients are to trust.
func CertPEM() []byte {
	cert()
	return certPEM
}

// CAFile writes CertPEM to a file and returns its path, for a
// tls_config's ca_file.
func CAFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "notifytest-ca.pem")
	if err := os.WriteFile(p, CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// CertPool returns a pool that trusts the stand-ins' certificate.
func CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(CertPEM())
	return p
}
