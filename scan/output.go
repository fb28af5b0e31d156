package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"vigil/alert"
	"vigil/rule"
)

// Format is how alerts are written.
type Format string

// The output formats.
const (
	Table  Format = "table"  // for people: one line per rule
	JSON   Format = "json"   // one JSON array of alerts
	NDJSON Format = "ndjson" // one alert per line
)

// ParseFormat parses a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Table, JSON, NDJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want table, json or ndjson)", s)
}

// Write writes alerts in a format. Color applies to the table only.
func Write(w io.Writer, f Format, alerts []*alert.Alert, color bool) error {
	// Alerts quote command lines and URLs: <, > and & stay as they are,
	// for a person reading them.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch f {
	case JSON:
		enc.SetIndent("", "  ")
		if alerts == nil {
			alerts = []*alert.Alert{}
		}
		return enc.Encode(alerts)
	case NDJSON:
		for _, a := range alerts {
			if err := enc.Encode(a); err != nil {
				return err
			}
		}
		return nil
	}
	return writeTable(w, alerts, color)
}

// byRule is the alerts of one rule.
type byRule struct {
	rule   alert.RuleRef
	alerts int
	events int
	first  *time.Time
	who    []string
	ips    []string
}

func group(alerts []*alert.Alert) []*byRule {
	var out []*byRule
	idx := map[string]*byRule{}
	for _, a := range alerts {
		g := idx[a.Rule.ID]
		if g == nil {
			g = &byRule{rule: a.Rule, first: a.FirstSeen}
			idx[a.Rule.ID] = g
			out = append(out, g)
		}
		g.alerts++
		g.events += a.Count
		if a.FirstSeen != nil && (g.first == nil || a.FirstSeen.Before(*g.first)) {
			g.first = a.FirstSeen
		}
		g.who = addNew(g.who, a.Entities["principal"]...)
		g.ips = addNew(g.ips, a.Entities["source_ip"]...)
	}
	return out
}

func addNew(list []string, vals ...string) []string {
	for _, v := range vals {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// severityColors are ANSI colours by severity.
var severityColors = map[rule.Severity]string{
	rule.Critical: "\x1b[1;97;41m", rule.High: "\x1b[1;31m", rule.Medium: "\x1b[33m", rule.Low: "\x1b[36m", rule.Info: "\x1b[2m",
}

func writeTable(w io.Writer, alerts []*alert.Alert, color bool) error {
	if len(alerts) == 0 {
		_, err := fmt.Fprintln(w, "no alerts")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tALERTS\tEVENTS\tFIRST SEEN\tPRINCIPALS\tSOURCE IPS")
	for _, g := range group(alerts) {
		sev := strings.ToUpper(g.rule.Severity.String())
		if color {
			// The padding must not count the escape codes: colour the
			// word and pad it to the width of the longest name.
			sev = severityColors[g.rule.Severity] + sev + "\x1b[0m" + strings.Repeat(" ", len("CRITICAL")-len(sev))
		}
		first := "-"
		if g.first != nil {
			first = g.first.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", sev, g.rule.ID, g.alerts, g.events, first,
			summarize(shortARNs(g.who), 1), summarize(g.ips, 2))
		fmt.Fprintf(tw, "\t  %s\t\t\t\t\t\n", g.rule.Title)
	}
	return tw.Flush()
}

// shortARNs drops the partition, service and region of ARNs, which say
// little in a table: arn:aws:iam::111122223333:user/alice becomes
// 111122223333:user/alice.
func shortARNs(arns []string) []string {
	out := make([]string, len(arns))
	for i, a := range arns {
		if p := strings.SplitN(a, ":", 6); len(p) == 6 && p[0] == "arn" {
			a = p[4] + ":" + p[5]
		}
		out[i] = a
	}
	return out
}

// maxCell is the widest a value in a table cell is shown.
const maxCell = 40

// summarize shows the first n values, shortened to maxCell, and how many
// more there are.
func summarize(vals []string, n int) string {
	if len(vals) == 0 {
		return "-"
	}
	shown := make([]string, 0, n)
	for _, v := range vals[:min(n, len(vals))] {
		if r := []rune(v); len(r) > maxCell {
			v = string(r[:maxCell-1]) + "…"
		}
		shown = append(shown, v)
	}
	s := strings.Join(shown, ", ")
	if len(vals) > n {
		s += fmt.Sprintf(" (+%d)", len(vals)-n)
	}
	return s
}
