package iamtest

import (
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"vigil/sigv4"
)

// api is one of the two Query APIs the server speaks.
type api struct {
	service, version, namespace string
}

var (
	iamAPI = api{"iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"}
	stsAPI = api{"sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"}
)

// maxBody bounds a request's body; IAM's requests are small.
const maxBody = 1 << 20

// apiError is an error answered in an ErrorResponse.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func sender(status int, code, format string, args ...any) *apiError {
	return &apiError{status, code, fmt.Sprintf(format, args...)}
}

// caller is who signed a call.
type caller struct {
	account string
	user    string // the IAM user of a long-term key; "" for a session
	arn     string
}

// ServeHTTP answers a Query API request and records it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := Call{Time: time.Now(), RequestID: requestID()}
	a := iamAPI
	result, err := s.handle(r, &c, &a)
	if err != nil {
		c.Code = err.code
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", c.RequestID)
	if err != nil {
		w.WriteHeader(err.status)
		writeXML(w, errorResponse(a, c.RequestID, err))
		return
	}
	writeXML(w, response{
		XMLName:  xml.Name{Local: c.Action + "Response"},
		Xmlns:    a.namespace,
		Result:   result,
		Metadata: metadata{c.RequestID},
	})
}

// handle authenticates a request and runs its action, filling in c and
// setting a to the API of the action.
func (s *Server) handle(r *http.Request, c *Call, a *api) (any, *apiError) {
	if r.Method != http.MethodPost {
		return nil, sender(http.StatusMethodNotAllowed, "InvalidAction", "the test server takes POST requests, not %s", r.Method)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, sender(http.StatusBadRequest, "MalformedQueryString", "reading the request: %v", err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, sender(http.StatusBadRequest, "MalformedQueryString", "%v", err)
	}
	c.Action = form.Get("Action")
	c.Params = map[string]string{}
	for k, vs := range form {
		if k != "Action" && k != "Version" {
			c.Params[k] = vs[0]
		}
	}
	if c.Action == "AssumeRole" || c.Action == "GetCallerIdentity" {
		*a = stsAPI
	}
	who, aerr := s.authenticate(r, body, *a)
	if aerr != nil {
		return nil, aerr
	}
	c.Caller = who.arn
	if v := form.Get("Version"); v != a.version {
		return nil, sender(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", c.Action, v)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.failure(c.Action); ok {
		return nil, &apiError{f.Status, f.Code, f.Message}
	}
	switch c.Action {
	case "UpdateAccessKey":
		return nil, s.updateAccessKey(who, c.Params)
	case "AttachUserPolicy":
		return nil, s.attachUserPolicy(who, c.Params)
	case "AttachRolePolicy":
		return nil, s.attachRolePolicy(who, c.Params)
	case "AssumeRole":
		return s.assumeRole(who, c.Params)
	case "GetCallerIdentity":
		return callerIdentity{Arn: who.arn, UserID: who.arn, Account: who.account}, nil
	}
	return nil, sender(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", c.Action, a.version)
}

// authenticate verifies the signature of a request to a, and returns who
// signed it.
func (s *Server) authenticate(r *http.Request, body []byte, a api) (caller, *apiError) {
	v := sigv4.Verifier{Service: a.service, Secret: s.secret, Sessions: true}
	id, err := v.Verify(r, body, time.Now())
	if err != nil {
		return caller{}, authError(err, a)
	}
	// IAM is global: its signatures are scoped to us-east-1.
	if a == iamAPI && id.Region != "us-east-1" {
		return caller{}, sender(http.StatusForbidden, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id.AccessKeyID == AccessKeyID && id.SessionToken == "" {
		return caller{Account, UserName, "arn:aws:iam::" + Account + ":user/" + UserName}, nil
	}
	if ss, ok := s.sessions[id.AccessKeyID]; ok && id.SessionToken == ss.token {
		return caller{account: ss.account, arn: ss.arn}, nil
	}
	return caller{}, sender(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

// secret returns the secret access key of the server's key or of a
// session.
func (s *Server) secret(id string) (string, bool) {
	if id == AccessKeyID {
		return SecretAccessKey, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[id]
	return ss.secret, ok
}

// authError is the error AWS answers for a signature that fails.
func authError(err error, a api) *apiError {
	const forbidden = http.StatusForbidden
	switch {
	case errors.Is(err, sigv4.ErrNoAuthorization):
		return sender(forbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case errors.Is(err, sigv4.ErrUnknownKey):
		return sender(forbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case errors.Is(err, sigv4.ErrService):
		return sender(forbidden, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'.", a.service)
	case errors.Is(err, sigv4.ErrSkew):
		return sender(forbidden, "SignatureDoesNotMatch", "Signature expired: %v", err)
	case errors.Is(err, sigv4.ErrSignature), errors.Is(err, sigv4.ErrPayloadHash):
		return sender(forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	return sender(http.StatusBadRequest, "IncompleteSignature", "%v", err)
}

// response is a successful answer.
type response struct {
	XMLName xml.Name
	Xmlns   string `xml:"xmlns,attr"`
	// Result is nil, or a struct whose XMLName is the action's result.
	Result   any
	Metadata metadata `xml:"ResponseMetadata"`
}

type metadata struct {
	RequestID string `xml:"RequestId"`
}

// errorBody is an ErrorResponse.
type errorBody struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Detail  struct {
		Type    string
		Code    string
		Message string
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

func errorResponse(a api, id string, err *apiError) errorBody {
	b := errorBody{Xmlns: a.namespace, RequestID: id}
	b.Detail.Type, b.Detail.Code, b.Detail.Message = "Sender", err.code, err.message
	if err.status >= 500 {
		b.Detail.Type = "Receiver"
	}
	return b
}

func writeXML(w io.Writer, v any) {
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(v)
}

// requestID returns a random request id, as AWS writes them.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
