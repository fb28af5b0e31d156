// Package iamtest is an AWS IAM server for tests: it speaks the IAM Query
// API (UpdateAccessKey, AttachUserPolicy, AttachRolePolicy) and STS's
// AssumeRole as AWS documents them, verifies their Signature Version 4,
// keeps a small model of users, keys, roles and attached policies, and
// records every call it receives. Point an AWS SDK at its URL, for IAM and
// for STS, with its Credentials.
//
//	s := iamtest.New(t)
//	s.AddUser(iamtest.Account, "svc-backup", "AKIAEXAMPLENEWKEY001")
//	// ... the code under test deactivates the key ...
//	if got := s.KeyStatus(iamtest.Account, "AKIAEXAMPLENEWKEY001"); got != "Inactive" { ... }
package iamtest

import (
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The server's own credentials: an access key of the IAM user "vigil" in
// Account, which the server has from the start.
const (
	Account         = "111122223333"
	UserName        = "vigil"
	AccessKeyID     = "AKIAVIGILIAMTEST0001"
	SecretAccessKey = "iamtest/secret/access/key/not+a+real+one"
)

// DenyAll is the ARN of AWS's managed deny-all policy, which the server
// knows from the start.
const DenyAll = "arn:aws:iam::aws:policy/AWSDenyAll"

// Server is a running IAM and STS test server.
type Server struct {
	// URL is the base URL of the server, the endpoint of IAM and STS.
	URL string

	srv *httptest.Server

	mu       sync.Mutex
	accounts map[string]*account
	policies map[string]bool    // managed policies that can be attached
	sessions map[string]session // by access key id
	calls    []Call
	failures []failure
}

// Call is a call the server received.
type Call struct {
	// Action is the Query API action, such as "UpdateAccessKey".
	Action string
	// Params are the request's parameters but Action and Version.
	Params map[string]string
	// Caller is the ARN of the principal that signed the call; empty when
	// the signature was refused.
	Caller    string
	Time      time.Time
	RequestID string
	// Code is the error code answered, empty for a success.
	Code string
}

// Failure is an error the server can be made to answer.
type Failure struct {
	Status  int
	Code    string
	Message string
}

// Failures that an AWS SDK retries.
var (
	Throttling     = Failure{400, "Throttling", "Rate exceeded"}
	ServiceFailure = Failure{500, "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure."}
)

type failure struct {
	action string
	left   int // < 0: forever
	Failure
}

type account struct {
	users map[string]*user
	roles map[string]*role
}

type user struct {
	keys     map[string]string // status by access key id
	policies []string
}

type role struct{ policies []string }

// session is a set of temporary credentials AssumeRole issued.
type session struct {
	secret, token string
	account, role string
	arn           string
}

// New starts a server on a random port of the loopback interface; it is
// closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		accounts: map[string]*account{},
		policies: map[string]bool{DenyAll: true},
		sessions: map[string]session{},
	}
	s.AddUser(Account, UserName, AccessKeyID)
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Credentials returns the server's own credentials.
func (s *Server) Credentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "iamtest"}
}

// AddUser adds an IAM user to an account, with access keys that are
// Active. A user added again gets the keys added.
func (s *Server) AddUser(acct, name string, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(acct)
	u := a.users[name]
	if u == nil {
		u = &user{keys: map[string]string{}}
		a.users[name] = u
	}
	for _, k := range keys {
		u.keys[k] = "Active"
	}
}

// AddRole adds an IAM role to an account; the server's user may assume
// it.
func (s *Server) AddRole(acct, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(acct)
	if a.roles[name] == nil {
		a.roles[name] = &role{}
	}
}

// AddPolicy makes a managed policy known, so that it can be attached.
func (s *Server) AddPolicy(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.policies[arn] = true
}

// account returns the model of an account, made on first use.
func (s *Server) account(id string) *account {
	a := s.accounts[id]
	if a == nil {
		a = &account{users: map[string]*user{}, roles: map[string]*role{}}
		s.accounts[id] = a
	}
	return a
}

// KeyStatus returns the status of an access key in an account: "Active",
// "Inactive", or "" when there is no such key.
func (s *Server) KeyStatus(acct, keyID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.account(acct).users {
		if st, ok := u.keys[keyID]; ok {
			return st
		}
	}
	return ""
}

// UserPolicies returns the ARNs of the policies attached to a user.
func (s *Server) UserPolicies(acct, name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.account(acct).users[name]; u != nil {
		return slices.Clone(u.policies)
	}
	return nil
}

// RolePolicies returns the ARNs of the policies attached to a role.
func (s *Server) RolePolicies(acct, name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.account(acct).roles[name]; r != nil {
		return slices.Clone(r.policies)
	}
	return nil
}

// Fail makes the next n calls of action ("" for any) that are signed
// correctly answer f; n < 0 makes every one fail.
func (s *Server) Fail(action string, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{action, n, f})
}

// Calls returns the calls received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsOf returns the calls of one action received so far, in order.
func (s *Server) CallsOf(action string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

// failure returns the failure the next call of action must answer, if
// any, and counts it.
func (s *Server) failure(action string) (Failure, bool) {
	for i := range s.failures {
		f := &s.failures[i]
		if f.left != 0 && (f.action == "" || f.action == action) {
			if f.left > 0 {
				f.left--
			}
			return f.Failure, true
		}
	}
	return Failure{}, false
}
