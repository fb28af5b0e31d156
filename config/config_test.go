package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, yaml string) (*Config, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(file)
}

func TestDefault(t *testing.T) {
	if err := Default().Check(); err != nil {
		t.Fatal(err)
	}
	c, err := load(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8443" || len(c.Sources) != 4 || c.Detect.Partitions != 16 {
		t.Errorf("an empty file is not the defaults: %+v", c)
	}
}

func TestLoad(t *testing.T) {
	c, err := load(t, `
listen: 127.0.0.1:9443
data_dir: data
nats:
  max_bytes: 2GiB
  duplicate_window: 1h
limits:
  max_body: 512KiB
  max_decompressed: 10MB
sources:
  - {name: trail, kind: cloudtrail}
inputs:
  - {name: archive, dir: /var/trail, source: trail, poll: 30s}
rules:
  sigma: [sigma/rules]
`)
	if err != nil {
		t.Fatal(err)
	}
	if c.NATS.MaxBytes != 2<<30 || time.Duration(c.NATS.Duplicates) != time.Hour || c.Limits.MaxBody != 512<<10 || c.Limits.MaxDecompressed != 10e6 {
		t.Errorf("units: %+v %+v", c.NATS, c.Limits)
	}
	if !filepath.IsAbs(c.DataDir) || !strings.HasSuffix(c.Rules.Sigma[0], "/sigma/rules") || c.Inputs[0].Dir != "/var/trail" {
		t.Errorf("paths: %q %q %q", c.DataDir, c.Rules.Sigma, c.Inputs[0].Dir)
	}
	if c.Listen != "127.0.0.1:9443" || c.Limits.MaxDepth != 64 {
		t.Errorf("defaults lost: %+v", c)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"listen: :1\nlisen: :2\n", `:2: unknown key "lisen"`},
		{"nats:\n  max_bytes: lots\n", `:2: "lots" is not a size`},
		{"detect:\n  checkpoint: soon\n", `:2: "soon" is not a duration`},
		{"sources:\n  - {name: a, kind: cloudtrail}\n  - {name: b, kind: syslog}\n", `:3: sources[1].kind: "syslog": want one of`},
		{"sources:\n  - {name: a, kind: json}\n  - {name: a, kind: json}\n", `:3: sources[1].name: "a" named twice`},
		{"inputs:\n  - name: x\n    dir: /d\n    source: nope\n", `:4: inputs[0].source: "nope" is not a source`},
		{"detect:\n  partitions: 0\n", `:2: detect.partitions: 0: want 1 to 1024`},
		{"tls:\n  cert_file: c.pem\n", `:2: tls: give both`},
		{"log: {level: loud}\n", `log.level: "loud"`},
		{"listen: [\n", `vigil.yaml:1: did not find expected node content`},
		{"eventbridge: {source: ndjson}\n", `eventbridge.source: "ndjson" is not a source of kind eventbridge`},
		{"alerting: {external_url: vigil.example.com}\n", `:1: alerting.external_url: want an absolute http or https URL`},
	} {
		_, err := load(t, tt.yaml)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
