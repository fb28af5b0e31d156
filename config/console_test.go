package config

import (
	"strings"
	"testing"
)

// TestConsoleIdleTimeout checks that the idle timeout of sessions is
// under 30 minutes, as the specification asks.
func TestConsoleIdleTimeout(t *testing.T) {
	for yaml, want := range map[string]string{
		"console: {idle_timeout: 30m}\n": "console.idle_timeout: 30m0s: want 1m or more, and less than 30m",
		"console: {idle_timeout: 45m}\n": "console.idle_timeout",
		"console: {idle_timeout: 30s}\n": "console.idle_timeout",
		"console: {idle_timeout: 29m}\n": "",
		"console: {idle_timeout: 1m}\n":  "",
		"console: {idle_timeout: 15m}\n": "",
	} {
		_, err := load(t, yaml)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", yaml, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: %v, want %q", yaml, err, want)
		}
	}
}
