package route

import (
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"

	"vigil/config"
)

// Inhibitor mutes alerts while others fire, by inhibition rules.
type Inhibitor struct {
	rules []inhibitRule
}

type inhibitRule struct {
	sources, targets labels.Matchers
	equal            []model.LabelName
}

// NewInhibitor returns an Inhibitor of the rules.
func NewInhibitor(rules []config.InhibitRule) *Inhibitor {
	ih := &Inhibitor{}
	for _, r := range rules {
		ir := inhibitRule{sources: r.Sources(), targets: r.Targets()}
		for _, n := range r.Equal {
			ir.equal = append(ir.equal, model.LabelName(n))
		}
		ih.rules = append(ih.rules, ir)
	}
	return ih
}

// Alert is what inhibition sees of an alert.
type Alert struct {
	ID     string
	Labels model.LabelSet
}

// Inhibited returns the id of a firing alert that inhibits target, or
// "" when none does. As in Alertmanager, when target matches both sides
// of a rule, the firing alerts that also match both sides do not
// inhibit it, and an alert never inhibits itself.
func (ih *Inhibitor) Inhibited(target Alert, firing []Alert) string {
	for _, r := range ih.rules {
		if !r.targets.Matches(target.Labels) {
			continue
		}
		twoSided := r.sources.Matches(target.Labels)
		for _, s := range firing {
			if s.ID == target.ID || !r.sources.Matches(s.Labels) || twoSided && r.targets.Matches(s.Labels) {
				continue
			}
			if r.equalIn(s.Labels, target.Labels) {
				return s.ID
			}
		}
	}
	return ""
}

// Empty reports whether there are no rules, and so nothing to inhibit.
func (ih *Inhibitor) Empty() bool { return len(ih.rules) == 0 }

func (r *inhibitRule) equalIn(a, b model.LabelSet) bool {
	for _, n := range r.equal {
		if a[n] != b[n] {
			return false
		}
	}
	return true
}
