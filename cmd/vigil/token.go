package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"vigil/audit"
	"vigil/auth"
	"vigil/store"
)

// firstToken makes an admin token when the store has none, records it in
// the audit trail, and prints it once: the way in to a new installation.
func firstToken(ctx context.Context, acc *console, w io.Writer) error {
	ts, err := acc.db.Tokens(ctx)
	if err != nil || len(ts) > 0 {
		return err
	}
	token, err := auth.Create(ctx, acc.db, "admin", store.Admin, "")
	if err != nil {
		return err
	}
	if err := acc.trail.Record(ctx, acc.by.Entry(audit.ActionTokenCreate, "admin", audit.ResultSuccess,
		tokenDetail(store.Admin, "", auth.ID(token))+", the first token of a new installation")); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nvigil: a new installation. The admin token, shown this once (keep it in a vault):\n\n    %s\n\n"+
		"Make more with 'vigil token create'. Revoke this one once you have your own.\n\n", token)
	return nil
}

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs, err := storeCommand("token", []string{"create", "list", "revoke"}, args, &f, stderr)
	if err != nil {
		return err
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, fs, &f, args[1:], stdout)
	case "list":
		return tokenList(ctx, fs, &f, args[1:], stdout)
	default: // revoke
		return tokenRevoke(ctx, fs, &f, args[1:], stdout)
	}
}

// tokenStore opens the store the flags name.
func tokenStore(ctx context.Context, f *serveFlags) (*store.DB, []byte, error) {
	c, err := f.load()
	if err != nil {
		return nil, nil, usageError{err}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	key, err := secretKey(c)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, key, nil
}

func tokenCreate(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) (err error) {
	role := fs.String("role", "", "what the token may do: ingest, analyst, admin or auditor")
	name := fs.String("name", "", "a unique name for the token, such as the system or person it is for")
	source := fs.String("source", "", "for ingest tokens: the one source it may send to (default: any)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	switch {
	case !store.Role(*role).Valid():
		return usageError{fmt.Errorf("token create: --role %q: want ingest, analyst, admin or auditor", *role)}
	case *name == "":
		return usageError{errors.New("token create: want --name")}
	case *source != "" && store.Role(*role) != store.Ingest:
		return usageError{errors.New("token create: --source is for ingest tokens")}
	}
	c, err := openConsole(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	token, err := auth.Create(ctx, c.db, *name, store.Role(*role), *source)
	if err != nil {
		return err
	}
	if err := c.trail.Record(ctx, c.by.Entry(audit.ActionTokenCreate, *name, audit.ResultSuccess, tokenDetail(store.Role(*role), *source, auth.ID(token)))); err != nil {
		return err
	}
	key := c.key
	fmt.Fprintln(stdout, token)
	if r := store.Role(*role); r == store.Ingest || r == store.Admin {
		fmt.Fprintf(stdout, "# for the EventBridge API (AWS Signature Version 4):\n# aws_access_key_id = %s\n# aws_secret_access_key = %s\n",
			auth.ID(token), auth.AWSSecret(key, auth.ID(token)))
	}
	return nil
}

// tokenDetail says what a token is for, for the audit trail: never the
// token itself.
func tokenDetail(role store.Role, source, id string) string {
	d := "role " + string(role) + ", id " + id
	if source != "" {
		d += ", source " + source
	}
	return d
}

func tokenList(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) error {
	if _, err := parse(fs, args); err != nil {
		return err
	}
	db, _, err := tokenStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := db.Tokens(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSOURCE\tCREATED\tREVOKED")
	for _, t := range ts {
		revoked := "-"
		if t.Revoked != nil {
			revoked = t.Revoked.UTC().Format(time.RFC3339)
		}
		source := t.Source
		if source == "" {
			source = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, source, t.Created.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func tokenRevoke(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) (err error) {
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{errors.New("token revoke: want the token's name or id")}
	}
	c, err := openConsole(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	if err := c.db.RevokeToken(ctx, rest[0]); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("token revoke: no token %q in use", rest[0])
		}
		return err
	}
	if err := c.trail.Record(ctx, c.by.Entry(audit.ActionTokenRevoke, rest[0], audit.ResultSuccess, "")); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %s\n", rest[0])
	return nil
}
