package action

import (
	"errors"
	"testing"

	"vigil/config"
)

// FuzzPlan checks that Plan never panics on any event, and that a request
// it makes has what Run needs.
func FuzzPlan(f *testing.F) {
	for _, e := range []string{createKey, envelope(createKey), reactivate, envelope(reactivate), assumedRole, envelope(assumedRole),
		`{"detail-type":"x","detail":{"userIdentity":{"type":"Root"}}}`, `{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","responseElements":{"accessKey":[]}}`,
		`{"userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"type":"Role","userName":1}}}}`, `[]`, `null`, `{"a":`} {
		f.Add([]byte(e))
	}
	deactivate := mustNew(f, config.Action{Name: "d", Type: config.ActionDeactivateAccessKey,
		AWS: &config.AWS{RoleARN: "arn:aws:iam::{account}:role/vigil"}}, Options{})
	quarantine := mustNew(f, config.Action{Name: "q", Type: config.ActionQuarantine, PolicyARN: "arn:aws:iam::{account}:policy/Q"}, Options{})
	f.Fuzz(func(t *testing.T, event []byte) {
		for _, tt := range []struct {
			e        Executor
			required []string
		}{
			{deactivate, []string{"access_key_id", "account"}},
			{quarantine, []string{"principal_type", "policy_arn", "account"}},
		} {
			r, err := tt.e.Plan(testAlert, [][]byte{event})
			if err != nil {
				if !errors.Is(err, ErrNoTarget) {
					t.Errorf("Plan error %v does not wrap ErrNoTarget", err)
				}
				continue
			}
			for _, k := range tt.required {
				if r.Params[k] == "" {
					t.Errorf("Plan(%s) = %+v: no %s", event, r, k)
				}
			}
			if k := r.Params["principal_type"]; k != "" && r.Params[k+"_name"] == "" {
				t.Errorf("Plan(%s) = %+v: no %s_name", event, r, k)
			}
			if !accountID.MatchString(r.Params["account"]) {
				t.Errorf("Plan(%s) = %+v: account is not an account id", event, r)
			}
		}
	})
}
