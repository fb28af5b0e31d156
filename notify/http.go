package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/config"
)

// maxAnswer bounds what is read of an answer: the services answer a few
// bytes of JSON, and an error message need not be long.
const maxAnswer = 64 << 10

func defaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{
		// No overall timeout: each attempt's context bounds it, as
		// alerting.delivery.timeout says.
		Transport: t,
		// A redirect would send the body, and perhaps credentials,
		// somewhere the configuration did not name.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// client posts to one HTTP service with the settings of an http_config.
type client struct {
	hc   *http.Client
	auth string // the Authorization header, if any
}

func newClient(c config.HTTPConfig, o Options) (*client, error) {
	cl := &client{hc: o.Client}
	if c.TLSConfig != (config.TLSConfig{}) {
		t, err := tlsConfig(c.TLSConfig, "")
		if err != nil {
			return nil, err
		}
		tr, ok := o.Client.Transport.(*http.Transport)
		if !ok {
			tr = http.DefaultTransport.(*http.Transport)
		}
		tr = tr.Clone()
		tr.TLSClientConfig = t
		hc := *o.Client
		hc.Transport = tr
		cl.hc = &hc
	}
	switch a := c.Authorization; {
	case c.BasicAuth != nil:
		pw, err := config.ReadSecret(c.BasicAuth.Password, c.BasicAuth.PasswordFile)
		if err != nil {
			return nil, err
		}
		r := http.Request{Header: http.Header{}}
		r.SetBasicAuth(c.BasicAuth.Username, pw)
		cl.auth = r.Header.Get("Authorization")
	case a != nil:
		cred, err := config.ReadSecret(a.Credentials, a.CredentialsFile)
		if err != nil {
			return nil, err
		}
		typ := a.Type
		if typ == "" {
			typ = "Bearer"
		}
		cl.auth = typ + " " + cred
	}
	return cl, nil
}

// post sends body as JSON to u and returns the answer's body, when the
// status is 2xx. Other statuses are errors that say whether a retry can
// help. Errors name only the scheme and host of u: the rest of a webhook
// URL is often its token.
func (c *client) post(ctx context.Context, u string, h http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, Permanent(fmt.Errorf("POST %s: %w", redact(u), unwrapURL(err)))
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil")
	if c.auth != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", redact(u), unwrapURL(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("POST %s: reading the answer: %w", redact(u), err)
	}
	if resp.StatusCode/100 == 2 {
		return answer, nil
	}
	return nil, statusError(fmt.Errorf("POST %s: %s: %s", redact(u), resp.Status, excerpt(answer)), resp)
}

// statusError classifies a refusal: rate limits, time-outs and server
// errors are worth a retry, after Retry-After if the service said;
// anything else says that the request itself is wrong.
func statusError(err error, resp *http.Response) error {
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return &RetryAfterError{Err: err, After: d}
		}
		return err
	case s == http.StatusRequestTimeout || s >= 500:
		return err
	}
	return Permanent(err)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// redact returns the scheme and host of a URL.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "(a URL that does not parse)"
	}
	return p.Scheme + "://" + p.Host
}

// unwrapURL drops the URL that net/http puts in its errors.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// excerpt returns the start of an answer, to quote in an error.
func excerpt(b []byte) string {
	const n = 200
	s := strings.TrimSpace(strings.ToValidUTF8(string(b[:min(len(b), n+utf8.UTFMax)]), "\uFFFD"))
	if len(s) > n {
		s = cut(s, n, inBytes)
	}
	return strconv.Quote(s)
}

// postJSON posts v as JSON and returns the answer's body.
func (c *client) postJSON(ctx context.Context, u string, h http.Header, v any) ([]byte, error) {
	body, err := marshal(v)
	if err != nil {
		return nil, Permanent(err)
	}
	return c.post(ctx, u, h, body)
}

// answer decodes the JSON answer b of a POST to u into v.
func answer(u string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("POST %s: the answer is not the JSON expected: %s", redact(u), excerpt(b))
	}
	return nil
}

// marshal encodes v as JSON without escaping <, > and &, which would
// take six bytes each from the services' size limits.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
