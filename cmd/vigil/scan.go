package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"vigil/alert"
	"vigil/rule"
	"vigil/scan"
)

func scanCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("scan", stderr)
	var rf ruleFlags
	rf.add(fs)
	format := fs.String("format", "", "output format: table, json or ndjson (default table on a terminal, else json)")
	out := fs.String("out", "", "write alerts to `FILE` instead of standard output")
	minSev := fs.String("min-severity", "info", "report only alerts at or above this severity")
	failOn := fs.String("fail-on", "", "exit 1 when an alert at or above this severity is found")
	noDedup := fs.Bool("no-dedup", false, "one alert per rule and event instead of per rule and dedup key")
	strict := fs.Bool("strict", false, "stop at the first unreadable file or malformed event")
	workers := fs.Int("workers", 0, "goroutines evaluating events (default: one per CPU)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: vigil scan [flags] PATH...\n\nPATH is a file, a directory (read recursively), or - for standard input.\nFiles may be gzip-compressed.\n\nFlags:")
		fs.PrintDefaults()
	}
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageError{errors.New("scan: no PATH given")}
	}
	for _, p := range paths {
		if p == scan.Stdin {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return usageError{fmt.Errorf("scan: %w", err)}
		}
	}
	min, err := rule.ParseSeverity(*minSev)
	if err != nil {
		return usageError{fmt.Errorf("--min-severity: %w", err)}
	}
	fail := rule.Severity(255)
	if *failOn != "" {
		if fail, err = rule.ParseSeverity(*failOn); err != nil {
			return usageError{fmt.Errorf("--fail-on: %w", err)}
		}
	}
	var f scan.Format
	if *format != "" {
		if f, err = scan.ParseFormat(*format); err != nil {
			return usageError{err}
		}
	}
	rules, err := rf.rules()
	if err != nil {
		return err
	}
	w, closeOut, toTerminal, err := output(*out, stdout)
	if err != nil {
		return err
	}
	if f == "" {
		f = scan.JSON
		if toTerminal {
			f = scan.Table
		}
	}

	var st scan.Stats
	errw := &lockedWriter{w: stderr}
	opts := scan.Options{
		Workers:  *workers,
		PerEvent: *noDedup,
		Strict:   *strict,
		Stdin:    stdin,
		Warn:     func(msg string) { fmt.Fprintf(errw, "vigil: %s\n", msg) },
	}
	if isTerminal(stderr) { // clear the progress line first
		opts.Warn = func(msg string) { fmt.Fprintf(errw, "\r\x1b[Kvigil: %s\n", msg) }
	}
	stopProgress := progress(errw, isTerminal(stderr), &st)
	res, err := scan.Run(ctx, rules, paths, opts, &st)
	stopProgress()
	if err != nil {
		closeOut()
		return err
	}
	if st.Files.Load() == 0 && st.Unreadable.Load() > 0 {
		return fmt.Errorf("scan: no input could be read")
	}
	var shown []*alert.Alert
	found := false
	for _, a := range res.Alerts {
		if a.Rule.Severity >= min {
			shown = append(shown, a)
		}
		found = found || a.Rule.Severity >= fail
	}
	err = scan.Write(w, f, shown, toTerminal && os.Getenv("NO_COLOR") == "")
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing alerts: %w", err)
	}
	summary(stderr, &st, res.Alerts)
	if found {
		return exitError{exitFound}
	}
	return nil
}

// output returns where alerts go, how to close it, and whether it is a
// terminal.
func output(name string, stdout io.Writer) (io.Writer, func() error, bool, error) {
	if name == "" {
		return stdout, func() error { return nil }, isTerminal(stdout), nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, false, err
	}
	return f, f.Close, false, nil
}

// lockedWriter serializes writes from the scan's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progress shows what the scan has read on a terminal until stopped.
func progress(w io.Writer, terminal bool, st *scan.Stats) (stop func()) {
	if !terminal {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-tick.C:
				secs := time.Since(start).Seconds()
				fmt.Fprintf(w, "\r\x1b[Kscanning: %d files, %s events, %.1f MB, %s events/s, %d matches",
					st.Files.Load(), grouped(st.Events.Load()), float64(st.Bytes.Load())/1e6,
					grouped(int64(float64(st.Events.Load())/secs)), st.Matches.Load())
			}
		}
	}()
	return func() { close(done); <-finished }
}

func summary(w io.Writer, st *scan.Stats, alerts []*alert.Alert) {
	rules := map[string]bool{}
	for _, a := range alerts {
		rules[a.Rule.ID] = true
	}
	secs := st.Elapsed.Seconds()
	rate := int64(0)
	if secs > 0 {
		rate = int64(float64(st.Events.Load()) / secs)
	}
	fmt.Fprintf(w, "scanned %d files, %s events (%.1f MB) in %s, %s events/s; %d alerts from %d rules",
		st.Files.Load(), grouped(st.Events.Load()), float64(st.Bytes.Load())/1e6,
		st.Elapsed.Round(time.Millisecond), grouped(rate), len(alerts), len(rules))
	if n := st.Unreadable.Load(); n > 0 {
		fmt.Fprintf(w, "; %d unreadable files", n)
	}
	if n := st.Malformed.Load(); n > 0 {
		fmt.Fprintf(w, "; %d malformed events", n)
	}
	fmt.Fprintln(w)
}

// grouped writes n with thousands separators.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
