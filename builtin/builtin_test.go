package builtin

import (
	"flag"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vigil/engine"
	"vigil/rule"
)

var update = flag.Bool("update", false, "rewrite docs/builtin-rules.md")

func load(t *testing.T) []*rule.Rule {
	t.Helper()
	p, err := rule.Load(FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range p.Problems {
		t.Error(pr)
	}
	rules := p.Compose()
	for _, pr := range p.Problems {
		t.Error(pr)
	}
	return rules
}

var (
	technique = regexp.MustCompile(`^attack\.t\d{4}(\.\d{3})?$`)
	tactics   = []string{"attack.initial-access", "attack.execution", "attack.persistence", "attack.privilege-escalation",
		"attack.defense-evasion", "attack.credential-access", "attack.discovery", "attack.lateral-movement",
		"attack.collection", "attack.exfiltration", "attack.impact", "attack.command-and-control", "attack.reconnaissance",
		"attack.resource-development"}
)

// TestPack holds every built-in rule to the bar of the pack: described,
// tagged with an ATT&CK tactic and technique, folding alerts by some field,
// prefilterable, never keyed on a user agent, and with test events that
// pass.
func TestPack(t *testing.T) {
	rules := load(t)
	if len(rules) < 40 {
		t.Errorf("the pack has %d rules, want at least 40", len(rules))
	}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if want := r.ID + ".yaml"; path.Base(r.File) != want {
				t.Errorf("defined in %s, want a file named %s", r.File, want)
			}
			if r.Description == "" {
				t.Error("no description")
			}
			if !slices.ContainsFunc(r.Tags, technique.MatchString) {
				t.Errorf("tags %v name no ATT&CK technique", r.Tags)
			}
			if !slices.ContainsFunc(r.Tags, func(s string) bool { return slices.Contains(tactics, s) }) {
				t.Errorf("tags %v name no ATT&CK tactic", r.Tags)
			}
			if len(r.Dedup) == 0 {
				t.Error("no dedup fields")
			}
			if r.Pattern.Literals() == nil {
				t.Error("the pattern requires no literal, so every event would skip the prefilter")
			}
			for _, p := range r.Pattern.Paths() {
				if strings.Contains(strings.ToLower(p), "useragent") {
					t.Errorf("the pattern reads %s: detect behaviour, not tools", p)
				}
			}
			if len(r.Tests.Match) == 0 || len(r.Tests.NoMatch) == 0 {
				t.Errorf("%d match and %d nomatch test events, want at least one of each", len(r.Tests.Match), len(r.Tests.NoMatch))
			}
			for _, f := range engine.RunTests(r) {
				t.Error(f)
			}
		})
	}
}

// TestCatalog keeps docs/builtin-rules.md in step with the pack; run
// go test ./builtin -update to rewrite it.
func TestCatalog(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Built-in rules\n\n")
	b.WriteString("This catalog is generated from the rule files in `builtin/` by `go test ./builtin -update`; do not edit it by hand.\n\n")
	rules := load(t)
	byScenario := map[rule.Scenario][]*rule.Rule{}
	for _, r := range rules {
		byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
	}
	fmt.Fprintf(&b, "%d rules for AWS CloudTrail, in the three threat scenarios.\n", len(rules))
	for _, s := range rule.Scenarios {
		fmt.Fprintf(&b, "\n## %s\n\n| id | severity | title | ATT&CK |\n|---|---|---|---|\n", strings.ToUpper(string(s[:1]))+string(s[1:]))
		list := byScenario[s]
		slices.SortFunc(list, func(a, b *rule.Rule) int {
			if a.Severity != b.Severity {
				return int(b.Severity) - int(a.Severity)
			}
			return strings.Compare(a.ID, b.ID)
		})
		for _, r := range list {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, r.Severity, r.Title, strings.Join(r.Tags, " "))
		}
	}
	const file = "../docs/builtin-rules.md"
	if *update {
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(file)
	if err != nil || string(have) != b.String() {
		t.Errorf("%s is out of date: run go test ./builtin -update", file)
	}
}
