package action

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"vigil/config"
	"vigil/notify"
)

const (
	// defaultRegion is the region IAM, a global service, signs in for
	// the aws partition.
	defaultRegion = "us-east-1"
	// attempts is how many tries the SDK makes of one call on throttling
	// and server errors; beyond them, the caller retries later.
	attempts          = 3
	defaultMaxBackoff = 2 * time.Second
)

// awsClients makes the IAM clients of one action: one per role assumed,
// kept so that credentials are reused until they expire.
type awsClients struct {
	base     aws.Config
	settings config.AWS
	action   string

	mu     sync.Mutex
	byRole map[string]*iam.Client
}

// newAWS prepares the IAM clients of cfg. It reads the secret access key
// file, but resolves no credentials: the default chain is asked at the
// first call.
func newAWS(cfg config.Action, o Options) (*awsClients, error) {
	var s config.AWS
	if cfg.AWS != nil {
		s = *cfg.AWS
	}
	backoff := o.MaxBackoff
	if backoff <= 0 {
		backoff = defaultMaxBackoff
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(cmp.Or(s.Region, defaultRegion)),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(r *retry.StandardOptions) {
				r.MaxAttempts, r.MaxBackoff = attempts, backoff
			})
		}),
	}
	if o.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(o.HTTPClient))
	}
	if s.AccessKeyID != "" {
		secret, err := config.ReadSecret(s.SecretAccessKey, s.SecretAccessKeyFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKeyID, secret, "")))
	}
	base, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return &awsClients{base: base, settings: s, action: cfg.Name, byRole: map[string]*iam.Client{}}, nil
}

// needsAccount reports whether acting needs the account of the event.
func (c *awsClients) needsAccount() bool {
	return strings.Contains(c.settings.RoleARN, "{account}")
}

// client returns the IAM client that acts in account: with the role
// assumed there when the settings name one.
func (c *awsClients) client(account string) (*iam.Client, error) {
	role, err := fill(c.settings.RoleARN, account, "role_arn")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.byRole[role]; cl != nil {
		return cl, nil
	}
	creds := c.base.Credentials
	if role != "" {
		stsClient := sts.NewFromConfig(c.base, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, c.settings.STSEndpoint) })
		creds = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = sessionName(c.action)
			if c.settings.ExternalID != "" {
				o.ExternalID = aws.String(c.settings.ExternalID)
			}
		}))
	}
	cl := iam.NewFromConfig(c.base, func(o *iam.Options) {
		o.Credentials = creds
		setEndpoint(&o.BaseEndpoint, c.settings.Endpoint)
	})
	c.byRole[role] = cl
	return cl, nil
}

// fill returns s with "{account}" replaced by account; key names the
// setting s comes from, for the error when account is not an account id.
func fill(s, account, key string) (string, error) {
	if !strings.Contains(s, "{account}") {
		return s, nil
	}
	if !accountID.MatchString(account) {
		return "", notify.Permanent(fmt.Errorf("%s %s needs the account of the event, and the request has %q", key, s, account))
	}
	return strings.ReplaceAll(s, "{account}", account), nil
}

// sessionName is the role session name of an action, which the target
// account's CloudTrail shows: "vigil-" and the action's name, within the
// 64 characters STS allows.
func sessionName(action string) string {
	s := "vigil-" + action
	return s[:min(len(s), 64)]
}

func setEndpoint(dst **string, url string) {
	if url != "" {
		*dst = aws.String(url)
	}
}

// permanentCodes are the AWS error codes that retrying cannot help: the
// entity does not exist, vigil may not act, the request is invalid, a
// quota is reached, the credentials are wrong.
var permanentCodes = map[string]bool{
	"NoSuchEntity": true, "AccessDenied": true, "AccessDeniedException": true,
	"InvalidInput": true, "ValidationError": true, "LimitExceeded": true,
	"UnmodifiableEntity": true, "PolicyNotAttachable": true, "InvalidAction": true,
	"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "IncompleteSignature": true,
	"MissingAuthenticationToken": true, "RegionDisabledException": true,
}

// classify marks err permanent when AWS refused the call for good. Other
// errors (throttling, server errors, the network) are left retryable: the
// SDK has already retried them a few times.
func classify(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && permanentCodes[api.ErrorCode()] {
		return notify.Permanent(err)
	}
	return err
}

// awsResponse is what Result.Response holds for an AWS call.
func awsResponse(md middleware.Metadata) json.RawMessage {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	b, _ := json.Marshal(struct {
		RequestID string `json:"request_id"`
	}{id})
	return b
}
