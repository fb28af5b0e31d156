package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"vigil/audit"
	"vigil/store"
)

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fset, err := storeCommand("audit", []string{"verify", "export"}, args, &f, stderr)
	if err != nil {
		return err
	}
	if args[0] == "verify" {
		var keys list
		fset.Var(&keys, "key", "a public key `FILE` whose seals to trust besides the data directory's audit.pub (repeatable)")
		if err := noArgs(fset, args[1:]); err != nil {
			return err
		}
		return auditVerify(ctx, &f, keys, stdout)
	}
	var q store.AuditQuery
	from := fset.String("from", "", "entries from this time on (RFC 3339)")
	to := fset.String("to", "", "entries before this time (RFC 3339)")
	fset.StringVar(&q.Actor, "actor", "", "entries of this actor only")
	fset.StringVar(&q.Action, "action", "", "entries of this action only")
	if err := noArgs(fset, args[1:]); err != nil {
		return err
	}
	if err := times(&q, *from, *to); err != nil {
		return err
	}
	return auditExport(ctx, &f, q, stdout)
}

// times sets the time bounds of q from the flags.
func times(q *store.AuditQuery, from, to string) error {
	for _, b := range []struct {
		flag, value string
		dst         *time.Time
	}{{"from", from, &q.From}, {"to", to, &q.To}} {
		if b.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, b.value)
		if err != nil {
			return usageError{fmt.Errorf("audit export: --%s %q: want a time such as 2026-03-14T00:00:00+08:00", b.flag, b.value)}
		}
		*b.dst = t
	}
	return nil
}

// auditVerify verifies the trail with the public keys of the data
// directory and of the flags: it needs no private key, so that an
// auditor can run it on a copy.
func auditVerify(ctx context.Context, f *serveFlags, keyFiles []string, stdout io.Writer) error {
	c, err := f.load()
	if err != nil {
		return usageError{err}
	}
	var keys []ed25519.PublicKey
	own := audit.PublicKeyFile(auditKeyFile(c))
	if _, err := os.Stat(own); !errors.Is(err, fs.ErrNotExist) {
		keyFiles = append([]string{own}, keyFiles...)
	}
	for _, file := range keyFiles {
		k, err := audit.LoadPublicKey(file)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := audit.Verify(ctx, db, keys...)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	if !r.OK() {
		return exitError{exitFound}
	}
	return nil
}

// auditExport writes the entries q selects as CSV, and records that it
// did.
func auditExport(ctx context.Context, f *serveFlags, q store.AuditQuery, stdout io.Writer) (err error) {
	c, err := openConsole(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	return c.trail.Export(ctx, c.by, q, stdout)
}
