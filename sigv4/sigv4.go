// Package sigv4 verifies AWS Signature Version 4 on requests made to vigil
// with an AWS SDK or the AWS CLI: to its Amazon EventBridge-compatible
// endpoint (service "events") and, in tests, to the IAM and STS server of
// package action/iamtest.
//
// Only the Authorization header form with the AWS4-HMAC-SHA256 algorithm is
// accepted, for the one service a Verifier is for. Presigned URLs and
// unsigned payloads are rejected, and so are session credentials unless the
// Verifier takes them. The canonical URI is the request's escaped path
// encoded once more, as AWS does for every service but Amazon S3; dot
// segments are not removed.
package sigv4

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	dateLayout = "20060102T150405Z"
	maxSkew    = 15 * time.Minute
)

// Errors returned by Verify. Each is wrapped with details when there are
// any; test for them with errors.Is. No error includes a secret access key or
// a signature.
var (
	ErrNoAuthorization        = errors.New("sigv4: the request has no Authorization header")
	ErrPresigned              = errors.New("sigv4: presigned query-string requests are not supported; sign with the Authorization header")
	ErrMalformedAuthorization = errors.New("sigv4: malformed Authorization header")
	ErrAlgorithm              = errors.New("sigv4: unsupported signing algorithm; want " + algorithm)
	ErrScope                  = errors.New("sigv4: malformed credential scope; want ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/" + terminator)
	ErrService                = errors.New("sigv4: the credential scope is not for the service")
	ErrDate                   = errors.New("sigv4: missing or malformed X-Amz-Date; want YYYYMMDDTHHMMSSZ")
	ErrScopeDate              = errors.New("sigv4: the credential scope date does not match X-Amz-Date")
	ErrSkew                   = errors.New("sigv4: X-Amz-Date is more than 15 minutes from the server's time")
	ErrSessionToken           = errors.New("sigv4: session credentials (X-Amz-Security-Token) are not supported; use a long-term access key")
	ErrTokenNotSigned         = errors.New("sigv4: X-Amz-Security-Token is not among the signed headers, or is given more than once")
	ErrHostNotSigned          = errors.New("sigv4: the host header is not among the signed headers")
	ErrUnknownKey             = errors.New("sigv4: unknown access key id")
	ErrUnsignedPayload        = errors.New("sigv4: unsigned payloads (X-Amz-Content-Sha256: UNSIGNED-PAYLOAD) are not accepted")
	ErrPayloadHash            = errors.New("sigv4: X-Amz-Content-Sha256 is not the SHA-256 of the body")
	ErrSignature              = errors.New("sigv4: the signature does not match the request")
)

// Identity tells who signed a verified request.
type Identity struct {
	// AccessKeyID is the access key id the request was signed with.
	AccessKeyID string
	// Region is the region of the credential scope; any region is accepted.
	Region string
	// SessionToken is the X-Amz-Security-Token of a request signed with
	// session credentials, when the Verifier takes them; the caller checks
	// that it goes with the access key id.
	SessionToken string
}

// Verifier verifies the signatures of requests to one service.
type Verifier struct {
	// Service is the service name the credential scope must name:
	// "events", "iam", "sts"...
	Service string
	// Secret returns the secret access key of an access key id, with ok
	// false when the id is unknown.
	Secret func(accessKeyID string) (key string, ok bool)
	// Sessions accepts requests signed with session credentials, whose
	// X-Amz-Security-Token must then be signed. Without it, such requests
	// are rejected with ErrSessionToken.
	Sessions bool
}

// Verify checks the AWS Signature Version 4 of r, a request to the service
// "events" as net/http hands it to a handler, whose body is body (already
// read; r.Body is not read again). secret returns the secret access key of
// an access key id, with ok false when the id is unknown. now is the
// server's time, which X-Amz-Date must be within 15 minutes of. Verify
// returns who signed the request, or an error wrapping one of the Err values
// of this package. Session credentials are rejected.
func Verify(r *http.Request, body []byte, secret func(accessKeyID string) (key string, ok bool), now time.Time) (Identity, error) {
	return Verifier{Service: "events", Secret: secret}.Verify(r, body, now)
}

// Verify checks the AWS Signature Version 4 of r for v's service, as the
// function Verify does for "events".
func (v Verifier) Verify(r *http.Request, body []byte, now time.Time) (Identity, error) {
	auths := r.Header.Values("Authorization")
	switch {
	case len(auths) == 0 && r.URL.Query().Has("X-Amz-Signature"):
		return Identity{}, ErrPresigned
	case len(auths) == 0:
		return Identity{}, ErrNoAuthorization
	case len(auths) > 1:
		return Identity{}, fmt.Errorf("%w: more than one", ErrMalformedAuthorization)
	}
	a, err := parseAuthorization(auths[0], v.Service)
	if err != nil {
		return Identity{}, err
	}
	token, err := v.sessionToken(r, a.signedHeaders)
	if err != nil {
		return Identity{}, err
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse(dateLayout, amzDate)
	if err != nil || len(amzDate) != len(dateLayout) {
		return Identity{}, ErrDate
	}
	if a.date != amzDate[:8] {
		return Identity{}, ErrScopeDate
	}
	if d := now.Sub(t); d > maxSkew || d < -maxSkew {
		return Identity{}, fmt.Errorf("%w: X-Amz-Date is %s, the server's time %s", ErrSkew, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if !slices.Contains(a.signedHeaders, "host") {
		return Identity{}, ErrHostNotSigned
	}
	key, ok := v.Secret(a.accessKeyID)
	if !ok {
		return Identity{}, fmt.Errorf("%w %q", ErrUnknownKey, a.accessKeyID)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if claimed := r.Header.Values("X-Amz-Content-Sha256"); len(claimed) > 0 {
		if claimed[0] == "UNSIGNED-PAYLOAD" {
			return Identity{}, ErrUnsignedPayload
		}
		if len(claimed) > 1 || claimed[0] != payloadHash {
			return Identity{}, ErrPayloadHash
		}
	}
	canonical, err := canonicalRequest(r, a.signedHeaders, payloadHash)
	if err != nil {
		return Identity{}, err
	}
	scope := a.date + "/" + a.region + "/" + v.Service + "/" + terminator
	hashed := sha256.Sum256([]byte(canonical))
	stringToSign := algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	signingKey := []byte("AWS4" + key)
	for _, s := range []string{a.date, a.region, v.Service, terminator} {
		signingKey = hmacSHA256(signingKey, s)
	}
	want := hex.EncodeToString(hmacSHA256(signingKey, stringToSign))
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return Identity{}, ErrSignature
	}
	return Identity{AccessKeyID: a.accessKeyID, Region: a.region, SessionToken: token}, nil
}

// sessionToken returns the session token of r, "" when it has none, or an
// error when v does not take one or r does not sign it.
func (v Verifier) sessionToken(r *http.Request, signed []string) (string, error) {
	tokens := r.Header.Values("X-Amz-Security-Token")
	switch {
	case len(tokens) == 0:
		return "", nil
	case !v.Sessions:
		return "", ErrSessionToken
	case len(tokens) > 1 || tokens[0] == "" || !slices.Contains(signed, "x-amz-security-token"):
		return "", ErrTokenNotSigned
	}
	return tokens[0], nil
}

// authorization is a parsed Authorization header.
type authorization struct {
	accessKeyID, date, region string
	signedHeaders             []string
	signature                 string
}

// parseAuthorization parses, for service,
//
//	AWS4-HMAC-SHA256 Credential=ID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=HEX
func parseAuthorization(h, service string) (authorization, error) {
	alg, rest, ok := strings.Cut(h, " ")
	if !ok {
		return authorization{}, fmt.Errorf("%w: want %s Credential=..., SignedHeaders=..., Signature=...", ErrMalformedAuthorization, algorithm)
	}
	if alg != algorithm {
		return authorization{}, fmt.Errorf("%w, got %q", ErrAlgorithm, alg)
	}
	fields := make(map[string]string, 3)
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if _, dup := fields[k]; !ok || dup || v == "" {
			return authorization{}, fmt.Errorf("%w: want Credential=..., SignedHeaders=..., Signature=... once each", ErrMalformedAuthorization)
		}
		fields[k] = v
	}
	credential, signed, signature := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if len(fields) != 3 || credential == "" || signed == "" || signature == "" {
		return authorization{}, fmt.Errorf("%w: want Credential=..., SignedHeaders=..., Signature=... once each", ErrMalformedAuthorization)
	}
	if _, err := hex.DecodeString(signature); err != nil || len(signature) != 2*sha256.Size {
		return authorization{}, fmt.Errorf("%w: the signature is not 64 hexadecimal digits", ErrMalformedAuthorization)
	}
	headers := strings.Split(signed, ";")
	for i, name := range headers {
		if name == "" || name != strings.ToLower(name) || i > 0 && headers[i-1] >= name {
			return authorization{}, fmt.Errorf("%w: SignedHeaders must be distinct lower-case names, sorted and separated by ';'", ErrMalformedAuthorization)
		}
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || slices.Contains(scope, "") || scope[4] != terminator {
		return authorization{}, ErrScope
	}
	if _, err := time.Parse("20060102", scope[1]); err != nil || len(scope[1]) != 8 {
		return authorization{}, ErrScope
	}
	if scope[3] != service {
		return authorization{}, fmt.Errorf("%w %q, got %q", ErrService, service, scope[3])
	}
	return authorization{
		accessKeyID:   scope[0],
		date:          scope[1],
		region:        scope[2],
		signedHeaders: headers,
		signature:     signature,
	}, nil
}

// canonicalRequest returns the canonical request of r signed over the
// headers signed, in that order, with payloadHash the hex SHA-256 of the body.
func canonicalRequest(r *http.Request, signed []string, payloadHash string) (string, error) {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(uriEncode(path, false) + "\n")

	var params [][2]string
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			params = append(params, [2]string{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	slices.SortFunc(params, func(p, q [2]string) int {
		return cmp.Or(strings.Compare(p[0], q[0]), strings.Compare(p[1], q[1]))
	})
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p[0] + "=" + p[1])
	}
	b.WriteByte('\n')

	for _, name := range signed {
		values := r.Header.Values(name)
		if name == "host" {
			values = nil
			if r.Host != "" {
				values = []string{r.Host}
			}
		}
		if len(values) == 0 {
			return "", fmt.Errorf("%w: signed header %q is not in the request", ErrSignature, name)
		}
		b.WriteString(name + ":")
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(canonicalValue(v))
		}
		b.WriteByte('\n')
	}
	b.WriteString("\n" + strings.Join(signed, ";") + "\n" + payloadHash)
	return b.String(), nil
}

// canonicalValue trims v and collapses each run of spaces in it to one.
func canonicalValue(v string) string {
	v = strings.TrimSpace(v)
	for strings.Contains(v, "  ") {
		v = strings.ReplaceAll(v, "  ", " ")
	}
	return v
}

// uriEncode percent-encodes, with upper-case hex, every byte of s but the
// unreserved characters A-Z a-z 0-9 - . _ ~, and '/' unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// hmacSHA256 returns the HMAC-SHA256 of data under key.
func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
