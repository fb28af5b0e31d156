package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"vigil/audit"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// registerUsers adds the pages where administrators manage users. The
// user package records each change in the audit trail, and ends the
// sessions of a user whose role, password or second factor changes, or
// who is locked.
//
// What would let a hijacked session take over an account — adding a
// user, changing a role, unlocking, giving a one-time password, removing
// a second factor — needs a step-up (see stepUp): the administrator's
// password and a code again, at most a few minutes before. Locking
// needs none: it is what to do at once when an account is misused. An
// administrator manages their own account under /account, not here.
func (c *Console) registerUsers(mux *http.ServeMux) {
	c.handle(mux, "GET /users", user.PermUsers, c.users)
	c.handle(mux, "POST /users", user.PermUsers, c.addUser)
	c.handle(mux, "GET /users/{name}", user.PermUsers, c.userPage)
	c.handle(mux, "POST /users/{name}/role", user.PermUsers, c.setRole)
	// Locking is the emergency brake on an account in misuse: it needs no
	// step-up. The rest can take an account over, and do.
	c.handle(mux, "POST /users/{name}/lock", user.PermUsers, c.userChange(false, c.Users.Lock, "User locked: the user's sessions have ended."))
	c.handle(mux, "POST /users/{name}/unlock", user.PermUsers, c.userChange(true, c.Users.Unlock, "User unlocked."))
	c.handle(mux, "POST /users/{name}/password", user.PermUsers, c.resetPassword)
	c.handle(mux, "POST /users/{name}/totp", user.PermUsers, c.userChange(true, c.Users.ResetTOTP,
		"Second factor removed: the user's sessions have ended, and the user enrols a new one at the next login."))
}

// roles are the roles users may have, in the order forms list them.
var roles = []store.Role{store.Analyst, store.Auditor, store.Admin}

// usersPage is what the list of users shows.
type usersPage struct {
	Users  []userRow
	Roles  []store.Role
	Name   string // the name of a user that could not be added
	Role   store.Role
	Error  string
	StepUp stepUpView
}

// stepUpView is what pages with key operations show of the session's
// step-up: the form that asks for it, or until when it lasts.
type stepUpView struct {
	Until time.Time // zero when the session has none
	For   string    // how long a step-up lasts, in words
	Next  string    // the page to come back to
}

// stepUpOf returns the step-up of the session, for a page at next.
func (c *Console) stepUpOf(r *http.Request, s *session.Session, next string) stepUpView {
	return stepUpView{Until: s.StepUpUntil, For: duration(langOf(r), c.Sessions.StepUpFor()), Next: next}
}

// userRow is a user as lists and the user's page show it.
type userRow struct {
	user.Account
	LockedOut bool // by failed logins, now
	Self      bool // the user looking
}

// users lists the users, with a form to add one: GET /users.
func (c *Console) users(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.showUsers(w, r, s, http.StatusOK, usersPage{Role: store.Analyst})
}

// showUsers renders the list of users.
func (c *Console) showUsers(w http.ResponseWriter, r *http.Request, s *session.Session, status int, p usersPage) {
	accounts, err := c.Users.List(r.Context())
	if err != nil {
		c.Log.Error("console: listing users", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	for _, a := range accounts {
		p.Users = append(p.Users, userRow{Account: a, LockedOut: a.LockedOut(now), Self: a.ID == s.UserID})
	}
	p.Roles = roles
	p.StepUp = c.stepUpOf(r, s, "/users")
	c.render(w, r, status, "users", "Users", p)
}

// addUser adds a user with a one-time password, which it shows once:
// POST /users with name and role.
func (c *Console) addUser(w http.ResponseWriter, r *http.Request, s *session.Session) {
	l := langOf(r)
	name, role := r.PostFormValue("name"), store.Role(r.PostFormValue("role"))
	p := usersPage{Name: name, Role: role}
	if !validRole(role) {
		p.Error = l.T("Choose a role.")
		c.showUsers(w, r, s, http.StatusBadRequest, p)
		return
	}
	if _, err := user.Name(name); err != nil {
		p.Error = l.T("A user name is 2 to 64 letters a–z, digits and . _ - @, starting with a letter or a digit.")
		c.showUsers(w, r, s, http.StatusBadRequest, p)
		return
	}
	if !c.steppedUp(r, s, func(status int, msg string) { p.Error = msg; c.showUsers(w, r, s, status, p) }) {
		return
	}
	pw, err := c.Users.Add(r.Context(), actor(r, s), name, role)
	switch {
	case errors.Is(err, user.ErrExists):
		p.Error = l.T("A user of that name exists. Names are never reused.")
		c.showUsers(w, r, s, http.StatusConflict, p)
	case err != nil:
		c.Log.Error("console: adding a user", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
	default:
		c.showOneTime(w, r, name, pw, "User %s added.")
	}
}

// validRole reports whether r is a role of users.
func validRole(r store.Role) bool { return slices.Contains(roles, r) }

// oneTimePage shows a one-time password, once.
type oneTimePage struct {
	Name, Password, Done string
}

// showOneTime shows the one-time password of a user, once: it is in no
// link, cookie or log, and the page is not cached.
func (c *Console) showOneTime(w http.ResponseWriter, r *http.Request, name, pw, done string) {
	n, _ := user.Name(name)
	c.render(w, r, http.StatusOK, "users_password", "One-time password",
		oneTimePage{Name: n, Password: pw, Done: langOf(r).T(done, n)})
}

// userPage shows a user and what an administrator may do to it: GET
// /users/{name}.
func (c *Console) userPage(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.showUser(w, r, s, http.StatusOK, "")
}

// userView is what a user's page shows.
type userView struct {
	User   userRow
	Roles  []store.Role
	Error  string
	StepUp stepUpView
}

// showUser renders the page of the user named in the path.
func (c *Console) showUser(w http.ResponseWriter, r *http.Request, s *session.Session, status int, msg string) {
	a, err := c.Users.ByName(r.Context(), r.PathValue("name"))
	if errors.Is(err, user.ErrNotFound) {
		c.fail(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		c.Log.Error("console: reading a user", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
		return
	}
	row := userRow{Account: *a, LockedOut: a.LockedOut(time.Now()), Self: a.ID == s.UserID}
	c.render(w, r, status, "user", "User", userView{User: row, Roles: roles, Error: msg,
		StepUp: c.stepUpOf(r, s, "/users/"+a.Name)})
}

// mayChangeUser reports whether the session's user may change the user
// named in the path here, and a step-up is in force when stepUp is set.
// It refuses, answering the request, a change of one's own account
// (which is made under /account, with the password and code again), and
// asks for the step-up that is missing.
func (c *Console) mayChangeUser(w http.ResponseWriter, r *http.Request, s *session.Session, stepUp bool) bool {
	if n, err := user.Name(r.PathValue("name")); err == nil && n == s.User {
		c.deny(w, r, s, "an administrator's own account is changed under /account")
		return false
	}
	return !stepUp || c.steppedUp(r, s, func(status int, msg string) { c.showUser(w, r, s, status, msg) })
}

// setRole changes the role of a user: POST /users/{name}/role with role.
func (c *Console) setRole(w http.ResponseWriter, r *http.Request, s *session.Session) {
	role := store.Role(r.PostFormValue("role"))
	if !validRole(role) {
		c.showUser(w, r, s, http.StatusBadRequest, langOf(r).T("Choose a role."))
		return
	}
	if !c.mayChangeUser(w, r, s, true) {
		return
	}
	err := c.Users.SetRole(r.Context(), actor(r, s), r.PathValue("name"), role)
	c.userChanged(w, r, s, err, "Role changed: the user's sessions have ended.")
}

// userChange returns the page of a change to the user the path names
// (lock, unlock, remove the second factor), which says done on success.
func (c *Console) userChange(stepUp bool, change func(context.Context, audit.Actor, string) error, done string) page {
	return func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		if !c.mayChangeUser(w, r, s, stepUp) {
			return
		}
		c.userChanged(w, r, s, change(r.Context(), actor(r, s), r.PathValue("name")), done)
	}
}

// resetPassword gives a user a new one-time password, which it shows
// once: POST /users/{name}/password.
func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request, s *session.Session) {
	if !c.mayChangeUser(w, r, s, true) {
		return
	}
	name := r.PathValue("name")
	pw, err := c.Users.ResetPassword(r.Context(), actor(r, s), name)
	if err != nil {
		c.userChanged(w, r, s, err, "")
		return
	}
	c.showOneTime(w, r, name, pw, "New one-time password of %s: the user's sessions have ended.")
}

// userChanged answers a change of a user: back to the user's page with
// done, or with why it was refused.
func (c *Console) userChanged(w http.ResponseWriter, r *http.Request, s *session.Session, err error, done string) {
	l := langOf(r)
	switch {
	case err == nil:
		c.flashT(w, r, done)
		c.redirect(w, r, "/users/"+r.PathValue("name"))
	case errors.Is(err, user.ErrNotFound):
		c.fail(w, r, http.StatusNotFound)
	case errors.Is(err, user.ErrLastAdmin):
		c.showUser(w, r, s, http.StatusConflict, l.T("Refused: it would leave no administrator who can log in."))
	default:
		c.Log.Error("console: changing a user", "err", err)
		c.fail(w, r, http.StatusServiceUnavailable)
	}
}

func init() {
	addZH(map[string]string{
		"User":           "用户",
		"Add a user":     "添加用户",
		"Add":            "添加",
		"Choose a role.": "请选择角色。",
		"A user name is 2 to 64 letters a–z, digits and . _ - @, starting with a letter or a digit.": "用户名为 2 至 64 个字符，可用字母 a–z、数字及 . _ - @，须以字母或数字开头。",
		"A user of that name exists. Names are never reused.":                                        "该用户名已存在。用户名不会被重复使用。",
		"User %s added.":    "已添加用户 %s。",
		"One-time password": "一次性密码",
		"New one-time password of %s: the user's sessions have ended.":                                                                          "已为 %s 生成新的一次性密码：该用户的会话已结束。",
		"Give it to the user by a channel you trust, not by e-mail or chat. It is shown this once; the user must change it at the first login.": "请通过可信渠道交给该用户，不要使用电子邮件或聊天工具。密码仅显示这一次；用户首次登录时必须修改。",
		"Back to the user": "返回用户页面",
		"Role changed: the user's sessions have ended.": "角色已变更：该用户的会话已结束。",
		"User locked: the user's sessions have ended.":  "用户已锁定：该用户的会话已结束。",
		"User unlocked.": "用户已解锁。",
		"Second factor removed: the user's sessions have ended, and the user enrols a new one at the next login.": "第二因素已移除：该用户的会话已结束，下次登录时需重新启用。",
		"Refused: it would leave no administrator who can log in.":                                                "已拒绝：这将导致没有可以登录的管理员。",
		"Name":                "名称",
		"State":               "状态",
		"active":              "正常",
		"locked":              "已锁定",
		"locked out until %s": "锁定至 %s",
		"one-time":            "一次性",
		"yes":                 "是",
		"no":                  "否",
		"never":               "从未",
		"you":                 "您",
		"Change the role":     "变更角色",
		"Change the role? The user's sessions end.": "确认变更角色？该用户的会话将结束。",
		"Lock": "锁定",
		"Lock this user? The user's sessions end.": "确认锁定该用户？该用户的会话将结束。",
		"Unlock":             "解锁",
		"Reset the password": "重置密码",
		"Give this user a new one-time password? The present one stops working and the user's sessions end.": "确认为该用户生成新的一次性密码？现有密码将失效，该用户的会话将结束。",
		"Remove the second factor": "移除第二因素",
		"Remove this user's second factor? Do it only for a user who lost it, once you know who asks.":            "确认移除该用户的第二因素？仅在确认请求者身份后，为丢失设备的用户执行。",
		"Users are never deleted, so that every entry of the audit trail names one person: lock those who leave.": "用户不会被删除，以确保审计日志中的每条记录都对应一个人：请锁定离开的用户。",
		"Last login attempt": "上次登录尝试",
		"Created":            "创建时间",
		"All users":          "全部用户",
		"You manage your own account under Your account.": "您自己的账户请在“我的账户”中管理。",
	})
}
