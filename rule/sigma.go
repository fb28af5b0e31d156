package rule

import (
	"vigil/event"
	"vigil/sigma"
)

// sigmaLevels map Sigma's levels to severities; a rule without a level is
// medium.
var sigmaLevels = map[string]Severity{"informational": Info, "low": Low, "medium": Medium, "high": High, "critical": Critical, "": Medium}

// defaultDedup folds the alerts of Sigma rules, which say nothing of it,
// by who acted, in the kinds of events where that is one field.
var defaultDedup = map[event.Kind][]string{
	event.CloudTrail: {"detail.userIdentity.arn"},
	event.K8sAudit:   {"user.username"},
	event.HTTP:       {"c-ip"},
}

// FromSigma returns the rule of a compiled Sigma detection rule: its id
// (or name), title, level as a severity, tags, and fields shown with its
// alerts. Its alerts fold by principal where the events have one.
func FromSigma(s *sigma.Rule) *Rule {
	r := &Rule{
		ID: s.Ref(), Title: s.Title, Description: s.Description, Severity: sigmaLevels[s.Level],
		Tags: s.Tags, References: s.References, FalsePositives: s.FalsePositives,
		Sigma: s, Fields: s.Fields, Silent: s.Silent, File: s.File, Line: s.Line,
	}
	if r.ID == "" {
		r.ID = s.Title
	}
	if s.Source != nil {
		r.Dedup = defaultDedup[s.Source.Kinds[0]]
	}
	return r
}

// FromCorrelation returns the rule of a Sigma correlation, whose alerts
// fold by its group-by values.
func FromCorrelation(c *sigma.Correlation) *Rule {
	r := &Rule{
		ID: c.Ref(), Title: c.Title, Description: c.Description, Severity: sigmaLevels[c.Level],
		Tags: c.Tags, References: c.References, FalsePositives: c.FalsePositives,
		Dedup: c.GroupBy, Silent: c.Silent, File: c.File, Line: c.Line,
	}
	if r.ID == "" {
		r.ID = c.Title
	}
	return r
}
