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
	"net/http"
	"strings"
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

// ID returns the id of a token, or "" when it is not one.
func ID(token string) string {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 {
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

// Bearer returns the token of the request's Authorization header.
func Bearer(ctx context.Context, ts Tokens, r *http.Request) (*store.Token, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, ErrNoToken
	}
	t, err := ts.TokenByHash(ctx, Hash(strings.TrimSpace(token)))
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
// refilled at Rate per second.
type Limiter struct {
	Rate  float64
	Burst float64
	now   func() time.Time
	mu    chan struct{} // a lock that is also usable in select
	b     map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter of rate requests per second, bursts of
// burst.
func NewLimiter(rate, burst float64) *Limiter {
	return &Limiter{Rate: rate, Burst: burst, now: time.Now, mu: make(chan struct{}, 1), b: map[string]*bucket{}}
}

// Allow takes a request from the bucket of key. When the bucket is
// empty, it returns false and how long until it holds one.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	now := l.now()
	b := l.b[key]
	if b == nil {
		b = &bucket{tokens: l.Burst, at: now}
		l.b[key] = b
	}
	b.tokens = min(l.Burst, b.tokens+now.Sub(b.at).Seconds()*l.Rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
}
