package notifytest

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"unicode/utf8"

	"vigil/notify"
)

// labelName is a label name in Alertmanager's classic validation.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// NewAlertmanager starts Alertmanager's POST /api/v2/alerts, which
// records each alert posted. It answers 200, or 400 with the errors of
// the alerts it refused, as Alertmanager does.
func NewAlertmanager(t testing.TB, opts ...Option) *Server[notify.AlertmanagerAlert] {
	t.Helper()
	return newServer(t, "", Reply{Status: http.StatusOK}, alertmanager, opts)
}

func alertmanager(r *http.Request, body []byte) ([]notify.AlertmanagerAlert, *Reply) {
	if r.URL.Path != "/api/v2/alerts" {
		return nil, &Reply{Status: http.StatusNotFound, Body: `"path not found"`}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, jsonReply(http.StatusUnsupportedMediaType, "want application/json")
	}
	var alerts []notify.AlertmanagerAlert
	if err := strict(body, &alerts); err != nil {
		return nil, jsonReply(http.StatusBadRequest, err.Error())
	}
	var errs []error
	for i, a := range alerts {
		if err := amCheck(a); err != nil {
			errs = append(errs, fmt.Errorf("alert %d: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return nil, jsonReply(http.StatusBadRequest, errors.Join(errs...).Error())
	}
	return alerts, nil
}

func amCheck(a notify.AlertmanagerAlert) error {
	switch {
	case a.StartsAt.IsZero():
		return errors.New("start time missing")
	case !a.EndsAt.IsZero() && a.EndsAt.Before(a.StartsAt):
		return errors.New("start time must be before end time")
	case len(a.Labels) == 0:
		return errors.New("at least one label pair required")
	}
	for _, set := range []map[string]string{a.Labels, a.Annotations} {
		for k, v := range set {
			if !labelName.MatchString(k) {
				return fmt.Errorf("invalid name %s", strconv.Quote(k))
			}
			if !utf8.ValidString(v) {
				return fmt.Errorf("invalid value %s", strconv.Quote(v))
			}
		}
	}
	if a.GeneratorURL != "" {
		if u, err := url.Parse(a.GeneratorURL); err != nil || !u.IsAbs() {
			return fmt.Errorf("generatorURL %q is not a URI", a.GeneratorURL)
		}
	}
	return nil
}
