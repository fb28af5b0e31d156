package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"vigil/engine"
	"vigil/event"
	"vigil/pattern"
	"vigil/rule"
)

func ruleCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("rule: want a subcommand: test or lint")}
	}
	switch args[0] {
	case "test":
		return ruleTest(args[1:], stdout, stderr)
	case "lint":
		return ruleLint(args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("rule: unknown subcommand %q", args[0])}
}

// ruleTest is the equivalent of aws events test-event-pattern.
func ruleTest(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rule test", stderr)
	pat := fs.String("pattern", "", "the event pattern: JSON, or @FILE")
	evArg := fs.String("event", "", "the event: JSON, or @FILE; a bare CloudTrail record is wrapped as EventBridge wraps it")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 || *pat == "" || *evArg == "" {
		return usageError{errors.New("rule test: want --pattern and --event")}
	}
	patText, err := argText(*pat)
	if err != nil {
		return usageError{err}
	}
	evText, err := argText(*evArg)
	if err != nil {
		return usageError{err}
	}
	p, err := pattern.Parse(patText)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError{exitUsage}
	}
	ev, ok := testEvent(evText)
	if !ok {
		fmt.Fprintln(stderr, "Parameter Event is not valid.")
		return exitError{exitUsage}
	}
	// The event goes the way events go in scan and serve: prefilter,
	// extraction (a bare CloudTrail record inside its envelope), matching.
	e, err := engine.New([]*rule.Rule{{ID: "test", Pattern: p}})
	if err != nil {
		return err
	}
	fired, err := e.NewEvaluator().Eval(ev)
	if err != nil {
		fmt.Fprintln(stderr, "Parameter Event is not valid.")
		return exitError{exitUsage}
	}
	out, _ := json.Marshal(struct{ Result bool }{len(fired) > 0})
	fmt.Fprintln(stdout, string(out))
	return nil
}

// argText returns a flag's JSON text, read from a file when it starts with @.
func argText(v string) ([]byte, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		return os.ReadFile(name)
	}
	return []byte(v), nil
}

// requiredFields are the fields EventBridge requires of an event it tests.
var requiredFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// testEvent returns the event to test and whether it is valid: a JSON
// object with the fields EventBridge requires (strings, and resources a
// list), or a bare CloudTrail record, which is matched inside its
// envelope.
func testEvent(text []byte) (*event.Event, bool) {
	var obj map[string]json.RawMessage
	if !json.Valid(text) || json.Unmarshal(text, &obj) != nil || obj == nil {
		return nil, false
	}
	kind, err := event.NewDetector().Kind(text)
	if err != nil {
		return nil, false
	}
	if kind == event.CloudTrail {
		return &event.Event{Raw: text, Kind: kind}, true
	}
	for _, f := range requiredFields {
		var s string
		if json.Unmarshal(obj[f], &s) != nil {
			return nil, false
		}
	}
	var res []json.RawMessage
	if json.Unmarshal(obj["resources"], &res) != nil || obj["resources"] == nil {
		return nil, false
	}
	return &event.Event{Raw: text, Kind: kind}, true
}

func ruleLint(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("rule lint", stderr)
	var rf ruleFlags
	rf.add(fs)
	verbose := fs.Bool("v", false, "also list the Sigma rules for logs vigil does not read")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	rf.dirs = append(rf.dirs, rest...)
	p, sc, err := rf.load()
	if err != nil {
		return err
	}
	rules := p.Compose()
	loaded := 0
	for _, r := range rules {
		fails := engine.RunTests(r)
		for _, f := range fails {
			fmt.Fprintf(stdout, "%s:%d: %s: %s\n", r.File, r.Line, r.ID, f)
		}
		if len(fails) > 0 {
			p.Invalid++
		} else {
			loaded++
		}
	}
	for _, pr := range p.Problems {
		fmt.Fprintln(stdout, pr)
	}
	if sc == nil {
		fmt.Fprintf(stdout, "loaded %d, invalid %d\n", loaded, p.Invalid)
		if p.Invalid > 0 {
			return exitError{exitFound}
		}
		return nil
	}
	// Sigma rules: those that did not load, and why, then the counts.
	n := sc.Counts()
	for _, pr := range sc.Problems {
		if !pr.Logsource || *verbose {
			fmt.Fprintln(stdout, pr)
		}
	}
	invalid := p.Invalid + n.Invalid
	fmt.Fprintf(stdout, "loaded %d, not applicable %d, unsupported %d, invalid %d\n", loaded+len(sc.Correlations), n.NotApplicable, n.Unsupported, invalid)
	if invalid > 0 {
		return exitError{exitFound}
	}
	return nil
}
