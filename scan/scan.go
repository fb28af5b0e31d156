// Package scan hunts through log archives offline: it reads files,
// directories, gzip and standard input, splits them into events in
// whatever form they are written, runs the events through the engine on
// all cores and folds the matches into alerts.
package scan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vigil/alert"
	"vigil/batch"
	"vigil/correlate"
	"vigil/detect"
	"vigil/engine"
	"vigil/event"
	"vigil/jsonscan"
)

// Options are the settings of a scan.
type Options struct {
	// Workers is how many goroutines evaluate events; 0 means one per CPU.
	Workers int
	// PerEvent makes one alert per rule and event instead of per rule and
	// dedup key.
	PerEvent bool
	// Strict makes unreadable input fatal instead of skipped.
	Strict bool
	// Stdin is read for the path "-"; nil means no standard input.
	Stdin io.Reader
	// Warn receives a message for each unreadable file or malformed event.
	Warn func(msg string)
	// ChunkSize is how much of a newline-delimited file a worker takes
	// at a time; 0 means 1 MiB.
	ChunkSize int
	// MaxWhole is the largest file read whole (files that are one JSON
	// value); 0 means 1 GiB.
	MaxWhole int64
}

// Result is what a scan found.
type Result struct {
	Alerts []*alert.Alert
	Stats  Stats
}

// Stats counts what a scan read. It is updated atomically while the scan
// runs, so that progress can be shown.
type Stats struct {
	Files      atomic.Int64 // files read
	Unreadable atomic.Int64 // files that could not be read
	Bytes      atomic.Int64 // decompressed bytes read
	Events     atomic.Int64
	Malformed  atomic.Int64 // events that are not well-formed JSON objects
	Matches    atomic.Int64 // events matched, counted once per rule
	Elapsed    time.Duration
}

// Run scans the paths with the engine. The stats are updated as it goes.
// It returns an error only when Strict is set and some input could not be
// read, or when ctx is done.
func Run(ctx context.Context, rules *detect.Rules, paths []string, opts Options, st *Stats) (*Result, error) {
	start := time.Now()
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 1 << 20
	}
	if opts.MaxWhole <= 0 {
		opts.MaxWhole = 1 << 30
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var warnMu sync.Mutex
	warn := func(format string, args ...any) {
		warnMu.Lock()
		defer warnMu.Unlock()
		opts.Warn(fmt.Sprintf(format, args...))
	}
	unreadable := func(path string, err error) {
		st.Unreadable.Add(1)
		warn("%s: skipped: %v", path, err)
		if opts.Strict {
			cancel(fmt.Errorf("%s: %w", path, err))
		}
	}
	files := expand(paths, unreadable)
	chunks := make(chan chunk, opts.Workers*2)
	r := &reader{chunkSize: opts.ChunkSize, maxWhole: opts.MaxWhole, stdin: opts.Stdin, free: make(chan *[]byte, opts.Workers*4)}
	go func() {
		defer close(chunks)
		for _, f := range files {
			if ctx.Err() != nil {
				return
			}
			if err := r.read(f, chunks); err != nil {
				unreadable(f, err)
				continue
			}
			st.Files.Add(1)
		}
	}()

	aggs := make([]*alert.Aggregator, opts.Workers)
	hits := make([][]engine.Match, opts.Workers)
	var wg sync.WaitGroup
	for w := range aggs {
		aggs[w] = alert.NewAggregator(opts.PerEvent)
		wg.Go(func() {
			wk := &worker{x: rules.Engine.NewEvaluator(), agg: aggs[w], st: st, warn: warn, strict: opts.Strict, cancel: cancel, rules: rules}
			defer func() { hits[w] = wk.hits }()
			for c := range chunks {
				if ctx.Err() == nil {
					wk.chunk(c)
				}
				if c.pool != nil {
					r.recycle(c.pool)
				}
			}
		})
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	for _, g := range aggs[1:] {
		aggs[0].Merge(g)
	}
	if len(rules.Correlations) > 0 {
		correlateAll(rules, slices.Concat(hits...), aggs[0])
	}
	return &Result{Alerts: aggs[0].Alerts()}, nil
}

// correlateAll feeds the events correlated rules matched, in time order,
// to the correlations, and folds what fires into alerts: the same
// whatever order the files were read in.
func correlateAll(rules *detect.Rules, hits []engine.Match, agg *alert.Aggregator) {
	c := rules.NewCorrelator()
	slices.SortFunc(hits, func(a, b engine.Match) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.EventID, b.EventID), strings.Compare(a.Rule.ID, b.Rule.ID))
	})
	var fires []correlate.Fire
	for _, m := range hits {
		fires = append(fires, c.Add(detect.HitOf(m))...)
	}
	fires = append(fires, c.Flush()...)
	for _, f := range fires {
		if r := rules.CorrRules[f.Corr.Ref()]; r != nil && !r.Silent {
			for _, m := range detect.FireMatches(r, f) {
				agg.Add(m)
			}
		}
	}
}

// worker evaluates the events of chunks.
type worker struct {
	x      *engine.Evaluator
	agg    *alert.Aggregator
	st     *Stats
	warn   func(format string, args ...any)
	strict bool
	cancel context.CancelCauseFunc
	ev     event.Event
	events int64  // events of the chunk at hand
	tbuf   []byte // the JSON of a text line
	rules  *detect.Rules
	hits   []engine.Match // matches of rules that feed correlations
}

func (w *worker) chunk(c chunk) {
	w.st.Bytes.Add(int64(len(c.data)))
	w.events = 0
	defer func() { w.st.Events.Add(w.events) }()
	if c.text {
		w.text(c)
		return
	}
	each := func(_ int, raw []byte, kind event.Kind) error {
		w.events++
		if err := w.eval(raw, kind); err != nil {
			at := offset(c.data, raw)
			var se *jsonscan.SyntaxError
			if errors.As(err, &se) { // the event's own syntax error, within it
				at += se.Offset
			}
			return w.malformed(c, at, err)
		}
		return nil
	}
	var err error
	if c.lines {
		err = batch.EachLine(c.data, each)
	} else {
		_, err = batch.Split(c.data, each)
	}
	var be *batch.Error
	if errors.As(err, &be) {
		at := be.Offset
		var se *jsonscan.SyntaxError
		if errors.As(be.Err, &se) { // offsets of splitting are in the chunk
			at = se.Offset
		}
		w.malformed(c, at, be.Err)
	}
}

// eval runs an event through the engine and keeps what it matched. It
// returns the engine's error when the event is not well-formed.
func (w *worker) eval(raw []byte, kind event.Kind) error {
	w.ev = event.Event{Raw: raw, Kind: kind}
	rules, err := w.x.Eval(&w.ev)
	if err != nil || len(rules) == 0 {
		return err
	}
	matches, err := w.x.Describe(&w.ev, rules)
	if err != nil {
		return err
	}
	w.st.Matches.Add(int64(len(rules)))
	for _, m := range matches {
		if w.rules.Feeds(m.Rule.ID) {
			w.hits = append(w.hits, m)
		}
		if !m.Rule.Silent {
			w.agg.Add(m)
		}
	}
	return nil
}

// offset returns where piece, a slice of data, starts in it.
func offset(data, piece []byte) int { return cap(data) - cap(piece) }

// malformed reports an event, or the rest of a chunk, that could not be
// read, at its line in the file: the line of offset at in the chunk. It
// returns an error, which stops the chunk, when the scan is strict.
func (w *worker) malformed(c chunk, at int, err error) error {
	w.st.Malformed.Add(1)
	at = min(at, len(c.data))
	line := c.line + bytes.Count(c.data[:at], []byte{'\n'})
	w.warn("%s:%d: malformed event: %v", c.file, line, err)
	if w.strict {
		err = fmt.Errorf("%s:%d: malformed event: %w", c.file, line, err)
		w.cancel(err)
		return err
	}
	return nil
}
