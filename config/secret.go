package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Secret is a credential written in the configuration. It prints as
// "<secret>", so that a configuration that is logged or shown does not
// give it away.
type Secret string

// String returns "<secret>", or "" for no secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalYAML hides the secret from a configuration written out.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText hides the secret from JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ReadSecret returns a secret given inline or, when file is not empty,
// the content of file without the white space around it (a trailing line
// break). The configuration gives one or the other: a key such as secret
// and its secret_file.
func ReadSecret(inline Secret, file string) (string, error) {
	if file == "" {
		return string(inline), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading the secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("the secret file %s is empty", file)
	}
	return s, nil
}
