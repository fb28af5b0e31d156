package sigv4

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

// TestEventBridgeClient sends PutEvents with the AWS SDK's EventBridge client
// to a TLS server that verifies its signature with Verify.
func TestEventBridgeClient(t *testing.T) {
	var got struct {
		sync.Mutex
		id     Identity
		target string
		body   map[string]any
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		id, err := Verify(r, body, secrets, time.Now())
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidSignatureException", "message": err.Error()})
			return
		}
		got.Lock()
		defer got.Unlock()
		got.id, got.target = id, r.Header.Get("X-Amz-Target")
		if err := json.Unmarshal(body, &got.body); err != nil {
			t.Error(err)
		}
		io.WriteString(w, `{"FailedEntryCount":0,"Entries":[{"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"}]}`)
	}))
	defer srv.Close()

	client := func(id, secret string) *eventbridge.Client {
		return eventbridge.New(eventbridge.Options{
			Region:           "eu-north-1",
			Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
			BaseEndpoint:     aws.String(srv.URL),
			HTTPClient:       srv.Client(),
			RetryMaxAttempts: 1,
		})
	}
	input := &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source:     aws.String("vigil.test"),
		DetailType: aws.String("login"),
		Detail:     aws.String(`{"user":"alice","ok":true}`),
	}}}

	out, err := client(keyID, keySecret).PutEvents(context.Background(), input)
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	if out.FailedEntryCount != 0 || len(out.Entries) != 1 || aws.ToString(out.Entries[0].EventId) == "" {
		t.Errorf("PutEvents output = %+v", out)
	}
	got.Lock()
	if want := (Identity{AccessKeyID: keyID, Region: "eu-north-1"}); got.id != want {
		t.Errorf("signed by %+v, want %+v", got.id, want)
	}
	if got.target != "AWSEvents.PutEvents" {
		t.Errorf("X-Amz-Target = %q", got.target)
	}
	if entries, _ := got.body["Entries"].([]any); len(entries) != 1 {
		t.Errorf("body = %v", got.body)
	}

	got.Unlock()

	_, err = client(keyID, "wrong secret").PutEvents(context.Background(), input)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" {
		t.Errorf("PutEvents with a wrong secret: %v, want InvalidSignatureException", err)
	}
}
