// Package config is the configuration of vigil serve: one YAML file read
// into one typed tree, with defaults for everything, checked as a whole
// when it is loaded. Errors name the file, the line and the key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the configuration of vigil serve. docs/serve.md describes
// every key.
type Config struct {
	// Listen is the address of the HTTPS listener.
	Listen string `yaml:"listen"`
	// DataDir holds what a node keeps: the embedded NATS store, the
	// SQLite database, the TLS certificate and the server key.
	DataDir string `yaml:"data_dir"`
	// DB is the alert store: a PostgreSQL URL, or empty for SQLite in the
	// data directory.
	DB string `yaml:"db"`
	// Node names this node in a cluster; empty for a name made at start.
	Node string `yaml:"node"`
	// SecretKeyFile holds the server key, from which the secrets of AWS
	// Signature Version 4 are derived; nodes of a cluster share it.
	SecretKeyFile string      `yaml:"secret_key_file"`
	TLS           TLS         `yaml:"tls"`
	NATS          NATS        `yaml:"nats"`
	Rules         Rules       `yaml:"rules"`
	Sources       []Source    `yaml:"sources"`
	Inputs        []Input     `yaml:"inputs"`
	Limits        Limits      `yaml:"limits"`
	Detect        Detect      `yaml:"detect"`
	EventBridge   EventBridge `yaml:"eventbridge"`
	Log           Log         `yaml:"log"`
	// Alerting routes notifications of alerts to receivers.
	Alerting Alerting `yaml:"alerting"`
	// Response sets the actions rules and routes name.
	Response Response `yaml:"response"`
	// Console sets the console's accounts and sessions; Audit its trail.
	Console Console `yaml:"console"`
	Audit   Audit   `yaml:"audit"`
}

// TLS names the certificate of the listener; empty for a self-signed one
// made in the data directory.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// NATS is the message bus.
type NATS struct {
	// URL is the NATS cluster to share with other nodes; empty embeds a
	// server in the process.
	URL string `yaml:"url"`
	// Replicas is how many servers of the cluster keep each stream.
	Replicas int `yaml:"replicas"`
	// MaxBytes bounds the backlog of events not yet processed; ingest
	// answers 503 when it is reached.
	MaxBytes Size `yaml:"max_bytes"`
	// Duplicates is the window within which a batch sent again is stored
	// once.
	Duplicates Duration `yaml:"duplicate_window"`
}

// Rules are the rules to run, as the flags of vigil scan choose them.
type Rules struct {
	Dirs        []string `yaml:"dirs"`
	Sigma       []string `yaml:"sigma"`
	SigmaConfig string   `yaml:"sigma_config"`
	// Builtin runs the built-in pack; true unless set to false.
	Builtin *bool `yaml:"builtin"`
}

// Source is a named input of events of one kind.
type Source struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
}

// Input is a directory of CloudTrail archives to read files from.
type Input struct {
	Name   string   `yaml:"name"`
	Dir    string   `yaml:"dir"`
	Source string   `yaml:"source"`
	Poll   Duration `yaml:"poll"`
}

// Limits bound what requests may hold and how often tokens may call.
type Limits struct {
	MaxBody         Size    `yaml:"max_body"`
	MaxDecompressed Size    `yaml:"max_decompressed"`
	MaxEvents       int     `yaml:"max_events"`
	MaxEventSize    Size    `yaml:"max_event_size"`
	MaxDepth        int     `yaml:"max_depth"`
	Rate            float64 `yaml:"rate"`
	Burst           int     `yaml:"burst"`
}

// Detect tunes detection.
type Detect struct {
	// Workers is how many batches of events a node evaluates at once;
	// 0 means one per CPU.
	Workers int `yaml:"workers"`
	// Partitions is the number of correlation partitions; every node
	// of a cluster must have the same.
	Partitions int `yaml:"partitions"`
	// Checkpoint is how often a partition saves its state.
	Checkpoint Duration `yaml:"checkpoint"`
}

// EventBridge sets the EventBridge PutEvents API.
type EventBridge struct {
	// Source is the source the events put go to; empty for the first
	// source of kind eventbridge. Without one, the API is off.
	Source string `yaml:"source"`
	// Account is the account id of the events put.
	Account string `yaml:"account"`
}

// PutEventsSource returns the source the EventBridge API puts events in,
// or "" when there is none.
func (c *Config) PutEventsSource() string {
	if c.EventBridge.Source != "" {
		return c.EventBridge.Source
	}
	for _, s := range c.Sources {
		if s.Kind == "eventbridge" {
			return s.Name
		}
	}
	return ""
}

// Log sets the logs.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error
	Format string `yaml:"format"` // json or text
}

// Default returns the configuration of a default installation.
func Default() *Config {
	c := &Config{
		Listen:  ":8443",
		DataDir: "vigil-data",
		NATS:    NATS{Replicas: 1, MaxBytes: 1 << 30, Duplicates: Duration(10 * time.Minute)},
		Sources: []Source{{"cloudtrail", "cloudtrail"}, {"k8s-audit", "k8s-audit"}, {"eventbridge", "eventbridge"}, {"ndjson", "json"}},
		Limits: Limits{MaxBody: 16 << 20, MaxDecompressed: 256 << 20, MaxEvents: 100_000, MaxEventSize: 512 << 10,
			MaxDepth: 64, Rate: 200, Burst: 400},
		Detect:      Detect{Partitions: 16, Checkpoint: Duration(5 * time.Second)},
		EventBridge: EventBridge{Account: "000000000000"},
		Log:         Log{Level: "info", Format: "json"},
		Alerting:    Alerting{Delivery: DefaultDelivery(), InhibitSourceMaxAge: Duration(24 * time.Hour)},
		Response:    DefaultResponse(),
		Console:     DefaultConsole(),
		Audit:       DefaultAudit(),
	}
	c.Alerting.defaults()
	return c
}

// Load reads a configuration file over the defaults and checks it.
// Relative paths in it are taken from the file's directory.
func Load(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := Default()
	// The default tree and receivers are filled in after the file is
	// read, so that the file's route replaces the default one instead of
	// being merged into it.
	c.Alerting.Route, c.Alerting.Receivers = nil, nil
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if len(root.Content) > 0 {
		d := yaml.NewDecoder(bytes.NewReader(data))
		d.KnownFields(true)
		if err := d.Decode(c); err != nil {
			return nil, yamlError(file, err)
		}
	}
	c.resolve(filepath.Dir(file))
	c.Alerting.defaults()
	if err := c.Check(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File, ce.Line = file, line(&root, ce.Key)
		}
		return nil, err
	}
	return c, nil
}

// resolve makes relative paths relative to dir.
func (c *Config) resolve(dir string) {
	absPath(dir, &c.DataDir, &c.SecretKeyFile, &c.TLS.CertFile, &c.TLS.KeyFile, &c.Rules.SigmaConfig, &c.Audit.KeyFile)
	absPaths(dir, c.Rules.Dirs)
	absPaths(dir, c.Rules.Sigma)
	absPaths(dir, c.Audit.TrustedKeys)
	for i := range c.Inputs {
		absPath(dir, &c.Inputs[i].Dir)
	}
	for i := range c.Alerting.Receivers {
		c.Alerting.Receivers[i].resolve(dir)
	}
	c.Response.resolve(dir)
}

// Error is a configuration value that is wrong.
type Error struct {
	File string
	Line int
	Key  string // dotted, with list indexes: "inputs[1].dir"
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s: %s", e.Key, e.Msg)
	return b.String()
}

func errorf(key, format string, args ...any) error {
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

var sourceKinds = []string{"cloudtrail", "k8s-audit", "eventbridge", "json"}

var name = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Check checks the configuration as a whole and returns the first thing
// wrong.
func (c *Config) Check() error {
	switch {
	case c.Listen == "":
		return errorf("listen", "empty: want an address such as :8443")
	case c.DataDir == "":
		return errorf("data_dir", "empty")
	case (c.TLS.CertFile == "") != (c.TLS.KeyFile == ""):
		return errorf("tls", "give both cert_file and key_file, or neither")
	case c.NATS.Replicas < 1 || c.NATS.Replicas > 5:
		return errorf("nats.replicas", "%d: want 1 to 5", c.NATS.Replicas)
	case c.NATS.MaxBytes < 1<<20:
		return errorf("nats.max_bytes", "%d: want at least 1MiB", c.NATS.MaxBytes)
	case c.Detect.Partitions < 1 || c.Detect.Partitions > 1024:
		return errorf("detect.partitions", "%d: want 1 to 1024", c.Detect.Partitions)
	case c.Detect.Workers < 0:
		return errorf("detect.workers", "%d: want 0 (one per CPU) or more", c.Detect.Workers)
	case c.Detect.Checkpoint < Duration(time.Second):
		return errorf("detect.checkpoint", "%s: want at least 1s", c.Detect.Checkpoint)
	case c.Limits.Rate <= 0 || c.Limits.Burst < 1:
		return errorf("limits.rate", "want a positive rate and burst")
	case c.Limits.MaxBody < 1 || c.Limits.MaxDecompressed < c.Limits.MaxBody:
		return errorf("limits.max_decompressed", "want max_body > 0 and max_decompressed ≥ max_body")
	case c.Limits.MaxEvents < 1 || c.Limits.MaxEventSize < 1 || c.Limits.MaxDepth < 1 || c.Limits.MaxDepth > 1000:
		return errorf("limits", "max_events, max_event_size and max_depth (at most 1000) must be positive")
	case c.Log.Level != "debug" && c.Log.Level != "info" && c.Log.Level != "warn" && c.Log.Level != "error":
		return errorf("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	case c.Log.Format != "json" && c.Log.Format != "text":
		return errorf("log.format", "%q: want json or text", c.Log.Format)
	}
	if err := c.checkSources(); err != nil {
		return err
	}
	if err := c.Response.check(); err != nil {
		return err
	}
	if err := c.Console.check(); err != nil {
		return err
	}
	if err := c.Audit.check(); err != nil {
		return err
	}
	actions := map[string]bool{}
	for _, a := range c.Response.Actions {
		actions[a.Name] = true
	}
	return c.Alerting.check(actions)
}

func (c *Config) checkSources() error {
	sources := map[string]bool{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if err := checkName(key+".name", s.Name, sources); err != nil {
			return err
		}
		if !slices.Contains(sourceKinds, s.Kind) {
			return errorf(key+".kind", "%q: want one of %s", s.Kind, strings.Join(sourceKinds, ", "))
		}
	}
	if eb := c.EventBridge.Source; eb != "" && !slices.Contains(c.Sources, Source{eb, "eventbridge"}) {
		return errorf("eventbridge.source", "%q is not a source of kind eventbridge", eb)
	}
	inputs := map[string]bool{}
	for i, in := range c.Inputs {
		key := fmt.Sprintf("inputs[%d]", i)
		if err := checkName(key+".name", in.Name, inputs); err != nil {
			return err
		}
		switch {
		case in.Dir == "":
			return errorf(key+".dir", "empty")
		case !sources[in.Source]:
			return errorf(key+".source", "%q is not a source", in.Source)
		case in.Poll != 0 && in.Poll < Duration(time.Second):
			return errorf(key+".poll", "%s: want at least 1s", in.Poll)
		}
	}
	return nil
}

// yamlError turns an error of the YAML decoder into one that names the
// file and line of each problem.
func yamlError(file string, err error) error {
	msgs := []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for i, e := range msgs {
		m := typeErr.FindStringSubmatch(e)
		if m == nil {
			msgs[i] = file + ": " + e
			continue
		}
		msg := m[2]
		if f := unknownField.FindStringSubmatch(msg); f != nil {
			msg = "unknown key " + strconv.Quote(f[1])
		}
		msgs[i] = fmt.Sprintf("%s:%s: %s", file, m[1], msg)
	}
	return errors.New(strings.Join(msgs, "\n"))
}

var (
	typeErr      = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type`)
)

// line returns the line of a dotted key ("inputs[1].dir") in a document,
// or of the deepest part of it that the document has, or 0.
func line(root *yaml.Node, key string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	at := 0
	for _, part := range strings.Split(key, ".") {
		k, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			k = part[:i]
			idx, _ = strconv.Atoi(strings.TrimSuffix(part[i+1:], "]"))
		}
		next := child(n, k)
		if next == nil {
			return at
		}
		at, n = next.Line, next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return at
			}
			n = n.Content[idx]
			at = n.Line
		}
	}
	return at
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
