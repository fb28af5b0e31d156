package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/alertmanager/timeinterval"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/action"
	"vigil/bus"
	"vigil/config"
	"vigil/detect"
	"vigil/notify"
	"vigil/respond"
	"vigil/route"
	"vigil/rule"
	"vigil/ruleset"
	"vigil/sigma"
	"vigil/store"
)

// dispatcher builds the dispatcher of the configuration's alerting and
// response sections.
func dispatcher(c *config.Config, db *store.DB, b *bus.Bus, rules *detect.Rules, reg prometheus.Registerer, log *slog.Logger) (*respond.Dispatcher, error) {
	a := c.Alerting
	d := &respond.Dispatcher{
		Store:         db,
		Tree:          route.New(a.Route),
		Inhibitor:     route.NewInhibitor(a.InhibitRules),
		InhibitMaxAge: time.Duration(a.InhibitSourceMaxAge),
		Intervals:     timeinterval.NewIntervener(a.Intervals()),
		Receivers:     map[string][]notify.Integration{},
		Actions:       map[string]respond.Action{},
		ExternalURL:   a.ExternalURL,
		Delivery:      a.Delivery,
		Metrics:       respond.NewMetrics(reg),
		Log:           log,
	}
	reg.MustRegister(respond.Outbox(db))
	d.SetRules(ruleIndex(rules))
	opts := notify.Options{NATS: b.NC, DataDir: c.DataDir, Log: log}
	for _, r := range a.Receivers {
		ins, err := notify.New(r, opts)
		if err != nil {
			return nil, fmt.Errorf("alerting: receiver %q: %w", r.Name, err)
		}
		d.Receivers[r.Name] = ins
	}
	for _, ac := range c.Response.Actions {
		exec, err := action.New(ac, action.Options{})
		if err != nil {
			return nil, fmt.Errorf("response: action %q: %w", ac.Name, err)
		}
		d.Actions[ac.Name] = respond.Action{Type: ac.Type, Mode: ac.Mode, Limit: ac.MaxAutoPerHour,
			Timeout: time.Duration(ac.Timeout), Exec: exec}
	}
	return d, nil
}

// ruleIndex returns the rules, correlations' included, by id.
func ruleIndex(rules *detect.Rules) map[string]*rule.Rule {
	m := map[string]*rule.Rule{}
	for _, r := range rules.Engine.Rules() {
		m[r.ID] = r
	}
	for _, r := range rules.CorrRules {
		m[r.ID] = r
	}
	return m
}

// consoleRules compiles the rules of files with the changes made in the
// console over them, logging the changes that cannot apply.
func consoleRules(ctx context.Context, db *store.DB, files *rule.Parsed, sc *sigma.Collection, log *slog.Logger) (*detect.Rules, error) {
	console, err := ruleset.Console(ctx, db)
	if err != nil {
		return nil, err
	}
	rules, warnings, err := compile(files, console, sc)
	for _, w := range warnings {
		log.Warn("rules: a change made in the console does not apply", "problem", w)
	}
	return rules, err
}

// receiverNames returns the dispatcher's receivers, in order, and the
// names of each one's integrations.
func receiverNames(d *respond.Dispatcher) ([]string, map[string][]string) {
	var names []string
	integrations := map[string][]string{}
	for name, ins := range d.Receivers {
		names = append(names, name)
		integrations[name] = []string{}
		for _, in := range ins {
			integrations[name] = append(integrations[name], in.String())
		}
	}
	slices.Sort(names)
	return names, integrations
}
