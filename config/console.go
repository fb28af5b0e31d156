package config

import (
	"fmt"
	"slices"
	"time"
)

// Console sets the accounts and sessions of the console.
type Console struct {
	// IdleTimeout ends a session without a request; under 30 minutes,
	// as the specification asks (7.1.5).
	IdleTimeout Duration `yaml:"idle_timeout"`
	// SessionLifetime ends a session however busy; at most 24 hours.
	SessionLifetime Duration `yaml:"session_lifetime"`
	// MaxFailures failed logins in a row lock a user out for Lockout.
	MaxFailures int      `yaml:"max_failures"`
	Lockout     Duration `yaml:"lockout"`
	// MinPasswordLength is the least length of a password, 8 or more.
	MinPasswordLength int `yaml:"min_password_length"`
	// OneTimePasswordLifetime is how long a password an administrator
	// gives works, before it must be changed.
	OneTimePasswordLifetime Duration `yaml:"one_time_password_lifetime"`
	// TOTPRoles must log in with a second factor.
	TOTPRoles []string `yaml:"totp_roles"`
}

// Audit sets the audit trail.
type Audit struct {
	// KeyFile holds the Ed25519 key that seals the trail; empty for
	// audit.key in the data directory.
	KeyFile string `yaml:"key_file"`
	// TrustedKeys are files of public keys whose seals verify too: those
	// of the other nodes of a cluster.
	TrustedKeys []string `yaml:"trusted_keys"`
	// SealEvery seals the trail after this many entries, and
	// SealInterval at least this often.
	SealEvery    int      `yaml:"seal_every"`
	SealInterval Duration `yaml:"seal_interval"`
}

// DefaultConsole is the console of a default installation.
func DefaultConsole() Console {
	return Console{IdleTimeout: Duration(15 * time.Minute), SessionLifetime: Duration(8 * time.Hour), MaxFailures: 5,
		Lockout: Duration(30 * time.Minute), MinPasswordLength: 8, OneTimePasswordLifetime: Duration(72 * time.Hour),
		TOTPRoles: []string{"admin"}}
}

// DefaultAudit is the audit trail of a default installation.
func DefaultAudit() Audit { return Audit{SealEvery: 100, SealInterval: Duration(5 * time.Minute)} }

func (c *Console) check() error {
	switch {
	case c.IdleTimeout < Duration(time.Minute) || c.IdleTimeout >= Duration(30*time.Minute):
		return errorf("console.idle_timeout", "%s: want 1m or more, and less than 30m", c.IdleTimeout)
	case c.SessionLifetime < c.IdleTimeout || c.SessionLifetime > Duration(24*time.Hour):
		return errorf("console.session_lifetime", "%s: want idle_timeout to 24h", c.SessionLifetime)
	case c.MaxFailures < 1 || c.MaxFailures > 20:
		return errorf("console.max_failures", "%d: want 1 to 20", c.MaxFailures)
	case c.Lockout < Duration(time.Minute) || c.Lockout > Duration(24*time.Hour):
		return errorf("console.lockout", "%s: want 1m to 24h", c.Lockout)
	case c.MinPasswordLength < 8 || c.MinPasswordLength > 128:
		return errorf("console.min_password_length", "%d: want 8 to 128", c.MinPasswordLength)
	case c.OneTimePasswordLifetime < Duration(time.Hour) || c.OneTimePasswordLifetime > Duration(30*24*time.Hour):
		return errorf("console.one_time_password_lifetime", "%s: want 1h to 720h", c.OneTimePasswordLifetime)
	}
	for i, r := range c.TOTPRoles {
		if !slices.Contains([]string{"admin", "analyst", "auditor"}, r) {
			return errorf(fmt.Sprintf("console.totp_roles[%d]", i), "%q: want admin, analyst or auditor", r)
		}
	}
	return nil
}

func (a *Audit) check() error {
	switch {
	case a.SealEvery < 1 || a.SealEvery > 100_000:
		return errorf("audit.seal_every", "%d: want 1 to 100000", a.SealEvery)
	case a.SealInterval < Duration(time.Second) || a.SealInterval > Duration(24*time.Hour):
		return errorf("audit.seal_interval", "%s: want 1s to 24h", a.SealInterval)
	}
	return nil
}
