package event

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEnvelope(t *testing.T) {
	rec := `{"eventVersion":"1.08","userIdentity":{"type":"Root","accountId":"444455556666"},"eventTime":"2026-11-20T09:11:26Z",` +
		`"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","eventID":"e-1","eventType":"AwsConsoleSignIn"}`
	env, err := Envelope([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(env, &got); err != nil {
		t.Fatalf("%v: %s", err, env)
	}
	want := map[string]string{
		"version": `"0"`, "id": `"e-1"`, "detail-type": `"AWS Console Sign In via CloudTrail"`, "source": `"aws.signin"`,
		"account": `"444455556666"`, "time": `"2026-11-20T09:11:26Z"`, "region": `"us-east-1"`, "resources": `[]`, "detail": rec,
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if _, err := Envelope([]byte(`{"a":`)); err == nil {
		t.Error("no error for a broken record")
	}
}

func TestDetailType(t *testing.T) {
	for in, want := range map[string]string{
		"AwsApiCall": "AWS API Call via CloudTrail", "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
		"AwsServiceEvent": "AWS Service Event via CloudTrail", "AwsCloudTrailInsight": "AWS Insight via CloudTrail",
		"": "AWS API Call via CloudTrail",
	} {
		if got := DetailType([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if got := string(Source(nil, []byte("payment-cryptography.amazonaws.com"))); got != "aws.payment-cryptography" {
		t.Errorf("source %q", got)
	}
}

func TestKind(t *testing.T) {
	d := NewDetector()
	for raw, want := range map[string]Kind{
		`{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`:                                            CloudTrail,
		`{"detail-type":"x","source":"y","detail":{}}`:                                                                                EventBridge,
		`{"eventVersion":"1.09","eventName":"GetObject"}`:                                                                             JSON,
		`{"detail-type":{"nested":1},"source":"y"}`:                                                                                   JSON,
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a","stage":"ResponseComplete","verb":"create"}`: K8sAudit,
		`{"c-ip":"1.2.3.4","cs-method":"GET","c-uri":"/"}`:                                                                            HTTP,
		`{"Image":"/usr/bin/curl","CommandLine":"curl -s x"}`:                                                                         Host,
		`{"Image":"/usr/bin/curl","DestinationIp":"1.2.3.4"}`:                                                                         Host,
	} {
		if got, err := d.Kind([]byte(raw)); err != nil || got != want {
			t.Errorf("%s: %s %v, want %s", raw, got, err, want)
		}
	}
	if _, err := d.Kind([]byte(`[1]`)); err == nil {
		t.Error("an array is no event")
	}
	for raw, want := range map[string]Kind{` {"eventVersion":"1"}`: CloudTrail, `{"version":"0"}`: EventBridge, `{"a":1}`: Unknown} {
		if got := Guess([]byte(raw)); got != want {
			t.Errorf("Guess(%s) = %s, want %s", raw, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-20T10:00:00Z":              "2026-11-20T10:00:00Z",
		"2026-11-20T03:10:00.123456Z":       "2026-11-20T03:10:00.123456Z",
		"2026-11-20T10:00:00+08:00":         "2026-11-20T02:00:00Z",
		"2026-11-20 03:20:00.000":           "2026-11-20T03:20:00Z",
		"2026-11-20T03:20:00.5":             "2026-11-20T03:20:00.5Z",
		"20/Nov/2026:03:05:00 +0000":        "",
		"":                                  "",
		"2026-11-20 03:20:00 trailing junk": "",
	} {
		got, ok := ParseTime([]byte(in))
		if ok != (want != "") || ok && got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("ParseTime(%q) = %v, %v; want %q", in, got, ok, want)
		}
	}
}
