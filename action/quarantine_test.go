package action

import (
	"reflect"
	"strings"
	"testing"

	"vigil/action/iamtest"
	"vigil/config"
	"vigil/notify"
)

func TestQuarantinePlan(t *testing.T) {
	const (
		none   = "no target: no event of alert 01JALERT0000000000000000AA names an IAM user or role that acted: event 1: "
		issuer = "userIdentity.sessionContext.sessionIssuer."
	)
	ciDeploy := map[string]string{"principal_type": "role", "role_name": "ci-deploy", "principal_arn": "arn:aws:iam::444455556666:role/ci-deploy",
		"account": "444455556666", "event_id": "e3", "policy_arn": config.DefaultPolicyARN}
	for _, tt := range []struct {
		name   string
		policy string
		events []string
		want   map[string]string
		err    string
	}{
		{"IAM user", "", []string{createKey}, map[string]string{"principal_type": "user", "user_name": "ci-deploy",
			"principal_arn": "arn:aws:iam::111122223333:user/ci-deploy", "account": "111122223333",
			"event_id": "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b", "policy_arn": config.DefaultPolicyARN}, ""},
		{"assumed role", "", []string{assumedRole}, ciDeploy, ""},
		{"assumed role, in its envelope", "", []string{envelope(assumedRole)}, ciDeploy, ""},
		// The role's account, where it can be changed, not the account
		// it acted in.
		{"role of another account", "", []string{edit(t, assumedRole, map[string]any{"recipientAccountId": "111122223333"})}, ciDeploy, ""},
		{"policy of the account", "arn:aws:iam::{account}:policy/Quarantine", []string{assumedRole},
			merge(ciDeploy, map[string]string{"policy_arn": "arn:aws:iam::444455556666:policy/Quarantine"}), ""},
		{"federated user", "", []string{edit(t, assumedRole, map[string]any{"userIdentity.type": "FederatedUser",
			issuer + "type": "IAMUser", issuer + "userName": "bob", issuer + "arn": "arn:aws:iam::444455556666:user/bob"})},
			map[string]string{"principal_type": "user", "user_name": "bob", "principal_arn": "arn:aws:iam::444455556666:user/bob",
				"account": "444455556666", "event_id": "e3", "policy_arn": config.DefaultPolicyARN}, ""},
		{"after a root event", "", []string{edit(t, createKey, map[string]any{"userIdentity.type": "Root"}), assumedRole}, ciDeploy, ""},

		{"root", "", []string{edit(t, createKey, map[string]any{"userIdentity.type": "Root"})}, nil,
			none + "the root user acted: no policy binds it; secure its credentials by hand"},
		{"AWS service", "", []string{edit(t, createKey, map[string]any{"userIdentity": map[string]any{"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"}})}, nil,
			none + "userIdentity.type AWSService: not an IAM user or role of the account"},
		{"service-linked role", "", []string{edit(t, assumedRole, map[string]any{
			issuer + "arn": "arn:aws:iam::444455556666:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", issuer + "userName": "AWSServiceRoleForECS"})}, nil,
			none + "role AWSServiceRoleForECS is service-linked: AWS does not let policies be attached to it"},
		{"Identity Center role", "", []string{edit(t, assumedRole, map[string]any{
			issuer + "arn": "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_4f2a", issuer + "userName": "AWSReservedSSO_Admin_4f2a"})}, nil,
			none + "role AWSReservedSSO_Admin_4f2a belongs to IAM Identity Center, which alone may change it: remove the assignment there"},
		{"identity center user", "", []string{edit(t, createKey, map[string]any{"userIdentity.type": "IdentityCenterUser"})}, nil,
			none + `userIdentity.type "IdentityCenterUser" is not an IAM user or an assumed role`},
		{"no identity", "", []string{edit(t, createKey, map[string]any{"userIdentity": nil})}, nil, none + "no userIdentity.type"},
		{"IAM user without name", "", []string{edit(t, createKey, map[string]any{"userIdentity.userName": nil})}, nil,
			none + "userIdentity.type IAMUser without userIdentity.userName"},
		{"role without issuer", "", []string{edit(t, assumedRole, map[string]any{"userIdentity.sessionContext": nil})}, nil,
			none + "userIdentity.type AssumedRole without userIdentity.sessionContext.sessionIssuer.type or userName"},
		{"policy of an unknown account", "arn:aws:iam::{account}:policy/Quarantine",
			[]string{edit(t, assumedRole, map[string]any{issuer + "accountId": nil, "userIdentity.accountId": "n/a"})}, nil,
			none + "no account id in userIdentity, which role_arn or policy_arn needs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := mustNew(t, config.Action{Name: "q", Type: config.ActionQuarantine, PolicyARN: tt.policy}, Options{})
			r, err := q.Plan(testAlert, events(tt.events...))
			if tt.err != "" {
				planError(t, err, tt.err)
				return
			}
			if err != nil || r.Type != config.ActionQuarantine || !reflect.DeepEqual(r.Params, tt.want) {
				t.Errorf("Plan = %+v, %v; want params %v", r, err, tt.want)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range []map[string]string{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestQuarantineRun(t *testing.T) {
	for _, tt := range []struct {
		name, event, action string
		params              map[string]string
		summary             string
		// attached returns the policies of the principal.
		attached func(s *iamtest.Server) []string
	}{
		{"user", edit(t, createKey, map[string]any{"userIdentity.userName": "alice"}), "AttachUserPolicy",
			map[string]string{"UserName": "alice", "PolicyArn": iamtest.DenyAll},
			"policy arn:aws:iam::aws:policy/AWSDenyAll attached to user alice in account 111122223333",
			func(s *iamtest.Server) []string { return s.UserPolicies(iamtest.Account, "alice") }},
		{"role", edit(t, assumedRole, map[string]any{"userIdentity.sessionContext.sessionIssuer.accountId": iamtest.Account}), "AttachRolePolicy",
			map[string]string{"RoleName": "ci-deploy", "PolicyArn": iamtest.DenyAll},
			"policy arn:aws:iam::aws:policy/AWSDenyAll attached to role ci-deploy in account 111122223333",
			func(s *iamtest.Server) []string { return s.RolePolicies(iamtest.Account, "ci-deploy") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := iamtest.New(t)
			s.AddUser(iamtest.Account, "alice")
			s.AddRole(iamtest.Account, "ci-deploy")
			q := mustNew(t, awsAction(s, "quarantine", config.ActionQuarantine), testOptions)
			req, err := q.Plan(testAlert, events(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			res, err := q.Run(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			calls := s.Calls()
			if len(calls) != 1 || calls[0].Action != tt.action || !reflect.DeepEqual(calls[0].Params, tt.params) {
				t.Fatalf("calls %+v, want one %s %v", calls, tt.action, tt.params)
			}
			if got := tt.attached(s); !reflect.DeepEqual(got, []string{iamtest.DenyAll}) {
				t.Errorf("attached policies %q", got)
			}
			if res.Summary != tt.summary || string(res.Response) != `{"request_id":"`+calls[0].RequestID+`"}` {
				t.Errorf("result %q %s, want %q and the request id", res.Summary, res.Response, tt.summary)
			}
		})
	}
}

func TestQuarantineErrors(t *testing.T) {
	s := iamtest.New(t)
	s.AddRole(iamtest.Account, "ci-deploy")
	q := mustNew(t, awsAction(s, "quarantine", config.ActionQuarantine), testOptions)
	for _, tt := range []struct {
		params map[string]string
		err    string
	}{
		{map[string]string{"principal_type": "user", "user_name": "ghost", "policy_arn": iamtest.DenyAll},
			"attaching arn:aws:iam::aws:policy/AWSDenyAll to user ghost: operation error IAM: AttachUserPolicy"},
		{map[string]string{"principal_type": "role", "role_name": "ci-deploy", "policy_arn": "arn:aws:iam::aws:policy/Unknown"},
			"NoSuchEntity: Policy arn:aws:iam::aws:policy/Unknown does not exist or is not attachable."},
		{map[string]string{"principal_type": "role", "role_name": "ci-deploy", "policy_arn": "AWSDenyAll-but-longer"},
			"InvalidInput: ARN AWSDenyAll-but-longer is not valid."},
	} {
		_, err := q.Run(t.Context(), Request{Type: config.ActionQuarantine, Params: tt.params})
		if err == nil || !strings.Contains(err.Error(), tt.err) || !notify.IsPermanent(err) {
			t.Errorf("Run(%v) = %v, want a permanent error with %q", tt.params, err, tt.err)
		}
	}
	if got := s.RolePolicies(iamtest.Account, "ci-deploy"); len(got) != 0 {
		t.Errorf("policies attached by failed calls: %q", got)
	}
}
