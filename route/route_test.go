package route

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/common/model"

	"vigil/config"
)

// tree reads an alerting section and returns its routing tree.
func tree(t *testing.T, alerting string) (*Route, *config.Config) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(file, []byte("alerting:\n"+indent(alerting)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return New(c.Alerting.Route), c
}

func indent(s string) string {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.Trim(s, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}

const tiers = `
route:
  receiver: archive
  group_by: [rule]
  group_wait: 20s
  routes:
  - matchers: ['severity=~"critical|high"']
    receiver: pager
    group_wait: 0s
    continue: true
    routes:
    - matchers: [account="999999999999"]
      receiver: sandbox
      group_by: ['...']
  - matchers: [severity="medium"]
    receiver: team
    repeat_interval: 1h
  - match: {scenario: funds}
    receiver: fraud
  - match_re: {rule: 'aws-kms-.*'}
    receiver: keys
receivers:
- name: archive
- name: pager
- name: team
- name: sandbox
- name: fraud
- name: keys
`

func TestMatch(t *testing.T) {
	root, _ := tree(t, tiers)
	tests := []struct {
		labels string
		want   []string // receivers
	}{
		{`severity=critical,rule=r1`, []string{"pager"}},
		{`severity=high,account=999999999999`, []string{"sandbox"}},
		{`severity=medium`, []string{"team"}},
		{`severity=low`, []string{"archive"}},
		{`severity=low,scenario=funds`, []string{"fraud"}},
		{`severity=medium,scenario=funds`, []string{"team"}}, // team does not continue
		{`severity=critical,scenario=funds`, []string{"pager", "fraud"}},
		{`severity=info,rule=aws-kms-key-disabled`, []string{"keys"}},
		{`severity=info,rule=xaws-kms-key-disabled`, []string{"archive"}}, // match_re is anchored
		{``, []string{"archive"}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range root.Match(labelSet(tt.labels)) {
			got = append(got, r.Opts.Receiver)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: receivers %v, want %v", tt.labels, got, tt.want)
		}
	}
}

func labelSet(s string) model.LabelSet {
	ls := model.LabelSet{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			ls[model.LabelName(k)] = model.LabelValue(v)
		}
	}
	return ls
}

func TestOptions(t *testing.T) {
	root, _ := tree(t, tiers)
	pager, sandbox, team := root.Routes[0], root.Routes[0].Routes[0], root.Routes[1]
	if root.Opts.GroupInterval != config.DefaultGroupInterval || root.Opts.RepeatInterval != config.DefaultRepeatInterval {
		t.Errorf("root timers: %+v", root.Opts)
	}
	if pager.Opts.GroupWait != 0 || sandbox.Opts.GroupWait != 0 || team.Opts.GroupWait != 20*time.Second {
		t.Errorf("group_wait is not inherited: pager %v, sandbox %v, team %v", pager.Opts.GroupWait, sandbox.Opts.GroupWait, team.Opts.GroupWait)
	}
	if team.Opts.RepeatInterval != time.Hour {
		t.Errorf("team repeat_interval %v", team.Opts.RepeatInterval)
	}
	ls := labelSet("rule=r1,severity=high,account=999999999999")
	if g := pager.GroupLabels(ls); g.String() != `{rule="r1"}` {
		t.Errorf("pager groups by %s", g)
	}
	if g := sandbox.GroupLabels(ls); !g.Equal(ls) {
		t.Errorf("sandbox groups by %s, want all labels", g)
	}
	if pager.ID() == root.Routes[2].ID() || pager.Key() == "" {
		t.Errorf("ids: %q, %q", pager.ID(), root.Routes[2].ID())
	}
	if k := pager.GroupKey(pager.GroupLabels(ls)); k != `{}/{severity=~"critical|high"}:{rule="r1"}` {
		t.Errorf("group key %q", k)
	}
}

func TestInhibit(t *testing.T) {
	_, c := tree(t, `
route: {receiver: a}
receivers: [{name: a}]
inhibit_rules:
- source_matchers: [severity="critical"]
  target_matchers: ['severity=~"high|medium"']
  equal: [account]
- source_matchers: [rule="both"]
  target_matchers: [rule="both"]
`)
	ih := NewInhibitor(c.Alerting.InhibitRules)
	a := func(id, labels string) Alert { return Alert{ID: id, Labels: labelSet(labels)} }
	crit := a("c", "severity=critical,account=1")
	tests := []struct {
		name   string
		target Alert
		firing []Alert
		want   string
	}{
		{"same account", a("t", "severity=high,account=1"), []Alert{crit}, "c"},
		{"other account", a("t", "severity=high,account=2"), []Alert{crit}, ""},
		{"not a target", a("t", "severity=low,account=1"), []Alert{crit}, ""},
		{"no source", a("t", "severity=medium,account=1"), []Alert{a("x", "severity=high,account=1")}, ""},
		{"missing equal label on both", a("t", "severity=high"), []Alert{a("c", "severity=critical")}, "c"},
		{"itself", a("c", "rule=both"), []Alert{a("c", "rule=both")}, ""},
		{"two-sided", a("t", "rule=both"), []Alert{a("s", "rule=both")}, ""},
	}
	for _, tt := range tests {
		if got := ih.Inhibited(tt.target, tt.firing); got != tt.want {
			t.Errorf("%s: inhibited by %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMuted(t *testing.T) {
	root, c := tree(t, `
route:
  receiver: a
  routes:
  - receiver: a
    active_time_intervals: [office]
  - receiver: a
    mute_time_intervals: [weekend]
    routes: [{receiver: a}]
receivers: [{name: a}]
time_intervals:
- name: office
  time_intervals:
  - weekdays: ['monday:friday']
    times: [{start_time: '09:00', end_time: '18:00'}]
    location: Asia/Shanghai
- name: weekend
  time_intervals: [{weekdays: [saturday, sunday]}]
`)
	iv := timeinterval.NewIntervener(c.Alerting.Intervals())
	office, weekend, child := root.Routes[0], root.Routes[1], root.Routes[1].Routes[0]
	monday10 := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)  // 10:00 in Shanghai
	monday20 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // 20:00 in Shanghai
	saturday := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		r     *Route
		at    time.Time
		muted bool
	}{
		{"office hours", office, monday10, false},
		{"after hours", office, monday20, true},
		{"weekday", weekend, monday20, false},
		{"weekend", weekend, saturday, true},
		{"child does not inherit", child, saturday, false},
		{"root", root, saturday, false},
	}
	for _, tt := range tests {
		if got := tt.r.Muted(iv, tt.at); got != tt.muted {
			t.Errorf("%s: muted %v, want %v", tt.name, got, tt.muted)
		}
	}
}
