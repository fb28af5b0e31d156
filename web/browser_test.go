package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/audit"
	"vigil/store"
)

// The browser tests drive Debian's Chromium through the console over
// HTTPS, as a person would: they log in, change passwords, enrol a second
// factor, triage an alert and read the audit trail, and take a
// screenshot of every page at 1366×768, in English and in Chinese.
//
// Without Chromium they are skipped, unless $VIGIL_BROWSER_REQUIRED is 1
// (as in CI), when they fail. Screenshots go to $VIGIL_SCREENSHOTS, by
// default artifacts/screenshots at the root of the repository.

// chromium returns the path of Chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium (apt-get install chromium)"
	if os.Getenv("VIGIL_BROWSER_REQUIRED") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshots returns the folder of the screenshots, made.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VIGIL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts", "screenshots")
	}
	for _, lang := range []Lang{English, Chinese} {
		if err := os.MkdirAll(filepath.Join(dir, string(lang)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// browser is a Chromium tab on the console.
type browser struct {
	t    *testing.T
	tc   *testConsole
	ctx  context.Context
	base string // https://127.0.0.1:port
	dir  string // where screenshots go
	lang Lang
}

// newBrowser starts Chromium, headless, with a profile of its own, on the
// console served over HTTPS on a random port of the loopback. The test
// server's certificate is its own: Chromium is told to accept it, and
// this browser goes nowhere else.
func newBrowser(t *testing.T, tc *testConsole) *browser {
	t.Helper()
	exe := chromium(t)
	srv := httptest.NewUnstartedServer(tc.h)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	alloc, cancel := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "en-US"), chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true), chromedp.IgnoreCertErrors,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancel)
	// The first action starts the browser, for as long as ctx lasts.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, tc: tc, ctx: ctx, base: srv.URL, dir: screenshots(t), lang: English}
}

// stepTimeout bounds each step: a page that does not load fails the test
// rather than hanging it.
const stepTimeout = 30 * time.Second

// step returns the context of a step.
func (b *browser) step() context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	b.t.Cleanup(cancel)
	return ctx
}

// do runs actions, and fails the test on an error.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.step(), actions...); err != nil {
		b.t.Fatal(err)
	}
}

// open loads a page of the console and returns the status of its answer
// (after redirects).
func (b *browser) open(path string) int64 {
	b.t.Helper()
	res, err := chromedp.Run(b.step(), chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	return res.Status
}

// submit fills the fields of a form of the page, by their ids, and sends
// it with its button, then waits for the next page. Empty values leave a
// field as the page has it.
func (b *browser) submit(form string, fields map[string]string) {
	b.t.Helper()
	for id, v := range fields {
		if v == "" {
			continue // the fields of a new page are empty
		}
		if err := chromedp.Do(b.step(), chromedp.SetValue(chromedp.CSS(form+" #"+id), v)); err != nil {
			b.t.Fatalf("%s #%s: %v", form, id, err)
		}
	}
	if _, err := chromedp.RunResponse(b.step(), chromedp.Click(chromedp.CSS(form+` button[type="submit"]`))); err != nil {
		b.t.Fatalf("submitting %s: %v", form, err)
	}
}

// path returns the path of the page the browser shows.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.step(), chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// text returns the text of the first element that matches a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.step(), chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// wantPath fails unless the browser shows the page at path.
func (b *browser) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("the browser shows %s, want %s; the page says:\n%s", got, want, b.text("main"))
	}
}

// shot writes a screenshot of the whole page, 1366 pixels wide, as
// NAME.png in the folder of the language.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.step(), chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, string(b.lang), name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// setLang switches the console's language with the switch of its pages.
func (b *browser) setLang(l Lang) {
	b.t.Helper()
	b.open("/lang?to=" + string(l) + "&next=/login")
	b.lang = l
}

// login logs in through the form; code is the second factor's.
func (b *browser) login(name, password, code string) {
	b.t.Helper()
	b.open("/login")
	b.submit(`form[action="/login"]`, map[string]string{"username": name, "password": password, "code": code})
	if strings.HasPrefix(b.path(), "/login") {
		b.t.Fatalf("%s cannot log in: %s", name, b.text("main"))
	}
}

// loginAdmin logs in as admin with a code of the next time step.
func (b *browser) loginAdmin(password, secret string) {
	b.t.Helper()
	b.tc.clock.Add(30 * time.Second)
	b.login("admin", password, totpCode(b.t, secret, b.tc.clock.Now()))
}

// logout logs out with the button of the page.
func (b *browser) logout() {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.step(), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`))); err != nil {
		b.t.Fatal(err)
	}
	b.wantPath("/login")
}

// changePassword changes a one-time password on the page the console
// sends a new user to, and logs in again with the new one.
func (b *browser) changePassword(name, once, password string) {
	b.t.Helper()
	b.wantPath("/account/password")
	b.submit(`form[action="/account/password"]`, map[string]string{"current": once, "new": password, "repeat": password})
	b.wantPath("/login")
}

// stepUp confirms the administrator again on the users page, with the
// password and a code of the next time step, as adding users needs.
func (b *browser) stepUp(password, secret string) {
	b.t.Helper()
	b.open("/users")
	b.tc.clock.Add(30 * time.Second)
	b.submit(`form[action="/account/stepup"]`, map[string]string{"stepup-password": password,
		"stepup-code": totpCode(b.t, secret, b.tc.clock.Now())})
	b.wantPath("/users")
	if !strings.Contains(b.text(".flash"), "Confirmed") {
		b.t.Fatalf("no step-up: %s", b.text("main"))
	}
}

// addUser adds a user on the users page and returns the one-time
// password it shows.
func (b *browser) addUser(name string, role store.Role) string {
	b.t.Helper()
	b.open("/users")
	b.submit(`form[action="/users"]`, map[string]string{"name": name, "role": string(role)})
	return b.text("#one-time-password")
}

func TestBrowser(t *testing.T) {
	pages, _ := newPagesConsole(t) // for the configuration of the pages
	tc := openConsole(t, func(c *Console) { c.Pages = pages.con.Pages })
	tc.seedData()
	seedPages(tc)
	once, err := tc.con.Users.FirstAdmin(t.Context(), audit.System, "admin")
	if err != nil || once == "" {
		t.Fatalf("first admin: %q, %v", once, err)
	}
	if _, err := tc.con.Users.Add(t.Context(), by, "target", store.Analyst); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, tc)

	// The first administrator logs in with the one-time password, must
	// choose a password, logs in again, and must enrol a second factor.
	b.open("/login")
	b.shot("login")
	b.login("admin", once, "")
	b.shot("setup_password")
	b.changePassword("admin", once, adminPassword)
	b.login("admin", adminPassword, "")
	b.wantPath("/account/totp")
	b.submit(`form[action="/account/totp"]`, map[string]string{"password": adminPassword})
	b.shot("setup_totp")
	secret := b.text("#totp-secret")
	b.submit(`form[action="/account/totp"]`, map[string]string{"code": totpCode(t, secret, tc.clock.Now())})
	b.wantPath("/account")
	if !strings.Contains(b.text("main"), "enrolled") {
		t.Errorf("no second factor: %s", b.text("main"))
	}

	// The administrator confirms it is them again, and adds an analyst
	// and an auditor.
	b.open("/users")
	b.shot("users_step_up")
	b.stepUp(adminPassword, secret)
	analyst := b.addUser("li.na", store.Analyst)
	b.shot("users_one_time_password")
	auditor := b.addUser("wang.fang", store.Auditor)
	b.logout()

	// The analyst triages the alert.
	b.login("li.na", analyst, "")
	b.changePassword("li.na", analyst, analystPassword)
	b.login("li.na", analystPassword, "")
	if !strings.Contains(b.text(".flash"), "Your previous login attempt succeeded") {
		t.Errorf("the previous login is not shown: %q", b.text(".flash"))
	}
	alertID := tc.ids["alert"]
	b.open("/alerts/" + alertID)
	b.submit(`form[action="/alerts/`+alertID+`/status"]`, map[string]string{"status": "acknowledged",
		"comment": "Checked with the cloud team: a key for the backup job."})
	if a, err := tc.db.Alert(t.Context(), alertID); err != nil || a.Status != store.Acknowledged {
		t.Fatalf("the alert is not acknowledged: %+v, %v", a, err)
	}
	b.logout()

	// The auditor finds the change in the audit trail.
	b.login("wang.fang", auditor, "")
	b.changePassword("wang.fang", auditor, auditorPassword)
	b.login("wang.fang", auditorPassword, "")
	b.open("/audit?action=" + audit.ActionAlertStatus)
	row := b.text("table.audit tbody tr")
	for _, want := range []string{"li.na", "alert.status", alertID, "127.0.0.1"} {
		if !strings.Contains(row, want) {
			t.Errorf("the audit entry %q lacks %q", row, want)
		}
	}
	if !strings.Contains(b.text("section.verify"), "Intact") {
		t.Errorf("the trail is not intact: %s", b.text("section.verify"))
	}
	b.logout()

	b.screenshotAll(map[store.Role]func(){
		store.Analyst: func() { b.login("li.na", analystPassword, "") },
		store.Auditor: func() { b.login("wang.fang", auditorPassword, "") },
		store.Admin:   func() { b.loginAdmin(adminPassword, secret) },
	})
}

// screenshotAll takes a screenshot of every page of the console, in
// English and in Chinese: each as the first of analyst, auditor and
// administrator that may see it, logged in with login.
func (b *browser) screenshotAll(login map[store.Role]func()) {
	b.t.Helper()
	rows := matrix(b.tc)
	byRole := map[store.Role][]string{}
	for _, rt := range b.tc.con.Routes() {
		if !strings.HasPrefix(rt.Pattern, "GET ") || slices.Contains(notPages, rt.Pattern) {
			continue
		}
		if rt.Perm == Public {
			continue // the login page is taken on the way
		}
		role := firstAllowed(rows[rt.Pattern].want)
		byRole[role] = append(byRole[role], rt.Pattern)
	}
	for _, role := range []store.Role{store.Analyst, store.Auditor, store.Admin} {
		for _, lang := range []Lang{English, Chinese} {
			b.setLang(lang)
			if role == store.Analyst {
				b.shot("login")
			}
			login[role]()
			for _, p := range byRole[role] {
				path := rows[p].path
				if status := b.open(path); status != http.StatusOK || strings.HasPrefix(b.path(), "/login") {
					b.t.Errorf("%s as %s: %d at %s", p, role, status, b.path())
				}
				b.shot(shotName(p))
			}
			if role == store.Analyst {
				b.open("/users")
				b.shot("error_403")
			}
			b.logout()
		}
	}
	b.setLang(English)
}

// notPages are the GET routes that show no page.
var notPages = []string{"GET /lang", "GET /audit/export.csv"}

// firstAllowed returns the first of analyst, auditor and administrator
// that the matrix lets see a page.
func firstAllowed(a access) store.Role {
	for _, r := range []store.Role{store.Analyst, store.Auditor, store.Admin} {
		if a.of(r) == ok {
			return r
		}
	}
	return store.Admin
}

// shotName names the screenshot of a route: GET /users/{name} is
// users_name, GET /{$} is overview.
func shotName(pattern string) string {
	p := strings.TrimPrefix(pattern, "GET /")
	p = strings.ReplaceAll(p, "{$}", "")
	p = regexp.MustCompile(`[{}.]`).ReplaceAllString(p, "")
	p = strings.ReplaceAll(strings.Trim(p, "/"), "/", "_")
	if p == "" {
		return "overview"
	}
	return p
}
