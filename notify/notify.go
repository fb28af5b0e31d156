// Package notify sends notifications of alerts to receivers: webhooks,
// chat, paging, mail, syslog, files and NATS. Each kind of receiver is an
// Integration built from its configuration; what decides when and to
// whom a notification goes (routing, grouping, silences, retries) is the
// respond package's.
package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Notification is one message to one integration: a group of alerts, as
// Alertmanager groups them. It is stored before it is sent, so that a
// restart resumes its delivery, and holds no secret.
type Notification struct {
	// ID identifies the delivery; integrations that take an idempotency
	// key send it, so that a retry is not shown twice.
	ID string `json:"id"`
	// Receiver is the name of the receiver; GroupKey identifies the
	// group of alerts (its route and group labels).
	Receiver string `json:"receiver"`
	GroupKey string `json:"group_key"`
	// Status is "firing" when at least one alert fires, else "resolved".
	Status      string            `json:"status"`
	GroupLabels map[string]string `json:"group_labels"`
	// CommonLabels are the labels every alert of the group has.
	CommonLabels map[string]string `json:"common_labels"`
	Alerts       []Alert           `json:"alerts"`
	// ExternalURL is the console's address; empty when not configured.
	ExternalURL string    `json:"external_url"`
	Created     time.Time `json:"created"`
}

// Alert is an alert as notifications show it.
type Alert struct {
	ID string `json:"id"`
	// Status is "firing" (the alert is open or acknowledged) or
	// "resolved" (resolved or a false positive).
	Status string `json:"status"`
	// Labels are what routes, silences and inhibition rules match:
	// alertname, rule, severity, scenario, tags, account, region, source.
	Labels   map[string]string   `json:"labels"`
	Rule     Rule                `json:"rule"`
	Dedup    map[string]*string  `json:"dedup"`
	Entities map[string][]string `json:"entities"`
	Count    int                 `json:"count"`
	// FirstSeen and LastSeen are the times of its first and last events;
	// StartsAt is when the alert was created, EndsAt when it was closed.
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	StartsAt  time.Time  `json:"starts_at"`
	EndsAt    *time.Time `json:"ends_at,omitempty"`
	// URL is the alert's page in the console; empty without ExternalURL.
	URL string `json:"url"`
}

// Rule is what a notification says of the rule of an alert.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Scenario    string   `json:"scenario,omitempty"`
	Tags        []string `json:"tags"`
	Description string   `json:"description,omitempty"`
}

// Integration is one way of sending notifications: one entry of a
// receiver's slack_configs, webhook_configs, ...
type Integration interface {
	// Notify sends n. An error wrapped with Permanent cannot be helped
	// by retrying (the receiver refused the request as malformed or
	// unauthorized); other errors are retried.
	Notify(ctx context.Context, n *Notification) error
	// SendResolved reports whether the integration is told when alerts
	// are resolved.
	SendResolved() bool
	// String names the integration: its kind and index, "slack[0]".
	String() string
}

// permanent marks an error that retrying cannot help.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as an error that retrying cannot help.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// RetryAfterError is a refusal that says when to try again: an answer
// 429 or 503 with a Retry-After header.
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns how long the service that refused a notification
// asked to wait before it is sent again, if it said.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// Severities are vigil's severities, from the least to the most severe.
var Severities = []string{"info", "low", "medium", "high", "critical"}

// level returns the rank of a severity in Severities; medium for one
// it does not know, so that a misspelt severity is neither lost nor
// paged as critical.
func level(severity string) int {
	if i := slices.Index(Severities, severity); i >= 0 {
		return i
	}
	return 2
}

// Firing returns the alerts that fire.
func (n *Notification) Firing() []Alert { return n.filter("firing") }

// Resolved returns the alerts that are resolved.
func (n *Notification) Resolved() []Alert { return n.filter("resolved") }

// For returns the notification an integration is sent: without its
// resolved alerts when the integration is not told of them (send_resolved
// false), or nil when that leaves nothing to send.
func (n *Notification) For(sendResolved bool) *Notification {
	if len(n.Alerts) == 0 {
		return nil
	}
	if sendResolved {
		return n
	}
	firing := n.Firing()
	if len(firing) == 0 {
		return nil
	}
	if len(firing) == len(n.Alerts) {
		return n
	}
	m := *n
	m.Alerts, m.Status = firing, "firing"
	return &m
}

func (n *Notification) filter(status string) []Alert {
	var out []Alert
	for _, a := range n.Alerts {
		if a.Status == status {
			out = append(out, a)
		}
	}
	return out
}

// Severity returns the highest severity of the firing alerts, or of all
// the alerts when none fires.
func (n *Notification) Severity() string {
	alerts := n.Firing()
	if len(alerts) == 0 {
		alerts = n.Alerts
	}
	best := -1
	for _, a := range alerts {
		best = max(best, level(a.Rule.Severity))
	}
	if best < 0 {
		return ""
	}
	return Severities[best]
}
