package notifytest

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/notify"
)

// signWindow is how far from now a robot's signed timestamp may be.
const signWindow = time.Hour

// DingTalkMessage is a message to a DingTalk group robot.
type DingTalkMessage struct {
	Msgtype  string            `json:"msgtype"`
	Text     *DingTalkText     `json:"text"`
	Markdown *DingTalkMarkdown `json:"markdown"`
	At       json.RawMessage   `json:"at"`
	// Timestamp and Sign are the query's, when the robot signs.
	Timestamp, Sign string `json:"-"`
}

// DingTalkText is the content of a text message.
type DingTalkText struct {
	Content string `json:"content"`
}

// DingTalkMarkdown is the content of a markdown message.
type DingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// DingTalkMax bounds a robot's message, in bytes.
const DingTalkMax = 20000

// NewDingTalk starts a DingTalk robot whose access token is token and,
// when secret is not empty, which requires requests signed with it
// ("加签"). It answers 200 and a JSON errcode, 0 when it accepts, as
// DingTalk does.
func NewDingTalk(t testing.TB, token, secret string, opts ...Option) *Server[DingTalkMessage] {
	t.Helper()
	return newServer(t, "/robot/send?access_token="+token, Reply{Status: 200, Body: `{"errcode":0,"errmsg":"ok"}`},
		func(r *http.Request, body []byte) ([]DingTalkMessage, *Reply) {
			return dingtalk(token, secret, r, body)
		}, opts)
}

func errcode(code int, msg string) *Reply {
	return jsonReply(http.StatusOK, map[string]any{"errcode": code, "errmsg": msg})
}

func dingtalk(token, secret string, r *http.Request, body []byte) ([]DingTalkMessage, *Reply) {
	q := r.URL.Query()
	if r.URL.Path != "/robot/send" || q.Get("access_token") != token {
		return nil, errcode(300001, "token is not exist")
	}
	m := DingTalkMessage{Timestamp: q.Get("timestamp"), Sign: q.Get("sign")}
	if secret != "" {
		ms, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if err != nil || time.Since(time.UnixMilli(ms)).Abs() > signWindow {
			return nil, errcode(310000, "invalid timestamp")
		}
		if m.Sign != notify.DingtalkSign(secret, m.Timestamp) {
			return nil, errcode(310000, "sign not match")
		}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, errcode(43004, "invalid Content-Type")
	}
	if len(body) > DingTalkMax {
		return nil, errcode(460101, "message too long, exceed 20000 bytes")
	}
	if err := strict(body, &m); err != nil {
		return nil, errcode(40035, "invalid parameter: "+err.Error())
	}
	switch {
	case m.Msgtype == "markdown" && (m.Markdown == nil || strings.TrimSpace(m.Markdown.Title) == "" || strings.TrimSpace(m.Markdown.Text) == ""):
		return nil, errcode(40035, "missing parameter markdown")
	case m.Msgtype == "text" && (m.Text == nil || strings.TrimSpace(m.Text.Content) == ""):
		return nil, errcode(40035, "missing parameter text")
	case m.Msgtype != "markdown" && m.Msgtype != "text":
		return nil, errcode(40035, "invalid msgtype")
	}
	return []DingTalkMessage{m}, nil
}

// WeComMessage is a message to a WeCom group robot.
type WeComMessage struct {
	Msgtype  string        `json:"msgtype"`
	Text     *WeComContent `json:"text"`
	Markdown *WeComContent `json:"markdown"`
}

// WeComContent is the content of a text or markdown message.
type WeComContent struct {
	Content             string   `json:"content"`
	MentionedList       []string `json:"mentioned_list,omitempty"`
	MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
}

// Limits of a WeCom robot's messages, in bytes.
const (
	WeComMarkdownMax = 4096
	WeComTextMax     = 2048
)

// NewWeCom starts a WeCom group robot whose key is key. It answers 200
// and a JSON errcode, 0 when it accepts, as WeCom does.
func NewWeCom(t testing.TB, key string, opts ...Option) *Server[WeComMessage] {
	t.Helper()
	return newServer(t, "/cgi-bin/webhook/send?key="+key, Reply{Status: 200, Body: `{"errcode":0,"errmsg":"ok"}`},
		func(r *http.Request, body []byte) ([]WeComMessage, *Reply) { return wecom(key, r, body) }, opts)
}

func wecom(key string, r *http.Request, body []byte) ([]WeComMessage, *Reply) {
	if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != key {
		return nil, errcode(93000, "invalid webhook url")
	}
	var m WeComMessage
	if err := strict(body, &m); err != nil {
		return nil, errcode(40016, "invalid json: "+err.Error())
	}
	c, max := m.Markdown, WeComMarkdownMax
	switch m.Msgtype {
	case "markdown":
	case "text":
		c, max = m.Text, WeComTextMax
	default:
		return nil, errcode(40008, "invalid message type")
	}
	switch {
	case c == nil || strings.TrimSpace(c.Content) == "":
		return nil, errcode(44004, "empty content")
	case len(c.Content) > max:
		return nil, errcode(40058, m.Msgtype+".content exceed max length "+strconv.Itoa(max))
	}
	return []WeComMessage{m}, nil
}

// FeishuMessage is a message to a Feishu custom bot.
type FeishuMessage struct {
	Timestamp string          `json:"timestamp"`
	Sign      string          `json:"sign"`
	MsgType   string          `json:"msg_type"`
	Content   json.RawMessage `json:"content"`
	Card      *FeishuCard     `json:"card"`
}

// FeishuCard is an interactive card, with the parts the stand-in reads.
type FeishuCard struct {
	Config *json.RawMessage `json:"config,omitempty"`
	Header *struct {
		Title    FeishuText `json:"title"`
		Template string     `json:"template"`
	} `json:"header"`
	Elements []FeishuText `json:"elements"`
}

// FeishuText is a text of a card: a plain_text title, or a markdown
// element.
type FeishuText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

// FeishuMax bounds the body of a request to a bot, in bytes.
const FeishuMax = 20 << 10

// NewFeishu starts a Feishu custom bot which, when secret is not empty,
// requires requests signed with it. Feishu answers 200 even when it
// refuses, with a code that is not 0, and so does the stand-in.
func NewFeishu(t testing.TB, secret string, opts ...Option) *Server[FeishuMessage] {
	t.Helper()
	const token = "00000000-0000-0000-0000-000000000000"
	return newServer(t, "/open-apis/bot/v2/hook/"+token, Reply{Status: 200, Body: `{"code":0,"data":{},"msg":"success"}`},
		func(r *http.Request, body []byte) ([]FeishuMessage, *Reply) { return feishu(token, secret, r, body) }, opts)
}

func code(c int, msg string) *Reply {
	return jsonReply(http.StatusOK, map[string]any{"code": c, "data": map[string]any{}, "msg": msg})
}

func feishu(token, secret string, r *http.Request, body []byte) ([]FeishuMessage, *Reply) {
	if r.URL.Path != "/open-apis/bot/v2/hook/"+token {
		return nil, code(19001, "param invalid: incoming webhook access token invalid")
	}
	if len(body) > FeishuMax {
		return nil, code(9499, "request body too large")
	}
	var m FeishuMessage
	if err := strict(body, &m); err != nil {
		return nil, code(9499, "Bad Request: "+err.Error())
	}
	if secret != "" {
		s, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if err != nil || time.Since(time.Unix(s, 0)).Abs() > signWindow || m.Sign != notify.FeishuSign(secret, m.Timestamp) {
			return nil, code(19021, "sign match fail or timestamp is not within one hour from current time")
		}
	}
	switch m.MsgType {
	case "interactive":
		if m.Card == nil || len(m.Card.Elements) == 0 {
			return nil, code(11246, "card is empty")
		}
	case "text", "post", "image", "share_chat":
		if len(m.Content) == 0 {
			return nil, code(9499, "content is empty")
		}
	default:
		return nil, code(19002, "params error, msg_type need")
	}
	return []FeishuMessage{m}, nil
}
