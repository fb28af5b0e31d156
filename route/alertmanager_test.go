package route

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"
)

// TestAlertmanager compares the tree with Alertmanager's own on random
// trees and alerts: the same nodes must match, in the same order, with
// the same receivers, timers and group labels. (With group_by: ['...'],
// Alertmanager keeps the parent's group_by list as well, unused.)
func TestAlertmanager(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		doc := randomTree(rng)
		am, err := amconfig.Load(doc)
		if err != nil {
			t.Fatalf("tree %d: Alertmanager refuses it: %v\n%s", i, err, doc)
		}
		want := dispatch.NewRoute(am.Route, nil)
		got, _ := tree(t, doc)
		for range 50 {
			ls := randomLabels(rng)
			compare(t, doc, ls, got.Match(ls), want.Match(ls))
		}
	}
}

func compare(t *testing.T, doc string, ls model.LabelSet, got []*Route, want []*dispatch.Route) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d routes, Alertmanager %d\n%s", ls, len(got), len(want), doc)
	}
	for i, g := range got {
		w := want[i]
		o := w.RouteOpts
		groupBy := slices.Sorted(func(yield func(model.LabelName) bool) {
			for n := range o.GroupBy {
				if !yield(n) {
					return
				}
			}
		})
		gotBy := slices.Sorted(slices.Values(g.Opts.GroupBy))
		switch {
		case g.Opts.Receiver != o.Receiver, g.Key() != w.Key(), g.ID() != w.ID(),
			g.Opts.GroupWait != o.GroupWait, g.Opts.GroupInterval != o.GroupInterval, g.Opts.RepeatInterval != o.RepeatInterval,
			g.Opts.GroupByAll != o.GroupByAll, !o.GroupByAll && !slices.Equal(gotBy, groupBy),
			!slices.Equal(g.Opts.MuteTimeIntervals, o.MuteTimeIntervals):
			t.Fatalf("%s: route %d is %s %+v, Alertmanager's %s %s\n%s", ls, i, g.ID(), g.Opts, w.ID(), &o, doc)
		}
	}
}

var (
	labelNames  = []string{"severity", "rule", "account", "scenario"}
	labelValues = []string{"critical", "high", "low", "a", "b", "aws-x", "1"}
)

func randomLabels(rng *rand.Rand) model.LabelSet {
	ls := model.LabelSet{}
	for _, n := range labelNames {
		if rng.IntN(4) > 0 {
			ls[model.LabelName(n)] = model.LabelValue(labelValues[rng.IntN(len(labelValues))])
		}
	}
	return ls
}

// randomTree returns an alerting section of random routes, in the YAML
// both vigil and Alertmanager read.
func randomTree(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("route:\n  receiver: r0\n  group_by: [rule]\n")
	if rng.IntN(2) == 0 {
		b.WriteString("  group_wait: 7s\n")
	}
	writeRoutes(&b, rng, 1, "  ")
	b.WriteString("receivers: [{name: r0}, {name: r1}, {name: r2}, {name: r3}]\n")
	b.WriteString("time_intervals: [{name: night, time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]}]\n")
	return b.String()
}

func writeRoutes(b *strings.Builder, rng *rand.Rand, depth int, pad string) {
	if depth > 3 {
		return
	}
	n := rng.IntN(4)
	if n == 0 {
		return
	}
	fmt.Fprintf(b, "%sroutes:\n", pad)
	for range n {
		fmt.Fprintf(b, "%s- receiver: r%d\n", pad, rng.IntN(4))
		p := pad + "  "
		switch rng.IntN(5) {
		case 0:
			fmt.Fprintf(b, "%smatchers: ['%s=~\"%s|%s\"']\n", p, pick(rng, labelNames), pick(rng, labelValues), pick(rng, labelValues))
		case 1:
			fmt.Fprintf(b, "%smatchers: ['%s!=\"%s\"', '%s=\"%s\"']\n", p, pick(rng, labelNames), pick(rng, labelValues), pick(rng, labelNames), pick(rng, labelValues))
		case 2:
			fmt.Fprintf(b, "%smatch: {%s: %s}\n", p, pick(rng, labelNames), pick(rng, labelValues))
		case 3:
			fmt.Fprintf(b, "%smatch_re: {%s: '%s.*'}\n", p, pick(rng, labelNames), pick(rng, labelValues)[:1])
		}
		if rng.IntN(2) == 0 {
			fmt.Fprintf(b, "%scontinue: true\n", p)
		}
		switch rng.IntN(4) {
		case 0:
			fmt.Fprintf(b, "%sgroup_by: ['...']\n", p)
		case 1:
			fmt.Fprintf(b, "%sgroup_by: [account, severity]\n", p)
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(b, "%sgroup_interval: %dm\n%srepeat_interval: 1d\n", p, 1+rng.IntN(9), p)
		}
		if rng.IntN(4) == 0 {
			fmt.Fprintf(b, "%smute_time_intervals: [night]\n", p)
		}
		writeRoutes(b, rng, depth+1, p)
	}
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }
