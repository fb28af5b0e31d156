package action

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"vigil/config"
	"vigil/store"
)

// deactivate sets the access key an event created or re-activated to
// Inactive, before whoever made it can use it.
type deactivate struct {
	aws     *awsClients
	timeout time.Duration
}

func newDeactivate(cfg config.Action, o Options) (*deactivate, error) {
	c, err := newAWS(cfg, o)
	if err != nil {
		return nil, err
	}
	return &deactivate{aws: c, timeout: timeout(cfg)}, nil
}

// Plan finds the key of the first CreateAccessKey, or UpdateAccessKey to
// Active, among the events, with its user and account.
func (d *deactivate) Plan(a *store.Alert, events [][]byte) (Request, error) {
	p, err := plan(a, events, "an access key created or activated", func(r record) (map[string]string, error) {
		p, err := keyTarget(r)
		if err == nil && d.aws.needsAccount() && p["account"] == "" {
			err = errors.New("no account id in recipientAccountId or userIdentity.accountId, which role_arn needs")
		}
		return p, err
	})
	if err != nil {
		return Request{}, err
	}
	return Request{Type: config.ActionDeactivateAccessKey, Params: p}, nil
}

// keyTarget returns the access key r created or re-activated, with its
// user when r tells it.
func keyTarget(r record) (map[string]string, error) {
	if err := r.iam(); err != nil {
		return nil, err
	}
	var key, user string
	switch name := r.str("eventName"); name {
	case "CreateAccessKey":
		key = r.str("responseElements.accessKey.accessKeyId")
		if key == "" {
			return nil, errors.New("CreateAccessKey without responseElements.accessKey.accessKeyId")
		}
		user = r.first("responseElements.accessKey.userName", "requestParameters.userName")
	case "UpdateAccessKey":
		if s := r.str("requestParameters.status"); s != "Active" {
			return nil, fmt.Errorf("UpdateAccessKey to %q, not Active", s)
		}
		key = r.str("requestParameters.accessKeyId")
		if key == "" {
			return nil, errors.New("UpdateAccessKey without requestParameters.accessKeyId")
		}
		user = r.str("requestParameters.userName")
	default:
		return nil, fmt.Errorf("eventName %q is not CreateAccessKey or UpdateAccessKey", name)
	}
	if user == "" {
		// Without a user name, IAM acts on the caller's own keys.
		switch r.str("userIdentity.type") {
		case "IAMUser":
			user = r.str("userIdentity.userName")
		case "Root":
			return nil, fmt.Errorf("access key %s is the root user's, which only the root user can deactivate", key)
		}
	}
	p := map[string]string{"access_key_id": key}
	if user != "" {
		p["user_name"] = user
	}
	return r.withEvent(p, "recipientAccountId", "userIdentity.accountId"), nil
}

// Run calls UpdateAccessKey with Status Inactive.
func (d *deactivate) Run(ctx context.Context, r Request) (Result, error) {
	if err := check(r, config.ActionDeactivateAccessKey, "access_key_id"); err != nil {
		return Result{}, err
	}
	key, user, account := r.Params["access_key_id"], r.Params["user_name"], r.Params["account"]
	what := describe("access key "+key, "user", user, account)
	client, err := d.aws.client(account)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	in := &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), Status: types.StatusTypeInactive}
	if user != "" {
		in.UserName = aws.String(user)
	}
	out, err := client.UpdateAccessKey(ctx, in)
	if err != nil {
		return Result{}, classify(fmt.Errorf("deactivating %s: %w", what, err))
	}
	return Result{Summary: what + " set to Inactive", Response: awsResponse(out.ResultMetadata)}, nil
}
