package iamtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"vigil/action/iamtest"
)

const (
	other = "444455556666"
	key   = "AKIAEXAMPLENEWKEY001"
)

// client returns an IAM client of s signing with creds in region.
func client(s *iamtest.Server, creds aws.CredentialsProvider, region string) *iam.Client {
	return iam.New(iam.Options{
		Region:       region,
		Credentials:  creds,
		BaseEndpoint: aws.String(s.URL),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts, o.MaxBackoff = 3, time.Millisecond
		}),
	})
}

func static(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// code returns the AWS error code of err, or "" for nil.
func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%v is not an AWS API error", err)
	}
	return api.ErrorCode()
}

func TestUpdateAccessKey(t *testing.T) {
	s := iamtest.New(t)
	s.AddUser(iamtest.Account, "svc-backup", key, "AKIAEXAMPLEOLDKEY001")
	c := client(s, static(s.Credentials()), "us-east-1")
	ctx := context.Background()

	out, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), UserName: aws.String("svc-backup"), Status: types.StatusTypeInactive})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.KeyStatus(iamtest.Account, key); got != "Inactive" {
		t.Errorf("key status %q, want Inactive", got)
	}
	if got := s.KeyStatus(iamtest.Account, "AKIAEXAMPLEOLDKEY001"); got != "Active" {
		t.Errorf("the other key's status %q, want Active", got)
	}
	calls := s.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls %+v, want one", calls)
	}
	want := map[string]string{"AccessKeyId": key, "Status": "Inactive", "UserName": "svc-backup"}
	if c := calls[0]; c.Action != "UpdateAccessKey" || !reflect.DeepEqual(c.Params, want) || c.Code != "" ||
		c.Caller != "arn:aws:iam::111122223333:user/vigil" || c.Time.IsZero() {
		t.Errorf("call %+v, want UpdateAccessKey %v by the server's user", c, want)
	}
	if id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); id != calls[0].RequestID || id == "" {
		t.Errorf("the SDK read request id %q, the server recorded %q", id, calls[0].RequestID)
	}

	for _, tt := range []struct {
		name string
		in   iam.UpdateAccessKeyInput
		code string
	}{
		{"unknown key", iam.UpdateAccessKeyInput{AccessKeyId: aws.String("AKIAEXAMPLEUNKNOWN01"), UserName: aws.String("svc-backup"), Status: types.StatusTypeInactive}, "NoSuchEntity"},
		{"unknown user", iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), UserName: aws.String("nobody"), Status: types.StatusTypeInactive}, "NoSuchEntity"},
		// Without a user name, IAM looks among the caller's keys.
		{"another user's key without the user", iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), Status: types.StatusTypeInactive}, "NoSuchEntity"},
		{"bad status", iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), UserName: aws.String("svc-backup"), Status: "Off"}, "ValidationError"},
		{"short key", iam.UpdateAccessKeyInput{AccessKeyId: aws.String("AKIA"), UserName: aws.String("svc-backup"), Status: types.StatusTypeInactive}, "ValidationError"},
		{"caller's own key", iam.UpdateAccessKeyInput{AccessKeyId: aws.String(iamtest.AccessKeyID), Status: types.StatusTypeActive}, ""},
	} {
		_, err := c.UpdateAccessKey(ctx, &tt.in)
		if got := code(t, err); got != tt.code {
			t.Errorf("%s: error %v, want code %q", tt.name, err, tt.code)
		}
	}
}

func TestAttachPolicies(t *testing.T) {
	s := iamtest.New(t)
	s.AddUser(iamtest.Account, "alice")
	s.AddRole(iamtest.Account, "ci-deploy")
	custom := "arn:aws:iam::111122223333:policy/security/Quarantine"
	s.AddPolicy(custom)
	c := client(s, static(s.Credentials()), "us-east-1")
	ctx := context.Background()

	for range 2 { // attaching twice is attaching once
		if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(iamtest.DenyAll)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci-deploy"), PolicyArn: aws.String(custom)}); err != nil {
		t.Fatal(err)
	}
	if got := s.UserPolicies(iamtest.Account, "alice"); !reflect.DeepEqual(got, []string{iamtest.DenyAll}) {
		t.Errorf("alice's policies %q", got)
	}
	if got := s.RolePolicies(iamtest.Account, "ci-deploy"); !reflect.DeepEqual(got, []string{custom}) {
		t.Errorf("ci-deploy's policies %q", got)
	}
	for _, tt := range []struct {
		name string
		call func() error
		code string
	}{
		{"unknown user", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(iamtest.DenyAll)})
			return err
		}, "NoSuchEntity"},
		{"unknown role", func() error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("alice"), PolicyArn: aws.String(iamtest.DenyAll)})
			return err
		}, "NoSuchEntity"},
		{"unknown policy", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}, "NoSuchEntity"},
		{"not an ARN", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("policy/AWSDenyAll/xxxx")})
			return err
		}, "InvalidInput"},
	} {
		if got := code(t, tt.call()); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestSignatures(t *testing.T) {
	s := iamtest.New(t)
	ctx := context.Background()
	in := &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(iamtest.AccessKeyID), Status: types.StatusTypeActive}
	creds := s.Credentials()
	for _, tt := range []struct {
		name   string
		creds  aws.Credentials
		region string
		code   string
	}{
		{"right", creds, "us-east-1", ""},
		{"wrong secret", aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: "wrong"}, "us-east-1", "SignatureDoesNotMatch"},
		{"unknown key", aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000001", SecretAccessKey: creds.SecretAccessKey}, "us-east-1", "InvalidClientTokenId"},
		{"invented session", aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: "t"}, "us-east-1", "InvalidClientTokenId"},
		{"region", creds, "eu-west-1", "SignatureDoesNotMatch"},
	} {
		_, err := client(s, static(tt.creds), tt.region).UpdateAccessKey(ctx, in)
		if got := code(t, err); got != tt.code {
			t.Errorf("%s: error %v, want code %q", tt.name, err, tt.code)
		}
	}
	calls := s.Calls()
	if len(calls) != 5 || calls[0].Caller == "" || calls[1].Caller != "" || calls[1].Code != "SignatureDoesNotMatch" {
		t.Errorf("calls %+v: want each recorded, with a caller only when signed right", calls)
	}
}

func TestAssumeRole(t *testing.T) {
	s := iamtest.New(t)
	s.AddRole(other, "vigil-responder")
	s.AddRole(other, "ci-deploy")
	stsClient := sts.New(sts.Options{Region: "eu-west-1", Credentials: static(s.Credentials()), BaseEndpoint: aws.String(s.URL)})
	ctx := context.Background()
	arn := "arn:aws:iam::" + other + ":role/vigil-responder"
	out, err := stsClient.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("vigil-quarantine"), ExternalId: aws.String("bank-42")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::444455556666:assumed-role/vigil-responder/vigil-quarantine" {
		t.Errorf("assumed role user %q", got)
	}
	if c := s.CallsOf("AssumeRole"); len(c) != 1 || c[0].Params["ExternalId"] != "bank-42" || c[0].Params["RoleArn"] != arn {
		t.Errorf("AssumeRole calls %+v", c)
	}
	cr := out.Credentials
	role := client(s, static(aws.Credentials{AccessKeyID: *cr.AccessKeyId, SecretAccessKey: *cr.SecretAccessKey, SessionToken: *cr.SessionToken}), "us-east-1")
	if _, err := role.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci-deploy"), PolicyArn: aws.String(iamtest.DenyAll)}); err != nil {
		t.Fatal(err)
	}
	if got := s.RolePolicies(other, "ci-deploy"); !reflect.DeepEqual(got, []string{iamtest.DenyAll}) {
		t.Errorf("ci-deploy's policies in the role's account: %q", got)
	}
	if got := s.RolePolicies(iamtest.Account, "ci-deploy"); got != nil {
		t.Errorf("ci-deploy's policies in the server's account: %q", got)
	}
	last := s.Calls()[len(s.Calls())-1]
	if last.Caller != "arn:aws:sts::444455556666:assumed-role/vigil-responder/vigil-quarantine" {
		t.Errorf("the call as the role was recorded from %q", last.Caller)
	}
	// A role session has no keys of its own.
	_, err = role.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(key), Status: types.StatusTypeInactive})
	if got := code(t, err); got != "ValidationError" {
		t.Errorf("UpdateAccessKey without a user name as a role: %v, want ValidationError", err)
	}
	_, err = stsClient.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + other + ":role/admin"), RoleSessionName: aws.String("x1")})
	if got := code(t, err); got != "AccessDenied" {
		t.Errorf("assuming an unknown role: %v, want AccessDenied", err)
	}
}

func TestFail(t *testing.T) {
	s := iamtest.New(t)
	c := client(s, static(s.Credentials()), "us-east-1")
	ctx := context.Background()
	in := &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(iamtest.AccessKeyID), Status: types.StatusTypeActive}
	s.Fail("AttachUserPolicy", -1, iamtest.ServiceFailure) // another action: no effect
	s.Fail("UpdateAccessKey", 2, iamtest.Throttling)
	if _, err := c.UpdateAccessKey(ctx, in); err != nil {
		t.Fatalf("after two throttles, the third try: %v", err)
	}
	var codes []string
	for _, c := range s.Calls() {
		codes = append(codes, c.Code)
	}
	if want := []string{"Throttling", "Throttling", ""}; !reflect.DeepEqual(codes, want) {
		t.Errorf("codes %q, want %q", codes, want)
	}
	s.Fail("", -1, iamtest.ServiceFailure)
	_, err := c.UpdateAccessKey(ctx, in)
	if got := code(t, err); got != "ServiceFailure" || len(s.Calls()) != 6 {
		t.Errorf("failing forever: %v after %d calls, want ServiceFailure after 3 more", err, len(s.Calls()))
	}
}

func TestWire(t *testing.T) {
	s := iamtest.New(t)
	resp, err := http.PostForm(s.URL, url.Values{"Action": {"UpdateAccessKey"}, "Version": {"2010-05-08"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`, "<Type>Sender</Type>",
		"<Code>MissingAuthenticationToken</Code>", "<RequestId>" + s.Calls()[0].RequestID + "</RequestId>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("unsigned request: %d %s\nwant %s", resp.StatusCode, body, want)
		}
	}
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "text/xml" {
		t.Errorf("unsigned request: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestVersion(t *testing.T) {
	s := iamtest.New(t)
	body := "Action=UpdateAccessKey&AccessKeyId=" + iamtest.AccessKeyID + "&Status=Active&Version=2009-01-01"
	r, err := http.NewRequest("POST", s.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), s.Credentials(), r, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "<Code>InvalidAction</Code>") {
		t.Errorf("another version: %d %s", resp.StatusCode, b)
	}
	if c := s.Calls()[0]; c.Caller == "" || c.Code != "InvalidAction" {
		t.Errorf("call %+v: want signed, answered InvalidAction", c)
	}
}

func TestCallerIdentity(t *testing.T) {
	s := iamtest.New(t)
	stsClient := sts.New(sts.Options{Region: "us-east-1", Credentials: static(s.Credentials()), BaseEndpoint: aws.String(s.URL)})
	out, err := stsClient.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != iamtest.Account || aws.ToString(out.Arn) != "arn:aws:iam::111122223333:user/vigil" {
		t.Errorf("caller identity %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
}
