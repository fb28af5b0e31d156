package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"vigil/audit"
	"vigil/server"
	"vigil/session"
	"vigil/user"
)

// registerAccount adds the pages of the user's own account. Changing
// the password and enrolling a second factor are setup pages: a user
// who must do either may use them, and nothing else, until it is done.
// The step-up is for administrators, before they manage users and
// tokens.
func (c *Console) registerAccount(mux *http.ServeMux) {
	c.add(mux, Route{Pattern: "GET /account"}, c.account)
	c.add(mux, Route{Pattern: "GET /account/password", Setup: true}, c.passwordForm)
	c.add(mux, Route{Pattern: "POST /account/password", Setup: true}, c.changePassword)
	c.add(mux, Route{Pattern: "GET /account/totp", Setup: true}, c.totpForm)
	c.add(mux, Route{Pattern: "POST /account/totp", Setup: true}, c.enrolTOTP)
	c.add(mux, Route{Pattern: "POST /account/stepup", Perm: user.PermUsers}, c.stepUp)
}

// actor is who acts in a request: the session's user, from the client's
// address.
func actor(r *http.Request, s *session.Session) audit.Actor {
	return audit.Actor{Name: s.User, IP: server.ClientIP(r)}
}

// accountPage is what the account page shows.
type accountPage struct {
	Account      *user.Account
	Session      *session.Session
	Idle, Life   string
	TOTPRequired bool
}

// account shows the user's own account: GET /account.
func (c *Console) account(w http.ResponseWriter, r *http.Request, s *session.Session) {
	a, err := c.Users.Get(r.Context(), s.UserID)
	if err != nil {
		c.Log.Error("console: reading an account", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	idle, life := c.Sessions.Timeouts()
	c.render(w, r, http.StatusOK, "account", "Your account", accountPage{Account: a, Session: s,
		Idle: duration(langOf(r), idle), Life: duration(langOf(r), life), TOTPRequired: c.Users.NeedsTOTP(s.Role)})
}

// duration writes a duration in hours and minutes, in the language.
func duration(l Lang, d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h == 0:
		return l.T("%d min", m)
	case m == 0:
		return l.T("%d h", h)
	}
	return l.T("%d h %d min", h, m)
}

// passwordPage is what the page that changes a password shows.
type passwordPage struct {
	Must  bool // the password is one-time: the user must change it first
	Error string
}

// passwordForm shows the form that changes the user's password: GET
// /account/password.
func (c *Console) passwordForm(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.render(w, r, http.StatusOK, "account_password", "Change your password", passwordPage{Must: s.MustChangePassword})
}

// changePassword changes the user's password from the current one, which
// the form repeats, to a new one, given twice: POST /account/password
// with current, new and repeat. The change ends the user's sessions: the
// user logs in again with the new password.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, s *session.Session) {
	l := langOf(r)
	p := passwordPage{Must: s.MustChangePassword}
	next := r.PostFormValue("new")
	if next != r.PostFormValue("repeat") {
		p.Error = l.T("The new password and its repetition differ.")
		c.render(w, r, http.StatusOK, "account_password", "Change your password", p)
		return
	}
	err := c.Users.ChangePassword(r.Context(), actor(r, s), s.UserID, r.PostFormValue("current"), next)
	var refused *user.PolicyError
	switch {
	case err == nil:
		c.endBrowserSession(w, r, "Your password has been changed. Please log in with the new one.")
		return
	case errors.As(err, &refused):
		p.Error = policyText(l, refused.Reason)
	case errors.Is(err, user.ErrInvalid):
		p.Error = l.T("The current password was not accepted.")
	case errors.Is(err, user.ErrTooMany):
		p.Error = l.T("Too many attempts. Please wait a minute and try again.")
	default:
		c.Log.Error("console: changing a password", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	c.render(w, r, http.StatusOK, "account_password", "Change your password", p)
}

// policyText says in the user's language why the password policy
// refused a password (user.PolicyError's reasons).
func policyText(l Lang, reason string) string {
	var n int
	switch {
	case strings.HasSuffix(reason, ": attackers try such passwords first"):
		reason = l.T("%s: attackers try such passwords first", l.T(strings.TrimSuffix(reason, ": attackers try such passwords first")))
	case scanNumber(reason, "shorter than %d characters", &n):
		reason = l.T("shorter than %d characters", n)
	case scanNumber(reason, "longer than %d characters", &n):
		reason = l.T("longer than %d characters", n)
	default:
		reason = l.T(reason)
	}
	return l.T("Password not accepted: %s.", reason)
}

// scanNumber reports whether s is format with a number in it, which it
// reads into n.
func scanNumber(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil && fmt.Sprintf(format, *n) == s
}

// totpPage is what the page of the second factor shows.
type totpPage struct {
	// Enrolled is set when the user has a second factor: replacing it
	// needs a code of it.
	Enrolled bool
	Required bool // the user's role needs one
	Confirm  bool // the second step: a code from the new factor
	// Secret and URI are the new factor's, shown once, at the second
	// step: the secret in groups of four, for typing, and the otpauth://
	// URI that authenticator apps take.
	Secret, URI string
	QR          *qrCode
	Error       string
}

// totpForm shows the state of the user's second factor and starts an
// enrolment: GET /account/totp.
func (c *Console) totpForm(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.showTOTP(w, r, s, totpPage{})
}

// showTOTP renders the page of the second factor.
func (c *Console) showTOTP(w http.ResponseWriter, r *http.Request, s *session.Session, p totpPage) {
	p.Enrolled, p.Required = s.TOTP, c.Users.NeedsTOTP(s.Role)
	c.render(w, r, http.StatusOK, "account_totp", "Second factor", p)
}

// enrolTOTP enrols a second factor in two steps: POST /account/totp
// with step=begin and the password gives a new secret; then with
// step=confirm and a code from the app that holds it, which puts it in
// force.
func (c *Console) enrolTOTP(w http.ResponseWriter, r *http.Request, s *session.Session) {
	switch r.PostFormValue("step") {
	case "begin":
		c.beginTOTP(w, r, s)
	case "confirm":
		c.confirmTOTP(w, r, s)
	default:
		c.fail(w, r, http.StatusBadRequest)
	}
}

// beginTOTP checks the user's password, and to replace a factor a code
// of it, and shows a new secret.
func (c *Console) beginTOTP(w http.ResponseWriter, r *http.Request, s *session.Session) {
	l := langOf(r)
	pw := r.PostFormValue("password")
	if pw == "" {
		c.showTOTP(w, r, s, totpPage{Error: l.T("Please enter your password.")})
		return
	}
	code := strings.ReplaceAll(r.PostFormValue("code"), " ", "")
	e, err := c.Users.BeginTOTP(r.Context(), actor(r, s), s.UserID, pw, code)
	if msg := reauthError(l, err); msg != "" {
		c.showTOTP(w, r, s, totpPage{Error: msg})
		return
	}
	if err != nil {
		c.Log.Error("console: enrolling a second factor", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	qr, err := encodeQR(e.URI)
	if err != nil {
		c.Log.Warn("console: no QR code for a second factor", "err", err)
	}
	c.showTOTP(w, r, s, totpPage{Confirm: true, Secret: groups(e.Secret, 4), URI: e.URI, QR: qr})
}

// confirmTOTP puts the new factor in force with a code from it.
func (c *Console) confirmTOTP(w http.ResponseWriter, r *http.Request, s *session.Session) {
	code := strings.ReplaceAll(r.PostFormValue("code"), " ", "")
	err := c.Users.ConfirmTOTP(r.Context(), actor(r, s), s.UserID, code)
	switch {
	case errors.Is(err, user.ErrCode):
		c.showTOTP(w, r, s, totpPage{Confirm: true,
			Error: langOf(r).T("The code is not valid. Check the clock of your device and try again, or start again.")})
	case err != nil:
		c.Log.Error("console: confirming a second factor", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
	default:
		c.flashT(w, r, "Second factor enrolled: your logins now need a code from your app.")
		c.redirect(w, r, "/account")
	}
}

// reauthError says, in the language, why a second authentication
// (user.Service.Confirm) was refused, the same whatever was wrong; ""
// when it was not refused, or failed otherwise.
func reauthError(l Lang, err error) string {
	switch {
	case errors.Is(err, user.ErrInvalid):
		return l.T("The password or code was not accepted.")
	case errors.Is(err, user.ErrTooMany):
		return l.T("Too many attempts. Please wait a minute and try again.")
	}
	return ""
}

// stepUp proves again who the session's user is, for the key operations
// of the next minutes (managing users and tokens): POST /account/stepup
// with password, code (the second factor's) and next, the page to go
// back to. Success and failure are both recorded.
func (c *Console) stepUp(w http.ResponseWriter, r *http.Request, s *session.Session) {
	l := langOf(r)
	err := c.Users.Confirm(r.Context(), actor(r, s), s.UserID, r.PostFormValue("password"),
		strings.ReplaceAll(r.PostFormValue("code"), " ", ""), audit.ActionStepUp)
	if msg := reauthError(l, err); msg != "" {
		c.flash(w, r, msg)
		c.redirect(w, r, r.PostFormValue("next"))
		return
	}
	if err != nil {
		c.Log.Error("console: a step-up", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	c.Sessions.StepUp(session.ID(r), s.UserID)
	d := c.Sessions.StepUpFor()
	if !c.record(w, r, s, audit.ActionStepUp, s.User, audit.ResultSuccess, "for "+d.String()) {
		return
	}
	c.flashT(w, r, "Confirmed: for %s, you may manage users and tokens without confirming again.", duration(l, d))
	c.redirect(w, r, r.PostFormValue("next"))
}

// steppedUp reports whether the session has a step-up in force, which
// the key operations of administrators need. When it has none, it
// answers the request with the page of the operation (show, with the
// status and a message) and returns false.
func (c *Console) steppedUp(r *http.Request, s *session.Session, show func(status int, msg string)) bool {
	if c.Sessions.SteppedUp(session.ID(r), s.UserID) {
		return true
	}
	show(http.StatusForbidden, langOf(r).T("Confirm it is you first, with your password and a code from your app."))
	return false
}

// groups writes s in groups of n characters, for reading aloud or typing.
func groups(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

func init() {
	addZH(map[string]string{
		"Your account":            "我的账户",
		"%d min":                  "%d 分钟",
		"%d h":                    "%d 小时",
		"%d h %d min":             "%d 小时 %d 分钟",
		"Role":                    "角色",
		"Second factor":           "第二因素",
		"enrolled":                "已启用",
		"not enrolled":            "未启用",
		"required for your role":  "您的角色必须启用",
		"Password changed":        "密码修改时间",
		"one-time: change it now": "一次性密码：请立即修改",
		"Last login":              "上次登录",
		"This session":            "本次会话",
		"Started":                 "开始时间",
		"Ends at the latest":      "最迟结束时间",
		"A new login ends the previous session: one session per user.": "新的登录会结束之前的会话：每个用户只有一个会话。",
		"Sessions end after %s without activity, and %s after login.":  "会话无操作 %s 后结束；无论是否活动，登录 %s 后也会结束。",
		"Change your password":       "修改密码",
		"Enrol a second factor":      "启用第二因素",
		"Replace your second factor": "更换第二因素",
		"You must choose your own password before you can use the console.": "使用控制台之前，您必须设置自己的密码。",
		"Current password":        "当前密码",
		"New password":            "新密码",
		"Repeat the new password": "再次输入新密码",
		"A long passphrase is best. It must mix at least two kinds of characters (lower case, upper case, digits, symbols), and may be neither common nor like your user name.": "建议使用较长的口令短语。密码必须包含至少两类字符（小写字母、大写字母、数字、符号），不能是常见密码，也不能与用户名相似。",
		"Changing your password ends your session: you log in again with the new one. You will be notified.":                                                                    "修改密码会结束您的会话，需使用新密码重新登录。系统会通知您此次修改。",
		"The new password and its repetition differ.":                     "两次输入的新密码不一致。",
		"Your password has been changed. Please log in with the new one.": "密码已修改，请使用新密码登录。",
		"The current password was not accepted.":                          "当前密码未被接受。",
		"Password not accepted: %s.":                                      "密码未被接受：%s。",
		"%s: attackers try such passwords first":                          "%s：攻击者会优先尝试此类密码",
		"shorter than %d characters":                                      "少于 %d 个字符",
		"longer than %d characters":                                       "多于 %d 个字符",
		"it holds control characters or is not text":                      "包含控制字符或不是文本",
		"it has one kind of character: mix at least two of lower case letters, upper case letters, digits and symbols": "只有一类字符：请混合使用小写字母、大写字母、数字和符号中的至少两类",
		"it is too like the user name":          "与用户名过于相似",
		"it is the current password":            "与当前密码相同",
		"it is common":                          "是常见密码",
		"it is a keyboard or alphabet sequence": "是键盘或字母序列",
		"it repeats a few characters":           "由少数字符重复组成",
		"it is a date":                          "是日期",
		"it is a common word or name with predictable digits or symbols":                                                         "是常见单词或姓名加上可预测的数字或符号",
		"it is a few letters with predictable digits or symbols":                                                                 "是少量字母加上可预测的数字或符号",
		"it is a sequence with predictable digits or symbols":                                                                    "是序列加上可预测的数字或符号",
		"it is a date with predictable characters around it":                                                                     "是日期加上可预测的字符",
		"Your second factor is a code from an authenticator app (TOTP, RFC 6238), which each login asks for with your password.": "第二因素是身份验证器应用（TOTP，RFC 6238）生成的验证码，每次登录时与密码一同输入。",
		"Your role must log in with a second factor: enrol one before you can use the console.":                                  "您的角色必须使用第二因素登录：使用控制台之前请先启用。",
		"Enter your password to start. A new factor replaces the present one once you confirm it.":                               "请输入密码以开始。新的第二因素在确认后将替换现有的。",
		"Start":                       "开始",
		"Please enter your password.": "请输入密码。",
		"1. Add this key to your authenticator app": "1. 将此密钥添加到身份验证器应用",
		"Scan the QR code, or type the key by hand (time-based, 6 digits, every 30 seconds). It is shown this once.": "扫描二维码，或手动输入密钥（基于时间，6 位数字，每 30 秒更新）。密钥仅显示这一次。",
		"Key":                             "密钥",
		"URI for apps":                    "应用使用的 URI",
		"2. Enter the code the app shows": "2. 输入应用显示的验证码",
		"Code":                            "验证码",
		"Confirm":                         "确认",
		"Start again":                     "重新开始",
		"The code is not valid. Check the clock of your device and try again, or start again.": "验证码无效。请检查设备时间后重试，或重新开始。",
		"Second factor enrolled: your logins now need a code from your app.":                   "第二因素已启用：今后登录需要输入应用中的验证码。",
		"QR code of the key": "密钥二维码",
		"Code from your app, to replace your present factor":                           "应用中的验证码（用于更换现有的第二因素）",
		"The password or code was not accepted.":                                       "密码或验证码未被接受。",
		"Too many attempts. Please wait a minute and try again.":                       "尝试次数过多，请等待一分钟后重试。",
		"Confirmed: for %s, you may manage users and tokens without confirming again.": "已确认：%s 内管理用户和令牌无需再次确认。",
		"Confirm it is you first, with your password and a code from your app.":        "请先确认您的身份：输入密码和应用中的验证码。",
		"Confirm it is you": "确认身份",
		"Managing users and tokens needs your password and a code from your app again. It is asked once every %s.": "管理用户和令牌需要再次输入密码和应用中的验证码，每 %s询问一次。",
		"Confirmed until %s.": "已确认，有效期至 %s。",
	})
}
