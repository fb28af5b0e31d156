package notify

import (
	"cmp"
	"context"
	"time"

	"vigil/config"
	"vigil/notify/tmpl"
)

// Limits of PagerDuty's Events API v2: the summary in characters, the
// event in bytes.
const (
	pdSummaryMax = 1024
	pdEventMax   = 512 << 10
	pdLinksMax   = 10
)

// pdSeverity maps vigil's severities, by level, to PagerDuty's.
var pdSeverity = [...]string{"info", "info", "warning", "error", "critical"}

type pagerduty struct {
	base
	c       *client
	key     string
	cfg     *config.PagerdutyConfig
	summary *text
}

func newPagerduty(b base, c *config.PagerdutyConfig, o Options) (*pagerduty, error) {
	b.resolved = c.Resolved()
	p := &pagerduty{base: b, cfg: c}
	var err error
	if p.key, err = config.ReadSecret(c.RoutingKey, c.RoutingKeyFile); err != nil {
		return nil, err
	}
	if p.summary, err = newText(&b, "description", c.Description, titleTmpl, tmpl.Plain, pdSummaryMax, inChars); err != nil {
		return nil, err
	}
	p.c, err = newClient(c.HTTPConfig, o)
	return p, err
}

// pdEvent is an event of the Events API v2.
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload,omitempty"`
	Client      string     `json:"client,omitempty"`
	ClientURL   string     `json:"client_url,omitempty"`
	Links       []pdLink   `json:"links,omitempty"`
}

type pdPayload struct {
	Summary       string    `json:"summary"`
	Source        string    `json:"source"`
	Severity      string    `json:"severity"`
	Timestamp     string    `json:"timestamp,omitempty"`
	Component     string    `json:"component,omitempty"`
	Group         string    `json:"group,omitempty"`
	Class         string    `json:"class,omitempty"`
	CustomDetails pdDetails `json:"custom_details"`
}

type pdDetails struct {
	Firing   int     `json:"firing"`
	Resolved int     `json:"resolved"`
	Alerts   []Alert `json:"alerts"`
	Omitted  int     `json:"omitted,omitempty"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

func (p *pagerduty) Notify(ctx context.Context, n *Notification) error {
	if n = p.pick(n); n == nil {
		return nil
	}
	// The group's incident: one per group, resolved with it.
	e := pdEvent{RoutingKey: p.key, EventAction: "trigger", DedupKey: hash(n.GroupKey)}
	if n.Status == "resolved" {
		e.EventAction = "resolve"
		_, err := p.c.postJSON(ctx, p.url(), nil, e)
		return err
	}
	e.Client = cmp.Or(p.cfg.Client, "vigil")
	e.ClientURL = cmp.Or(p.cfg.ClientURL, n.ExternalURL)
	for _, a := range n.Alerts {
		if a.URL != "" && len(e.Links) < pdLinksMax {
			e.Links = append(e.Links, pdLink{Href: a.URL, Text: cut(a.Rule.Title+" ("+a.ID+")", 256, inChars)})
		}
	}
	e.Payload = &pdPayload{
		Summary:   required(p.summary.render(n)),
		Source:    cmp.Or(p.cfg.Source, e.Client),
		Severity:  cmp.Or(p.cfg.Severity, pdSeverity[level(n.Severity())]),
		Timestamp: started(n).Format(time.RFC3339),
		Component: p.cfg.Component, Group: p.cfg.Group, Class: p.cfg.Class,
		CustomDetails: pdDetails{Firing: len(n.Firing()), Resolved: len(n.Resolved()), Alerts: n.Alerts},
	}
	body, err := fit(pdEventMax, func(max int) ([]byte, error) {
		d := &e.Payload.CustomDetails
		d.Alerts = n.Alerts[:min(len(n.Alerts), max*len(n.Alerts)/pdEventMax)]
		d.Omitted = len(n.Alerts) - len(d.Alerts)
		return marshal(e)
	})
	if err != nil {
		return Permanent(err)
	}
	_, err = p.c.post(ctx, p.url(), nil, body)
	return err
}

func (p *pagerduty) url() string { return cmp.Or(p.cfg.URL, config.DefaultPagerdutyURL) }

// started returns when the first alert of n started, or when n was made.
func started(n *Notification) time.Time {
	t := n.Created
	for _, a := range n.Alerts {
		if !a.StartsAt.IsZero() && (t.IsZero() || a.StartsAt.Before(t)) {
			t = a.StartsAt
		}
	}
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC()
}
