package main

import (
	"errors"
	"flag"
	"io"
	"strings"

	"vigil/builtin"
	"vigil/engine"
	"vigil/rule"
)

// list is a flag that may be given many times.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// parse parses flags wherever they are among the arguments, as people
// expect of a command line, and returns the other arguments. "--" ends
// the flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitError{exitOK}
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// ruleFlags are the flags that choose rules.
type ruleFlags struct {
	dirs      list
	noBuiltin bool
}

func (r *ruleFlags) add(fs *flag.FlagSet) {
	fs.Var(&r.dirs, "rules", "rule file or directory of rule files to add (repeatable)")
	fs.BoolVar(&r.noBuiltin, "no-builtin", false, "leave out the built-in rules")
}

// load reads the rules the flags choose, without composing them.
func (r *ruleFlags) load() (*rule.Parsed, error) {
	all := &rule.Parsed{}
	if !r.noBuiltin {
		p, err := rule.Load(builtin.FS, ".", true)
		if err != nil {
			return nil, err
		}
		all.Merge(p)
	}
	for _, d := range r.dirs {
		p, err := rule.LoadPath(d)
		if err != nil {
			return nil, err
		}
		all.Merge(p)
	}
	return all, nil
}

// engine compiles the rules the flags choose; problems in them are errors.
func (r *ruleFlags) engine() (*engine.Engine, error) {
	p, err := r.load()
	if err != nil {
		return nil, err
	}
	rules := p.Compose()
	if len(p.Problems) > 0 {
		var msgs []string
		for _, pr := range p.Problems {
			msgs = append(msgs, pr.Error())
		}
		return nil, errors.New("invalid rules:\n  " + strings.Join(msgs, "\n  ") + "\nrun 'vigil rule lint' for details")
	}
	return engine.New(rules)
}
