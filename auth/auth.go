// Package auth authenticates the callers of vigil's API: bearer tokens
// with a role, kept in the store as the SHA-256 of their secret, rate
// limited each on its own.
//
// A token reads "vgl_" followed by its id and its secret. The id is
// public: it names the token in lists and logs, and serves as the access
// key id of AWS Signature Version 4 for the clients of the EventBridge
// API, whose secret access key is derived from the id with the server's
// key, so that it is never stored either.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/store"
)

// prefix starts every token, so that leaked tokens are easy to find.
const prefix = "vgl_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a new token: its id, 16 characters, and the whole token to
// give its owner, whose secret part holds 256 random bits.
func New() (id, token string) {
	var idb [10]byte
	var secret [32]byte
	rand.Read(idb[:])
	rand.Read(secret[:])
	id = b32.EncodeToString(idb[:])
	return id, prefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
}

// Hash returns what the store keeps of a token.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Lengths of the parts of a token.
const (
	idLen     = 16 // base32 of 10 bytes
	secretLen = 43 // unpadded base64url of 32 bytes
)

// ID returns the id of a token, or "" when it is not one: a token is
// "vgl_", 16 characters of base32, "_" and 43 of unpadded base64url, as
// New makes them.
func ID(token string) string {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return ""
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != idLen || len(secret) != secretLen {
		return ""
	}
	if _, err := b32.DecodeString(id); err != nil {
		return ""
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(secret); err != nil {
		return ""
	}
	return id
}

// AWSSecret returns the secret access key that goes with a token's id,
// as its access key id, for AWS Signature Version 4.
func AWSSecret(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("aws-sigv4\x00" + id))
	return base64.RawStdEncoding.EncodeToString(m.Sum(nil))[:40]
}

// Tokens finds the tokens of requests.
type Tokens interface {
	TokenByHash(ctx context.Context, hash []byte) (*store.Token, error)
}

// Errors of authentication, which the API answers with 401.
var (
	ErrNoToken  = errors.New("no bearer token: send Authorization: Bearer <token>")
	ErrBadToken = errors.New("the token is not valid, or was revoked")
)

// Bearer returns the token of the request's Authorization header:
// "Bearer" in any case, spaces or tabs, then the token. It returns
// ErrNoToken when the header holds no bearer token, and ErrBadToken when
// the store has no live token of that secret.
func Bearer(ctx context.Context, ts Tokens, r *http.Request) (*store.Token, error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	i := strings.IndexAny(h, " \t")
	if i < 0 || !strings.EqualFold(h[:i], "Bearer") {
		return nil, ErrNoToken
	}
	token := strings.TrimSpace(h[i:])
	if token == "" {
		return nil, ErrNoToken
	}
	t, err := ts.TokenByHash(ctx, Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("looking the token up: %w", err)
	}
	return t, nil
}

// Allowed reports whether a token's role may do what needs one of roles.
func Allowed(t *store.Token, roles ...store.Role) bool {
	for _, r := range roles {
		if t.Role == r {
			return true
		}
	}
	return false
}

type ctxKey struct{}

// WithToken returns a context that carries the caller's token.
func WithToken(ctx context.Context, t *store.Token) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the caller's token, or nil.
func FromContext(ctx context.Context) *store.Token {
	t, _ := ctx.Value(ctxKey{}).(*store.Token)
	return t
}

// Limiter limits the requests of each token: a bucket of Burst requests
// refilled at Rate per second. Rate must be positive and Burst at least
// 1. It is safe for concurrent use; its zero value, with Rate and Burst
// set, is ready to use.
type Limiter struct {
	Rate  float64
	Burst float64
	now   func() time.Time // time.Now when nil
	mu    sync.Mutex
	b     map[string]*bucket
	// sweepAt is the number of buckets at which full ones are dropped.
	sweepAt int
}

// minSweep is the least number of buckets a limiter sweeps at.
const minSweep = 4096

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter of rate requests per second, bursts of
// burst.
func NewLimiter(rate, burst float64) *Limiter {
	return &Limiter{Rate: rate, Burst: burst}
}

// maxWait is the longest wait Allow returns, a century: what it returns
// when the bucket never refills. It leaves room to round it up without
// overflow.
const maxWait = 100 * 365 * 24 * time.Hour

// Allow takes a request from the bucket of key. When the bucket is
// empty, it returns false and how long until it holds one: the shortest
// wait after which Allow lets the request through.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	if l.b == nil {
		l.b = map[string]*bucket{}
	}
	b := l.b[key]
	if b == nil {
		if len(l.b) >= max(l.sweepAt, minSweep) {
			l.sweep(now)
		}
		b = &bucket{tokens: l.Burst, at: now}
		l.b[key] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 { // a clock that goes back takes nothing
		b.tokens = l.refill(b.tokens, elapsed)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, l.wait(b.tokens)
}

// sweep drops the buckets that have refilled: a key seen again starts
// with a full bucket anyway. Many keys (the addresses of a scan of the
// login page) thus cost memory only while they are busy. The next sweep
// comes when the buckets left have doubled, so sweeping costs a constant
// amount per new key.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.b {
		if l.refill(b.tokens, now.Sub(b.at)) >= l.Burst {
			delete(l.b, k)
		}
	}
	l.sweepAt = 2 * len(l.b)
}

// refill returns what a bucket holding tokens holds after d.
func (l *Limiter) refill(tokens float64, d time.Duration) float64 {
	return min(l.Burst, tokens+d.Seconds()*l.Rate)
}

// wait returns how long a bucket holding tokens, fewer than one, takes to
// hold one: rounded up to the nanosecond, and checked against refill so
// that a caller who waits exactly that long is let through.
func (l *Limiter) wait(tokens float64) time.Duration {
	if !(l.Rate > 0) || l.Burst < 1 {
		return maxWait
	}
	ns := math.Ceil((1 - tokens) / l.Rate * float64(time.Second))
	if ns >= float64(maxWait) {
		return maxWait
	}
	d := time.Duration(ns)
	// Correct the rounding errors of floating point, a few nanoseconds
	// at most.
	for i := 0; i < 16 && d > 1 && l.refill(tokens, d-1) >= 1; i++ {
		d--
	}
	for i := 0; i < 16 && l.refill(tokens, d) < 1; i++ {
		d++
	}
	return d
}

// RetryAfter returns the value of a Retry-After header for a wait: whole
// seconds, rounded up, at least 1.
func RetryAfter(wait time.Duration) string {
	s := int64(wait / time.Second)
	if wait%time.Second != 0 {
		s++
	}
	return strconv.FormatInt(max(s, 1), 10)
}
