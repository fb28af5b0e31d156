package notify

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"vigil/config"
	"vigil/notify/tmpl"
)

// Limits of Opsgenie's Alert API, in characters.
const (
	ogMessageMax     = 130
	ogDescriptionMax = 15000
	ogDetailsMax     = 8000
)

// ogPriority maps vigil's severities, by level, to Opsgenie's priorities.
var ogPriority = [...]string{"P5", "P4", "P3", "P2", "P1"}

type opsgenie struct {
	base
	c                    *client
	key                  string
	cfg                  *config.OpsgenieConfig
	message, description *text
}

func newOpsgenie(b base, c *config.OpsgenieConfig, o Options) (*opsgenie, error) {
	b.resolved = c.Resolved()
	g := &opsgenie{base: b, cfg: c}
	var err error
	if g.key, err = config.ReadSecret(c.APIKey, c.APIKeyFile); err != nil {
		return nil, err
	}
	if g.message, err = newText(&b, "message", c.Message, titleTmpl, tmpl.Plain, ogMessageMax, inChars); err != nil {
		return nil, err
	}
	if g.description, err = newText(&b, "description", c.Description, plainBody, tmpl.Plain, ogDescriptionMax, inChars); err != nil {
		return nil, err
	}
	g.c, err = newClient(c.HTTPConfig, o)
	return g, err
}

// ogAlert is a request to create an alert.
type ogAlert struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias"`
	Description string            `json:"description,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
	Source      string            `json:"source,omitempty"`
	Priority    string            `json:"priority,omitempty"`
}

// ogClose is a request to close one.
type ogClose struct {
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

func (g *opsgenie) Notify(ctx context.Context, n *Notification) error {
	if n = g.pick(n); n == nil {
		return nil
	}
	h := http.Header{"Authorization": {"GenieKey " + g.key}}
	// The alias makes the group one Opsgenie alert: created again while
	// it fires (Opsgenie counts the repeats), closed when it resolves.
	alias := hash(n.GroupKey)
	source := cmp.Or(g.cfg.Source, "vigil")
	api := strings.TrimSuffix(cmp.Or(g.cfg.APIURL, config.DefaultOpsgenieURL), "/") + "/v2/alerts"
	if n.Status == "resolved" {
		u := api + "/" + url.PathEscape(alias) + "/close?identifierType=alias"
		_, err := g.c.postJSON(ctx, u, h, ogClose{Source: source, Note: "Resolved in vigil."})
		return err
	}
	a := ogAlert{
		Message:     required(g.message.render(n)),
		Alias:       alias,
		Description: g.description.render(n),
		Tags:        g.tags(n),
		Details:     ogDetails(n),
		Source:      source,
		Priority:    cmp.Or(g.cfg.Priority, ogPriority[level(n.Severity())]),
	}
	_, err := g.c.postJSON(ctx, api, h, a)
	return err
}

// tags returns the configured tags, or vigil's: the severity and the
// scenarios of the alerts.
func (g *opsgenie) tags(n *Notification) []string {
	if t := config.SplitTags(g.cfg.Tags); len(t) > 0 {
		return t
	}
	tags := []string{"vigil", n.Severity()}
	for _, a := range n.Alerts {
		if s := a.Rule.Scenario; s != "" && !slices.Contains(tags, s) {
			tags = append(tags, s)
		}
	}
	return tags
}

// ogDetails returns what Opsgenie shows as the alert's extra properties,
// within their limit.
func ogDetails(n *Notification) map[string]string {
	var ids, rules []string
	for _, a := range n.Alerts {
		ids = append(ids, a.ID)
		if !slices.Contains(rules, a.Rule.ID) {
			rules = append(rules, a.Rule.ID)
		}
	}
	d := map[string]string{
		"severity": n.Severity(),
		"firing":   strconv.Itoa(len(n.Firing())),
		"console":  n.ExternalURL,
		"rules":    strings.Join(rules, ", "),
	}
	if len(n.Alerts) > 0 {
		d["alert"] = n.Alerts[0].URL
	}
	used := 0
	for k, v := range d {
		used += size(k, inChars) + size(v, inChars)
	}
	d["alerts"] = cut(strings.Join(ids, ", "), ogDetailsMax-used-len("alerts"), inChars)
	return d
}
