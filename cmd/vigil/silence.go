package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"vigil/audit"
	"vigil/silence"
	"vigil/store"
)

func silenceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs, err := storeCommand("silence", []string{"add", "list", "expire"}, args, &f, stderr)
	if err != nil {
		return err
	}
	switch args[0] {
	case "add":
		return silenceAdd(ctx, fs, &f, args[1:], stdout)
	case "list":
		return silenceList(ctx, fs, &f, args[1:], stdout)
	default: // expire
		return silenceExpire(ctx, fs, &f, args[1:], stdout)
	}
}

func silenceAdd(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) (err error) {
	duration := fs.Duration("duration", 0, "how long the silence lasts, such as 2h (or give --end)")
	start := fs.String("start", "", "when it starts, RFC 3339 (default now)")
	end := fs.String("end", "", "when it ends, RFC 3339")
	comment := fs.String("comment", "", "why: the change, the incident or the ticket it is for (required)")
	author := fs.String("author", cliActor().Name, "who creates it")
	matchers, err := parse(fs, args)
	if err != nil {
		return err
	}
	now := time.Now()
	s := store.Silence{Matchers: matchers, StartsAt: now, CreatedBy: *author, Comment: *comment, CreatedAt: now}
	if err := silenceWindow(&s, *start, *end, *duration); err != nil {
		return usageError{fmt.Errorf("silence add: %w", err)}
	}
	if *comment == "" {
		return usageError{errors.New("silence add: want --comment: say why, for whoever reads it later")}
	}
	if err := silence.Check(&s, now); err != nil {
		return usageError{fmt.Errorf("silence add: %w", err)}
	}
	c, err := openConsole(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	created, err := c.db.CreateSilence(ctx, s)
	if err != nil {
		return err
	}
	if err := c.trail.Record(ctx, c.by.Entry(audit.ActionSilenceAdd, created.ID, audit.ResultSuccess, silence.Describe(created))); err != nil {
		return err
	}
	fmt.Fprintln(stdout, created.ID)
	return nil
}

// silenceWindow sets when a silence starts and ends from the flags.
func silenceWindow(s *store.Silence, start, end string, d time.Duration) error {
	if start != "" {
		t, err := time.Parse(time.RFC3339, start)
		if err != nil {
			return fmt.Errorf("--start %q: want RFC 3339, such as 2026-12-05T22:00:00+08:00", start)
		}
		s.StartsAt = t
	}
	switch {
	case (end == "") == (d == 0):
		return errors.New("give --duration or --end, not both")
	case d < 0:
		return fmt.Errorf("--duration %s: want a positive duration", d)
	case d > 0:
		s.EndsAt = s.StartsAt.Add(d)
	default:
		t, err := time.Parse(time.RFC3339, end)
		if err != nil {
			return fmt.Errorf("--end %q: want RFC 3339, such as 2026-12-06T06:00:00+08:00", end)
		}
		s.EndsAt = t
	}
	return nil
}

func silenceList(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) error {
	all := fs.Bool("all", false, "list expired silences too")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	db, _, err := tokenStore(ctx, f)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	since := now
	if *all {
		since = time.Time{}
	}
	ss, err := db.Silences(ctx, since)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tMATCHERS\tSTARTS\tENDS\tCREATED BY\tCOMMENT")
	for i := range ss {
		s := &ss[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, silence.StateAt(s, now), strings.Join(s.Matchers, " "),
			s.StartsAt.UTC().Format(time.RFC3339), s.EndsAt.UTC().Format(time.RFC3339), s.CreatedBy, oneLine(s.Comment))
	}
	return tw.Flush()
}

// oneLine keeps a text on one line of a table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func silenceExpire(ctx context.Context, fs *flag.FlagSet, f *serveFlags, args []string, stdout io.Writer) (err error) {
	ids, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return usageError{errors.New("silence expire: name the silences to expire by id")}
	}
	c, err := openConsole(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close(context.WithoutCancel(ctx))) }()
	var errs []error
	for _, id := range ids {
		s, err := c.db.ExpireSilence(ctx, id, time.Now())
		if err != nil {
			errs = append(errs, fmt.Errorf("silence %s: %w", id, err))
			continue
		}
		if err := c.trail.Record(ctx, c.by.Entry(audit.ActionSilenceRemove, id, audit.ResultSuccess, silence.Describe(s))); err != nil {
			return err
		}
		fmt.Fprintln(stdout, id, "expired")
	}
	return errors.Join(errs...)
}
