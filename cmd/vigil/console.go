package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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

// startConsole opens the audit trail, the users and the sessions, makes
// the first administrator of a new installation, and adds the console's
// pages to mux.
func startConsole(ctx context.Context, c *config.Config, db *store.DB, key []byte, pages web.Pages, mux *http.ServeMux,
	log *slog.Logger, stderr io.Writer) (*consoleParts, error) {
	acc, err := openAccounts(ctx, c, db, audit.System, log)
	if err != nil {
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
