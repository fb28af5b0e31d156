// Package notify sends notifications of alerts to receivers: webhooks,
// chat, paging, mail, syslog, files and NATS. Each kind of receiver is an
// Integration built from its configuration; what decides when and to
// whom a notification goes (routing, grouping, silences, retries) is the
// respond package's.
package notify

import (
	"context"
	"errors"
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
