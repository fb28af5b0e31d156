package notify

import (
	"context"

	"vigil/config"
)

// wecomMax bounds a WeCom robot's Markdown content, in bytes.
const wecomMax = 4096

// WeCom's codes worth a retry: system busy, and over the rate limit.
var wecomRetry = []int{-1, 45009}

type wecom struct{ *chat }

func newWecom(b base, c *config.WecomConfig, o Options) (*wecom, error) {
	ch, err := newChat(b, &c.ChatConfig, o)
	return &wecom{ch}, err
}

type wecomMessage struct {
	Msgtype  string        `json:"msgtype"`
	Markdown wecomMarkdown `json:"markdown"`
}

type wecomMarkdown struct {
	Content string `json:"content"`
}

func (w *wecom) Notify(ctx context.Context, n *Notification) error {
	if n = w.pick(n); n == nil {
		return nil
	}
	m := wecomMessage{"markdown", wecomMarkdown{w.markdown(n, required(w.title.render(n)), wecomMax)}}
	b, err := w.c.postJSON(ctx, w.url, nil, m)
	if err != nil {
		return err
	}
	var a struct {
		Code int    `json:"errcode"`
		Msg  string `json:"errmsg"`
	}
	if err := answer(w.url, b, &a); err != nil {
		return err
	}
	return chatError(w.url, a.Code, a.Msg, wecomRetry...)
}
