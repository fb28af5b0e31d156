package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"vigil/session"
)

// Lang is a language of the console.
type Lang string

// The languages: English, and Simplified Chinese.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// langCookie keeps the language a user chose. The __Host- prefix keeps
// it to this host, over HTTPS, with Path=/: no other site or subdomain
// can set it.
const langCookie = "__Host-vigil_lang"

// zh maps the console's English texts to Simplified Chinese. Each page
// adds its own texts with addZH.
var (
	zhMu sync.Mutex
	zh   = map[string]string{}
)

// addZH adds translations; each file of pages calls it from init.
func addZH(m map[string]string) {
	zhMu.Lock()
	defer zhMu.Unlock()
	for k, v := range m {
		if prev, dup := zh[k]; dup && prev != v {
			panic(fmt.Sprintf("web: two translations of %q: %q and %q", k, prev, v))
		}
		zh[k] = v
	}
}

// T returns text in the language, formatted with args as fmt.Sprintf
// does. A text without a translation shows in English.
func (l Lang) T(text string, args ...any) string {
	if l == Chinese {
		if t, ok := zh[text]; ok {
			text = t
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

// langOf returns the language of a request: the one chosen, or else the
// first of Accept-Language the console has.
func langOf(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l := Lang(c.Value); l == English || l == Chinese {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-cn") || strings.HasPrefix(tag, "zh-hans") || tag == "zh-sg":
			return Chinese
		case strings.HasPrefix(tag, "en"):
			return English
		}
	}
	return English
}

// setLang chooses the language of the console: GET /lang?to=zh-CN&next=/alerts.
// It changes only a preference, so it needs neither a session nor a CSRF
// token, and it sends the browser back only to a path of the console.
func (c *Console) setLang(w http.ResponseWriter, r *http.Request, _ *session.Session) {
	l := Lang(r.URL.Query().Get("to"))
	if l != English && l != Chinese {
		c.fail(w, r, http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.redirect(w, r, r.URL.Query().Get("next"))
}

func init() {
	addZH(map[string]string{
		"Overview":    "概览",
		"Alerts":      "告警",
		"Rules":       "规则",
		"Sources":     "数据源",
		"Silences":    "静默",
		"Responses":   "响应动作",
		"Users":       "用户",
		"Audit trail": "审计日志",
		"Log out":     "退出登录",
		"Account":     "账户",
		"Language":    "语言",
		"Pages":       "页面",
		"admin":       "管理员",
		"analyst":     "分析员",
		"auditor":     "审计员",

		"Back to the console": "返回控制台",

		"The request could not be understood.":              "无法理解该请求。",
		"Please log in.":                                    "请登录。",
		"You may not do this.":                              "您无权执行此操作。",
		"There is no such page.":                            "页面不存在。",
		"The request is too large.":                         "请求过大。",
		"The console cannot do this now. Please try again.": "控制台暂时无法完成该操作，请稍后重试。",
		"Something went wrong. Please try again.":           "出现错误，请重试。",
	})
}
