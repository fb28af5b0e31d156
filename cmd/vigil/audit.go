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
		var v verifyFlags
		fset.Var(&v.keys, "key", "a public key `FILE` whose seals to trust besides the data directory's audit.pub (repeatable)")
		fset.Var(&v.anchors, "anchor", "an entry the trail must hold, as `SEQ:HASH` (HASH in hexadecimal) known from elsewhere (repeatable)")
		fset.Var(&v.logs, "seal-log", "a `FILE` of vigil's log (JSON) whose \"audit trail sealed\" lines the trail must hold (repeatable)")
		if err := noArgs(fset, args[1:]); err != nil {
			return err
		}
		return auditVerify(ctx, &f, v, stdout)
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

// verifyFlags are the flags of audit verify.
type verifyFlags struct {
	keys, anchors, logs list
}

// auditVerify verifies the trail with the public keys of the data
// directory and of the flags, against the seal kept in the data
// directory's anchor file and those of the flags: it needs no private
// key, so that an auditor can run it on a copy.
func auditVerify(ctx context.Context, f *serveFlags, v verifyFlags, stdout io.Writer) error {
	c, err := f.load()
	if err != nil {
		return usageError{err}
	}
	o := audit.Options{SealEvery: c.Audit.SealEvery, SealInterval: time.Duration(c.Audit.SealInterval)}
	if o.Keys, err = verifyKeys(auditKeyFile(c), v.keys); err != nil {
		return err
	}
	if o.Anchors, err = anchors(auditKeyFile(c), v.anchors, v.logs); err != nil {
		return err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := audit.Verify(ctx, db, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r)
	if !r.OK() {
		return exitError{exitFound}
	}
	return nil
}

// verifyKeys loads the public key beside keyFile, when there is one, and
// the files of the flags.
func verifyKeys(keyFile string, files []string) ([]ed25519.PublicKey, error) {
	own := audit.PublicKeyFile(keyFile)
	if _, err := os.Stat(own); !errors.Is(err, fs.ErrNotExist) {
		files = append([]string{own}, files...)
	}
	var keys []ed25519.PublicKey
	for _, file := range files {
		k, err := audit.LoadPublicKey(file)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// anchors returns the seals and entries the trail must hold: the seal in
// the anchor file beside keyFile, when there is one, the entries of the
// flags (SEQ:HASH) and the seals of the logs.
func anchors(keyFile string, entries, logs []string) ([]store.AuditSeal, error) {
	var all []store.AuditSeal
	s, ok, err := audit.ReadAnchor(audit.AnchorFile(keyFile))
	if err != nil {
		return nil, err
	}
	if ok {
		all = append(all, s)
	}
	for _, e := range entries {
		a, err := audit.ParseAnchor(e)
		if err != nil {
			return nil, usageError{err}
		}
		all = append(all, a)
	}
	for _, file := range logs {
		seals, err := readSealLog(file)
		if err != nil {
			return nil, err
		}
		all = append(all, seals...)
	}
	return all, nil
}

// readSealLog reads the seals of a file of vigil's log.
func readSealLog(file string) ([]store.AuditSeal, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	seals, err := audit.ReadSealLog(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return seals, nil
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
