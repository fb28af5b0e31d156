package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Response is what vigil does about alerts on its own: the actions that
// the response lists of rules name. docs/actions.md describes every key.
type Response struct {
	// AWS is how actions reach AWS, for every action that does not say
	// otherwise.
	AWS AWS `yaml:"aws"`
	// Actions are the actions rules can name. A rule that names an action
	// not listed here gets an "action not configured" record, not an error.
	Actions []Action `yaml:"actions"`
}

// AWS is how actions reach AWS.
type AWS struct {
	// Region is the region the SDK is set for; empty for us-east-1. IAM is
	// global: the region matters only in other partitions (cn-north-1,
	// us-gov-west-1) and for the STS endpoint.
	Region string `yaml:"region"`
	// Endpoint replaces the IAM endpoint (a test server, a proxy).
	Endpoint string `yaml:"endpoint"`
	// STSEndpoint replaces the STS endpoint RoleARN is assumed at (an
	// interface VPC endpoint, a test server).
	STSEndpoint string `yaml:"sts_endpoint"`
	// AccessKeyID, with SecretAccessKey or the file SecretAccessKeyFile,
	// are static credentials. Without them the SDK's default chain finds
	// credentials: environment, shared files, web identity, ECS or EC2.
	AccessKeyID         string `yaml:"access_key_id"`
	SecretAccessKey     Secret `yaml:"secret_access_key"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"`
	// RoleARN is a role assumed with those credentials before acting;
	// "{account}" in it stands for the account of the alert's event, so
	// that one vigil acts in each account of an organization.
	RoleARN string `yaml:"role_arn"`
	// ExternalID is given when assuming RoleARN, for trust policies that
	// require sts:ExternalId.
	ExternalID string `yaml:"external_id"`
}

// Action is one configured action.
type Action struct {
	// Name is what rules' response lists call it.
	Name string `yaml:"name"`
	// Type is the kind of action: one of ActionTypes.
	Type string `yaml:"type"`
	// Mode is when the action runs: ModeAuto, ModeApprove or ModeDryRun.
	Mode string `yaml:"mode"`
	// MaxAutoPerHour bounds how often an auto action runs on its own in
	// an hour; beyond it, runs wait for approval. 0 means
	// DefaultMaxAutoPerHour.
	MaxAutoPerHour int `yaml:"max_auto_per_hour"`
	// PolicyARN is the managed policy aws_iam_quarantine attaches;
	// "{account}" in it stands for the account of the alert's event.
	PolicyARN string `yaml:"policy_arn"`
	// URL is where soar_webhook posts; Secret, or the file SecretFile,
	// is the key of the signature of its requests.
	URL        string `yaml:"url"`
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
	// Timeout bounds one run, every try included; 0 means
	// DefaultActionTimeout.
	Timeout Duration `yaml:"timeout"`
	// AWS overrides, key by key, the response's aws settings for this
	// action; after loading it holds the settings the action uses.
	AWS *AWS `yaml:"aws"`
}

// The types of actions.
const (
	ActionDeactivateAccessKey = "aws_iam_deactivate_access_key"
	ActionQuarantine          = "aws_iam_quarantine"
	ActionSOARWebhook         = "soar_webhook"
)

// ActionTypes are the types of actions, in the order the docs list them.
var ActionTypes = []string{ActionDeactivateAccessKey, ActionQuarantine, ActionSOARWebhook}

// The modes of actions.
const (
	// ModeAuto runs an action as soon as its alert is raised.
	ModeAuto = "auto"
	// ModeApprove runs it once an analyst approves it.
	ModeApprove = "approve"
	// ModeDryRun never runs it, but records what it would have done.
	ModeDryRun = "dry-run"
)

var modes = []string{ModeAuto, ModeApprove, ModeDryRun}

// Defaults of actions.
const (
	DefaultMaxAutoPerHour = 10
	DefaultActionTimeout  = 15 * time.Second
	// DefaultPolicyARN denies every action: AWS's managed AWSDenyAll.
	DefaultPolicyARN = "arn:aws:iam::aws:policy/AWSDenyAll"
)

// DefaultResponse returns the actions the built-in rules name that work
// without settings: deactivate-access-key and quarantine, in dry-run mode.
// A fresh installation has no AWS credentials, and a bank wants no write
// to its IAM it did not decide on: the analyst sees what would have been
// done. soar-webhook needs a URL and a secret, so it is not among them.
func DefaultResponse() Response {
	return Response{Actions: []Action{
		{Name: "deactivate-access-key", Type: ActionDeactivateAccessKey, Mode: ModeDryRun,
			MaxAutoPerHour: DefaultMaxAutoPerHour, Timeout: Duration(DefaultActionTimeout)},
		{Name: "quarantine", Type: ActionQuarantine, Mode: ModeDryRun,
			MaxAutoPerHour: DefaultMaxAutoPerHour, Timeout: Duration(DefaultActionTimeout), PolicyARN: DefaultPolicyARN},
	}}
}

// Lookup returns the action named name, or nil.
func (r *Response) Lookup(name string) *Action {
	for i := range r.Actions {
		if r.Actions[i].Name == name {
			return &r.Actions[i]
		}
	}
	return nil
}

// IsAWS reports whether the action calls AWS.
func (a *Action) IsAWS() bool {
	return a.Type == ActionDeactivateAccessKey || a.Type == ActionQuarantine
}

// resolve makes the paths in r relative to dir, fills in defaults, and
// gives each AWS action the response's aws settings it does not override.
// Running it again changes nothing.
func (r *Response) resolve(dir string) {
	r.AWS.resolve(dir)
	for i := range r.Actions {
		a := &r.Actions[i]
		absPath(dir, &a.SecretFile)
		if a.MaxAutoPerHour == 0 {
			a.MaxAutoPerHour = DefaultMaxAutoPerHour
		}
		if a.Timeout == 0 {
			a.Timeout = Duration(DefaultActionTimeout)
		}
		if a.Type == ActionQuarantine && a.PolicyARN == "" {
			a.PolicyARN = DefaultPolicyARN
		}
		if !a.IsAWS() {
			continue
		}
		if a.AWS == nil {
			a.AWS = &AWS{}
		}
		a.AWS.resolve(dir)
		a.AWS.inherit(r.AWS)
	}
}

func (w *AWS) resolve(dir string) { absPath(dir, &w.SecretAccessKeyFile) }

// inherit fills w's empty settings from base. The credentials go
// together: an action that names its own access key takes none of base's.
func (w *AWS) inherit(base AWS) {
	for _, p := range []struct{ dst, src *string }{
		{&w.Region, &base.Region}, {&w.Endpoint, &base.Endpoint}, {&w.STSEndpoint, &base.STSEndpoint},
		{&w.RoleARN, &base.RoleARN}, {&w.ExternalID, &base.ExternalID},
	} {
		if *p.dst == "" {
			*p.dst = *p.src
		}
	}
	if w.AccessKeyID == "" && w.SecretAccessKey == "" && w.SecretAccessKeyFile == "" {
		w.AccessKeyID, w.SecretAccessKey, w.SecretAccessKeyFile = base.AccessKeyID, base.SecretAccessKey, base.SecretAccessKeyFile
	}
}

// check returns the first thing wrong in r, with keys under "response".
func (r *Response) check() error {
	if err := r.AWS.check("response.aws"); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, a := range r.Actions {
		key := fmt.Sprintf("response.actions[%d]", i)
		if err := checkName(key+".name", a.Name, names); err != nil {
			return err
		}
		switch {
		case !slices.Contains(ActionTypes, a.Type):
			return errorf(key+".type", "%q: want one of %s", a.Type, strings.Join(ActionTypes, ", "))
		case !slices.Contains(modes, a.Mode):
			return errorf(key+".mode", "%q: want one of %s", a.Mode, strings.Join(modes, ", "))
		case a.MaxAutoPerHour < 0:
			return errorf(key+".max_auto_per_hour", "%d: want 0 (the default, %d) or more", a.MaxAutoPerHour, DefaultMaxAutoPerHour)
		case a.Timeout != 0 && (a.Timeout < Duration(time.Second) || a.Timeout > Duration(5*time.Minute)):
			return errorf(key+".timeout", "%s: want 1s to 5m", a.Timeout)
		}
		if err := a.check(key); err != nil {
			return err
		}
	}
	return nil
}

// check checks the settings of an action's type; key is the action's.
func (a *Action) check(key string) error {
	if err := a.unused(key); err != nil {
		return err
	}
	switch a.Type {
	case ActionQuarantine:
		if err := checkARN(key+".policy_arn", a.PolicyARN, policyARN, "arn:aws:iam::aws:policy/AWSDenyAll"); err != nil {
			return err
		}
	case ActionSOARWebhook:
		if a.URL == "" {
			return errorf(key+".url", "empty: a soar_webhook action needs the URL to post to")
		}
		return first(httpURL(key+".url", a.URL), oneOf(key, "secret", a.Secret, a.SecretFile, true))
	}
	if a.AWS != nil {
		return a.AWS.check(key + ".aws")
	}
	return nil
}

// unused returns an error for a setting that a's type does not take, so
// that a setting in the wrong place is never silently ignored.
func (a *Action) unused(key string) error {
	set := map[string]bool{
		"policy_arn": a.PolicyARN != "",
		"url":        a.URL != "", "secret": a.Secret != "", "secret_file": a.SecretFile != "",
		"aws": a.AWS != nil,
	}
	takes := map[string][]string{
		ActionDeactivateAccessKey: {"aws"},
		ActionQuarantine:          {"aws", "policy_arn"},
		ActionSOARWebhook:         {"url", "secret", "secret_file"},
	}[a.Type]
	for _, k := range []string{"policy_arn", "url", "secret", "secret_file", "aws"} {
		if set[k] && !slices.Contains(takes, k) {
			return errorf(key+"."+k, "not a setting of type %s", a.Type)
		}
	}
	return nil
}

// check checks AWS settings found at key.
func (w *AWS) check(key string) error {
	switch {
	case w.Region != "" && !region.MatchString(w.Region):
		return errorf(key+".region", "%q: want a region such as us-east-1", w.Region)
	case w.SecretAccessKey == "" && w.SecretAccessKeyFile == "" && w.AccessKeyID != "":
		return errorf(key+".access_key_id", "give secret_access_key or secret_access_key_file with it")
	case w.AccessKeyID == "" && (w.SecretAccessKey != "" || w.SecretAccessKeyFile != ""):
		return errorf(key+".access_key_id", "empty: a secret access key needs its access key id")
	case w.AccessKeyID != "" && !accessKeyID.MatchString(w.AccessKeyID):
		return errorf(key+".access_key_id", "%q: want 16 to 128 letters and digits", w.AccessKeyID)
	case w.ExternalID != "" && w.RoleARN == "":
		return errorf(key+".external_id", "set without role_arn")
	case w.ExternalID != "" && (len(w.ExternalID) < 2 || len(w.ExternalID) > 1224 || !externalID.MatchString(w.ExternalID)):
		return errorf(key+".external_id", "want 2 to 1224 letters, digits and +=,.@:/-")
	}
	if err := first(
		oneOf(key, "secret_access_key", w.SecretAccessKey, w.SecretAccessKeyFile, false),
		httpURL(key+".endpoint", w.Endpoint),
		httpURL(key+".sts_endpoint", w.STSEndpoint),
	); err != nil {
		return err
	}
	if w.RoleARN != "" {
		return checkARN(key+".role_arn", w.RoleARN, roleARN, "arn:aws:iam::{account}:role/vigil-responder")
	}
	return nil
}

// checkARN checks an ARN in which "{account}" may stand for an account id.
func checkARN(key, arn string, re *regexp.Regexp, example string) error {
	if !re.MatchString(strings.ReplaceAll(arn, "{account}", "123456789012")) {
		return errorf(key, "%q: want an ARN such as %s", arn, example)
	}
	return nil
}

var (
	region      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accessKeyID = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	externalID  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	roleARN     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	policyARN   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
)
