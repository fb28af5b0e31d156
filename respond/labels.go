package respond

import (
	"strings"

	"github.com/prometheus/common/model"

	"vigil/notify"
	"vigil/store"
)

// Labels returns the labels of an alert, which routes, silences and
// inhibition rules match:
//
//	alertname  the rule's title
//	rule       the rule's id
//	severity   info, low, medium, high or critical
//	scenario   privilege, data or funds, when the rule says
//	tags       the rule's tags, joined with commas ("attack.persistence,attack.t1098.001")
//	account    the first account the events name
//	region     the first region the events name
//	source     the source its first event came in by
//
// Labels without a value are left out, as Alertmanager does.
func Labels(a *store.Alert) model.LabelSet {
	ls := model.LabelSet{}
	set := func(name, v string) {
		if v != "" {
			ls[model.LabelName(name)] = model.LabelValue(v)
		}
	}
	set("alertname", a.Rule.Title)
	set("rule", a.Rule.ID)
	set("severity", a.Rule.Severity.String())
	set("scenario", string(a.Rule.Scenario))
	set("tags", strings.Join(a.Rule.Tags, ","))
	set("account", first(a.Entities["account"]))
	set("region", first(a.Entities["region"]))
	set("source", a.Source)
	return ls
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// firing reports whether an alert fires: it is open or acknowledged.
func firing(a *store.Alert) bool { return a.Status == store.Open || a.Status == store.Acknowledged }

// noteAlert returns an alert as notifications show it.
func noteAlert(a *store.Alert, ls model.LabelSet, description, externalURL string) notify.Alert {
	n := notify.Alert{
		ID:     a.ID,
		Status: "resolved",
		Labels: map[string]string{},
		Rule: notify.Rule{ID: a.Rule.ID, Title: a.Rule.Title, Severity: a.Rule.Severity.String(),
			Scenario: string(a.Rule.Scenario), Tags: a.Rule.Tags, Description: description},
		Dedup:     a.Dedup,
		Entities:  a.Entities,
		Count:     a.Count,
		FirstSeen: a.FirstSeen,
		LastSeen:  a.LastSeen,
		StartsAt:  a.CreatedAt,
	}
	for k, v := range ls {
		n.Labels[string(k)] = string(v)
	}
	if firing(a) {
		n.Status = "firing"
	} else {
		ended := a.UpdatedAt
		n.EndsAt = &ended
	}
	if externalURL != "" {
		n.URL = strings.TrimSuffix(externalURL, "/") + "/alerts/" + a.ID
	}
	return n
}
