package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"vigil/engine"
	"vigil/pattern"
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
	fired, err := engine.TestPattern(p, evText)
	if errors.Is(err, engine.ErrInvalidEvent) {
		fmt.Fprintln(stderr, err)
		return exitError{exitUsage}
	}
	if err != nil {
		return err
	}
	out, _ := json.Marshal(struct{ Result bool }{fired})
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
