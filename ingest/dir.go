package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vigil/batch"
	"vigil/event"
	"vigil/store"
)

// Files keeps what a directory input did with each file.
type Files interface {
	File(ctx context.Context, input, path string) (*store.File, error)
	SaveFile(ctx context.Context, f store.File) error
}

// Dir reads the files that appear in a directory of CloudTrail archives,
// as AWS's S3 delivery or a sync job writes them (*.json, *.json.gz, in
// subdirectories too), each once: what was read is kept in the store, so
// that a restart does not read a file again, unless it changed.
type Dir struct {
	*Ingester
	Name   string // the input's
	Path   string
	Source Source
	Poll   time.Duration
	Files  Files
	seen   map[string]sighting // files not yet read, as the last poll saw them
}

// sighting is a file's size and time when a poll saw it: a file is read
// once two polls in a row saw it the same, so that a file being written
// is not read half written.
type sighting struct {
	size int64
	mod  time.Time
}

// Run polls the directory until ctx is done.
func (d *Dir) Run(ctx context.Context) error {
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	for {
		d.poll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// poll reads the files that are new or changed and have stopped
// changing.
func (d *Dir) poll(ctx context.Context) {
	last := d.seen
	d.seen = make(map[string]sighting, len(last)) // forgets the files gone since
	err := filepath.WalkDir(d.Path, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			d.Log.Warn("reading an input directory", "input", d.Name, "path", path, "err", err)
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.IsDir() {
			if path != d.Path && strings.HasPrefix(e.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !archive(e.Name()) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(d.Path, path)
		d.consider(ctx, path, filepath.ToSlash(rel), sighting{info.Size(), info.ModTime()}, last)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		d.Log.Warn("reading an input directory", "input", d.Name, "err", err)
	}
}

// archive reports whether a file name is one of a CloudTrail archive.
func archive(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".ndjson")
}

// consider reads a file if it is new or changed and was seen the same at
// the previous poll, as last has it.
func (d *Dir) consider(ctx context.Context, path, rel string, now sighting, last map[string]sighting) {
	prev, err := d.Files.File(ctx, d.Name, rel)
	if err == nil && prev.Size == now.size && prev.ModTime.Equal(now.mod) {
		return // read already
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		d.Log.Warn("looking a file up", "input", d.Name, "file", rel, "err", err)
		return
	}
	if s, ok := last[rel]; !ok || s != now {
		d.seen[rel] = now // wait until it stops changing
		return
	}
	f, read := d.read(ctx, path, rel, now, prev)
	if f == nil {
		return // the bus could not take it: try again at a later poll
	}
	if err := d.Files.SaveFile(ctx, *f); err != nil {
		d.Log.Error("recording a file read", "input", d.Name, "file", rel, "err", err)
		return
	}
	if !read {
		return // touched, not changed
	}
	d.Metrics.Files.WithLabelValues(d.Name, string(f.State)).Inc()
	if f.State != store.FileDone {
		d.Log.Warn("a file could not be read whole", "input", d.Name, "file", rel, "state", f.State, "events", f.Events, "err", f.Error)
	}
}

// read reads and publishes the events of a file, and returns what it
// found, nil when the bus did not take them, and whether it read the
// file: a file with the content of prev, what was found of it before,
// was touched, not changed, and keeps what prev found without being
// published again.
func (d *Dir) read(ctx context.Context, path, rel string, s sighting, prev *store.File) (*store.File, bool) {
	f := &store.File{Input: d.Name, Path: rel, Size: s.size, ModTime: s.mod, Done: time.Now()}
	raw, err := os.ReadFile(path)
	if err != nil {
		f.State, f.Error = store.FileCorrupt, err.Error()
		return f, true
	}
	sum := sha256.Sum256(raw)
	f.SHA256 = hex.EncodeToString(sum[:])
	if prev != nil && prev.SHA256 == f.SHA256 {
		f.State, f.Events, f.Error, f.Done = prev.State, prev.Events, prev.Error, prev.Done
		return f, false
	}
	body, err := d.decompress(raw)
	if err != nil {
		f.State, f.Error = store.FileCorrupt, err.Error()
		return f, true
	}
	var events [][]byte
	det := event.NewDetector()
	var rejected []string
	_, err = batch.Split(body, func(i int, ev []byte, _ event.Kind) error {
		if class, reason := d.check(det, d.Source, ev); class != "" {
			d.Metrics.reject(d.Source.Name, class)
			if len(rejected) < 3 {
				rejected = append(rejected, fmt.Sprintf("event %d: %s", i, reason))
			}
			return nil
		}
		events = append(events, ev)
		return nil
	})
	if err := d.publish(ctx, d.Source, events, time.Now()); err != nil {
		d.Log.Warn("publishing a file's events", "input", d.Name, "file", rel, "err", err)
		return nil, true
	}
	f.Events = len(events)
	switch {
	case err != nil && len(events) == 0:
		f.State, f.Error = store.FileCorrupt, err.Error()
	case err != nil:
		f.State, f.Error = store.FilePartial, err.Error()
	case len(rejected) > 0:
		f.State, f.Error = store.FilePartial, strings.Join(rejected, "; ")
	default:
		f.State = store.FileDone
	}
	return f, true
}

// decompress returns a file's content, gunzipped when it is gzip.
func (d *Dir) decompress(raw []byte) ([]byte, error) {
	if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		return raw, nil
	}
	return gunzip(raw, d.Limits.MaxDecompressed)
}
