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

// ServeHTTP takes a request's events, answering 202 with the Result
// once the bus stored those accepted, and counts the request by status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := server.NewRecorder(w)
	defer func() { h.Metrics.Requests.WithLabelValues("ingest", strconv.Itoa(rec.Code)).Inc() }()
	h.serve(rec, r)
}

// unknownSource is the source label of the requests to sources that do
// not exist: labelled with the name in the path, anyone could make the
// metrics grow without bound. (It cannot be the name of a source.)
const unknownSource = "(unknown)"

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("source")
	src, known := h.Sources[name]
	label := name
	if !known {
		label = unknownSource
	}
	t, ok := h.authorize(w, r, name, label)
	if !ok {
		return
	}
	if !known {
		h.Metrics.reject(label, "unknown_source")
		server.Error(w, http.StatusNotFound, fmt.Sprintf("unknown source %q", name))
		return
	}
	if ok, wait := h.Limiter.Allow(t.ID); !ok {
		h.Metrics.reject(name, "rate_limited")
		w.Header().Set("Retry-After", auth.RetryAfter(wait))
		server.Error(w, http.StatusTooManyRequests, "too many requests for this token: retry later")
		return
	}
	body, code, err := h.read(r)
	if err != nil {
		h.Metrics.reject(name, strings.ToLower(strings.ReplaceAll(http.StatusText(code), " ", "_")))
		server.Error(w, code, err.Error())
		return
	}
	res, err := h.Body(r.Context(), src, body, time.Now())
	switch {
	case errors.Is(err, ErrTooMany):
		h.Metrics.reject(name, "too_many_events")
		server.Error(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, ErrUnavailable):
		w.Header().Set("Retry-After", auth.RetryAfter(retryAfter))
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
// the source. It answers the request when it is not, counting the
// refusal under the label of the source.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request, source, label string) (*store.Token, bool) {
	t, err := auth.Bearer(r.Context(), h.Tokens, r)
	switch {
	case errors.Is(err, auth.ErrNoToken) || errors.Is(err, auth.ErrBadToken):
		h.Metrics.reject(label, "unauthenticated")
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
		server.Error(w, http.StatusUnauthorized, err.Error())
		return nil, false
	case err != nil:
		h.Log.Error("authenticating", "err", err)
		server.Error(w, http.StatusServiceUnavailable, "cannot check tokens now")
		return nil, false
	case !auth.Allowed(t, store.Ingest, store.Admin):
		h.Metrics.reject(label, "forbidden")
		server.Error(w, http.StatusForbidden, fmt.Sprintf("a token of role %s cannot send events", t.Role))
		return nil, false
	case t.Source != "" && t.Source != source:
		h.Metrics.reject(label, "forbidden")
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
	if enc == "gzip" {
		if body, err = gunzip(body, h.Limits.MaxDecompressed); errors.Is(err, errLarge) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body %v", err)
		} else if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("Content-Encoding gzip: %v", err)
		}
	}
	if mt == "application/json-seq" {
		unseq(body)
	}
	return body, 0, nil
}

// unseq turns a JSON text sequence (RFC 7464), each text after a record
// separator, into JSON texts on lines of their own, which Body splits as
// it splits NDJSON or a stream of pretty-printed events. A separator
// inside a JSON text is a raw control character: invalid JSON either
// way.
func unseq(body []byte) {
	for i, c := range body {
		if c == 0x1e {
			body[i] = '\n'
		}
	}
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
