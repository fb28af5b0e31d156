package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"vigil/auth"
	"vigil/server"
	"vigil/store"
)

// Handler serves POST /api/v1/ingest/{source}: a body of events for one
// source, from a bearer token of role ingest (restricted to that source,
// if it is) or admin.
type Handler struct {
	*Ingester
	Sources map[string]Source
	Tokens  auth.Tokens
	Limiter *auth.Limiter
}

// retryAfter is how long senders are told to wait when the bus is full.
const retryAfter = 5 * time.Second

// contentTypes are the media types of the bodies the endpoint takes.
var contentTypes = []string{"application/json", "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/json-seq"}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := server.NewRecorder(w)
	defer func() { h.Metrics.Requests.WithLabelValues("ingest", strconv.Itoa(rec.Code)).Inc() }()
	h.serve(rec, r)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	t, ok := h.authorize(w, r, name)
	if !ok {
		return
	}
	src, ok := h.Sources[name]
	if !ok {
		h.Metrics.reject(name, "unknown_source")
		server.Error(w, http.StatusNotFound, fmt.Sprintf("unknown source %q", name))
		return
	}
	if ok, wait := h.Limiter.Allow(t.ID); !ok {
		h.Metrics.reject(name, "rate_limited")
		w.Header().Set("Retry-After", seconds(wait))
		server.Error(w, http.StatusTooManyRequests, "too many requests for this token: retry later")
		return
	}
	body, code, err := h.read(r)
	if err != nil {
		h.Metrics.reject(name, http.StatusText(code))
		server.Error(w, code, err.Error())
		return
	}
	res, err := h.Body(r.Context(), src, body, time.Now())
	switch {
	case errors.Is(err, ErrTooMany):
		h.Metrics.reject(name, "too_many_events")
		server.Error(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, ErrUnavailable):
		w.Header().Set("Retry-After", seconds(retryAfter))
		server.Error(w, http.StatusServiceUnavailable, err.Error())
	case err != nil: // the client went away
		server.Error(w, http.StatusServiceUnavailable, err.Error())
	case res.Accepted == 0 && res.Rejected > 0:
		server.JSON(w, http.StatusBadRequest, res)
	case res.Accepted == 0:
		server.Error(w, http.StatusBadRequest, "no events in the body")
	default:
		server.JSON(w, http.StatusAccepted, res)
	}
}

// authorize checks the request's token: a valid one, allowed to send to
// the source. It answers the request when it is not.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, source string) (*store.Token, bool) {
	t, err := auth.Bearer(r.Context(), h.Tokens, r)
	switch {
	case errors.Is(err, auth.ErrNoToken) || errors.Is(err, auth.ErrBadToken):
		h.Metrics.reject(source, "unauthenticated")
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
		server.Error(w, http.StatusUnauthorized, err.Error())
		return nil, false
	case err != nil:
		h.Log.Error("authenticating", "err", err)
		server.Error(w, http.StatusServiceUnavailable, "cannot check tokens now")
		return nil, false
	case !auth.Allowed(t, store.Ingest, store.Admin):
		h.Metrics.reject(source, "forbidden")
		server.Error(w, http.StatusForbidden, fmt.Sprintf("a token of role %s cannot send events", t.Role))
		return nil, false
	case t.Source != "" && t.Source != source:
		h.Metrics.reject(source, "forbidden")
		server.Error(w, http.StatusForbidden, fmt.Sprintf("this token sends to source %q only", t.Source))
		return nil, false
	}
	return t, true
}

// read returns the request's body, decompressed, within the limits, or
// the status and error to answer with.
func (h *Handler) read(r *http.Request) ([]byte, int, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !slices.Contains(contentTypes, mt) {
		return nil, http.StatusUnsupportedMediaType,
			fmt.Errorf("Content-Type %q: send %s", ct, strings.Join(contentTypes, ", "))
	}
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if enc != "" && enc != "identity" && enc != "gzip" {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("Content-Encoding %q: send gzip or none", enc)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.Limits.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", h.Limits.MaxBody)
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body: %v", err)
	}
	if enc != "gzip" {
		return body, 0, nil
	}
	if body, err = gunzip(body, h.Limits.MaxDecompressed); errors.Is(err, errLarge) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body %v", err)
	} else if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("Content-Encoding gzip: %v", err)
	}
	return body, 0, nil
}

// errLarge is a body larger than allowed once decompressed.
var errLarge = errors.New("too large once decompressed")

// gunzip decompresses gzip, refusing more than max bytes of output (a
// gzip bomb).
func gunzip(body []byte, max int64) ([]byte, error) {
	z, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("not gzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(z, max+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", errLarge, max)
	}
	return out, nil
}

// seconds returns a duration in whole seconds, rounded up, for a
// Retry-After header.
func seconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
