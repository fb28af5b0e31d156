package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/audit"
	"vigil/builtin"
	"vigil/engine"
	"vigil/pattern"
	"vigil/rule"
	"vigil/ruleset"
	"vigil/session"
	"vigil/store"
	"vigil/user"
)

// Where rules come from, as the pages say it.
const (
	originBuiltin     = "built-in"
	originFile        = "file"
	originUpload      = "upload"
	originSigma       = "Sigma"
	originCorrelation = "Sigma correlation"
)

// ruleEntry is a rule the console knows, in force or disabled.
type ruleEntry struct {
	// Rule is the rule in force, with every override over it; the rule
	// as defined when it is disabled.
	*rule.Rule
	Origin   string
	Upload   string // the name of the upload that defines it
	Disabled bool
	// Own is the severity the rule defines; Rule.Severity differs when
	// an override changed it.
	Own rule.Severity
	// Setting and Exceptions are the console's changes of the rule.
	Setting    *store.RuleSetting
	Exceptions []store.RuleException
	// defined is the rule as its file defines it.
	defined *rule.Rule
}

// Overridden reports whether an override changed the rule's severity.
func (e *ruleEntry) Overridden() bool { return e.Severity != e.Own }

// Changeable reports whether the console can change the rule: overrides
// do not apply to Sigma correlations.
func (e *ruleEntry) Changeable() bool { return e.Origin != originCorrelation }

// catalog is every rule the console knows: those of files with the
// console's changes composed over them as every node composes them, and
// the Sigma correlations.
type catalog struct {
	rules   []*ruleEntry // by id
	byID    map[string]*ruleEntry
	uploads []store.RuleUpload
}

// catalog reads the console's changes and composes the rules.
func (c *Console) catalog(ctx context.Context) (*catalog, error) {
	files := c.Pages.Rules
	if files == nil {
		files = &rule.Parsed{}
	}
	console, err := ruleset.Console(ctx, c.Store)
	if err != nil {
		return nil, err
	}
	inForce, _, err := ruleset.Compose(files, console)
	if err != nil {
		return nil, err
	}
	cat := &catalog{byID: map[string]*ruleEntry{}}
	if cat.uploads, err = c.Store.RuleUploads(ctx); err != nil {
		return nil, err
	}
	forced := map[string]*rule.Rule{}
	for _, r := range inForce {
		forced[r.ID] = r
	}
	for i, r := range slices.Concat(files.Rules, console.Rules) {
		if cat.byID[r.ID] == nil {
			cat.add(definedEntry(r, forced[r.ID], i >= len(files.Rules)))
		}
	}
	for _, corr := range c.Pages.Correlations {
		if r := rule.FromCorrelation(corr); cat.byID[r.ID] == nil {
			cat.add(&ruleEntry{Rule: r, Origin: originCorrelation, Own: r.Severity, defined: r})
		}
	}
	if err := c.addChanges(ctx, cat); err != nil {
		return nil, err
	}
	slices.SortFunc(cat.rules, func(a, b *ruleEntry) int { return cmp.Compare(a.ID, b.ID) })
	return cat, nil
}

// definedEntry returns the entry of a rule defined in a file or an
// upload, given the rule in force of its id (nil when disabled).
func definedEntry(defined, inForce *rule.Rule, uploaded bool) *ruleEntry {
	e := &ruleEntry{Rule: inForce, Own: defined.Severity, defined: defined}
	if inForce == nil {
		e.Rule, e.Disabled = defined, true
	}
	switch {
	case uploaded:
		e.Origin = originUpload
		e.Upload, _ = ruleset.Upload(defined.File)
	case defined.Builtin:
		e.Origin = originBuiltin
	case defined.Sigma != nil:
		e.Origin = originSigma
	default:
		e.Origin = originFile
	}
	return e
}

func (cat *catalog) add(e *ruleEntry) {
	cat.rules = append(cat.rules, e)
	cat.byID[e.ID] = e
}

// addChanges adds the console's settings and exceptions to their rules.
func (c *Console) addChanges(ctx context.Context, cat *catalog) error {
	settings, err := c.Store.RuleSettings(ctx)
	if err != nil {
		return err
	}
	for i := range settings {
		if e := cat.byID[settings[i].RuleID]; e != nil {
			e.Setting = &settings[i]
		}
	}
	exceptions, err := c.Store.RuleExceptions(ctx)
	if err != nil {
		return err
	}
	for _, x := range exceptions {
		if e := cat.byID[x.RuleID]; e != nil {
			e.Exceptions = append(e.Exceptions, x)
		}
	}
	return nil
}

// uploadRules returns the ids of the rules an upload defines.
func (cat *catalog) uploadRules(name string) []string {
	var ids []string
	for _, e := range cat.rules {
		if e.Upload == name {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// rulesData is what the list of rules shows.
type rulesData struct {
	Query     string
	Rules     []*ruleEntry
	InForce   int
	Disabled  int
	Uploads   []uploadRow
	CanChange bool
	Problem   string
	Problems  []string // of a refused upload
}

// uploadRow is an uploaded rule file and the rules it defines.
type uploadRow struct {
	store.RuleUpload
	Rules []string
}

// rules serves GET /rules: q filters by id, title, tag, scenario or
// origin.
func (c *Console) rules(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.rulesPage(w, r, s, http.StatusOK, &rulesData{})
}

// rulesPage renders the list of rules with d's problems.
func (c *Console) rulesPage(w http.ResponseWriter, r *http.Request, s *session.Session, status int, d *rulesData) {
	cat, err := c.catalog(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	d.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	d.CanChange = user.Allowed(s.Role, user.PermRules)
	for _, e := range cat.rules {
		if e.Disabled {
			d.Disabled++
		} else {
			d.InForce++
		}
		if matches(e, d.Query) {
			d.Rules = append(d.Rules, e)
		}
	}
	for _, u := range cat.uploads {
		d.Uploads = append(d.Uploads, uploadRow{u, cat.uploadRules(u.Name)})
	}
	c.render(w, r, status, "rules", "Rules", d)
}

// matches reports whether a rule's id, title, scenario, tags or origin
// hold q, in any case.
func matches(e *ruleEntry, q string) bool {
	if q == "" {
		return true
	}
	text := strings.ToLower(strings.Join(append([]string{e.ID, e.Title, string(e.Scenario), e.Origin}, e.Tags...), " "))
	return strings.Contains(text, strings.ToLower(q))
}

// ruleData is what the page of a rule shows.
type ruleData struct {
	Rule           *ruleEntry
	Source         string   // the rule's definition, as written
	Tests          []string // its test events, as JSON, masked
	NoMatch        []string
	TestFailures   []string
	FileExceptions int // exceptions of override files, beside the console's
	CanChange      bool
	Pattern        string // the form of a new exception
	Comment        string
	Problem        string
}

// rulePage serves GET /rules/{id}.
func (c *Console) rulePage(w http.ResponseWriter, r *http.Request, s *session.Session) {
	c.ruleView(w, r, s, http.StatusOK, &ruleData{})
}

// ruleView renders the page of the rule of the request with d's form
// and problem.
func (c *Console) ruleView(w http.ResponseWriter, r *http.Request, s *session.Session, status int, d *ruleData) {
	cat, err := c.catalog(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	e := cat.byID[r.PathValue("id")]
	if e == nil {
		c.fail(w, r, http.StatusNotFound)
		return
	}
	d.Rule = e
	d.CanChange = user.Allowed(s.Role, user.PermRules) && e.Changeable()
	d.Source = ruleSource(e, cat.uploads) // configuration, shown as written
	for _, t := range e.Tests.Match {
		d.Tests = append(d.Tests, eventText(t))
	}
	for _, t := range e.Tests.NoMatch {
		d.NoMatch = append(d.NoMatch, eventText(t))
	}
	if len(d.Tests)+len(d.NoMatch) > 0 {
		d.TestFailures = engine.RunTests(e.defined)
	}
	if !e.Disabled {
		d.FileExceptions = max(0, len(e.Rule.Exceptions)-len(e.Exceptions))
	}
	c.render(w, r, status, "rule", e.Title, d)
}

// maxRuleFile bounds a rule file: uploaded, or read to show a rule.
const maxRuleFile = 1 << 20

// ruleSource returns the text of the document that defines a rule in
// its file, or "" when it cannot be read.
func ruleSource(e *ruleEntry, uploads []store.RuleUpload) string {
	var (
		data []byte
		err  error
	)
	switch {
	case e.Upload != "":
		i := slices.IndexFunc(uploads, func(u store.RuleUpload) bool { return u.Name == e.Upload })
		if i < 0 {
			return ""
		}
		data = uploads[i].Content
	case e.Builtin:
		data, err = fs.ReadFile(builtin.FS, e.File)
	default:
		data, err = readBounded(e.File, maxRuleFile)
	}
	if err != nil {
		return ""
	}
	return document(string(data), e.Line)
}

// readBounded reads a file of at most n bytes.
func readBounded(name string, n int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, n+1))
	if err == nil && int64(len(data)) > n {
		err = errors.New("too large")
	}
	return data, err
}

// document returns the YAML document of text that holds line (counted
// from 1): the lines between the "---" separators around it.
func document(text string, line int) string {
	lines := strings.Split(text, "\n")
	at := max(line-1, 0)
	start, end := 0, len(lines)
	for i, l := range lines {
		switch {
		case !isSeparator(l):
		case i <= at:
			start = i + 1
		default:
			end = i
		}
		if end < len(lines) {
			break
		}
	}
	return strings.TrimSpace(strings.Join(lines[start:end], "\n"))
}

// isSeparator reports whether a line separates YAML documents.
func isSeparator(l string) bool {
	return l == "---" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "---\t") || l == "---\r"
}

// ruleSettings serves POST /rules/{id}/settings: field state (enabled or
// disabled) and severity ("" for the rule's own).
func (c *Console) ruleSettings(w http.ResponseWriter, r *http.Request, s *session.Session) {
	e, ok := c.changeable(w, r, s)
	if !ok {
		return
	}
	state, sevName := formText(r, "state"), formText(r, "severity")
	set := store.RuleSetting{RuleID: e.ID, Disabled: state == "disabled", UpdatedBy: s.User, UpdatedAt: time.Now()}
	problem := ""
	if state != "enabled" && state != "disabled" {
		problem = langOf(r).T("Choose enabled or disabled.")
	}
	if sevName != "" {
		sev, err := rule.ParseSeverity(sevName)
		if err != nil {
			problem = langOf(r).T("Choose a severity.")
		} else if sev != e.Own {
			set.Severity = sev.String()
		}
	}
	if problem != "" {
		c.ruleView(w, r, s, http.StatusBadRequest, &ruleData{Problem: problem})
		return
	}
	if err := c.Store.SetRule(r.Context(), set); err != nil {
		c.storeFail(w, r, err)
		return
	}
	detail := state + ", severity " + cmp.Or(set.Severity, "its own ("+e.Own.String()+")")
	if c.record(w, r, s, audit.ActionRuleChange, e.ID, audit.ResultSuccess, detail) {
		c.flash(w, r, "Rule changed")
		c.redirect(w, r, "/rules/"+url.PathEscape(e.ID))
	}
}

// changeable returns the rule of a request that changes it, having
// answered the request when there is none or it cannot be changed.
func (c *Console) changeable(w http.ResponseWriter, r *http.Request, s *session.Session) (*ruleEntry, bool) {
	cat, err := c.catalog(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return nil, false
	}
	e := cat.byID[r.PathValue("id")]
	switch {
	case e == nil:
		c.fail(w, r, http.StatusNotFound)
		return nil, false
	case !e.Changeable():
		c.ruleView(w, r, s, http.StatusBadRequest,
			&ruleData{Problem: langOf(r).T("Sigma correlation rules cannot be changed in the console.")})
		return nil, false
	}
	return e, true
}

// maxPattern bounds an exception's pattern, in bytes.
const maxPattern = 64 << 10

// addException serves POST /rules/{id}/exceptions: fields pattern (an
// event pattern, as JSON) and comment.
func (c *Console) addException(w http.ResponseWriter, r *http.Request, s *session.Session) {
	e, ok := c.changeable(w, r, s)
	if !ok {
		return
	}
	d := &ruleData{Pattern: r.PostFormValue("pattern")}
	var problem string
	d.Comment, problem = comment(r)
	switch {
	case problem != "":
		d.Problem = problem
	case strings.TrimSpace(d.Pattern) == "":
		d.Problem = langOf(r).T("Give the exception's event pattern.")
	case len(d.Pattern) > maxPattern:
		d.Problem = langOf(r).T("The pattern is too long: at most %d bytes.", maxPattern)
	default:
		if _, err := pattern.Parse([]byte(d.Pattern)); err != nil {
			d.Problem = err.Error()
		}
	}
	if d.Problem != "" {
		d.Comment = r.PostFormValue("comment")
		c.ruleView(w, r, s, http.StatusBadRequest, d)
		return
	}
	x, err := c.Store.AddRuleException(r.Context(), store.RuleException{RuleID: e.ID, Pattern: d.Pattern, Comment: d.Comment,
		CreatedBy: s.User, CreatedAt: time.Now()})
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionRuleChange, e.ID, audit.ResultSuccess, describeException("exception added", x)) {
		c.flash(w, r, "Exception added")
		c.redirect(w, r, "/rules/"+url.PathEscape(e.ID))
	}
}

// describeException says what happened to an exception, for the audit
// trail.
func describeException(what string, x *store.RuleException) string {
	d := fmt.Sprintf("%s %s: %s", what, x.ID, x.Pattern)
	if x.Comment != "" {
		d += " (" + x.Comment + ")"
	}
	return d
}

// deleteException serves POST /rules/{id}/exceptions/{exc}/delete.
func (c *Console) deleteException(w http.ResponseWriter, r *http.Request, s *session.Session) {
	e, ok := c.changeable(w, r, s)
	if !ok {
		return
	}
	i := slices.IndexFunc(e.Exceptions, func(x store.RuleException) bool { return x.ID == r.PathValue("exc") })
	if i < 0 {
		c.fail(w, r, http.StatusNotFound)
		return
	}
	x := e.Exceptions[i]
	if err := c.Store.DeleteRuleException(r.Context(), x.ID); err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionRuleChange, e.ID, audit.ResultSuccess, describeException("exception deleted", &x)) {
		c.flash(w, r, "Exception deleted")
		c.redirect(w, r, "/rules/"+url.PathEscape(e.ID))
	}
}

// uploadRules serves POST /rules/upload: a rule file (field file) of
// rules or overrides, refused with its problems when it has any or
// defines a rule that exists.
func (c *Console) uploadRules(w http.ResponseWriter, r *http.Request, s *session.Session) {
	lang := langOf(r)
	name, content, problem := uploadedFile(r)
	if problem != "" {
		c.rulesPage(w, r, s, http.StatusBadRequest, &rulesData{Problem: problem})
		return
	}
	cat, err := c.catalog(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	p, problems := cat.checkUpload(name, content)
	if len(problems) > 0 {
		d := &rulesData{Problem: lang.T("The file %s was not uploaded:", name), Problems: problems}
		c.rulesPage(w, r, s, http.StatusBadRequest, d)
		return
	}
	u, err := c.Store.AddRuleUpload(r.Context(), store.RuleUpload{Name: name, Content: content, UploadedBy: s.User, UploadedAt: time.Now()})
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	if c.record(w, r, s, audit.ActionRuleChange, name, audit.ResultSuccess, "uploaded "+u.ID+": "+describeParsed(p)) {
		c.flash(w, r, "Rules uploaded")
		c.redirect(w, r, "/rules")
	}
}

// uploadedFile returns the name and content of the rule file of an
// upload, or a problem in the request's language.
func uploadedFile(r *http.Request) (string, []byte, string) {
	lang := langOf(r)
	f, h, err := r.FormFile("file")
	if err != nil {
		return "", nil, lang.T("Choose a rule file to upload.")
	}
	defer f.Close()
	name := path.Base(strings.ReplaceAll(h.Filename, "\\", "/"))
	switch ext := strings.ToLower(path.Ext(name)); {
	case ext != ".yml" && ext != ".yaml":
		return "", nil, lang.T("Upload a .yml or .yaml rule file.")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > 128:
		return "", nil, lang.T("The file's name is too long: at most %d characters.", 128)
	case h.Size > maxRuleFile:
		return "", nil, lang.T("The file is too large: at most %d KiB.", maxRuleFile>>10)
	}
	content, err := io.ReadAll(io.LimitReader(f, maxRuleFile+1))
	if err != nil || len(content) > maxRuleFile {
		return "", nil, lang.T("The file is too large: at most %d KiB.", maxRuleFile>>10)
	}
	return name, content, ""
}

// checkUpload parses an uploaded rule file and returns it with its
// problems: those of its format, rules that fail their tests, rules
// that exist, overrides of rules that do not, and a name in use.
func (cat *catalog) checkUpload(name string, content []byte) (*rule.Parsed, []string) {
	p := rule.ParseFile(name, content)
	var problems []string
	for _, pr := range p.Problems {
		problems = append(problems, pr.Error())
	}
	if slices.ContainsFunc(cat.uploads, func(u store.RuleUpload) bool { return u.Name == name }) {
		problems = append(problems, fmt.Sprintf("%s: an upload of that name exists: delete it first, or rename the file", name))
	}
	if len(problems) == 0 && len(p.Rules) == 0 && len(p.Overrides) == 0 {
		problems = append(problems, name+": the file defines no rule and no override")
	}
	ids := map[string]bool{}
	for _, r := range p.Rules {
		if e := cat.byID[r.ID]; e != nil || ids[r.ID] {
			problems = append(problems, fmt.Sprintf("%s:%d: rule %s is already defined; change it with an override", r.File, r.Line, r.ID))
		}
		ids[r.ID] = true
		for _, f := range engine.RunTests(r) {
			problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.ID, f))
		}
	}
	for _, o := range p.Overrides {
		if e := cat.byID[o.Rule]; (e == nil || !e.Changeable()) && !ids[o.Rule] {
			problems = append(problems, fmt.Sprintf("%s:%d: override of unknown rule %q", o.File, o.Line, o.Rule))
		}
	}
	return p, problems
}

// describeParsed names the rules and overrides of a file, for the audit
// trail.
func describeParsed(p *rule.Parsed) string {
	var parts []string
	for _, r := range p.Rules {
		parts = append(parts, "rule "+r.ID)
	}
	for _, o := range p.Overrides {
		parts = append(parts, "override of "+o.Rule)
	}
	return strings.Join(parts, ", ")
}

// deleteUpload serves POST /rules/uploads/{id}/delete.
func (c *Console) deleteUpload(w http.ResponseWriter, r *http.Request, s *session.Session) {
	cat, err := c.catalog(r.Context())
	if err != nil {
		c.storeFail(w, r, err)
		return
	}
	i := slices.IndexFunc(cat.uploads, func(u store.RuleUpload) bool { return u.ID == r.PathValue("id") })
	if i < 0 {
		c.fail(w, r, http.StatusNotFound)
		return
	}
	u := cat.uploads[i]
	if err := c.Store.DeleteRuleUpload(r.Context(), u.ID); err != nil {
		c.storeFail(w, r, err)
		return
	}
	detail := "deleted upload " + u.ID
	if ids := cat.uploadRules(u.Name); len(ids) > 0 {
		detail += ": rules " + strings.Join(ids, ", ")
	}
	if c.record(w, r, s, audit.ActionRuleChange, u.Name, audit.ResultSuccess, detail) {
		c.flash(w, r, "Upload deleted")
		c.redirect(w, r, "/rules")
	}
}
