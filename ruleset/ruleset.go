// Package ruleset adds to the rules of files the changes made to rules in
// the console — rules disabled or given another severity, exceptions,
// uploaded rule files, all kept in the store — and has vigil serve reload
// its rules when those change.
package ruleset

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"vigil/pattern"
	"vigil/rule"
	"vigil/store"
)

// consolePrefix starts the file names of the console's changes, in
// problems and in the rules they define.
const consolePrefix = "console:"

// uploadPrefix starts the file names of the rules of uploaded files.
const uploadPrefix = consolePrefix + "upload/"

// Upload returns the name of the uploaded rule file that a rule's File
// names, and whether it names one.
func Upload(file string) (name string, ok bool) { return strings.CutPrefix(file, uploadPrefix) }

// Console returns the changes made in the console as parsed rule files:
// each upload as the file it is, and the settings and exceptions as
// overrides.
func Console(ctx context.Context, db *store.DB) (*rule.Parsed, error) {
	uploads, err := db.RuleUploads(ctx)
	if err != nil {
		return nil, err
	}
	settings, err := db.RuleSettings(ctx)
	if err != nil {
		return nil, err
	}
	exceptions, err := db.RuleExceptions(ctx)
	if err != nil {
		return nil, err
	}
	p := &rule.Parsed{}
	for _, u := range uploads {
		p.Merge(rule.ParseFile(uploadPrefix+u.Name, u.Content))
	}
	for _, s := range settings {
		o := &rule.Override{Rule: s.RuleID, Disabled: s.Disabled, File: consolePrefix + "settings/" + s.RuleID}
		if s.Severity != "" {
			sev, err := rule.ParseSeverity(s.Severity)
			if err != nil {
				p.Problems = append(p.Problems, &rule.Problem{File: o.File, Field: "severity", Msg: err.Error()})
				continue
			}
			o.Severity = &sev
		}
		p.Overrides = append(p.Overrides, o)
	}
	for _, e := range exceptions {
		file := consolePrefix + "exceptions/" + e.ID
		pat, err := pattern.Parse([]byte(e.Pattern))
		if err != nil {
			p.Problems = append(p.Problems, &rule.Problem{File: file, Field: "pattern", Msg: err.Error()})
			continue
		}
		p.Overrides = append(p.Overrides, &rule.Override{Rule: e.RuleID, Exceptions: []*pattern.Pattern{pat}, File: file})
	}
	return p, nil
}

// Compose returns the rules in force: those of files with the console's
// changes over them. A problem of the files is an error; a change of the
// console that cannot apply (an exception of a rule no file has any
// more) is left out and returned as a warning, so that it never keeps
// vigil from starting.
func Compose(files, console *rule.Parsed) ([]*rule.Rule, []string, error) {
	all := &rule.Parsed{}
	all.Merge(files)
	all.Merge(console)
	rules := all.Compose()
	var errs, warnings []string
	for _, pr := range all.Problems {
		if strings.HasPrefix(pr.File, consolePrefix) {
			warnings = append(warnings, pr.Error())
		} else {
			errs = append(errs, pr.Error())
		}
	}
	if len(errs) > 0 {
		return nil, warnings, fmt.Errorf("invalid rules:\n  %s\nrun 'vigil rule lint' for details", strings.Join(errs, "\n  "))
	}
	return rules, warnings, nil
}

// Watch calls reload each time the console's changes to the rules change,
// looking every poll, until ctx is done.
func Watch(ctx context.Context, db *store.DB, poll time.Duration, log *slog.Logger, reload func(context.Context) error) {
	seen, err := db.RulesVersion(ctx)
	if err != nil && ctx.Err() == nil {
		log.Error("rules: cannot read the version of the console's changes", "err", err)
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := db.RulesVersion(ctx)
		if err != nil || v == seen {
			continue
		}
		if err := reload(ctx); err != nil {
			log.Error("rules: reloading after a change in the console; the rules in force stay", "err", err)
			continue
		}
		seen = v
		log.Info("rules reloaded after a change in the console", "version", v)
	}
}
