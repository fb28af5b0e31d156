package notifytest

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
)

// PagerDutyEvent is an event of PagerDuty's Events API v2.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload"`
	Client      string            `json:"client"`
	ClientURL   string            `json:"client_url"`
	Links       []PagerDutyLink   `json:"links"`
	Images      []json.RawMessage `json:"images"`
}

// PagerDutyPayload is the payload of a trigger event.
type PagerDutyPayload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Severity      string          `json:"severity"`
	Timestamp     string          `json:"timestamp"`
	Component     string          `json:"component"`
	Group         string          `json:"group"`
	Class         string          `json:"class"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// PagerDutyLink is a link of an event.
type PagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// Limits of the Events API v2.
const (
	PagerDutySummaryMax  = 1024
	PagerDutyDedupKeyMax = 255
	PagerDutyEventMax    = 512 << 10
)

// NewPagerDuty starts the Events API v2 of a service whose integration
// key is routingKey. It answers 202, or 400 with PagerDuty's "invalid
// event" and the errors.
func NewPagerDuty(t testing.TB, routingKey string, opts ...Option) *Server[PagerDutyEvent] {
	t.Helper()
	ok := Reply{Status: http.StatusAccepted, Body: `{"status":"success","message":"Event processed"}`}
	return newServer(t, "/v2/enqueue", ok, func(r *http.Request, body []byte) ([]PagerDutyEvent, *Reply) {
		return pagerduty(routingKey, r, body)
	}, opts)
}

func pagerduty(key string, r *http.Request, body []byte) ([]PagerDutyEvent, *Reply) {
	invalid := func(errs ...string) *Reply {
		return jsonReply(http.StatusBadRequest, map[string]any{"status": "invalid event", "message": "Event object is invalid", "errors": errs})
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, invalid("Content-Type must be application/json")
	}
	if len(body) > PagerDutyEventMax {
		return nil, invalid("Event exceeds 512 KB")
	}
	var e PagerDutyEvent
	if err := strict(body, &e); err != nil {
		return nil, invalid(err.Error())
	}
	if e.RoutingKey != key {
		return nil, invalid("Invalid routing key")
	}
	if len(e.DedupKey) > PagerDutyDedupKeyMax {
		return nil, invalid("'dedup_key' is too long")
	}
	switch e.EventAction {
	case "trigger":
		if p := e.Payload; p == nil {
			return nil, invalid("'payload' is missing")
		} else if err := pdPayload(p); err != "" {
			return nil, invalid(err)
		}
	case "acknowledge", "resolve":
		if e.DedupKey == "" {
			return nil, invalid("'dedup_key' is missing")
		}
	default:
		return nil, invalid("'event_action' is invalid")
	}
	return []PagerDutyEvent{e}, nil
}

func pdPayload(p *PagerDutyPayload) string {
	switch n := utf8.RuneCountInString(p.Summary); {
	case n == 0:
		return "'payload.summary' is missing"
	case n > PagerDutySummaryMax:
		return "'payload.summary' is too long"
	case p.Source == "":
		return "'payload.source' is missing"
	case !slices.Contains([]string{"critical", "error", "warning", "info"}, p.Severity):
		return "'payload.severity' is invalid"
	}
	if p.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
			return "'payload.timestamp' is invalid"
		}
	}
	return ""
}
