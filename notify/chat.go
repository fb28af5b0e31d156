package notify

import (
	"fmt"
	"slices"
	"strings"

	"vigil/config"
	"vigil/notify/tmpl"
)

// chat is what the robots of DingTalk, WeCom and Feishu share: a webhook
// URL holding the robot's token, and a Markdown message under a title.
type chat struct {
	base
	c           *client
	url         string
	title, text *text
}

// chatTitleMax bounds titles, which the robots show on one line.
const chatTitleMax = 200

func newChat(b base, c *config.ChatConfig, o Options) (*chat, error) {
	b.resolved = c.Resolved()
	ch := &chat{base: b}
	var err error
	if ch.url, err = config.ReadSecret(c.URL, c.URLFile); err != nil {
		return nil, err
	}
	if ch.title, err = newText(&b, "title", c.Title, titleTmpl, tmpl.Markdown, chatTitleMax, inBytes); err != nil {
		return nil, err
	}
	if ch.text, err = newText(&b, "text", c.Text, markdownBody, tmpl.Markdown, 0, inBytes); err != nil {
		return nil, err
	}
	ch.c, err = newClient(c.HTTPConfig, o)
	return ch, err
}

// markdown returns the message: the title as a heading, then the text,
// in at most max bytes.
func (c *chat) markdown(n *Notification, title string, max int) string {
	head := "#### " + tmpl.Escape(tmpl.Markdown, title) + "\n\n"
	if len(head) >= max {
		return cut(head, max, inBytes)
	}
	return head + c.text.within(n, max-len(head))
}

// chatError is the error of a robot that answered code and msg: nil for
// 0, one worth retrying for the codes in retry (rate limits, a busy
// system), and a permanent one for the others (a bad token, signature
// or message).
func chatError(u string, code int, msg string, retry ...int) error {
	if code == 0 {
		return nil
	}
	err := fmt.Errorf("POST %s: error %d: %s", redact(u), code, excerpt([]byte(strings.TrimSpace(msg))))
	if slices.Contains(retry, code) {
		return err
	}
	return Permanent(err)
}
