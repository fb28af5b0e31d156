package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	keyID     = "AKIDEXAMPLE"
	keySecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	otherID   = "AKIDOTHER"
)

var signedAt = time.Date(2024, 3, 9, 23, 58, 30, 0, time.UTC)

// secrets knows keyID and otherID.
func secrets(id string) (string, bool) {
	switch id {
	case keyID:
		return keySecret, true
	case otherID:
		return "another secret", true
	}
	return "", false
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// request is a request to sign: its method, URL, extra headers and body.
type request struct {
	method, url string
	header      http.Header
	body        string
}

// sign signs req with the AWS SDK signer, with payloadHash the hash of the
// body when empty, and returns the request as a server reads it off the wire.
func sign(t testing.TB, req request, creds aws.Credentials, service, region, payloadHash string, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(req.method, req.url, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	if req.body == "" {
		r.Body = http.NoBody
	}
	for k, vs := range req.header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if payloadHash == "" {
		payloadHash = hashHex([]byte(req.body))
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash, service, region, at); err != nil {
		t.Fatal(err)
	}
	return overWire(t, r)
}

// overWire writes r as a client would and reads it back as a server does.
func overWire(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil {
		t.Fatal(err)
	}
	s, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readBody reads the body of a request read by overWire.
func readBody(t testing.TB, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var creds = aws.Credentials{AccessKeyID: keyID, SecretAccessKey: keySecret}

const putEvents = `{"Entries":[{"Source":"app","DetailType":"t","Detail":"{\"a\":1}"}]}`

func TestVerifyAcceptsSDKSignatures(t *testing.T) {
	target := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AWSEvents.PutEvents"}}
	tests := []struct {
		name   string
		req    request
		region string
	}{
		{"empty body", request{"POST", "https://events.us-east-1.amazonaws.com/", nil, ""}, "us-east-1"},
		{"no path", request{"POST", "https://events.us-east-1.amazonaws.com", nil, ""}, "us-east-1"},
		{"put events", request{"POST", "https://events.eu-west-1.amazonaws.com/", target, putEvents}, "eu-west-1"},
		{"port", request{"POST", "https://127.0.0.1:8443/", target, putEvents}, "ap-southeast-2"},
		{"encoded path", request{"GET", "https://h.example/a%20b/c%2Fd/%C3%BC/~x-y_z.1/(!*)/", nil, ""}, "us-gov-west-1"},
		{"query", request{"GET", "https://h.example/q?b=2&a=1&a=0&a1=z&c=x%20y&d=a%2Bb&e=&f&p=a+b&u=%E2%82%AC&s=%2F", nil, ""}, "cn-north-1"},
		{"spacing", request{"PUT", "https://h.example/", http.Header{
			"X-Amz-Meta-Odd":   {"  a   b    c  "},
			"X-Amz-Meta-Multi": {"1", " 2   3 "},
			"Content-Type":     {"text/plain;   charset=utf-8"},
		}, "some body"}, "eu-central-1"},
		{"content sha256", request{"POST", "https://h.example/", http.Header{
			"X-Amz-Content-Sha256": {hashHex([]byte(putEvents))},
		}, putEvents}, "us-west-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sign(t, tt.req, creds, "events", tt.region, "", signedAt)
			id, err := Verify(r, readBody(t, r), secrets, signedAt.Add(14*time.Minute))
			if err != nil {
				t.Fatalf("Verify: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
			}
			if want := (Identity{AccessKeyID: keyID, Region: tt.region}); id != want {
				t.Errorf("Verify = %+v, want %+v", id, want)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	base := request{"POST", "https://events.us-east-1.amazonaws.com/p?x=1",
		http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AWSEvents.PutEvents"}},
		putEvents}
	valid := func(t *testing.T) *http.Request { return sign(t, base, creds, "events", "us-east-1", "", signedAt) }
	// setAuth replaces old by new in the Authorization header.
	setAuth := func(r *http.Request, old, new string) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
	tests := []struct {
		name string
		// make returns the request, its body and the server's time.
		make func(t *testing.T) (*http.Request, []byte, time.Time)
		want error
	}{
		{"body", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			return r, append(readBody(t, r), ' '), signedAt
		}, ErrSignature},
		{"signed header", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("X-Amz-Target", "AWSEvents.ListRules")
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"signed header removed", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Del("X-Amz-Target")
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"host", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Host = "events.us-east-2.amazonaws.com"
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"path", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.URL.Path = "/q"
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"query", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.URL.RawQuery = "x=2"
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"method", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Method = "PUT"
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"date same day", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("X-Amz-Date", signedAt.Add(-time.Second).Format(dateLayout))
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"date other day", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("X-Amz-Date", signedAt.Add(2*time.Minute).Format(dateLayout))
			return r, readBody(t, r), signedAt
		}, ErrScopeDate},
		{"date missing", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Del("X-Amz-Date")
			return r, readBody(t, r), signedAt
		}, ErrDate},
		{"date malformed", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("X-Amz-Date", signedAt.Format(time.RFC3339))
			return r, readBody(t, r), signedAt
		}, ErrDate},
		{"date fraction", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("X-Amz-Date", "20240309T235830.5Z")
			return r, readBody(t, r), signedAt
		}, ErrDate},
		{"expired", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			return r, readBody(t, r), signedAt.Add(15*time.Minute + time.Second)
		}, ErrSkew},
		{"future", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			return r, readBody(t, r), signedAt.Add(-15*time.Minute - time.Second)
		}, ErrSkew},
		{"other known key id", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "Credential="+keyID, "Credential="+otherID)
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"unknown key id", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "Credential="+keyID, "Credential=AKIDUNKNOWN")
			return r, readBody(t, r), signedAt
		}, ErrUnknownKey},
		{"wrong secret", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := sign(t, base, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "not it"}, "events", "us-east-1", "", signedAt)
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"region in scope", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "/us-east-1/", "/us-east-2/")
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"service in scope", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "/events/", "/sqs/")
			return r, readBody(t, r), signedAt
		}, ErrService},
		{"signed for another service", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := sign(t, base, creds, "sqs", "us-east-1", "", signedAt)
			return r, readBody(t, r), signedAt
		}, ErrService},
		{"scope without terminator", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "/aws4_request", "/aws4_reques")
			return r, readBody(t, r), signedAt
		}, ErrScope},
		{"scope date", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "/20240309/", "/2024039/")
			return r, readBody(t, r), signedAt
		}, ErrScope},
		{"scope too short", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "/us-east-1/", "/")
			return r, readBody(t, r), signedAt
		}, ErrScope},
		{"host not signed", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, ";host;", ";")
			return r, readBody(t, r), signedAt
		}, ErrHostNotSigned},
		{"no authorization", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Del("Authorization")
			return r, readBody(t, r), signedAt
		}, ErrNoAuthorization},
		{"two authorizations", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"algorithm", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")
			return r, readBody(t, r), signedAt
		}, ErrAlgorithm},
		{"basic auth", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.SetBasicAuth(keyID, keySecret)
			return r, readBody(t, r), signedAt
		}, ErrAlgorithm},
		{"no fields", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"duplicate field", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, ", Signature=", ", SignedHeaders=host, Signature=")
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"unknown field", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "SignedHeaders=", "Signed=")
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"short signature", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", auth[:len(auth)-1])
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"flipped signature", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			auth := []byte(r.Header.Get("Authorization"))
			auth[len(auth)-1] ^= 1
			r.Header.Set("Authorization", string(auth))
			return r, readBody(t, r), signedAt
		}, ErrSignature},
		{"unsorted signed headers", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, "content-length;content-type", "content-type;content-length")
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"upper-case signed header", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r := valid(t)
			setAuth(r, ";host;", ";Host;")
			return r, readBody(t, r), signedAt
		}, ErrMalformedAuthorization},
		{"presigned", func(t *testing.T) (*http.Request, []byte, time.Time) {
			r, err := http.NewRequest("GET", "https://events.us-east-1.amazonaws.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, hashHex(nil), "events", "us-east-1", signedAt)
			if err != nil {
				t.Fatal(err)
			}
			r, err = http.NewRequest("GET", u, nil)
			if err != nil {
				t.Fatal(err)
			}
			return overWire(t, r), nil, signedAt
		}, ErrPresigned},
		{"session token", func(t *testing.T) (*http.Request, []byte, time.Time) {
			c := creds
			c.SessionToken = "session-token"
			r := sign(t, base, c, "events", "us-east-1", "", signedAt)
			return r, readBody(t, r), signedAt
		}, ErrSessionToken},
		{"unsigned payload", func(t *testing.T) (*http.Request, []byte, time.Time) {
			req := base
			req.header = http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}
			r := sign(t, req, creds, "events", "us-east-1", "UNSIGNED-PAYLOAD", signedAt)
			return r, readBody(t, r), signedAt
		}, ErrUnsignedPayload},
		{"content sha256 of another body", func(t *testing.T) (*http.Request, []byte, time.Time) {
			other := hashHex([]byte("other"))
			req := base
			req.header = http.Header{"X-Amz-Content-Sha256": {other}}
			r := sign(t, req, creds, "events", "us-east-1", other, signedAt)
			return r, readBody(t, r), signedAt
		}, ErrPayloadHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body, now := tt.make(t)
			auth := r.Header.Get("Authorization")
			id, err := Verify(r, body, secrets, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want %v", id, err, tt.want)
			}
			if id != (Identity{}) {
				t.Errorf("Verify returned %+v with an error", id)
			}
			msg := err.Error()
			if strings.Contains(msg, keySecret) {
				t.Errorf("error %q contains the secret", msg)
			}
			if _, sig, ok := strings.Cut(auth, "Signature="); ok && sig != "" && strings.Contains(msg, sig) {
				t.Errorf("error %q contains the signature", msg)
			}
		})
	}
}

// FuzzVerify checks that Verify never panics and accepts a request only when
// its Authorization header carries the signature the AWS SDK computes for it.
func FuzzVerify(f *testing.F) {
	req := request{"POST", "https://events.us-east-1.amazonaws.com/",
		http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"AWSEvents.PutEvents"}}, ""}
	// signature returns the request signed by the SDK over body and its
	// signature.
	signature := func(t testing.TB, body string) (*http.Request, string) {
		rq := req
		rq.body = body
		r := sign(t, rq, creds, "events", "us-east-1", "", signedAt)
		_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
		return r, sig
	}
	for _, body := range []string{"", putEvents} {
		r, _ := signature(f, body)
		auth := r.Header.Get("Authorization")
		f.Add(auth, []byte(body))
		f.Add(auth, []byte(body+"x"))
		f.Add(strings.ReplaceAll(auth, ", ", ","), []byte(body))
		f.Add(strings.Replace(auth, "host;", "", 1), []byte(body))
	}
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=;, Signature=", []byte{})
	f.Add("AWS4-HMAC-SHA256 ,,==,", []byte("{}"))
	f.Fuzz(func(t *testing.T, auth string, body []byte) {
		r, want := signature(t, string(body))
		r.Header.Set("Authorization", auth)
		id, err := Verify(r, body, secrets, signedAt)
		if err != nil {
			return
		}
		if _, got, _ := strings.Cut(auth, "Signature="); !strings.HasPrefix(got, want) {
			t.Fatalf("Verify accepted %q over %q as %+v without the SDK's signature", auth, body, id)
		}
	})
}
