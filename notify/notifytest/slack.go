package notifytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"testing"
	"unicode/utf8"
)

// SlackMessage is a message posted to a Slack incoming webhook.
type SlackMessage struct {
	Text        string            `json:"text"`
	Blocks      []SlackBlock      `json:"blocks"`
	Attachments []json.RawMessage `json:"attachments"`
	Channel     string            `json:"channel"`
	Username    string            `json:"username"`
	IconEmoji   string            `json:"icon_emoji"`
	IconURL     string            `json:"icon_url"`
	ThreadTS    string            `json:"thread_ts"`
	Mrkdwn      *bool             `json:"mrkdwn"`
	UnfurlLinks *bool             `json:"unfurl_links"`
	UnfurlMedia *bool             `json:"unfurl_media"`
	LinkNames   *bool             `json:"link_names"`
	Parse       string            `json:"parse"`
}

// SlackBlock is a block of Block Kit, with the fields the stand-in
// checks; Raw is all of it.
type SlackBlock struct {
	Type   string          `json:"type"`
	Text   *SlackText      `json:"text"`
	Fields []SlackText     `json:"fields"`
	Raw    json.RawMessage `json:"-"`
}

// SlackText is a text object of Block Kit.
type SlackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji"`
}

// UnmarshalJSON keeps the raw block as well as the fields.
func (b *SlackBlock) UnmarshalJSON(data []byte) error {
	type plain SlackBlock
	if err := json.Unmarshal(data, (*plain)(b)); err != nil {
		return err
	}
	b.Raw = bytes.Clone(data)
	return nil
}

// Limits of Slack's messages and blocks.
const (
	SlackTextMax    = 40000
	SlackBlocksMax  = 50
	SlackHeaderMax  = 150
	SlackSectionMax = 3000
)

var slackBlockTypes = map[string]bool{
	"section": true, "header": true, "divider": true, "context": true, "actions": true,
	"image": true, "rich_text": true, "file": true, "input": true, "video": true,
}

// NewSlack starts a Slack incoming webhook. It answers "ok", or 400 with
// Slack's error codes: invalid_payload, no_text, invalid_blocks.
func NewSlack(t testing.TB, opts ...Option) *Server[SlackMessage] {
	t.Helper()
	return newServer(t, "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
		Reply{Status: 200, Header: http.Header{"Content-Type": {"text/html"}}, Body: "ok"}, slack, opts)
}

func slackError(code string) *Reply {
	return &Reply{Status: http.StatusBadRequest, Header: http.Header{"Content-Type": {"text/html"}}, Body: code}
}

func slack(r *http.Request, body []byte) ([]SlackMessage, *Reply) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, slackError("invalid_payload")
	}
	var m SlackMessage
	if err := strict(body, &m); err != nil {
		return nil, slackError("invalid_payload")
	}
	if m.Text == "" && len(m.Blocks) == 0 && len(m.Attachments) == 0 {
		return nil, slackError("no_text")
	}
	if utf8.RuneCountInString(m.Text) > SlackTextMax {
		return nil, slackError("msg_too_long")
	}
	if err := slackBlocks(m.Blocks); err != nil {
		return nil, slackError("invalid_blocks")
	}
	return []SlackMessage{m}, nil
}

func slackBlocks(blocks []SlackBlock) error {
	if len(blocks) > SlackBlocksMax {
		return fmt.Errorf("%d blocks", len(blocks))
	}
	text := func(t *SlackText, types []string, max int) error {
		if t == nil || !slices.Contains(types, t.Type) {
			return fmt.Errorf("text object of type %v", t)
		}
		if n := utf8.RuneCountInString(t.Text); n < 1 || n > max {
			return fmt.Errorf("text of %d characters", n)
		}
		return nil
	}
	for _, b := range blocks {
		if !slackBlockTypes[b.Type] {
			return fmt.Errorf("block type %q", b.Type)
		}
		var err error
		switch b.Type {
		case "header":
			err = text(b.Text, []string{"plain_text"}, SlackHeaderMax)
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return fmt.Errorf("section without text or fields")
			}
			if b.Text != nil {
				err = text(b.Text, []string{"plain_text", "mrkdwn"}, SlackSectionMax)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// strict decodes one JSON value, refusing unknown fields (a field the
// service does not know is a mistake of vigil's) and trailing data.
func strict(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

func jsonReply(status int, v any) *Reply {
	b, _ := json.Marshal(v)
	return &Reply{Status: status, Body: string(b)}
}
