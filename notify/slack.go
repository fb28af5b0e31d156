package notify

import (
	"context"
	"fmt"
	"strings"

	"vigil/config"
	"vigil/notify/tmpl"
)

// Slack's limits on blocks: a header's text and a section's, in
// characters.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
)

type slack struct {
	base
	c           *client
	url         string
	cfg         *config.SlackConfig
	title, text *text
}

func newSlack(b base, c *config.SlackConfig, o Options) (*slack, error) {
	b.resolved = c.Resolved()
	s := &slack{base: b, cfg: c}
	var err error
	if s.url, err = config.ReadSecret(c.APIURL, c.APIURLFile); err != nil {
		return nil, err
	}
	if s.title, err = newText(&b, "title", c.Title, titleTmpl, tmpl.Slack, slackHeaderMax, inChars); err != nil {
		return nil, err
	}
	if s.text, err = newText(&b, "text", c.Text, slackBody, tmpl.Slack, slackSectionMax, inChars); err != nil {
		return nil, err
	}
	s.c, err = newClient(c.HTTPConfig, o)
	return s, err
}

// slackMessage is a message to an incoming webhook: text is what
// notifications show, blocks what the channel shows.
type slackMessage struct {
	Channel   string       `json:"channel,omitempty"`
	Username  string       `json:"username,omitempty"`
	IconEmoji string       `json:"icon_emoji,omitempty"`
	IconURL   string       `json:"icon_url,omitempty"`
	Text      string       `json:"text"`
	Blocks    []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type string     `json:"type"`
	Text *slackText `json:"text,omitempty"`
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

func (s *slack) Notify(ctx context.Context, n *Notification) error {
	if n = s.pick(n); n == nil {
		return nil
	}
	title := required(strings.ReplaceAll(s.title.render(n), "\n", " "))
	m := slackMessage{
		Channel: s.cfg.Channel, Username: s.cfg.Username, IconEmoji: s.cfg.IconEmoji, IconURL: s.cfg.IconURL,
		Text: tmpl.Escape(tmpl.Slack, title),
	}
	if title != "" {
		m.Blocks = append(m.Blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: title, Emoji: true}})
	}
	if body := strings.TrimSpace(s.text.render(n)); body != "" {
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: body}})
	}
	answer, err := s.c.postJSON(ctx, s.url, nil, m)
	if err != nil {
		return err
	}
	// An incoming webhook answers "ok"; its errors come with 4xx and 5xx.
	if a := strings.TrimSpace(string(answer)); a != "ok" {
		return fmt.Errorf("POST %s: answered %s, not ok", redact(s.url), excerpt(answer))
	}
	return nil
}
