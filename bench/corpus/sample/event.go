package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"
)

// event is one record of the story.
type event struct {
	at        string // time of day, "15:04:05"
	by        actor
	source    string // eventSource without ".amazonaws.com"
	name      string
	req, resp string // requestParameters and responseElements; empty for null
	extra     string // additionalEventData
	res       string // resources
	host      string // TLS host header, if not the service's regional endpoint
	errCode   string
	errMsg    string
	readOnly  bool
	signin    bool // an AwsConsoleSignIn
}

// actor is who makes calls, and from where.
type actor struct {
	identity string // userIdentity JSON
	ip       string
	agent    string
	console  bool // calls come from a console session
}

// record is the JSON of a CloudTrail record, members in the order AWS
// writes them.
type record struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        json.RawMessage `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID,omitempty"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           json.RawMessage `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          tlsDetails      `json:"tlsDetails"`
	FromConsole         string          `json:"sessionCredentialFromConsole,omitempty"`
}

type tlsDetails struct {
	TLSVersion string `json:"tlsVersion"`
	Cipher     string `json:"cipherSuite"`
	Host       string `json:"clientProvidedHostHeader"`
}

// versions are the eventVersions of the services the story calls.
var versions = map[string]string{
	"ec2": "1.09", "s3": "1.09", "cloudtrail": "1.09", "secretsmanager": "1.09",
}

// rng makes the story's IDs. Each build starts it anew, so that builds are
// alike.
var rng *rand.Rand

func resetRNG() { rng = rand.New(rand.NewPCG(20261120, 999988887777)) }

// record renders the event. In resp, "$REQUEST_ID" stands for the requestID.
func (e event) record() []byte {
	at, err := time.Parse(time.DateTime, day.Format(time.DateOnly)+" "+e.at)
	if err != nil {
		panic(err)
	}
	r := record{
		EventVersion: cmp.Or(versions[e.source], "1.08"), UserIdentity: raw(e.by.identity),
		EventTime: at.Format(time.RFC3339), EventSource: e.source + ".amazonaws.com",
		EventName: e.name, AWSRegion: home, SourceIPAddress: e.by.ip, UserAgent: e.by.agent,
		ErrorCode: e.errCode, ErrorMessage: e.errMsg, RequestParameters: raw(e.req),
		AdditionalEventData: raw(e.extra), EventID: uuid(), ReadOnly: e.readOnly, Resources: raw(e.res),
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: mainAccount, EventCategory: "Management",
		TLSDetails: tlsDetails{"TLSv1.3", "TLS_AES_128_GCM_SHA256", cmp.Or(e.host, e.source+"."+home+".amazonaws.com")},
	}
	switch {
	case e.signin:
		r.EventType = "AwsConsoleSignIn"
	case e.source == "s3":
		r.RequestID = chars(upperAlnum, 16)
	default:
		r.RequestID = uuid()
	}
	r.ResponseElements = raw(strings.ReplaceAll(e.resp, "$REQUEST_ID", r.RequestID))
	if e.by.console && !e.signin {
		r.FromConsole = "true"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// raw returns s as JSON, null if empty.
func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

const (
	hexDigits  = "0123456789abcdef"
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	base32     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// chars returns n random characters of alphabet.
func chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// uuid returns a random version 4 UUID.
func uuid() string {
	s := []byte(chars(hexDigits, 32))
	s[12], s[16] = '4', "89ab"[rng.IntN(4)]
	return string(s[:8]) + "-" + string(s[8:12]) + "-" + string(s[12:16]) + "-" + string(s[16:20]) + "-" + string(s[20:])
}
