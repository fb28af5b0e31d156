package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"vigil/mask"
	"vigil/session"
	"vigil/user"
)

//go:embed templates static
var files embed.FS

// templates are the pages, each parsed with the layout and the partials.
type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses templates/*.html: layout.html and partials/*.html
// are shared, every other file is a page that defines "content".
func parseTemplates() (*templates, error) {
	base := template.New("layout.html").Funcs(funcs)
	base, err := base.ParseFS(files, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		p, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		t.pages[name] = p
	}
	return t, nil
}

// funcs are the functions templates call. Translation is a method of
// the view, since it depends on the request.
var funcs = template.FuncMap{
	"time":     formatTime,
	"ago":      ago,
	"mask":     mask.String,
	"join":     strings.Join,
	"lower":    strings.ToLower,
	"json":     prettyJSON,
	"add":      func(a, b int) int { return a + b },
	"severity": severityClass,
	"dict":     dict,
}

// dict makes a map of its arguments, keys and values in turn, so that a
// template can pass several values to another: {{template "x" (dict "V" $ "U" .)}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, not pairs", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// view is what every page's template sees.
type view struct {
	Lang  Lang
	User  *session.Session // nil on public pages
	CSRF  string
	Path  string
	Nav   []navItem
	Flash string
	Title string
	// Data is the page's own.
	Data any
}

// T translates a text of the console into the view's language.
func (v *view) T(text string, args ...any) string { return v.Lang.T(text, args...) }

// navItem is a link of the navigation bar.
type navItem struct {
	Href, Label string
	Active      bool
}

// nav is the navigation bar: the pages the user's role may see.
var nav = []struct {
	href, label string
	perm        user.Permission
}{
	{"/", "Overview", user.PermAlertsRead},
	{"/alerts", "Alerts", user.PermAlertsRead},
	{"/rules", "Rules", user.PermAlertsRead},
	{"/sources", "Sources", user.PermAlertsRead},
	{"/silences", "Silences", user.PermAlertsRead},
	{"/actions", "Responses", user.PermAlertsRead},
	{"/users", "Users", user.PermUsers},
	{"/audit", "Audit trail", user.PermAudit},
}

// render writes a page with its data.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t := c.tmpl.pages[name]
	if t == nil {
		c.Log.Error("console: no template", "page", name)
		c.fail(w, r, http.StatusInternalServerError)
		return
	}
	v := c.view(w, r, title, data)
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		c.Log.Error("console: rendering", "page", name, "err", err)
		c.fail(w, r, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// view returns what a page's template sees.
func (c *Console) view(w http.ResponseWriter, r *http.Request, title string, data any) *view {
	v := &view{Lang: langOf(r), User: sessionOf(r), Path: r.URL.Path, Flash: c.takeFlash(w, r), Data: data}
	v.Title = v.T(title)
	if v.User != nil {
		v.CSRF = v.User.CSRF
		if c.setupPage(v.User) == "" {
			for _, n := range nav {
				if user.Allowed(v.User.Role, n.perm) {
					active := r.URL.Path == n.href || n.href != "/" && strings.HasPrefix(r.URL.Path, n.href+"/")
					v.Nav = append(v.Nav, navItem{n.href, v.T(n.label), active})
				}
			}
		}
	}
	return v
}

// fail answers with a generic error page: the status and a sentence,
// never what went wrong inside.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int) {
	msg := map[int]string{
		http.StatusBadRequest:            "The request could not be understood.",
		http.StatusUnauthorized:          "Please log in.",
		http.StatusForbidden:             "You may not do this.",
		http.StatusNotFound:              "There is no such page.",
		http.StatusRequestEntityTooLarge: "The request is too large.",
		http.StatusServiceUnavailable:    "The console cannot do this now. Please try again.",
	}[status]
	if msg == "" {
		msg = "Something went wrong. Please try again."
	}
	t := c.tmpl.pages["error"]
	v := c.view(w, r, fmt.Sprintf("%d", status), msg)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if t == nil || t.ExecuteTemplate(w, "layout.html", v) != nil {
		fmt.Fprintf(w, "%d", status)
	}
}

// formatTime writes a time in UTC, to the second.
func formatTime(t any) string {
	switch t := t.(type) {
	case time.Time:
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	case *time.Time:
		if t == nil {
			return "—"
		}
		return formatTime(*t)
	}
	return ""
}

// ago writes how long ago a time was, roughly.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case t.IsZero():
		return "—"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// prettyJSON indents JSON for display; text that is not JSON is shown
// as it is.
func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}

// severityClass is the CSS class of a severity.
func severityClass(s fmt.Stringer) string { return "sev-" + s.String() }

// static serves the stylesheet and scripts.
func static() http.Handler {
	sub, _ := fs.Sub(files, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
