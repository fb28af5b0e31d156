package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	osuser "os/user"
	"path/filepath"
	"text/tabwriter"
	"time"

	"vigil/audit"
	"vigil/config"
	"vigil/store"
	"vigil/user"
)

// addStoreFlags adds the flags that find a server's store: those of
// serve that say where it is.
func addStoreFlags(fs *flag.FlagSet, f *serveFlags) {
	fs.StringVar(&f.config, "config", "", "configuration `FILE` of the server")
	fs.StringVar(&f.dataDir, "data-dir", "", "the server's data directory (default vigil-data)")
	fs.StringVar(&f.db, "db", "", "the server's store, when it is PostgreSQL")
}

// auditKeyFile is the private key that seals the audit trail.
func auditKeyFile(c *config.Config) string {
	if c.Audit.KeyFile != "" {
		return c.Audit.KeyFile
	}
	return filepath.Join(c.DataDir, "audit.key")
}

// auditConfig returns the configuration of the audit trail.
func auditConfig(c *config.Config, log *slog.Logger) (audit.Config, error) {
	ac := audit.Config{KeyFile: auditKeyFile(c), SealEvery: c.Audit.SealEvery, SealInterval: time.Duration(c.Audit.SealInterval), Log: log}
	for _, file := range c.Audit.TrustedKeys {
		k, err := audit.LoadPublicKey(file)
		if err != nil {
			return ac, fmt.Errorf("audit.trusted_keys: %w", err)
		}
		ac.Trusted = append(ac.Trusted, k)
	}
	return ac, nil
}

// userConfig returns the configuration of the console's users.
func userConfig(c *config.Config, key []byte) user.Config {
	uc := user.Config{Key: key, MaxFailures: c.Console.MaxFailures, LockFor: time.Duration(c.Console.Lockout),
		MinLength: c.Console.MinPasswordLength, OneTimeFor: time.Duration(c.Console.OneTimePasswordLifetime),
		TOTPRoles: []store.Role{}}
	for _, r := range c.Console.TOTPRoles {
		uc.TOTPRoles = append(uc.TOTPRoles, store.Role(r))
	}
	return uc
}

// cliActor is who acts through the command line: the user of the
// operating system, as the audit trail names it.
func cliActor() audit.Actor {
	name := os.Getenv("USER")
	if u, err := osuser.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = fmt.Sprint("uid ", os.Getuid())
	}
	return audit.Actor{Name: "cli:" + name}
}

// console is the server's store, audit trail and users, opened by a
// command that changes them.
type console struct {
	db    *store.DB
	trail *audit.Trail
	users *user.Service
	by    audit.Actor
	key   []byte // the server key
}

// openConsole opens what the flags name.
func openConsole(ctx context.Context, f *serveFlags) (*console, error) {
	c, err := f.load()
	if err != nil {
		return nil, usageError{err}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, err
	}
	con, err := newConsole(ctx, c, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return con, nil
}

func newConsole(ctx context.Context, c *config.Config, db *store.DB) (*console, error) {
	return openAccounts(ctx, c, db, cliActor(), nil)
}

// openAccounts opens the audit trail and the users of a store, for an
// actor: a command or the server. A nil log discards.
func openAccounts(ctx context.Context, c *config.Config, db *store.DB, by audit.Actor, log *slog.Logger) (*console, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	key, err := secretKey(c)
	if err != nil {
		return nil, err
	}
	ac, err := auditConfig(c, log)
	if err != nil {
		return nil, err
	}
	trail, err := audit.Open(ctx, db, ac)
	if err != nil {
		return nil, err
	}
	users, err := user.New(db, trail, withNotices(userConfig(c, key), db, log))
	if err != nil {
		return nil, err
	}
	return &console{db: db, trail: trail, users: users, by: by, key: key}, nil
}

// close seals the audit trail (a command's changes are sealed at once)
// and closes the store.
func (c *console) close(ctx context.Context) error {
	return errors.Join(c.trail.Seal(ctx), c.db.Close())
}

func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var f serveFlags
	fs, err := storeCommand("user", []string{"add", "passwd", "role", "lock", "unlock", "totp-reset", "list"}, args, &f, stderr)
	if err != nil {
		return err
	}
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "admin, analyst or auditor")
	run := map[string]func(*console) error{
		"add":        func(c *console) error { return userAdd(ctx, c, *name, *role, stdout) },
		"passwd":     func(c *console) error { return userPasswd(ctx, c, *name, stdout) },
		"role":       func(c *console) error { return c.users.SetRole(ctx, c.by, *name, store.Role(*role)) },
		"lock":       func(c *console) error { return c.users.Lock(ctx, c.by, *name) },
		"unlock":     func(c *console) error { return c.users.Unlock(ctx, c.by, *name) },
		"totp-reset": func(c *console) error { return c.users.ResetTOTP(ctx, c.by, *name) },
		"list":       func(c *console) error { return userList(ctx, c, stdout) },
	}[args[0]]
	if err := noArgs(fs, args[1:]); err != nil {
		return err
	}
	if err := checkUserFlags(args[0], *name, *role); err != nil {
		return err
	}
	c, err := openConsole(ctx, &f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	if err := run(c); err != nil {
		return fmt.Errorf("user %s: %w", args[0], err)
	}
	return nil
}

// checkUserFlags checks the flags of user COMMAND.
func checkUserFlags(cmd, name, role string) error {
	switch {
	case cmd == "list" && (name != "" || role != ""):
		return usageError{errors.New("user list: takes neither --name nor --role")}
	case cmd != "list" && name == "":
		return usageError{fmt.Errorf("user %s: want --name", cmd)}
	case (cmd == "add" || cmd == "role") && role == "":
		return usageError{fmt.Errorf("user %s: want --role admin, analyst or auditor", cmd)}
	case cmd != "add" && cmd != "role" && role != "":
		return usageError{fmt.Errorf("user %s: takes no --role", cmd)}
	}
	return nil
}

func userAdd(ctx context.Context, c *console, name, role string, stdout io.Writer) error {
	pw, err := c.users.Add(ctx, c.by, name, store.Role(role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n# the one-time password of %s (%s), shown this once: it must be changed at the first login\n", pw, name, role)
	return nil
}

func userPasswd(ctx context.Context, c *console, name string, stdout io.Writer) error {
	pw, err := c.users.ResetPassword(ctx, c.by, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n# a new one-time password of %s, shown this once: it must be changed at the next login; the user's sessions ended\n", pw, name)
	return nil
}

func userList(ctx context.Context, c *console, stdout io.Writer) error {
	accounts, err := c.users.List(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tLOCKED\tTOTP\tPASSWORD\tLAST LOGIN")
	for _, a := range accounts {
		locked := "no"
		switch {
		case a.Locked:
			locked = "yes"
		case a.LockedOut(now):
			locked = "until " + a.LockedUntil.UTC().Format(time.RFC3339)
		}
		password := "set"
		if a.MustChangePassword {
			password = "one-time"
		}
		last := "never"
		if l := a.LastLogin; !l.Time.IsZero() {
			last = fmt.Sprintf("%s %s from %s", l.Time.UTC().Format(time.RFC3339), l.Result, l.IP)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, a.Role, locked, yesNo(a.TOTP), password, last)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
