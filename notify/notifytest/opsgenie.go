package notifytest

import (
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// OpsgenieRequest is a request to Opsgenie's Alert API: to create an
// alert, or to close one.
type OpsgenieRequest struct {
	Action string // "create" or "close"
	Create OpsgenieAlert
	// Identifier and IdentifierType name the alert closed.
	Identifier, IdentifierType string
	Close                      OpsgenieClose
}

// OpsgenieAlert is the body of a request to create an alert.
type OpsgenieAlert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias"`
	Description string            `json:"description"`
	Responders  []map[string]any  `json:"responders"`
	VisibleTo   []map[string]any  `json:"visibleTo"`
	Actions     []string          `json:"actions"`
	Tags        []string          `json:"tags"`
	Details     map[string]string `json:"details"`
	Entity      string            `json:"entity"`
	Source      string            `json:"source"`
	Priority    string            `json:"priority"`
	User        string            `json:"user"`
	Note        string            `json:"note"`
}

// OpsgenieClose is the body of a request to close an alert.
type OpsgenieClose struct {
	User   string `json:"user"`
	Source string `json:"source"`
	Note   string `json:"note"`
}

// Limits of the Alert API, in characters.
const (
	OpsgenieMessageMax     = 130
	OpsgenieAliasMax       = 512
	OpsgenieDescriptionMax = 15000
	OpsgenieTagsMax        = 20
	OpsgenieTagMax         = 50
	OpsgenieDetailsMax     = 8000
	OpsgenieEntityMax      = 512
	OpsgenieSourceMax      = 100
	OpsgenieUserMax        = 100
	OpsgenieNoteMax        = 25000
)

// NewOpsgenie starts the Alert API v2 for an integration whose key is
// apiKey: POST /v2/alerts and POST /v2/alerts/{id}/close. It answers
// 202, 401 to another key, and 422 to a request it cannot process.
func NewOpsgenie(t testing.TB, apiKey string, opts ...Option) *Server[OpsgenieRequest] {
	t.Helper()
	ok := Reply{Status: http.StatusAccepted, Body: `{"result":"Request will be processed","took":0.01,"requestId":"00000000-0000-0000-0000-000000000000"}`}
	return newServer(t, "/", ok, func(r *http.Request, body []byte) ([]OpsgenieRequest, *Reply) {
		return opsgenie(apiKey, r, body)
	}, opts)
}

func ogError(status int, msg string) *Reply {
	return jsonReply(status, map[string]any{"message": msg, "took": 0.0, "requestId": "00000000-0000-0000-0000-000000000000"})
}

func opsgenie(key string, r *http.Request, body []byte) ([]OpsgenieRequest, *Reply) {
	if r.Header.Get("Authorization") != "GenieKey "+key {
		return nil, ogError(http.StatusUnauthorized, "Could not authenticate")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, ogError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	path := r.URL.Path
	if path == "/v2/alerts" {
		var a OpsgenieAlert
		if err := strict(body, &a); err != nil {
			return nil, ogError(http.StatusBadRequest, "Could not parse the request body: "+err.Error())
		}
		if msg := ogCheck(a); msg != "" {
			return nil, ogError(http.StatusUnprocessableEntity, "Request body is not processable. "+msg)
		}
		return []OpsgenieRequest{{Action: "create", Create: a}}, nil
	}
	id, ok := strings.CutPrefix(path, "/v2/alerts/")
	if id, ok = strings.CutSuffix(id, "/close"); !ok || id == "" || strings.Contains(id, "/") {
		return nil, ogError(http.StatusNotFound, "No such endpoint")
	}
	typ := r.URL.Query().Get("identifierType")
	if typ == "" {
		typ = "id"
	}
	if !slices.Contains([]string{"id", "alias", "tiny"}, typ) {
		return nil, ogError(http.StatusUnprocessableEntity, "identifierType is invalid")
	}
	var c OpsgenieClose
	if len(body) > 0 {
		if err := strict(body, &c); err != nil {
			return nil, ogError(http.StatusBadRequest, "Could not parse the request body: "+err.Error())
		}
	}
	if too(c.User, OpsgenieUserMax) || too(c.Source, OpsgenieSourceMax) || too(c.Note, OpsgenieNoteMax) {
		return nil, ogError(http.StatusUnprocessableEntity, "A field is too long")
	}
	return []OpsgenieRequest{{Action: "close", Identifier: id, IdentifierType: typ, Close: c}}, nil
}

func too(s string, max int) bool { return utf8.RuneCountInString(s) > max }

func ogCheck(a OpsgenieAlert) string {
	switch {
	case strings.TrimSpace(a.Message) == "":
		return "Message can not be empty."
	case too(a.Message, OpsgenieMessageMax):
		return fmt.Sprintf("Message is longer than %d characters.", OpsgenieMessageMax)
	case too(a.Alias, OpsgenieAliasMax), too(a.Description, OpsgenieDescriptionMax), too(a.Entity, OpsgenieEntityMax),
		too(a.Source, OpsgenieSourceMax), too(a.User, OpsgenieUserMax), too(a.Note, OpsgenieNoteMax):
		return "A field is too long."
	case len(a.Tags) > OpsgenieTagsMax:
		return "Too many tags."
	case a.Priority != "" && !slices.Contains([]string{"P1", "P2", "P3", "P4", "P5"}, a.Priority):
		return "Priority should be one of P1, P2, P3, P4, P5."
	}
	for _, t := range a.Tags {
		if too(t, OpsgenieTagMax) {
			return "A tag is too long."
		}
	}
	n := 0
	for k, v := range a.Details {
		n += utf8.RuneCountInString(k) + utf8.RuneCountInString(v)
	}
	if n > OpsgenieDetailsMax {
		return "Details are too long."
	}
	return ""
}
