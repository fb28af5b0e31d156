package iamtest

import (
	"crypto/rand"
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// The members of requests and the constraints IAM and STS document for
// them.
var (
	keyID       = member{"accessKeyId", regexp.MustCompile(`^\w+$`), 16, 128}
	userName    = member{"userName", regexp.MustCompile(`^[\w+=,.@-]+$`), 1, 128}
	roleName    = member{"roleName", regexp.MustCompile(`^[\w+=,.@-]+$`), 1, 64}
	policyARN   = member{"policyArn", nil, 20, 2048}
	roleARN     = member{"roleArn", nil, 20, 2048}
	sessionName = member{"roleSessionName", regexp.MustCompile(`^[\w+=,.@-]*$`), 2, 64}
)

// member is a parameter of a request.
type member struct {
	name     string
	pattern  *regexp.Regexp
	min, max int
}

// get returns the value of m in params, or the ValidationError AWS
// answers when it is missing or invalid. Query parameters are the member
// names with an upper-case initial.
func (m member) get(params map[string]string) (string, *apiError) {
	v, ok := params[string(m.name[0]-'a'+'A')+m.name[1:]]
	switch {
	case !ok:
		return "", validation("Value null at '%s' failed to satisfy constraint: Member must not be null", m.name)
	case len(v) < m.min || len(v) > m.max:
		return "", validation("Value '%s' at '%s' failed to satisfy constraint: Member must have length between %d and %d", v, m.name, m.min, m.max)
	case m.pattern != nil && !m.pattern.MatchString(v):
		return "", validation("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, m.name, m.pattern)
	}
	return v, nil
}

func validation(format string, args ...any) *apiError {
	return sender(http.StatusBadRequest, "ValidationError", "1 validation error detected: "+format, args...)
}

func noSuchEntity(format string, args ...any) *apiError {
	return sender(http.StatusNotFound, "NoSuchEntity", format, args...)
}

// updateAccessKey sets the status of a key of a user of the caller's
// account; without a user name, of the caller's own key.
func (s *Server) updateAccessKey(who caller, p map[string]string) *apiError {
	key, err := keyID.get(p)
	if err != nil {
		return err
	}
	status := p["Status"]
	if !slices.Contains([]string{"Active", "Inactive", "Expired"}, status) {
		return validation("Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]", status)
	}
	name := who.user
	if _, ok := p["UserName"]; ok {
		if name, err = userName.get(p); err != nil {
			return err
		}
	} else if name == "" {
		return validation("Must specify userName when calling with non-User credentials")
	}
	u := s.account(who.account).users[name]
	if u == nil {
		return noSuchEntity("The user with name %s cannot be found.", name)
	}
	if _, ok := u.keys[key]; !ok {
		return noSuchEntity("The Access Key with id %s cannot be found.", key)
	}
	u.keys[key] = status
	return nil
}

// attachUserPolicy attaches a known managed policy to a user of the
// caller's account; attaching it again changes nothing, as in IAM.
func (s *Server) attachUserPolicy(who caller, p map[string]string) *apiError {
	name, err := userName.get(p)
	if err != nil {
		return err
	}
	policy, err := s.policy(p)
	if err != nil {
		return err
	}
	u := s.account(who.account).users[name]
	if u == nil {
		return noSuchEntity("The user with name %s cannot be found.", name)
	}
	if !slices.Contains(u.policies, policy) {
		u.policies = append(u.policies, policy)
	}
	return nil
}

// attachRolePolicy attaches a known managed policy to a role of the
// caller's account.
func (s *Server) attachRolePolicy(who caller, p map[string]string) *apiError {
	name, err := roleName.get(p)
	if err != nil {
		return err
	}
	policy, err := s.policy(p)
	if err != nil {
		return err
	}
	r := s.account(who.account).roles[name]
	if r == nil {
		return noSuchEntity("The role with name %s cannot be found.", name)
	}
	if !slices.Contains(r.policies, policy) {
		r.policies = append(r.policies, policy)
	}
	return nil
}

var arnPattern = regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]+$`)

// policy returns the PolicyArn of a request, which must be a known
// managed policy.
func (s *Server) policy(p map[string]string) (string, *apiError) {
	arn, err := policyARN.get(p)
	switch {
	case err != nil:
		return "", err
	case !arnPattern.MatchString(arn):
		return "", sender(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", arn)
	case !s.policies[arn]:
		return "", noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	return arn, nil
}

var rolePattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$`)

// assumeRoleResult is the result of AssumeRole.
type assumeRoleResult struct {
	XMLName         xml.Name `xml:"AssumeRoleResult"`
	AssumedRoleUser struct {
		Arn           string
		AssumedRoleID string `xml:"AssumedRoleId"`
	}
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

// assumeRole issues temporary credentials of a role the server knows.
func (s *Server) assumeRole(who caller, p map[string]string) (any, *apiError) {
	arn, err := roleARN.get(p)
	if err != nil {
		return nil, err
	}
	sess, err := sessionName.get(p)
	if err != nil {
		return nil, err
	}
	m := rolePattern.FindStringSubmatch(arn)
	if m == nil || s.account(m[1]).roles[m[2]] == nil {
		return nil, sender(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", who.arn, arn)
	}
	var r assumeRoleResult
	r.AssumedRoleUser.Arn = "arn:aws:sts::" + m[1] + ":assumed-role/" + m[2] + "/" + sess
	r.AssumedRoleUser.AssumedRoleID = "AROA" + rand.Text()[:16] + ":" + sess
	c := &r.Credentials
	c.AccessKeyID = "ASIA" + rand.Text()[:16]
	c.SecretAccessKey = rand.Text() + rand.Text()
	c.SessionToken = rand.Text() + rand.Text() + rand.Text()
	c.Expiration = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	s.sessions[c.AccessKeyID] = session{secret: c.SecretAccessKey, token: c.SessionToken, account: m[1], role: m[2], arn: r.AssumedRoleUser.Arn}
	return r, nil
}

// callerIdentity is the result of GetCallerIdentity.
type callerIdentity struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}
