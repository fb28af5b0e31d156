package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/store"
)

// tokenRE is the shape of a token New makes.
var tokenRE = regexp.MustCompile(`^vgl_([A-Z2-7]{16})_([A-Za-z0-9_-]{43})$`)

func TestNew(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id, token := New()
		m := tokenRE.FindStringSubmatch(token)
		if m == nil {
			t.Fatalf("New() token %q: not of the form vgl_<16 base32>_<43 base64url>", token)
		}
		if m[1] != id {
			t.Errorf("New() = %q, %q: the token holds id %q", id, token, m[1])
		}
		if b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(id); err != nil || len(b) != 10 {
			t.Errorf("id %q: %d bytes, %v; want 10 bytes of base32", id, len(b), err)
		}
		if b, err := base64.RawURLEncoding.DecodeString(m[2]); err != nil || len(b) != 32 {
			t.Errorf("secret %q: %d bytes, %v; want 32 bytes of base64url", m[2], len(b), err)
		}
		if got := ID(token); got != id {
			t.Errorf("ID(%q) = %q, want %q", token, got, id)
		}
		if seen[id] || seen[token] {
			t.Fatalf("New() repeated %q or %q", id, token)
		}
		seen[id], seen[token] = true, true
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	_, token := New()
	h := Hash(token)
	if want := sha256.Sum256([]byte(token)); string(h) != string(want[:]) {
		t.Errorf("Hash(%q) = %x, want its SHA-256 %x", token, h, want)
	}
	if len(h) != sha256.Size {
		t.Errorf("Hash: %d bytes, want %d", len(h), sha256.Size)
	}
	if string(Hash(token+"x")) == string(h) {
		t.Error("Hash: two tokens share a hash")
	}
}

func TestID(t *testing.T) {
	t.Parallel()
	const (
		id     = "ABCDEFGHIJKLMN23"
		secret = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234"
	)
	if len(secret) != 43 {
		t.Fatalf("test secret of %d characters", len(secret))
	}
	for _, tc := range []struct {
		token string
		want  string
	}{
		{"vgl_" + id + "_" + secret, id},
		{"vgl_" + id + "_" + strings.Repeat("_", 42) + "w", id}, // "_" is base64url
		{"vgl_" + id + "_" + secret[:42] + "5", ""},             // not 32 bytes: bits past the end
		{"", ""},
		{"vgl_", ""},
		{"vgl_" + id, ""},                                  // no secret
		{"vgl_" + id + "_", ""},                            // empty secret
		{"vgl_" + id + "_" + secret[:42], ""},              // short secret
		{"vgl_" + id + "_" + secret + "A", ""},             // long secret
		{"vgl_" + id + "_" + secret[:42] + "=", ""},        // padding
		{"vgl_" + id + "_" + secret[:42] + "+", ""},        // not base64url
		{"vgl_" + id + "_" + secret[:42] + "/", ""},        // not base64url
		{"vgl_" + id[:15] + "_" + secret, ""},              // short id
		{"vgl_" + id + "A_" + secret, ""},                  // long id
		{"vgl_" + strings.ToLower(id) + "_" + secret, ""},  // not base32
		{"vgl_ABCDEFGHIJKLMN01_" + secret, ""},             // 0 and 1 are not base32
		{"VGL_" + id + "_" + secret, ""},                   // prefix is lower case
		{"xyz_" + id + "_" + secret, ""},                   // other prefix
		{" vgl_" + id + "_" + secret, ""},                  // leading space
		{"Bearer vgl_" + id + "_" + secret, ""},            // a header, not a token
		{"vgl_" + id + "_" + secret[:40] + "\x00ab", ""},   // NUL
		{"vgl_" + id + "_" + secret[:41] + "\u00e9", ""},   // not ASCII
		{"vgl_" + id + "_" + secret[:42] + "\n", ""},       // newline
		{"vgl_" + id[:8] + "_" + id[8:] + secret[:35], ""}, // "_" inside the id
	} {
		if got := ID(tc.token); got != tc.want {
			t.Errorf("ID(%q) = %q, want %q", tc.token, got, tc.want)
		}
	}
}

func TestAWSSecret(t *testing.T) {
	t.Parallel()
	key1 := []byte(strings.Repeat("k", 32))
	key2 := []byte(strings.Repeat("K", 32))
	s := AWSSecret(key1, "ABCDEFGHIJKLMN23")
	if len(s) != 40 {
		t.Errorf("AWSSecret = %q: %d characters, want 40 as AWS's", s, len(s))
	}
	if !regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`).MatchString(s) {
		t.Errorf("AWSSecret = %q: not base64", s)
	}
	if again := AWSSecret(key1, "ABCDEFGHIJKLMN23"); again != s {
		t.Errorf("AWSSecret is not stable: %q then %q", s, again)
	}
	if other := AWSSecret(key2, "ABCDEFGHIJKLMN23"); other == s {
		t.Errorf("AWSSecret is the same under two keys: %q", s)
	}
	if other := AWSSecret(key1, "ABCDEFGHIJKLMN24"); other == s {
		t.Errorf("AWSSecret is the same for two ids: %q", s)
	}
	// Stable across runs: a secret handed out keeps working after a
	// restart or an upgrade.
	if got, want := AWSSecret([]byte("0123456789abcdef0123456789abcdef"), "AAAAAAAAAAAAAAAA"), awsSecretOf("0123456789abcdef0123456789abcdef", "AAAAAAAAAAAAAAAA"); got != want {
		t.Errorf("AWSSecret = %q, want %q", got, want)
	}
}

// awsSecretOf is the derivation AWSSecret documents, written again.
func awsSecretOf(key, id string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("aws-sigv4\x00" + id))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))[:40]
}

// tokens is a store of tokens in memory, for Bearer.
type tokens map[string]*store.Token

func (ts tokens) TokenByHash(_ context.Context, hash []byte) (*store.Token, error) {
	if t := ts[string(hash)]; t != nil {
		return t, nil
	}
	if string(hash) == string(Hash("fail")) {
		return nil, errors.New("database down")
	}
	return nil, fmt.Errorf("store: token by hash: %w", store.ErrNotFound)
}

func TestBearer(t *testing.T) {
	t.Parallel()
	_, token := New()
	want := &store.Token{ID: ID(token), Name: "alice", Role: store.Analyst}
	ts := tokens{string(Hash(token)): want}
	for _, tc := range []struct {
		name   string
		header []string // nil: no header
		err    error
	}{
		{"bearer", []string{"Bearer " + token}, nil},
		{"lower case", []string{"bearer " + token}, nil},
		{"upper case", []string{"BEARER " + token}, nil},
		{"mixed case", []string{"bEaReR " + token}, nil},
		{"spaces", []string{"Bearer    " + token + "  "}, nil},
		{"tab", []string{"Bearer\t" + token}, nil},
		{"leading space", []string{"  Bearer " + token}, nil},
		{"no header", nil, ErrNoToken},
		{"empty", []string{""}, ErrNoToken},
		{"scheme only", []string{"Bearer"}, ErrNoToken},
		{"scheme and spaces", []string{"Bearer   "}, ErrNoToken},
		{"token only", []string{token}, ErrNoToken},
		{"basic", []string{"Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+token))}, ErrNoToken},
		{"other scheme", []string{"Token " + token}, ErrNoToken},
		{"scheme glued", []string{"Bearer" + token}, ErrNoToken},
		{"unknown", []string{"Bearer vgl_AAAAAAAAAAAAAAAA_" + strings.Repeat("a", 43)}, ErrBadToken},
		{"altered", []string{"Bearer " + token[:len(token)-1] + "x"}, ErrBadToken},
		{"two tokens", []string{"Bearer " + token + " " + token}, ErrBadToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "https://vigil.example/api/v1/alerts", nil)
			for _, h := range tc.header {
				r.Header.Set("Authorization", h)
			}
			got, err := Bearer(t.Context(), ts, r)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Bearer: %v, want %v", err, tc.err)
			}
			if tc.err == nil && got != want {
				t.Errorf("Bearer = %+v, want %+v", got, want)
			}
			if tc.err != nil && got != nil {
				t.Errorf("Bearer = %+v with error %v", got, err)
			}
		})
	}
	t.Run("store fails", func(t *testing.T) {
		r, _ := http.NewRequest("GET", "https://vigil.example/", nil)
		r.Header.Set("Authorization", "Bearer fail")
		_, err := Bearer(t.Context(), ts, r)
		if err == nil || errors.Is(err, ErrBadToken) || errors.Is(err, ErrNoToken) {
			t.Errorf("Bearer: %v, want an error that is neither ErrNoToken nor ErrBadToken", err)
		}
	})
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	tok := &store.Token{Role: store.Auditor}
	if !Allowed(tok, store.Analyst, store.Auditor) {
		t.Error("an auditor is not allowed what auditors may do")
	}
	if Allowed(tok, store.Analyst, store.Admin) {
		t.Error("an auditor is allowed what only analysts and admins may do")
	}
	if Allowed(tok) {
		t.Error("a token is allowed what no role may do")
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	if got := FromContext(t.Context()); got != nil {
		t.Errorf("FromContext of a bare context = %+v, want nil", got)
	}
	tok := &store.Token{ID: "x"}
	if got := FromContext(WithToken(t.Context(), tok)); got != tok {
		t.Errorf("FromContext(WithToken(t)) = %+v, want %+v", got, tok)
	}
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestLimiter(rate, burst float64) (*Limiter, *clock) {
	c := &clock{t: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
	l := NewLimiter(rate, burst)
	l.now = c.now
	return l, c
}

// step is one call of Allow after advancing the clock.
type step struct {
	advance time.Duration
	key     string
	ok      bool
	wait    time.Duration
}

func runSteps(t *testing.T, l *Limiter, c *clock, steps []step) {
	t.Helper()
	for i, s := range steps {
		c.advance(s.advance)
		key := s.key
		if key == "" {
			key = "a"
		}
		ok, wait := l.Allow(key)
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: after %v, Allow(%q) = %v, %v; want %v, %v", i, s.advance, key, ok, wait, s.ok, s.wait)
		}
	}
}

func TestLimiterBurstThenRefill(t *testing.T) {
	t.Parallel()
	l, c := newTestLimiter(2, 3) // 2 a second, bursts of 3
	ms := time.Millisecond
	runSteps(t, l, c, []step{
		{0, "", true, 0},
		{0, "", true, 0},
		{0, "", true, 0},
		{0, "", false, 500 * ms}, // empty: one in 500 ms
		{0, "", false, 500 * ms}, // refused requests take nothing
		{0, "b", true, 0},        // another key has its own bucket
		{200 * ms, "", false, 300 * ms},
		{300 * ms, "", true, 0}, // exactly when told
		{0, "", false, 500 * ms},
		{499 * ms, "", false, ms}, // a millisecond early
		{ms, "", true, 0},
		{10 * time.Second, "", true, 0}, // refilled, but only up to the burst
		{0, "", true, 0},
		{0, "", true, 0},
		{0, "", false, 500 * ms},
		{1250 * ms, "", true, 0}, // 2.5 requests back: 2 taken, half left
		{0, "", true, 0},
		{0, "", false, 250 * ms},
	})
}

func TestLimiterExactWait(t *testing.T) {
	t.Parallel()
	// Rates whose waits are not whole nanoseconds: the wait is rounded
	// up, so that a caller who waits exactly that long gets through, and
	// one who comes a nanosecond earlier does not.
	for _, rate := range []float64{3, 7, 0.3, 1.0 / 3, 1000, 123.456, 1e6} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			t.Parallel()
			for round := range 50 {
				// Two limiters with the same history, which leaves their
				// buckets with some fraction of a request.
				early, ce := newTestLimiter(rate, 2)
				onTime, co := newTestLimiter(rate, 2)
				same := func() (bool, time.Duration) {
					ok1, w1 := early.Allow("a")
					ok2, w2 := onTime.Allow("a")
					if ok1 != ok2 || w1 != w2 {
						t.Fatalf("two limiters with one history differ: %v, %v and %v, %v", ok1, w1, ok2, w2)
					}
					return ok1, w1
				}
				for i := range round % 7 {
					d := time.Duration(round*(i+1)) * 37 * time.Microsecond
					ce.advance(d)
					co.advance(d)
					same()
				}
				var wait time.Duration
				for {
					ok, w := same()
					if !ok {
						wait = w
						break
					}
				}
				if exact := time.Duration(float64(time.Second) / rate); wait <= 0 || wait > exact+2 {
					t.Fatalf("round %d: wait %v, want at most %v", round, wait, exact)
				}
				ce.advance(wait - 1)
				if ok, again := early.Allow("a"); ok || again <= 0 || again > 2 {
					t.Fatalf("round %d: a nanosecond early, Allow = %v, %v; want false and a nanosecond or two", round, ok, again)
				}
				co.advance(wait)
				if ok, again := onTime.Allow("a"); !ok {
					t.Fatalf("round %d: after waiting %v as told, Allow = false, %v", round, wait, again)
				}
			}
		})
	}
}

func TestLimiterNeverRefills(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{0, -1, 1e-300} {
		l, c := newTestLimiter(rate, 1)
		l.Allow("a")
		c.advance(time.Hour)
		ok, wait := l.Allow("a")
		if ok || wait != maxWait {
			t.Errorf("rate %v: Allow = %v, %v; want false, %v", rate, ok, wait, maxWait)
		}
		if got := RetryAfter(wait); got != "3153600000" {
			t.Errorf("RetryAfter(%v) = %s", wait, got)
		}
	}
}

func TestLimiterClockBack(t *testing.T) {
	t.Parallel()
	l, c := newTestLimiter(1, 1)
	runSteps(t, l, c, []step{
		{0, "", true, 0},
		{-time.Hour, "", false, time.Second}, // the clock went back: nothing taken, nothing given
		{time.Hour + time.Second, "", true, 0},
	})
}

func TestLimiterZeroValue(t *testing.T) {
	t.Parallel()
	l := &Limiter{Rate: 1, Burst: 2}
	done := make(chan [3]bool)
	go func() {
		a, _ := l.Allow("k")
		b, _ := l.Allow("k")
		c, _ := l.Allow("k")
		done <- [3]bool{a, b, c}
	}()
	select {
	case got := <-done:
		if got != [3]bool{true, true, false} {
			t.Errorf("Allow thrice = %v, want true, true, false", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Allow of a Limiter made without NewLimiter blocks")
	}
}

func TestLimiterConcurrent(t *testing.T) {
	t.Parallel()
	// The clock stands still: of the many requests made at once on each
	// key, exactly Burst get through.
	const keys, workers, calls, burst = 4, 8, 50, 37
	l, _ := newTestLimiter(1, burst)
	var mu sync.Mutex
	allowed := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				key := fmt.Sprint("k", (w+i)%keys)
				if ok, _ := l.Allow(key); ok {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for k := range keys {
		if n := allowed[fmt.Sprint("k", k)]; n != burst {
			t.Errorf("key k%d: %d requests allowed, want %d", k, n, burst)
		}
	}
}

func TestLimiterConcurrentRealClock(t *testing.T) {
	t.Parallel()
	l := NewLimiter(1e6, 10)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if ok, wait := l.Allow("k"); !ok && (wait <= 0 || wait > time.Microsecond+16) {
					t.Errorf("Allow refused with wait %v", wait)
				}
			}
		})
	}
	wg.Wait()
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		wait time.Duration
		want string
	}{
		{0, "1"},
		{1, "1"},
		{500 * time.Millisecond, "1"},
		{time.Second - 1, "1"},
		{time.Second, "1"},
		{time.Second + 1, "2"},
		{1500 * time.Millisecond, "2"},
		{2 * time.Second, "2"},
		{time.Minute, "60"},
		{time.Hour + time.Nanosecond, "3601"},
	} {
		if got := RetryAfter(tc.wait); got != tc.want {
			t.Errorf("RetryAfter(%v) = %s, want %s", tc.wait, got, tc.want)
		}
	}
}

func TestLimiterForgetsIdleKeys(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	l := &Limiter{Rate: 1, Burst: 2, now: func() time.Time { return now }}
	for i := range 3 * minSweep {
		l.Allow(fmt.Sprint("idle-", i))
	}
	busy := "busy"
	l.Allow(busy)
	l.Allow(busy)
	now = now.Add(time.Hour) // every bucket but busy's refills... and busy's too
	l.Allow(busy)
	l.Allow(busy)
	if ok, _ := l.Allow(busy); ok {
		t.Fatal("busy's third request in the same instant was allowed")
	}
	for i := range minSweep {
		l.Allow(fmt.Sprint("new-", i))
	}
	if n := len(l.b); n > 2*minSweep {
		t.Errorf("%d buckets kept after the idle ones refilled", n)
	}
	if ok, _ := l.Allow(busy); ok {
		t.Error("a sweep forgot a busy bucket")
	}
}
