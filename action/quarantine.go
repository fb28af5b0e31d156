package action

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"

	"vigil/config"
	"vigil/notify"
	"vigil/store"
)

// quarantine attaches a deny-all managed policy to the IAM user or role
// that acted in an event: an explicit deny overrides every allow, for the
// role's sessions already issued too, and detaching it undoes it.
type quarantine struct {
	aws     *awsClients
	policy  string // may hold "{account}"
	timeout time.Duration
}

func newQuarantine(cfg config.Action, o Options) (*quarantine, error) {
	c, err := newAWS(cfg, o)
	if err != nil {
		return nil, err
	}
	return &quarantine{aws: c, policy: cmp.Or(cfg.PolicyARN, config.DefaultPolicyARN), timeout: timeout(cfg)}, nil
}

// Principal types of quarantine requests.
const (
	user = "user"
	role = "role"
)

// Plan finds the IAM user, or the role of the assumed role, that acted in
// the first event naming one.
func (q *quarantine) Plan(a *store.Alert, events [][]byte) (Request, error) {
	p, err := plan(a, events, "an IAM user or role that acted", func(r record) (map[string]string, error) {
		p, err := principal(r)
		if err != nil {
			return nil, err
		}
		if p["account"] == "" && (q.aws.needsAccount() || strings.Contains(q.policy, "{account}")) {
			return nil, errors.New("no account id in userIdentity, which role_arn or policy_arn needs")
		}
		policy, err := fill(q.policy, p["account"], "policy_arn")
		p["policy_arn"] = policy
		return p, err
	})
	if err != nil {
		return Request{}, err
	}
	return Request{Type: config.ActionQuarantine, Params: p}, nil
}

// principal returns the IAM user or role whose credentials made the call
// of r: the params principal_type, user_name or role_name, principal_arn
// and account.
func principal(r record) (map[string]string, error) {
	id := func(kind, name, arn string) map[string]string {
		return map[string]string{"principal_type": kind, kind + "_name": name, "principal_arn": arn}
	}
	issuer := "userIdentity.sessionContext.sessionIssuer."
	switch t := r.str("userIdentity.type"); t {
	case "IAMUser":
		name := r.str("userIdentity.userName")
		if name == "" {
			return nil, errors.New("userIdentity.type IAMUser without userIdentity.userName")
		}
		return r.withEvent(id(user, name, r.str("userIdentity.arn")), "userIdentity.accountId"), nil
	case "AssumedRole", "FederatedUser":
		// A federated user's session is bound by the policies of the
		// IAM user that called GetFederationToken.
		kind := map[string]string{"Role": role, "IAMUser": user}[r.str(issuer+"type")]
		name, arn := r.str(issuer+"userName"), r.str(issuer+"arn")
		switch {
		case kind == "" || name == "":
			return nil, fmt.Errorf("userIdentity.type %s without %stype or userName", t, issuer)
		case strings.Contains(arn, ":role/aws-service-role/"):
			return nil, fmt.Errorf("role %s is service-linked: AWS does not let policies be attached to it", name)
		case strings.Contains(arn, ":role/aws-reserved/"):
			return nil, fmt.Errorf("role %s belongs to IAM Identity Center, which alone may change it: remove the assignment there", name)
		}
		return r.withEvent(id(kind, name, arn), issuer+"accountId", "userIdentity.accountId"), nil
	case "Root":
		return nil, errors.New("the root user acted: no policy binds it; secure its credentials by hand")
	case "AWSService", "AWSAccount":
		return nil, fmt.Errorf("userIdentity.type %s: not an IAM user or role of the account", t)
	case "":
		return nil, errors.New("no userIdentity.type")
	default:
		return nil, fmt.Errorf("userIdentity.type %q is not an IAM user or an assumed role", t)
	}
}

// Run calls AttachUserPolicy or AttachRolePolicy.
func (q *quarantine) Run(ctx context.Context, r Request) (Result, error) {
	if err := check(r, config.ActionQuarantine, "principal_type", "policy_arn"); err != nil {
		return Result{}, err
	}
	kind, policy, account := r.Params["principal_type"], r.Params["policy_arn"], r.Params["account"]
	name := r.Params[kind+"_name"]
	if (kind != user && kind != role) || name == "" {
		return Result{}, notify.Permanent(fmt.Errorf("the %s request names no user_name or role_name", config.ActionQuarantine))
	}
	what := describe(kind+" "+name, "", "", account)
	client, err := q.aws.client(account)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, q.timeout)
	defer cancel()
	var md middleware.Metadata
	if kind == user {
		var out *iam.AttachUserPolicyOutput
		if out, err = client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(policy)}); err == nil {
			md = out.ResultMetadata
		}
	} else {
		var out *iam.AttachRolePolicyOutput
		if out, err = client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(policy)}); err == nil {
			md = out.ResultMetadata
		}
	}
	if err != nil {
		return Result{}, classify(fmt.Errorf("attaching %s to %s: %w", policy, what, err))
	}
	return Result{Summary: fmt.Sprintf("policy %s attached to %s", policy, what), Response: awsResponse(md)}, nil
}
