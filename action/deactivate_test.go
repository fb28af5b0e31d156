package action

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"vigil/action/iamtest"
	"vigil/config"
	"vigil/notify"
)

const newKey = "AKIAEXAMPLENEWKEY001"

func TestDeactivatePlan(t *testing.T) {
	created := map[string]string{"access_key_id": newKey, "user_name": "svc-backup", "account": "111122223333",
		"event_id": "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b"}
	const none = "no target: no event of alert 01JALERT0000000000000000AA names an access key created or activated: "
	for _, tt := range []struct {
		name   string
		events []string
		want   map[string]string
		err    string
	}{
		{"created", []string{createKey}, created, ""},
		{"created, in its envelope", []string{envelope(createKey)}, created, ""},
		{"user from the request", []string{edit(t, createKey, map[string]any{"responseElements.accessKey.userName": nil})}, created, ""},
		{"own key of an IAM user", []string{edit(t, createKey, map[string]any{"responseElements.accessKey.userName": nil, "requestParameters": nil})},
			map[string]string{"access_key_id": newKey, "user_name": "ci-deploy", "account": "111122223333", "event_id": "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b"}, ""},
		{"account from the identity", []string{edit(t, createKey, map[string]any{"recipientAccountId": nil, "eventID": nil, "userIdentity.accountId": "999988887777"})},
			map[string]string{"access_key_id": newKey, "user_name": "svc-backup", "account": "999988887777"}, ""},
		{"not an account id", []string{edit(t, createKey, map[string]any{"recipientAccountId": "1111", "userIdentity.accountId": nil, "eventID": nil})},
			map[string]string{"access_key_id": newKey, "user_name": "svc-backup"}, ""},
		{"reactivated own key", []string{reactivate},
			map[string]string{"access_key_id": "AKIAEXAMPLEALICE0001", "user_name": "alice", "account": "444455556666", "event_id": "e2"}, ""},
		{"reactivated, in its envelope", []string{envelope(edit(t, reactivate, map[string]any{"requestParameters.userName": "bob"}))},
			map[string]string{"access_key_id": "AKIAEXAMPLEALICE0001", "user_name": "bob", "account": "444455556666", "event_id": "e2"}, ""},
		{"the first event with a key", []string{assumedRole, envelope(createKey), reactivate}, created, ""},
		{"role creating a key without a user", []string{edit(t, createKey, map[string]any{
			"responseElements.accessKey.userName": nil, "requestParameters": nil, "userIdentity.type": "AssumedRole"})},
			map[string]string{"access_key_id": newKey, "account": "111122223333", "event_id": "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b"}, ""},

		{"no events", nil, nil, "no target: alert 01JALERT0000000000000000AA has no events to find an access key created or activated in"},
		{"no key", []string{edit(t, createKey, map[string]any{"responseElements": nil})}, nil,
			none + "event 1: CreateAccessKey without responseElements.accessKey.accessKeyId"},
		{"failed", []string{edit(t, createKey, map[string]any{"errorCode": "LimitExceeded", "responseElements": nil})}, nil,
			none + "event 1: CreateAccessKey failed with LimitExceeded"},
		{"deactivated", []string{edit(t, reactivate, map[string]any{"requestParameters.status": "Inactive"})}, nil,
			none + `event 1: UpdateAccessKey to "Inactive", not Active`},
		{"reactivated without key", []string{edit(t, reactivate, map[string]any{"requestParameters.accessKeyId": nil})}, nil,
			none + "event 1: UpdateAccessKey without requestParameters.accessKeyId"},
		{"root's own key", []string{edit(t, createKey, map[string]any{"responseElements.accessKey.userName": nil, "requestParameters": nil, "userIdentity.type": "Root"})}, nil,
			none + "event 1: access key AKIAEXAMPLENEWKEY001 is the root user's, which only the root user can deactivate"},
		{"another service", []string{assumedRole}, nil,
			none + `event 1: eventSource "cloudtrail.amazonaws.com" is not iam.amazonaws.com`},
		{"another call", []string{edit(t, createKey, map[string]any{"eventName": "DeleteAccessKey"})}, nil,
			none + `event 1: eventName "DeleteAccessKey" is not CreateAccessKey or UpdateAccessKey`},
		{"envelope of nothing", []string{`{"detail-type":"AWS API Call via CloudTrail","detail":{}}`}, nil,
			none + `event 1: eventSource "" is not iam.amazonaws.com`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := mustNew(t, config.Action{Name: "d", Type: config.ActionDeactivateAccessKey}, Options{})
			r, err := d.Plan(testAlert, events(tt.events...))
			if tt.err != "" {
				planError(t, err, tt.err)
				return
			}
			if err != nil || r.Type != config.ActionDeactivateAccessKey || !reflect.DeepEqual(r.Params, tt.want) {
				t.Errorf("Plan = %+v, %v; want params %v", r, err, tt.want)
			}
		})
	}
}

func TestDeactivatePlanNeedsAccount(t *testing.T) {
	cfg := config.Action{Name: "d", Type: config.ActionDeactivateAccessKey, AWS: &config.AWS{RoleARN: "arn:aws:iam::{account}:role/vigil"}}
	d := mustNew(t, cfg, Options{})
	_, err := d.Plan(testAlert, events(edit(t, createKey, map[string]any{"recipientAccountId": nil, "userIdentity.accountId": nil})))
	planError(t, err, "no target: no event of alert 01JALERT0000000000000000AA names an access key created or activated: "+
		"event 1: no account id in recipientAccountId or userIdentity.accountId, which role_arn needs")
}

func TestDeactivateRun(t *testing.T) {
	s := iamtest.New(t)
	s.AddUser(iamtest.Account, "svc-backup", "AKIAEXAMPLEOLDKEY001", newKey)
	d := mustNew(t, awsAction(s, "deactivate-access-key", config.ActionDeactivateAccessKey), testOptions)
	req, err := d.Plan(testAlert, events(envelope(createKey)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.KeyStatus(iamtest.Account, newKey); got != "Inactive" {
		t.Errorf("the new key is %q, want Inactive", got)
	}
	if got := s.KeyStatus(iamtest.Account, "AKIAEXAMPLEOLDKEY001"); got != "Active" {
		t.Errorf("the other key is %q, want Active", got)
	}
	calls := s.Calls()
	want := map[string]string{"AccessKeyId": newKey, "Status": "Inactive", "UserName": "svc-backup"}
	if len(calls) != 1 || calls[0].Action != "UpdateAccessKey" || !reflect.DeepEqual(calls[0].Params, want) {
		t.Fatalf("calls %+v, want exactly one UpdateAccessKey %v", calls, want)
	}
	if want := "access key AKIAEXAMPLENEWKEY001 of user svc-backup in account 111122223333 set to Inactive"; res.Summary != want {
		t.Errorf("summary %q, want %q", res.Summary, want)
	}
	if want := `{"request_id":"` + calls[0].RequestID + `"}`; string(res.Response) != want {
		t.Errorf("response %s, want %s", res.Response, want)
	}

	// Again: the key stays inactive.
	if _, err := d.Run(t.Context(), req); err != nil || s.KeyStatus(iamtest.Account, newKey) != "Inactive" {
		t.Errorf("running again: %v, key %s", err, s.KeyStatus(iamtest.Account, newKey))
	}
}

func TestDeactivateErrors(t *testing.T) {
	req := Request{Type: config.ActionDeactivateAccessKey, Params: map[string]string{"access_key_id": newKey, "user_name": "svc-backup"}}
	for _, tt := range []struct {
		name string
		// setup prepares the server.
		setup     func(s *iamtest.Server)
		calls     []string // the error codes of the UpdateAccessKey calls
		permanent bool
		err       string // in the error; empty for success
	}{
		{"no such key", func(s *iamtest.Server) { s.AddUser(iamtest.Account, "svc-backup") }, []string{"NoSuchEntity"}, true,
			"deactivating access key AKIAEXAMPLENEWKEY001 of user svc-backup: operation error IAM: UpdateAccessKey"},
		{"no such user", func(s *iamtest.Server) {}, []string{"NoSuchEntity"}, true, "The user with name svc-backup cannot be found."},
		{"denied", func(s *iamtest.Server) {
			s.Fail("UpdateAccessKey", 1, iamtest.Failure{Status: 403, Code: "AccessDenied", Message: "not authorized"})
		}, []string{"AccessDenied"}, true, "AccessDenied: not authorized"},
		{"throttled, then done", func(s *iamtest.Server) {
			s.AddUser(iamtest.Account, "svc-backup", newKey)
			s.Fail("UpdateAccessKey", 2, iamtest.Throttling)
		}, []string{"Throttling", "Throttling", ""}, false, ""},
		{"throttled throughout", func(s *iamtest.Server) {
			s.AddUser(iamtest.Account, "svc-backup", newKey)
			s.Fail("UpdateAccessKey", -1, iamtest.Throttling)
		}, []string{"Throttling", "Throttling", "Throttling"}, false, "Throttling: Rate exceeded"},
		{"server failing", func(s *iamtest.Server) {
			s.AddUser(iamtest.Account, "svc-backup", newKey)
			s.Fail("", -1, iamtest.ServiceFailure)
		}, []string{"ServiceFailure", "ServiceFailure", "ServiceFailure"}, false, "StatusCode: 500"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := iamtest.New(t)
			tt.setup(s)
			d := mustNew(t, awsAction(s, "d", config.ActionDeactivateAccessKey), testOptions)
			_, err := d.Run(t.Context(), req)
			var codes []string
			for _, c := range s.CallsOf("UpdateAccessKey") {
				codes = append(codes, c.Code)
			}
			if !reflect.DeepEqual(codes, tt.calls) {
				t.Errorf("calls answered %q, want %q", codes, tt.calls)
			}
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("Run: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("Run error %v, want one with %q", err, tt.err)
			case err != nil && notify.IsPermanent(err) != tt.permanent:
				t.Errorf("Run error %v: permanent %t, want %t", err, notify.IsPermanent(err), tt.permanent)
			}
		})
	}
}

// TestDeactivateAssumingRole acts in the account of the event through the
// role named by role_arn, assumed once.
func TestDeactivateAssumingRole(t *testing.T) {
	s := iamtest.New(t)
	const acct = "444455556666"
	s.AddRole(acct, "vigil-responder")
	s.AddUser(acct, "alice", "AKIAEXAMPLEALICE0001")
	cfg := awsAction(s, "deactivate-access-key", config.ActionDeactivateAccessKey)
	cfg.AWS.RoleARN, cfg.AWS.ExternalID = "arn:aws:iam::{account}:role/vigil-responder", "bank-42"
	d := mustNew(t, cfg, testOptions)
	req, err := d.Plan(testAlert, events(reactivate))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := d.Run(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.KeyStatus(acct, "AKIAEXAMPLEALICE0001"); got != "Inactive" {
		t.Errorf("alice's key is %q, want Inactive", got)
	}
	assumed := s.CallsOf("AssumeRole")
	wantAssume := map[string]string{"RoleArn": "arn:aws:iam::444455556666:role/vigil-responder",
		"RoleSessionName": "vigil-deactivate-access-key", "ExternalId": "bank-42", "DurationSeconds": "900"}
	if len(assumed) != 1 || !reflect.DeepEqual(assumed[0].Params, wantAssume) {
		t.Errorf("AssumeRole calls %+v, want one with %v", assumed, wantAssume)
	}
	for _, c := range s.CallsOf("UpdateAccessKey") {
		if c.Caller != "arn:aws:sts::444455556666:assumed-role/vigil-responder/vigil-deactivate-access-key" {
			t.Errorf("UpdateAccessKey made by %q, want the assumed role", c.Caller)
		}
	}

	// A request without the account cannot choose the role.
	delete(req.Params, "account")
	_, err = d.Run(t.Context(), req)
	if want := `role_arn arn:aws:iam::{account}:role/vigil-responder needs the account of the event, and the request has ""`; err == nil || err.Error() != want || !notify.IsPermanent(err) {
		t.Errorf("Run without an account: %v, want the permanent error %q", err, want)
	}
}

func TestDeactivateRequestJSON(t *testing.T) {
	// The request is stored and shown to approvers as JSON.
	d := mustNew(t, config.Action{Name: "d", Type: config.ActionDeactivateAccessKey}, Options{})
	r, err := d.Plan(testAlert, events(reactivate))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	want := `{"type":"aws_iam_deactivate_access_key","params":{"access_key_id":"AKIAEXAMPLEALICE0001","account":"444455556666","event_id":"e2","user_name":"alice"}}`
	if string(b) != want {
		t.Errorf("request %s, want %s", b, want)
	}
}
