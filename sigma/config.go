package sigma

import (
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config adapts Sigma rules to an installation, as pySigma's processing
// pipelines do: field names as its events write them, the values of
// placeholders, and the limits of correlation.
type Config struct {
	// FieldMappings rename fields for the rules of a logsource.
	FieldMappings []FieldMapping `yaml:"fieldmappings"`
	// Placeholders give the values of %name% for the expand modifier.
	Placeholders map[string][]string `yaml:"placeholders"`
	// Lateness is how far out of time order events may arrive and still
	// count in correlation windows.
	Lateness time.Duration `yaml:"lateness"`
	// MaxGroups bounds the groups a correlation rule keeps state for.
	MaxGroups int `yaml:"max_groups"`
}

// FieldMapping renames the fields of the rules whose logsource matches
// (every attribute given must be equal; none given matches every rule).
type FieldMapping struct {
	Logsource Logsource         `yaml:"logsource"`
	Fields    map[string]string `yaml:"fields"`
}

// Defaults of the correlation limits.
const (
	DefaultLateness  = 5 * time.Minute
	DefaultMaxGroups = 100_000
)

// LoadConfig reads a configuration file.
func LoadConfig(name string) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var c Config
	d := yaml.NewDecoder(strings.NewReader(string(data)))
	d.KnownFields(true)
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c.withDefaults(), nil
}

func (c *Config) withDefaults() *Config {
	if c == nil {
		c = &Config{}
	}
	out := *c
	if out.Lateness == 0 {
		out.Lateness = DefaultLateness
	}
	if out.MaxGroups == 0 {
		out.MaxGroups = DefaultMaxGroups
	}
	return &out
}

// UnmarshalYAML reads a logsource; its keys are lower case in Sigma.
func (l *Logsource) UnmarshalYAML(n *yaml.Node) error {
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return err
	}
	l.Category, l.Product, l.Service = m["category"], m["product"], m["service"]
	return nil
}

// mapping returns the field renames that apply to a logsource.
func (c *Config) mapping(l Logsource) map[string]string {
	out := map[string]string{}
	for _, fm := range c.FieldMappings {
		w := fm.Logsource
		if w.Category != "" && !strings.EqualFold(w.Category, l.Category) ||
			w.Product != "" && !strings.EqualFold(w.Product, l.Product) ||
			w.Service != "" && !strings.EqualFold(w.Service, l.Service) {
			continue
		}
		for k, v := range fm.Fields {
			out[k] = v
		}
	}
	return out
}
