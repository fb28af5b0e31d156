package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"

	"vigil/audit"
	"vigil/auth"
	"vigil/server"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// loginCookie holds the CSRF token of the login form. Before a login
// there is no session to derive one from, so the form and this cookie
// carry the same random value (a double submit): a page of another site
// can send the form, but can neither read nor set the cookie, which the
// __Host- prefix keeps to this host over HTTPS.
const loginCookie = "__Host-vigil_login"

// Login rate limits, per client address (an IPv6 address by its /64, see
// session.AddrKey): a burst of attempts, then one every few seconds. With
// the lockout of each user after a few failures, they bound password
// guessing across many users from one address.
const (
	loginBurst = 20
	loginRate  = 0.2 // attempts per second
)

// registerAuth adds the pages of logging in and out and of the user's
// own account.
func (c *Console) registerAuth(mux *http.ServeMux) {
	if c.LoginLimit == nil {
		c.LoginLimit = auth.NewLimiter(loginRate, loginBurst)
	}
	c.add(mux, Route{Pattern: "GET /lang", Perm: Public}, c.setLang)
	c.add(mux, Route{Pattern: "GET /login", Perm: Public}, c.loginForm)
	c.add(mux, Route{Pattern: "POST /login", Perm: Public}, c.login)
	c.add(mux, Route{Pattern: "POST /logout", Setup: true}, c.logout)
	c.registerAccount(mux)
}

// loginPage is what the login page shows.
type loginPage struct {
	Token string // the CSRF token of the form
	Name  string // the user name tried, kept after a failure
	Next  string // where to go after the login
	Error string
}

// loginForm shows the login form: GET /login?next=/alerts.
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, _ *session.Session) {
	c.showLogin(w, r, http.StatusOK, loginPage{Next: r.URL.Query().Get("next")})
}

// showLogin renders the login form with a CSRF token, the one the
// browser holds when it has one.
func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	p.Token = loginToken(r)
	if p.Token == "" {
		p.Token = rand.Text()
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: p.Token, Path: "/", Secure: true, HttpOnly: true,
			SameSite: http.SameSiteStrictMode})
	}
	p.Next = localPath(p.Next)
	c.render(w, r, status, "login", "Log in", p)
}

// loginToken returns the CSRF token of the login form that the browser
// holds, or "".
func loginToken(r *http.Request) string {
	ck, err := r.Cookie(loginCookie)
	if err != nil || len(ck.Value) < 26 || len(ck.Value) > 64 {
		return ""
	}
	return ck.Value
}

// login checks the credentials of the login form: POST /login with
// username, password, code (the second factor's, for users who have
// one) and the form's CSRF token. Every failure, whatever it was, gets
// the same answer; the audit trail records what it was. The rate limit
// comes first, so that requests past it, with a token or not, are
// refused before anything else is done or recorded.
func (c *Console) login(w http.ResponseWriter, r *http.Request, _ *session.Session) {
	ip := server.ClientIP(r)
	name := r.PostFormValue("username")
	p := loginPage{Name: name, Next: r.PostFormValue("next")}
	if ok, wait := c.LoginLimit.Allow(session.AddrKey(ip)); !ok {
		w.Header().Set("Retry-After", auth.RetryAfter(wait))
		c.refuseLogin(w, r, name, http.StatusTooManyRequests, "too many attempts from this address", p,
			"Too many login attempts from your address. Please wait a minute and try again.")
		return
	}
	token := loginToken(r)
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(r.PostFormValue(csrfField))) != 1 {
		c.refuseLogin(w, r, name, http.StatusForbidden, "a missing or wrong CSRF token", p, "The login form expired. Please try again.")
		return
	}
	var id string
	l, err := c.Users.LoginWith(r.Context(), user.Credentials{Name: name, Password: r.PostFormValue("password"),
		Code: r.PostFormValue("code"), IP: ip}, func(ctx context.Context, l *user.Login) error {
		var err error
		id, _, err = c.Sessions.Create(ctx, l.ID, ip)
		return err
	})
	if err == nil {
		c.startSession(w, r, id, l)
	} else if id != "" { // made, but the login could not be recorded
		c.Sessions.End(r.Context(), id, ip)
	}
	switch {
	case errors.Is(err, user.ErrInvalid), errors.Is(err, session.ErrLocked):
		p.Error = user.ErrInvalid.Error()
		c.showLogin(w, r, http.StatusOK, p)
	case err != nil:
		c.Log.Error("console: login", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
	default:
		c.redirect(w, r, p.Next)
	}
}

// refuseLogin refuses a login attempt before its credentials are
// checked, records it — folded with the others of its kind from the
// address in the minute, so that they cannot flood the trail (see
// session.Manager.Refuse) — and shows the form again with msg. The name
// typed is recorded as the user's when a user has it, else as a hash
// (see user.Service.Actor).
func (c *Console) refuseLogin(w http.ResponseWriter, r *http.Request, name string, status int, why string, p loginPage, msg string) {
	who, err := c.Users.Actor(r.Context(), name)
	if err == nil {
		e := audit.Actor{Name: who, IP: server.ClientIP(r)}.Entry(audit.ActionLogin, "console", audit.ResultFailure, why)
		err = c.Sessions.Refuse(r.Context(), e, why)
	}
	if err != nil {
		c.Log.Error("console: recording a login", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	p.Error = msg
	c.showLogin(w, r, status, p)
}

// startSession gives the browser the cookie of the session with the id,
// made at the login l, and leaves the user a message of the previous
// login attempt.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, id string, l *user.Login) {
	http.SetCookie(w, session.Cookie(id))
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/", MaxAge: -1, Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
	c.flashFor(w, id, previousLogin(langOf(r), l))
}

// previousLogin tells the user of the login attempt before this one:
// when, from where, whether it succeeded, and how many attempts failed
// since the last success (the specification's 6.1.2 and 7.1.4).
func previousLogin(l Lang, login *user.Login) string {
	prev := login.Previous
	if prev.Time.IsZero() {
		return l.T("Welcome. This is your first login.")
	}
	result := l.T("succeeded")
	if prev.Result != store.LoginSuccess {
		result = l.T("failed")
	}
	msg := l.T("Your previous login attempt %s, at %s from %s.", result, formatTime(prev.Time), orDash(prev.IP))
	if login.FailedSince > 0 {
		msg += " " + l.T("Failed attempts since your last successful login: %s.", strconv.Itoa(login.FailedSince))
	}
	return msg
}

// orDash returns s, or a dash for nothing.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// logout ends the session on the server and in the browser: POST
// /logout.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session.Session) {
	err := c.Sessions.End(r.Context(), session.ID(r), server.ClientIP(r))
	if err != nil && !errors.Is(err, session.ErrUnknown) {
		c.Log.Error("console: logout", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	c.endBrowserSession(w, r, "You have logged out.")
}

// endBrowserSession removes the session cookie of a session the server
// ended, and sends the browser to log in with msg.
func (c *Console) endBrowserSession(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, session.ClearCookie())
	c.flashFor(w, "", langOf(r).T(msg))
	c.redirect(w, r, "/login")
}

func init() {
	addZH(map[string]string{
		"Log in":                           "登录",
		"User name":                        "用户名",
		"Password":                         "密码",
		"Code from your authenticator app": "身份验证器应用中的验证码",
		"Only if you have enrolled a second factor.":            "仅在已启用第二因素时填写。",
		"invalid user name or password":                         "无效的用户名和/或密码",
		"The login form expired. Please try again.":             "登录表单已过期，请重试。",
		"Welcome. This is your first login.":                    "欢迎。这是您的首次登录。",
		"succeeded":                                             "成功",
		"failed":                                                "失败",
		"Your previous login attempt %s, at %s from %s.":        "您上一次登录尝试%s，时间 %s，来自 %s。",
		"Failed attempts since your last successful login: %s.": "自上次成功登录以来的失败尝试次数：%s。",
		"You have logged out.":                                  "您已退出登录。",
		"Too many login attempts from your address. Please wait a minute and try again.":          "来自您地址的登录尝试过多，请等待一分钟后重试。",
		"This console is for the authorised staff of the security team. Every login is recorded.": "本控制台仅供安全团队授权人员使用。每次登录均被记录。",
	})
}
