// Package rule defines detection rules and loads them from YAML files.
//
// A native rule names an EventBridge event pattern and says what an alert
// from it is: its severity, the threat scenario it belongs to, its ATT&CK
// tags, which fields fold matching events into one alert (dedup) and which
// fields name the entities involved. docs/rules.md describes the format.
package rule

import (
	"encoding/json"
	"fmt"
	"strings"

	"vigil/pattern"
	"vigil/sigma"
)

// Rule is a compiled detection rule.
type Rule struct {
	ID             string
	Title          string
	Description    string
	Severity       Severity
	Scenario       Scenario
	Tags           []string
	References     []string
	FalsePositives []string
	// Pattern is the event pattern of a native rule; Sigma is the
	// detection of a Sigma rule. A rule has one of the two.
	Pattern *pattern.Pattern
	Sigma   *sigma.Rule
	// Dedup lists dotted field paths, addressed like the pattern's keys:
	// matching events with the same values fold into one alert.
	Dedup []string
	// Entities maps entity names to the dotted field paths holding them,
	// added to the entities every event of its kind has.
	Entities map[string]string
	// Fields are the fields an analyst wants to see with an alert (a
	// Sigma rule's fields), as dotted paths.
	Fields []string
	// Response names the actions to take on an alert.
	Response []string
	// Silent rules raise no alerts of their own: they feed correlations.
	Silent bool
	// Correlated lists the paths correlations read of the rule's events.
	Correlated []string
	// Exceptions are patterns that keep an otherwise matching event from
	// firing the rule. They come from overrides, never from the rule.
	Exceptions []*pattern.Pattern
	// Tests are events the rule must match and must not match.
	Tests Tests
	// Builtin is true for the rules embedded in vigil.
	Builtin bool
	// File and Line say where the rule was defined.
	File string
	Line int
}

// Tests are the test events of a rule, as JSON.
type Tests struct {
	Match   []json.RawMessage
	NoMatch []json.RawMessage
}

// Severity is how urgent an alert is.
type Severity uint8

// The severities, in increasing order.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", s)
}

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// MarshalText encodes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Scenario is the class of threat a rule detects.
type Scenario string

// The threat scenarios of the seeds: taking control, stealing or abusing
// data, stealing money.
const (
	Privilege Scenario = "privilege"
	Data      Scenario = "data"
	Funds     Scenario = "funds"
)

// Scenarios lists the valid scenarios.
var Scenarios = []Scenario{Privilege, Data, Funds}
