package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// first returns the first error of checks, which it runs in turn.
func first(checks ...func() error) error {
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

// each checks every config of a list, with its index in the key.
func each[T any](key string, cs []T, check func(*T, string) error) func() error {
	return func() error {
		for i := range cs {
			if err := check(&cs[i], fmt.Sprintf("%s[%d]", key, i)); err != nil {
				return err
			}
		}
		return nil
	}
}

// required checks that a value is given.
func required(key, s string) func() error {
	return func() error {
		if strings.TrimSpace(s) == "" {
			return errorf(key, "missing")
		}
		return nil
	}
}

// oneOf checks that a value is given inline (key.name) or in a file
// (key.name_file), not both, and one of them when required.
func oneOf(key, name string, inline Secret, file string, required bool) func() error {
	return func() error {
		switch {
		case inline != "" && file != "":
			return errorf(key+"."+name, "give %s or %s_file, not both", name, name)
		case required && inline == "" && file == "":
			return errorf(key+"."+name, "missing: give %s or %s_file", name, name)
		}
		return nil
	}
}

// httpURL checks an absolute http or https URL, if one is given. It
// quotes only the scheme and host: the rest may hold a token.
func httpURL(key, s string) func() error {
	return func() error {
		if s == "" {
			return nil
		}
		u, err := url.Parse(s)
		switch {
		case err != nil:
			return errorf(key, "not a URL")
		case u.Host == "":
			return errorf(key, "want an absolute http or https URL")
		case u.Scheme != "http" && u.Scheme != "https":
			return errorf(key, "%q: want an absolute http or https URL", u.Scheme+"://"+u.Host)
		}
		return nil
	}
}

// absPath makes the relative paths of ps relative to dir.
func absPath(dir string, ps ...*string) {
	for _, p := range ps {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// absPaths makes the relative paths of a list relative to dir.
func absPaths(dir string, ps []string) {
	for i := range ps {
		absPath(dir, &ps[i])
	}
}

// checkName checks the name of something a list of the configuration
// names (a source, an input, an action): its form, and that the list
// names it once. It adds it to seen.
func checkName(key, n string, seen map[string]bool) error {
	switch {
	case !name.MatchString(n):
		return errorf(key, "%q: want lower-case letters, digits, '-' and '_'", n)
	case seen[n]:
		return errorf(key, "%q named twice", n)
	}
	seen[n] = true
	return nil
}
