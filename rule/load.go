package rule

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Load reads every .yml and .yaml file below root in fsys, in lexical
// order. Rules loaded from it are marked builtin when builtin is true.
func Load(fsys fs.FS, root string, builtin bool) (*Parsed, error) {
	return load(fsys, root, builtin, func(name string) string { return name })
}

// LoadPath reads a rule file, or every .yml and .yaml file below a
// directory, naming files as the path was given.
func LoadPath(dir string) (*Parsed, error) {
	if info, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("loading rules: %w", err)
	} else if !info.IsDir() {
		data, err := os.ReadFile(dir)
		if err != nil {
			return nil, fmt.Errorf("loading rules: %w", err)
		}
		return ParseFile(dir, data), nil
	}
	return load(os.DirFS(dir), ".", false, func(name string) string {
		return filepath.Join(dir, filepath.FromSlash(name))
	})
}

func load(fsys fs.FS, root string, builtin bool, display func(string) string) (*Parsed, error) {
	out := &Parsed{}
	err := fs.WalkDir(fsys, root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isYAML(name) {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		p := ParseFile(display(name), data)
		for _, r := range p.Rules {
			r.Builtin = builtin
		}
		out.Merge(p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading rules from %s: %w", root, err)
	}
	return out, nil
}

func isYAML(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".yml" || ext == ".yaml"
}

// Merge adds what q holds to p.
func (p *Parsed) Merge(q *Parsed) {
	p.Rules = append(p.Rules, q.Rules...)
	p.Overrides = append(p.Overrides, q.Overrides...)
	p.Problems = append(p.Problems, q.Problems...)
	p.Invalid += q.Invalid
}

// Compose returns the rules in force: every rule once, with the overrides
// applied and the disabled rules left out. A rule id defined twice, or an
// override of a rule that does not exist, is a problem and counts as
// invalid; the first definition of a duplicate stays.
func (p *Parsed) Compose() []*Rule {
	byID := map[string]*Rule{}
	var rules []*Rule
	for _, r := range p.Rules {
		if prev, dup := byID[r.ID]; dup {
			p.Problems = append(p.Problems, &Problem{File: r.File, Line: r.Line, Col: 1, Field: "id",
				Msg: fmt.Sprintf("rule %s is already defined at %s:%d; change a rule of another file with an override", r.ID, prev.File, prev.Line)})
			p.Invalid++
			continue
		}
		c := *r // overrides change a copy, never the loaded rule
		byID[r.ID] = &c
		rules = append(rules, &c)
	}
	disabled := map[string]bool{}
	for _, o := range p.Overrides {
		r := byID[o.Rule]
		if r == nil {
			p.Problems = append(p.Problems, &Problem{File: o.File, Line: o.Line, Col: 1, Field: "rule",
				Msg: fmt.Sprintf("override of unknown rule %q", o.Rule)})
			p.Invalid++
			continue
		}
		if o.Severity != nil {
			r.Severity = *o.Severity
		}
		r.Exceptions = append(slices.Clip(r.Exceptions), o.Exceptions...)
		if o.Disabled {
			disabled[r.ID] = true
		}
	}
	return slices.DeleteFunc(rules, func(r *Rule) bool { return disabled[r.ID] })
}
