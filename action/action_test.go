package action

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"vigil/action/iamtest"
	"vigil/alert"
	"vigil/config"
	"vigil/notify"
	"vigil/rule"
	"vigil/store"
)

// Events of the tests: CloudTrail records as CloudTrail writes them.
const (
	createKey = `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEID1234567","arn":"arn:aws:iam::111122223333:user/ci-deploy","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"ci-deploy"},"eventTime":"2026-11-20T10:04:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","requestParameters":{"userName":"svc-backup"},"responseElements":{"accessKey":{"userName":"svc-backup","accessKeyId":"AKIAEXAMPLENEWKEY001","status":"Active","createDate":"Nov 20, 2026 10:04:12 AM"}},"requestID":"6f0e1b3a-8c1d-4a52-9d1e-2b7f3c9a0e11","eventID":"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`
	// reactivate is UpdateAccessKey to Active of the caller's own key.
	reactivate  = `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::444455556666:user/alice","accountId":"444455556666","userName":"alice"},"eventSource":"iam.amazonaws.com","eventName":"UpdateAccessKey","requestParameters":{"accessKeyId":"AKIAEXAMPLEALICE0001","status":"Active"},"responseElements":null,"eventID":"e2","recipientAccountId":"444455556666"}`
	assumedRole = `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLECIDEPLOY1:build-42","arn":"arn:aws:sts::444455556666:assumed-role/ci-deploy/build-42","accountId":"444455556666","accessKeyId":"ASIAEXAMPLECIDEPLOY1","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLECIDEPLOY1","arn":"arn:aws:iam::444455556666:role/ci-deploy","accountId":"444455556666","userName":"ci-deploy"}}},"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e3","recipientAccountId":"444455556666"}`
)

// envelope wraps a record as EventBridge delivers it.
func envelope(record string) string {
	return `{"version":"0","id":"6f0e1b3a","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2026-11-20T10:04:12Z","region":"us-east-1","resources":[],"detail":` + record + `}`
}

// edit returns the JSON of a record with fields replaced (a nil value
// deletes the field); keys are dotted paths.
func edit(t testing.TB, record string, fields map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(record), &m); err != nil {
		t.Fatal(err)
	}
	for path, v := range fields {
		parts := strings.Split(path, ".")
		at := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := at[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				at[p] = next
			}
			at = next
		}
		if v == nil {
			delete(at, parts[len(parts)-1])
		} else {
			at[parts[len(parts)-1]] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var testAlert = &store.Alert{ID: "01JALERT0000000000000000AA", Alert: alert.Alert{
	Rule:     alert.RuleRef{ID: "aws-iam-access-key-created", Title: "IAM access key created", Severity: rule.Medium, Tags: []string{}},
	Count:    1,
	EventIDs: []string{"a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b"},
	Entities: map[string][]string{"created_access_key": {"AKIAEXAMPLENEWKEY001"}},
}, Status: store.Open}

func events(list ...string) [][]byte {
	var out [][]byte
	for _, e := range list {
		out = append(out, []byte(e))
	}
	return out
}

// awsAction returns the configuration of an action of type typ that
// reaches s with its credentials.
func awsAction(s *iamtest.Server, name, typ string) config.Action {
	c := s.Credentials()
	return config.Action{Name: name, Type: typ, Mode: config.ModeAuto, AWS: &config.AWS{
		Endpoint: s.URL, STSEndpoint: s.URL, AccessKeyID: c.AccessKeyID, SecretAccessKey: config.Secret(c.SecretAccessKey),
	}}
}

// testOptions keep the SDK's waits between tries short.
var testOptions = Options{MaxBackoff: time.Millisecond}

func mustNew(t testing.TB, cfg config.Action, o Options) Executor {
	t.Helper()
	e, err := New(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// planError checks that err wraps ErrNoTarget and reads want.
func planError(t *testing.T, err error, want string) {
	t.Helper()
	if !errors.Is(err, ErrNoTarget) || err.Error() != want {
		t.Errorf("Plan error\n got %v\nwant %s", err, want)
	}
}

func TestNew(t *testing.T) {
	for _, typ := range config.ActionTypes {
		cfg := config.Action{Name: "a", Type: typ, URL: "https://soar.example/", Secret: "s"}
		if _, err := New(cfg, Options{}); err != nil {
			t.Errorf("type %s: %v", typ, err)
		}
	}
	for _, a := range config.DefaultResponse().Actions {
		if _, err := New(a, Options{}); err != nil {
			t.Errorf("default action %s: %v", a.Name, err)
		}
	}
	for _, tt := range []struct {
		cfg  config.Action
		want string
	}{
		{config.Action{Name: "x", Type: "lambda"}, `action x: unknown type "lambda"`},
		{config.Action{Name: "s", Type: config.ActionSOARWebhook, URL: "https://soar.example/"}, "action s: no secret to sign with"},
		{config.Action{Name: "s", Type: config.ActionSOARWebhook, URL: "soar.example", Secret: "k"}, `action s: url "soar.example" is not an http or https URL`},
		{config.Action{Name: "s", Type: config.ActionSOARWebhook, URL: "https://soar.example/", SecretFile: "/nonexistent/soar"},
			"action s: reading the secret: open /nonexistent/soar: no such file or directory"},
		{config.Action{Name: "d", Type: config.ActionDeactivateAccessKey, AWS: &config.AWS{AccessKeyID: "AKIAVIGILRESPONDER1", SecretAccessKeyFile: "/nonexistent/aws"}},
			"action d: reading the secret: open /nonexistent/aws: no such file or directory"},
	} {
		if _, err := New(tt.cfg, Options{}); err == nil || err.Error() != tt.want {
			t.Errorf("New(%+v) = %v, want %s", tt.cfg, err, tt.want)
		}
	}
}

func TestParseRecord(t *testing.T) {
	for _, tt := range []struct {
		name, event, want string
	}{
		{"bare", createKey, "CreateAccessKey"},
		{"envelope", envelope(createKey), "CreateAccessKey"},
		// A record that happens to have a detail field is not an envelope.
		{"detail without detail-type", edit(t, createKey, map[string]any{"detail": map[string]any{"eventName": "X"}}), "CreateAccessKey"},
		{"field of another type", edit(t, createKey, map[string]any{"eventName": 3}), ""},
	} {
		r, err := parseRecord([]byte(tt.event))
		if err != nil || r.str("eventName") != tt.want {
			t.Errorf("%s: eventName %q, %v; want %q", tt.name, r.str("eventName"), err, tt.want)
		}
	}
	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{`} {
		if _, err := parseRecord([]byte(bad)); err == nil || err.Error() != "not a JSON object" {
			t.Errorf("parseRecord(%q) = %v", bad, err)
		}
	}
}

func TestPlanReasons(t *testing.T) {
	// Many events with the same reason make a short error.
	var list []string
	for range 10 {
		list = append(list, edit(t, createKey, map[string]any{"eventName": "ListAccessKeys"}))
	}
	list = append(list, "[]", edit(t, createKey, map[string]any{"errorCode": "LimitExceeded"}), assumedRole)
	d := mustNew(t, config.Action{Name: "d", Type: config.ActionDeactivateAccessKey}, Options{})
	_, err := d.Plan(testAlert, events(list...))
	planError(t, err, `no target: no event of alert 01JALERT0000000000000000AA names an access key created or activated: `+
		`event 1: eventName "ListAccessKeys" is not CreateAccessKey or UpdateAccessKey; event 11: not a JSON object; `+
		`event 12: CreateAccessKey failed with LimitExceeded (and 10 more events)`)
}

func TestRunChecksRequests(t *testing.T) {
	s := iamtest.New(t)
	d := mustNew(t, awsAction(s, "d", config.ActionDeactivateAccessKey), testOptions)
	q := mustNew(t, awsAction(s, "q", config.ActionQuarantine), testOptions)
	for _, tt := range []struct {
		e    Executor
		r    Request
		want string
	}{
		{d, Request{Type: config.ActionQuarantine, Params: map[string]string{"access_key_id": "AKIAEXAMPLENEWKEY001"}},
			`a aws_iam_deactivate_access_key action cannot run a request of type "aws_iam_quarantine"`},
		{d, Request{Type: config.ActionDeactivateAccessKey, Params: map[string]string{"user_name": "bob"}},
			"the aws_iam_deactivate_access_key request has no access_key_id"},
		{q, Request{Type: config.ActionQuarantine, Params: map[string]string{"principal_type": "group", "policy_arn": iamtest.DenyAll}},
			"the aws_iam_quarantine request names no user_name or role_name"},
		{q, Request{Type: config.ActionQuarantine, Params: map[string]string{"principal_type": "user", "user_name": "bob"}},
			"the aws_iam_quarantine request has no policy_arn"},
	} {
		_, err := tt.e.Run(t.Context(), tt.r)
		if err == nil || err.Error() != tt.want || !notify.IsPermanent(err) {
			t.Errorf("Run(%+v) = %v, want the permanent error %q", tt.r, err, tt.want)
		}
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls made for requests that cannot run", n)
	}
}
