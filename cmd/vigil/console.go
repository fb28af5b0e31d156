package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"vigil/alert"
	"vigil/audit"
	"vigil/config"
	"vigil/rule"
	"vigil/session"
	"vigil/store"
	"vigil/user"
	"vigil/web"
)

// consoleParts are the console's pieces that run in the background.
type consoleParts struct {
	trail    *audit.Trail
	sessions *session.Manager
}

// record records in the audit trail what vigil itself did.
func (p *consoleParts) record(ctx context.Context, action, detail string) error {
	return p.trail.Record(ctx, audit.System.Entry(action, "vigil serve", audit.ResultSuccess, detail))
}

// startConsole opens the audit trail, the users and the sessions, makes
// the first administrator of a new installation, and adds the console's
// pages to mux.
func startConsole(ctx context.Context, c *config.Config, db *store.DB, key []byte, pages web.Pages, mux *http.ServeMux,
	log *slog.Logger, stderr io.Writer) (*consoleParts, error) {
	acc, err := openAccounts(ctx, c, db, audit.System, log)
	if err != nil {
		return nil, err
	}
	if err := recordConfig(ctx, acc, c); err != nil {
		return nil, err
	}
	if err := firstToken(ctx, acc, stderr); err != nil {
		return nil, err
	}
	if err := firstAdmin(ctx, acc, stderr); err != nil {
		return nil, err
	}
	sessions, err := session.New(db, acc.trail, session.Config{Idle: time.Duration(c.Console.IdleTimeout),
		Lifetime: time.Duration(c.Console.SessionLifetime), Log: log})
	if err != nil {
		return nil, err
	}
	con := &web.Console{Store: db, Users: acc.users, Sessions: sessions, Trail: acc.trail, Log: log, FlashKey: key, Pages: pages}
	if err := con.Register(mux); err != nil {
		return nil, err
	}
	return &consoleParts{trail: acc.trail, sessions: sessions}, nil
}

// firstAdmin makes the administrator of a new installation and prints
// its one-time password, once.
func firstAdmin(ctx context.Context, acc *console, w io.Writer) error {
	pw, err := acc.users.FirstAdmin(ctx, acc.by, "admin")
	if err != nil || pw == "" {
		return err
	}
	fmt.Fprintf(w, "\nvigil: the console's first user is admin, with the one-time password (shown this once):\n\n    %s\n\n"+
		"Log in at /login, then choose a password and enrol a second factor.\n\n", pw)
	return nil
}

// withNotices has the users' notices — a password changed, a lockout, a
// second factor enrolled or removed — become alerts, so that the
// routing tree tells whoever must know, by another channel than the
// console, in case it was not the user.
func withNotices(uc user.Config, db *store.DB, log *slog.Logger) user.Config {
	uc.Notify = func(ctx context.Context, n user.Notice) {
		sev := rule.Low
		if strings.Contains(n.Event, "lock") {
			sev = rule.Medium
		}
		dedup := n.User
		o := store.Observation{
			Rule: alert.RuleRef{ID: "vigil-console-account", Title: "Console account changed", Severity: sev,
				Scenario: rule.Privilege, Tags: []string{"attack.persistence", "attack.t1098"}},
			Dedup:    map[string]*string{"user": &dedup},
			EventID:  fmt.Sprintf("account-%s-%d", n.User, n.Time.UnixNano()),
			Time:     n.Time,
			Received: time.Now(),
			Entities: map[string][]string{"console_user": {n.User}, "ip": nonEmpty(n.IP)},
			Fields:   map[string][]string{"event": {n.Event}, "by": nonEmpty(n.By)},
			Source:   "console",
		}
		if _, err := db.Record(context.WithoutCancel(ctx), []store.Observation{o}); err != nil {
			log.Error("console: recording an account notice", "user", n.User, "err", err)
		}
	}
	return uc
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// securitySettings returns the settings of a configuration that matter to
// the security of vigil and of what it watches, by key: what an auditor
// must see change.
func securitySettings(c *config.Config) map[string]string {
	m := map[string]string{
		"listen":                             c.Listen,
		"tls.cert_file":                      c.TLS.CertFile,
		"console.idle_timeout":               c.Console.IdleTimeout.String(),
		"console.session_lifetime":           c.Console.SessionLifetime.String(),
		"console.max_failures":               fmt.Sprint(c.Console.MaxFailures),
		"console.lockout":                    c.Console.Lockout.String(),
		"console.min_password_length":        fmt.Sprint(c.Console.MinPasswordLength),
		"console.one_time_password_lifetime": c.Console.OneTimePasswordLifetime.String(),
		"console.totp_roles":                 strings.Join(c.Console.TOTPRoles, ","),
		"audit.key_file":                     c.Audit.KeyFile,
		"audit.trusted_keys":                 strings.Join(c.Audit.TrustedKeys, ","),
		"audit.seal_every":                   fmt.Sprint(c.Audit.SealEvery),
		"audit.seal_interval":                c.Audit.SealInterval.String(),
		"rules.builtin":                      fmt.Sprint(c.Rules.Builtin == nil || *c.Rules.Builtin),
		"rules.dirs":                         strings.Join(c.Rules.Dirs, ","),
		"rules.sigma":                        strings.Join(c.Rules.Sigma, ","),
		"limits.rate":                        fmt.Sprint(c.Limits.Rate),
		"limits.burst":                       fmt.Sprint(c.Limits.Burst),
		"alerting.inhibit_source_max_age":    c.Alerting.InhibitSourceMaxAge.String(),
	}
	for _, a := range c.Response.Actions {
		m["response.actions."+a.Name] = fmt.Sprintf("%s, %s, at most %d an hour", a.Type, a.Mode, a.MaxAutoPerHour)
	}
	for _, r := range c.Alerting.Receivers {
		m["alerting.receivers."+r.Name] = strings.Join(receiverKinds(r), ",")
	}
	for _, s := range c.Sources {
		m["sources."+s.Name] = s.Kind
	}
	return m
}

// receiverKinds names the integrations of a receiver: "slack", "email"...
func receiverKinds(r config.Receiver) []string {
	var kinds []string
	for kind, n := range map[string]int{"webhook": len(r.WebhookConfigs), "slack": len(r.SlackConfigs), "email": len(r.EmailConfigs),
		"pagerduty": len(r.PagerdutyConfigs), "opsgenie": len(r.OpsgenieConfigs), "dingtalk": len(r.DingtalkConfigs),
		"wecom": len(r.WecomConfigs), "feishu": len(r.FeishuConfigs), "syslog": len(r.SyslogConfigs), "file": len(r.FileConfigs),
		"nats": len(r.NATSConfigs), "alertmanager": len(r.AlertmanagerConfigs)} {
		for range n {
			kinds = append(kinds, kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// configCheckpoint is where the security settings last recorded are kept.
const configCheckpoint = "audit/security-settings"

// recordConfig records in the audit trail, as vigil, the security settings
// that changed since the last start: the configuration file is changed
// outside vigil, and an auditor must still see a second factor turned off
// or an action switched to auto.
func recordConfig(ctx context.Context, acc *console, c *config.Config) error {
	now := securitySettings(c)
	var before map[string]string
	if data, err := acc.db.Checkpoint(ctx, configCheckpoint); err == nil && data != nil {
		json.Unmarshal(data, &before)
	}
	var changes []string
	for k, v := range now {
		if old, ok := before[k]; !ok || old != v {
			changes = append(changes, fmt.Sprintf("%s: %q → %q", k, before[k], v))
		}
	}
	for k, old := range before {
		if _, ok := now[k]; !ok {
			changes = append(changes, fmt.Sprintf("%s: %q → (none)", k, old))
		}
	}
	if len(changes) == 0 {
		return nil
	}
	slices.Sort(changes)
	detail := strings.Join(changes, "; ")
	if before == nil {
		detail = "first start: " + detail
	}
	if err := acc.trail.Record(ctx, acc.by.Entry(audit.ActionConfigChange, "configuration", audit.ResultSuccess, detail)); err != nil {
		return err
	}
	data, _ := json.Marshal(now)
	return acc.db.SaveCheckpoint(ctx, configCheckpoint, data)
}
