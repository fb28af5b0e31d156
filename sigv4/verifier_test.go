package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const iamBody = "Action=UpdateAccessKey&AccessKeyId=AKIAEXAMPLENEWKEY001&Status=Inactive&Version=2010-05-08"

var iamRequest = request{"POST", "https://iam.amazonaws.com/",
	http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, iamBody}

func TestVerifierService(t *testing.T) {
	iam := Verifier{Service: "iam", Secret: secrets}
	r := sign(t, iamRequest, creds, "iam", "us-east-1", "", signedAt)
	id, err := iam.Verify(r, readBody(t, r), signedAt)
	if want := (Identity{AccessKeyID: keyID, Region: "us-east-1"}); err != nil || id != want {
		t.Fatalf("Verify = %+v, %v; want %+v", id, err, want)
	}

	r = sign(t, iamRequest, creds, "events", "us-east-1", "", signedAt)
	_, err = iam.Verify(r, readBody(t, r), signedAt)
	if !errors.Is(err, ErrService) {
		t.Fatalf("signed for events, Verify = %v; want %v", err, ErrService)
	}
	if want := `sigv4: the credential scope is not for the service "iam", got "events"`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	r = sign(t, iamRequest, creds, "iam", "us-east-1", "", signedAt)
	if _, err := Verify(r, readBody(t, r), secrets, signedAt); !errors.Is(err, ErrService) {
		t.Errorf("signed for iam, the events Verify = %v; want %v", err, ErrService)
	}
}

func TestVerifierSessions(t *testing.T) {
	session := creds
	session.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN"
	tests := []struct {
		name     string
		sessions bool
		// edit changes the signed request.
		edit      func(r *http.Request)
		wantToken string
		wantErr   error
	}{
		{"taken", true, nil, session.SessionToken, nil},
		{"not taken", false, nil, "", ErrSessionToken},
		{"token changed", true, func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "other") }, "", ErrSignature},
		{"token twice", true, func(r *http.Request) { r.Header.Add("X-Amz-Security-Token", "other") }, "", ErrTokenNotSigned},
		{"token not signed", true, func(r *http.Request) {
			auth := r.Header.Get("Authorization")
			if !strings.Contains(auth, ";x-amz-security-token") {
				t.Fatalf("the token is not signed in %q", auth)
			}
			r.Header.Set("Authorization", strings.Replace(auth, ";x-amz-security-token", "", 1))
		}, "", ErrTokenNotSigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sign(t, iamRequest, session, "iam", "us-east-1", "", signedAt)
			if tt.edit != nil {
				tt.edit(r)
			}
			v := Verifier{Service: "iam", Secret: secrets, Sessions: tt.sessions}
			id, err := v.Verify(r, readBody(t, r), signedAt)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify = %+v, %v; want %v", id, err, tt.wantErr)
			}
			if id.SessionToken != tt.wantToken {
				t.Errorf("SessionToken = %q, want %q", id.SessionToken, tt.wantToken)
			}
		})
	}
}

func TestVerifierSessionsAtTime(t *testing.T) {
	// A session request is still bound by the clock.
	session := creds
	session.SessionToken = "token"
	r := sign(t, iamRequest, session, "iam", "us-east-1", "", signedAt)
	v := Verifier{Service: "iam", Secret: secrets, Sessions: true}
	if _, err := v.Verify(r, readBody(t, r), signedAt.Add(16*time.Minute)); !errors.Is(err, ErrSkew) {
		t.Errorf("Verify 16 minutes later = %v, want %v", err, ErrSkew)
	}
}
