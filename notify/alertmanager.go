package notify

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"vigil/config"
	"vigil/notify/tmpl"
)

// AlertmanagerAlert is an alert of Alertmanager's API v2, as posted.
type AlertmanagerAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

type alertmanager struct {
	base
	c       *client
	url     string
	timeout time.Duration
}

func newAlertmanager(b base, c *config.AlertmanagerConfig, o Options) (*alertmanager, error) {
	b.resolved = c.Resolved()
	cl, err := newClient(c.HTTPConfig, o)
	return &alertmanager{base: b, c: cl, url: strings.TrimSuffix(c.URL, "/") + "/api/v2/alerts", timeout: c.Timeout()}, err
}

func (m *alertmanager) Notify(ctx context.Context, n *Notification) error {
	if n = m.pick(n); n == nil {
		return nil
	}
	now := time.Now().UTC()
	alerts := make([]AlertmanagerAlert, len(n.Alerts))
	for i := range n.Alerts {
		alerts[i] = m.alert(n, &n.Alerts[i], now)
	}
	_, err := m.c.postJSON(ctx, m.url, nil, alerts)
	return err
}

// alert converts an alert. Its id is a label, so that two alerts of a
// rule (with other dedup values) stay two in Alertmanager. A firing
// alert ends after the timeout unless sent again, as Prometheus's do.
func (m *alertmanager) alert(n *Notification, a *Alert, now time.Time) AlertmanagerAlert {
	out := AlertmanagerAlert{Labels: map[string]string{}, GeneratorURL: a.URL, StartsAt: a.StartsAt.UTC()}
	for k, v := range a.Labels {
		if v != "" {
			out.Labels[labelName(k)] = v
		}
	}
	if out.Labels["alertname"] == "" {
		out.Labels["alertname"] = a.Rule.ID
	}
	out.Labels["alert_id"] = a.ID
	if out.StartsAt.IsZero() {
		out.StartsAt = started(n)
	}
	out.EndsAt = now.Add(m.timeout)
	if a.Status == "resolved" {
		out.EndsAt = now
		if a.EndsAt != nil && !a.EndsAt.IsZero() {
			out.EndsAt = a.EndsAt.UTC()
		}
	}
	if out.EndsAt.Before(out.StartsAt) {
		out.EndsAt = out.StartsAt
	}
	out.Annotations = map[string]string{
		"summary":     summary(a),
		"description": a.Rule.Description,
		"url":         a.URL,
		"rule_id":     a.Rule.ID,
		"title":       a.Rule.Title,
		"count":       strconv.Itoa(a.Count),
	}
	if len(a.Dedup) > 0 {
		d, _ := json.Marshal(a.Dedup)
		out.Annotations["dedup"] = string(d)
	}
	for _, e := range tmpl.Entities(a.Entities) {
		out.Annotations["entity_"+labelName(e.Type)] = strings.Join(a.Entities[e.Type], ", ")
	}
	for k, v := range out.Annotations {
		if v == "" {
			delete(out.Annotations, k)
		}
	}
	return out
}

// labelName makes a label name Alertmanager takes in every validation
// mode: [a-zA-Z_][a-zA-Z0-9_]*.
func labelName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
