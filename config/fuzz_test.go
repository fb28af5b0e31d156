package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad loads arbitrary files: every one is a configuration or an
// error that names the file, never a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("listen: 127.0.0.1:9443\nlimits: {max_body: 1MiB}\n"))
	f.Add([]byte(`alerting:
  route: {receiver: a, group_by: ['...'], routes: [{matchers: ['severity=~"high|critical"'], receiver: a, continue: true}]}
  receivers: [{name: a, webhook_configs: [{url: "https://h/x", secret: s}]}]
  inhibit_rules: [{source_matchers: [a="b"], target_matchers: [c!="d"], equal: [account]}]
  time_intervals: [{name: t, time_intervals: [{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}]}]
response: {actions: [{name: x, type: aws_iam_quarantine, mode: approve}]}
console: {idle_timeout: 10m}
`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "vigil.yaml")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(file)
		switch {
		case err != nil && !strings.Contains(err.Error(), "vigil.yaml"):
			t.Fatalf("an error that does not name the file: %v", err)
		case err == nil && c.Check() != nil:
			t.Fatalf("a loaded configuration fails its check: %v", c.Check())
		}
	})
}
