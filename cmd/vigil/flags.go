package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"vigil/builtin"
	"vigil/detect"
	"vigil/rule"
	"vigil/ruleset"
	"vigil/sigma"
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

// noArgs parses the flags of a command that takes no other argument.
func noArgs(fs *flag.FlagSet, args []string) error {
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", fs.Name(), rest[0])}
	}
	return nil
}

// storeCommand checks that args starts with one of cmds, the commands of
// name that work on the server's store, such as "token create", and
// returns the flag set of that command, with the flags that find the
// store in f.
func storeCommand(name string, cmds, args []string, f *serveFlags, stderr io.Writer) (*flag.FlagSet, error) {
	want := strings.Join(cmds[:len(cmds)-1], ", ") + " or " + cmds[len(cmds)-1]
	switch {
	case len(args) == 0:
		return nil, usageError{fmt.Errorf("%s: want %s", name, want)}
	case !slices.Contains(cmds, args[0]):
		return nil, usageError{fmt.Errorf("%s: unknown command %q: want %s", name, args[0], want)}
	}
	fs := newFlags(name+" "+args[0], stderr)
	addStoreFlags(fs, f)
	return fs, nil
}

// ruleFlags are the flags that choose rules.
type ruleFlags struct {
	dirs        list
	sigmaDirs   list
	sigmaConfig string
	noBuiltin   bool
}

func (r *ruleFlags) add(fs *flag.FlagSet) {
	fs.Var(&r.dirs, "rules", "rule file or directory of rule files to add (repeatable)")
	fs.Var(&r.sigmaDirs, "sigma", "Sigma rule file or directory, such as a SigmaHQ checkout's rules/ (repeatable)")
	fs.StringVar(&r.sigmaConfig, "sigma-config", "", "Sigma configuration: field mappings, placeholders (see docs/sigma.md)")
	fs.BoolVar(&r.noBuiltin, "no-builtin", false, "leave out the built-in rules")
}

// loadSigma reads the Sigma rules the flags choose; nil when none.
func (r *ruleFlags) loadSigma() (*sigma.Collection, error) {
	if len(r.sigmaDirs) == 0 {
		return nil, nil
	}
	var cfg *sigma.Config
	if r.sigmaConfig != "" {
		var err error
		if cfg, err = sigma.LoadConfig(r.sigmaConfig); err != nil {
			return nil, err
		}
	}
	c := &sigma.Collection{}
	for _, d := range r.sigmaDirs {
		if err := c.AddPath(d); err != nil {
			return nil, err
		}
	}
	c.Compile(cfg)
	return c, nil
}

// load reads the rules the flags choose, without composing them. Sigma
// rules that vigil runs join the native rules.
func (r *ruleFlags) load() (*rule.Parsed, *sigma.Collection, error) {
	all, err := r.loadNative()
	if err != nil {
		return nil, nil, err
	}
	sc, err := r.loadSigma()
	if err != nil || sc == nil {
		return all, nil, err
	}
	for _, s := range sc.Rules {
		all.Rules = append(all.Rules, rule.FromSigma(s))
	}
	return all, sc, nil
}

func (r *ruleFlags) loadNative() (*rule.Parsed, error) {
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

// rules compiles the rules the flags choose; invalid rules are errors,
// while Sigma rules vigil does not run are left out.
func (r *ruleFlags) rules() (*detect.Rules, error) {
	p, sc, err := r.load()
	if err != nil {
		return nil, err
	}
	rules, _, err := compile(p, &rule.Parsed{}, sc)
	return rules, err
}

// compile compiles the rules of files, with the console's changes over
// them, and the Sigma correlations. It returns the console's changes
// that cannot apply as warnings.
func compile(files, console *rule.Parsed, sc *sigma.Collection) (*detect.Rules, []string, error) {
	var corrs []*sigma.Correlation
	lateness, maxGroups := sigma.DefaultLateness, sigma.DefaultMaxGroups
	var invalid []string
	if sc != nil {
		for _, pr := range sc.Problems {
			if pr.Class == sigma.Invalid {
				invalid = append(invalid, pr.Error())
			}
		}
		corrs, lateness, maxGroups = sc.Correlations, sc.Config.Lateness, sc.Config.MaxGroups
	}
	composed, warnings, err := ruleset.Compose(files, console)
	if err != nil {
		return nil, warnings, err
	}
	if len(invalid) > 0 {
		return nil, warnings, errors.New("invalid rules:\n  " + strings.Join(invalid, "\n  ") + "\nrun 'vigil rule lint' for details")
	}
	rules, err := detect.Compile(composed, corrs, lateness, maxGroups)
	return rules, warnings, err
}
