package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vigil/config"
	"vigil/mask"
	"vigil/rule"
	"vigil/sigma"
	"vigil/store"
	"vigil/user"
)

// Pages holds what the pages need beyond the store. vigil serve fills it
// from its configuration and the rules it loaded.
type Pages struct {
	// Sources and Inputs are the configuration's sources and directory
	// inputs, in its order.
	Sources []config.Source
	Inputs  []config.Input
	// Rules are the rules of files — built-in, --rules and the Sigma
	// rules vigil runs — before the console's changes over them: the
	// rules and overrides serve loaded. The rules page composes them
	// with the console's changes as every node does.
	Rules *rule.Parsed
	// Correlations are the Sigma correlation rules; nil without Sigma.
	Correlations []*sigma.Correlation
	// ServerKey derives the secret access keys of the EventBridge API
	// from tokens' ids (auth.AWSSecret); nil shows none.
	ServerKey []byte
}

// registerPages adds the pages of the security team's work.
func (c *Console) registerPages(mux *http.ServeMux) {
	read := user.PermAlertsRead
	c.handle(mux, "GET /{$}", read, c.overview)

	c.handle(mux, "GET /alerts", read, c.alerts)
	c.handle(mux, "POST /alerts/bulk", user.PermAlertsWrite, c.bulkStatus)
	c.handle(mux, "GET /alerts/{id}", read, c.alert)
	c.handle(mux, "POST /alerts/{id}/status", user.PermAlertsWrite, c.alertStatus)

	c.handle(mux, "GET /rules", read, c.rules)
	c.handle(mux, "GET /rules/{id}", read, c.rulePage)
	c.handle(mux, "POST /rules/{id}/settings", user.PermRules, c.ruleSettings)
	c.handle(mux, "POST /rules/{id}/exceptions", user.PermRules, c.addException)
	c.handle(mux, "POST /rules/{id}/exceptions/{exc}/delete", user.PermRules, c.deleteException)
	c.handle(mux, "POST /rules/upload", user.PermRules, c.uploadRules)
	c.handle(mux, "POST /rules/uploads/{id}/delete", user.PermRules, c.deleteUpload)
	// The tester changes nothing and reads only what its users may
	// read: whoever reads alerts may use it.
	c.handle(mux, "GET /rules/test", read, c.testPattern)
	c.handle(mux, "POST /rules/test", read, c.testPattern)

	c.handle(mux, "GET /sources", read, c.sources)
	c.handle(mux, "POST /tokens", user.PermTokens, c.createToken)
	c.handle(mux, "POST /tokens/{id}/revoke", user.PermTokens, c.revokeToken)

	c.handle(mux, "GET /silences", read, c.silences)
	c.handle(mux, "POST /silences", user.PermSilences, c.createSilence)
	c.handle(mux, "POST /silences/{id}/expire", user.PermSilences, c.expireSilence)

	c.handle(mux, "GET /actions", read, c.actions)
	c.handle(mux, "POST /actions/{id}/approve", user.PermApprove, c.decide(true))
	c.handle(mux, "POST /actions/{id}/reject", user.PermApprove, c.decide(false))
	c.handle(mux, "POST /deliveries/{id}/redrive", user.PermAlertsWrite, c.redrive)
}

func init() {
	funcs["pathEscape"] = url.PathEscape
	funcs["label"] = label
	funcs["event"] = eventText
	funcs["jsonText"] = func(s string) string { return eventText([]byte(s)) }
	funcs["severities"] = func() []rule.Severity { return severitiesDown }
}

// severitiesDown are the severities, the most urgent first, as pages
// list them.
var severitiesDown = []rule.Severity{rule.Critical, rule.High, rule.Medium, rule.Low, rule.Info}

// label returns a value of vigil's (a status, a state) as words:
// false_positive is "false positive". Pages translate the words.
func label(v any) string { return strings.ReplaceAll(fmt.Sprint(v), "_", " ") }

// maxEventText bounds the text of one event on a page.
const maxEventText = 64 << 10

// eventText returns an event's JSON indented, bounded and with personal
// data masked, for display.
func eventText(b []byte) string {
	s := prettyJSON(b)
	if len(s) > maxEventText {
		s = strings.ToValidUTF8(s[:maxEventText], "") + "\n…"
	}
	return mask.String(s)
}

// Page sizes of lists: the default, and the most a page may ask for.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// pageSize reads the size of a page a request asks for, capped.
func pageSize(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return defaultPageSize
	}
	return min(n, maxPageSize)
}

// maxComment bounds the comments of changes, in bytes.
const maxComment = 1024

// formText returns a form field without the spaces around it.
func formText(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

// comment returns a request's comment, or a problem, in the request's
// language, when it is too long.
func comment(r *http.Request) (string, string) {
	c := formText(r, "comment")
	if len(c) > maxComment {
		return "", langOf(r).T("The comment is too long: at most %d bytes.", maxComment)
	}
	return c, ""
}

// storeStatus returns the status of a page whose store call failed: 404
// for something the store does not have, 400 for a bad argument, 409 for
// a change the state forbids, 503 otherwise.
func storeStatus(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusServiceUnavailable
}

// storeFail answers a request whose store call failed with a generic
// error page, and logs what the user is not shown.
func (c *Console) storeFail(w http.ResponseWriter, r *http.Request, err error) {
	status := storeStatus(err)
	if status == http.StatusServiceUnavailable {
		c.Log.Error("console: store", "path", r.URL.Path, "err", err)
	}
	c.fail(w, r, status)
}

// reason returns what the store found wrong, without the context it adds
// for its logs: the innermost of a chain of wrapped errors.
func reason(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// withQuery returns path with the query v, or path alone when v is
// empty.
func withQuery(path string, v url.Values) string {
	if q := v.Encode(); q != "" {
		return path + "?" + q
	}
	return path
}
