// Package server is the HTTPS plumbing of vigil serve: the listener and
// its certificate, graceful shutdown, security headers, request logs and
// the JSON answers every endpoint shares. There is no plain-HTTP
// listener.
package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// JSON writes v as the JSON body of a response with the given status.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Error writes an error response: {"error": msg}.
func Error(w http.ResponseWriter, code int, msg string) {
	JSON(w, code, map[string]string{"error": msg})
}

// Server serves a handler over HTTPS.
type Server struct {
	Addr    string
	Handler http.Handler
	TLS     *tls.Config
	Log     *slog.Logger
	// Ready is closed once the listener accepts connections; Listening
	// is its address then.
	Ready     chan struct{}
	Listening net.Addr
}

// Run serves until ctx is done, then stops taking connections and waits
// up to grace for the requests in flight; it closes the connections of
// those that have not finished by then and returns an error. A nil Log
// logs with slog's default logger.
func (s *Server) Run(ctx context.Context, grace time.Duration) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.Addr, err)
	}
	s.Listening = ln.Addr()
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	hs := &http.Server{
		Handler:           s.Handler,
		TLSConfig:         s.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ServeTLS(ln, "", "") }()
	if s.Ready != nil {
		close(s.Ready)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close() // the requests still in flight lose their connections
		return fmt.Errorf("server: shutting down: requests still in flight after %v: %w", grace, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// Secure sets the headers every response carries: HTTPS only, no
// sniffing, no framing, no caching of what the API answers.
func Secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Strict-Transport-Security", "max-age=31536000")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", csp)
		h.ServeHTTP(w, r)
	})
}

// ClientIP returns the address of the client that made a request: the
// peer's, since vigil serves clients directly over TLS (a proxy in front
// would need its own header, trusted by configuration).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// csp is the Content-Security-Policy of every answer: the console's
// pages load their own stylesheet, scripts and images, and nothing else;
// no inline script or style, no framing, forms post to the console only.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Recorder remembers the status of a response.
type Recorder struct {
	http.ResponseWriter
	// Code is the status sent: 200 until WriteHeader sets it.
	Code    int
	written bool
}

// NewRecorder returns a Recorder of w, whose status is 200 until set.
func NewRecorder(w http.ResponseWriter) *Recorder {
	return &Recorder{ResponseWriter: w, Code: http.StatusOK}
}

// WriteHeader writes the status and records it. As net/http does, it
// keeps the first final status: later calls do not change it, and
// informational (1xx) statuses are not final.
func (w *Recorder) WriteHeader(code int) {
	if !w.written && (code < 100 || code > 199) {
		w.Code, w.written = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes the body, after a status of 200 when none was written.
func (w *Recorder) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the ResponseWriter w wraps, for http.ResponseController.
func (w *Recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Logged logs each request: method, path, status, duration and the
// caller's address. No header, query or body is logged: they may hold
// tokens or personal data.
func Logged(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := NewRecorder(w)
		h.ServeHTTP(sw, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.Code,
			"duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
	})
}
