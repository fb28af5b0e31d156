package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"vigil/bus"
	"vigil/store"
)

// newDir returns a directory input of CloudTrail over path, which keeps
// what it read in the environment's store.
func newDir(e *testEnv, path string) *Dir {
	return &Dir{Ingester: e.in, Name: "trails", Path: path, Source: testSources["cloudtrail"], Poll: time.Second, Files: e.db}
}

// t0 is the time files are written at, unless a test says otherwise.
var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// write writes a file under dir, creating its directories, with the
// modification time given.
func write(t *testing.T, dir, name string, content []byte, mod time.Time) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// file returns what the input recorded of a file, nil when nothing.
func (e *testEnv) file(input, path string) *store.File {
	e.t.Helper()
	f, err := e.db.File(context.Background(), input, path)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDir(t *testing.T) {
	e := newEnv(t, envConfig{})
	root := t.TempDir()
	ctx := t.Context()
	a := []byte(records(ctRecord(1), ctRecord(2)))
	b := gz(records(ctRecord(3)))
	c := []byte(ctRecord(4) + "\n" + ctRecord(5) + "\n")
	write(t, root, "a.json", a, t0)
	write(t, root, "sub/deeper/b.json.gz", b, t0)
	write(t, root, "c.jsonl", c, t0)
	write(t, root, ".hidden.json", []byte(records(ctRecord(90))), t0)
	write(t, root, ".git/x.json", []byte(records(ctRecord(91))), t0)
	write(t, root, "sub/.partial/y.json", []byte(records(ctRecord(92))), t0)
	write(t, root, "notes.txt", []byte(records(ctRecord(93))), t0)
	write(t, root, "a.json.bak", []byte(records(ctRecord(94))), t0)

	d := newDir(e, root)
	d.poll(ctx)
	if n := e.messages(); n != 0 {
		t.Fatalf("first poll: %d messages on the bus, want none until the files are seen unchanged", n)
	}
	if f := e.file("trails", "a.json"); f != nil {
		t.Fatalf("first poll: a.json recorded %+v", f)
	}
	d.poll(ctx)
	want := []string{ctRecord(1), ctRecord(2), ctRecord(4), ctRecord(5), ctRecord(3)}
	if got := e.events("cloudtrail"); !slices.Equal(got, want) {
		t.Fatalf("second poll: %s", diff(got, want))
	}
	for _, w := range []struct {
		path    string
		content []byte
		events  int
	}{{"a.json", a, 2}, {"sub/deeper/b.json.gz", b, 1}, {"c.jsonl", c, 2}} {
		f := e.file("trails", w.path)
		if f == nil || f.State != store.FileDone || f.Events != w.events || f.Error != "" || f.Size != int64(len(w.content)) ||
			!f.ModTime.Equal(t0) || f.SHA256 != sha(w.content) || time.Since(f.Done) > time.Minute {
			t.Errorf("%s recorded %+v", w.path, f)
		}
	}
	for _, p := range []string{".hidden.json", ".git/x.json", "sub/.partial/y.json", "notes.txt", "a.json.bak"} {
		if f := e.file("trails", p); f != nil {
			t.Errorf("%s recorded %+v", p, f)
		}
	}
	d.poll(ctx)
	d.poll(ctx)
	if n := e.messages(); n != 0 {
		t.Errorf("later polls: %d messages", n)
	}

	// A restart reads nothing again.
	d = newDir(e, root)
	d.poll(ctx)
	d.poll(ctx)
	if n := e.messages(); n != 0 {
		t.Errorf("after a restart: %d messages", n)
	}

	// A file rewritten is read again; a file touched is not.
	a2 := []byte(records(ctRecord(6), ctRecord(7), ctRecord(8)))
	write(t, root, "a.json", a2, t0.Add(time.Hour))
	if err := os.Chtimes(filepath.Join(root, "c.jsonl"), t0.Add(time.Hour), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	accepted := e.counter("vigil_ingest_events_total", "source=cloudtrail")
	d.poll(ctx)
	d.poll(ctx)
	want = []string{ctRecord(6), ctRecord(7), ctRecord(8)}
	if got := e.events("cloudtrail"); !slices.Equal(got, want) {
		t.Errorf("a rewritten file and a touched one: %s", diff(got, want))
	}
	if got := e.counter("vigil_ingest_events_total", "source=cloudtrail"); got != accepted+3 {
		t.Errorf("%v events accepted, want the 3 of the rewritten file", got-accepted)
	}
	if f := e.file("trails", "a.json"); f == nil || f.Events != 3 || f.SHA256 != sha(a2) || !f.ModTime.Equal(t0.Add(time.Hour)) {
		t.Errorf("a.json rewritten, recorded %+v", f)
	}
	if f := e.file("trails", "c.jsonl"); f == nil || f.State != store.FileDone || f.Events != 2 || f.SHA256 != sha(c) ||
		!f.ModTime.Equal(t0.Add(time.Hour)) {
		t.Errorf("c.jsonl touched, recorded %+v", f)
	}
	d.poll(ctx)
	d.poll(ctx)
	if n := e.messages(); n != 0 {
		t.Errorf("after the touch was recorded: %d messages", n)
	}

	// A file being written is read once it stops changing.
	g := records(ctRecord(9), ctRecord(10))
	write(t, root, "g.json", []byte(g[:100]), t0)
	d.poll(ctx)
	write(t, root, "g.json", []byte(g[:300]), t0.Add(time.Second))
	d.poll(ctx)
	write(t, root, "g.json", []byte(g), t0.Add(2*time.Second))
	d.poll(ctx)
	if n := e.messages(); n != 0 {
		t.Errorf("a file being written: %d messages", n)
	}
	d.poll(ctx)
	want = []string{ctRecord(9), ctRecord(10)}
	if got := e.events("cloudtrail"); !slices.Equal(got, want) {
		t.Errorf("a file written: %s", diff(got, want))
	}
	if got := e.counter("vigil_input_files_total", "input=trails", "state=done"); got != 5 {
		t.Errorf("files done = %v, want 5", got)
	}
}

// TestDirStates reads files that cannot be read whole.
func TestDirStates(t *testing.T) {
	e := newEnv(t, envConfig{})
	root := t.TempDir()
	ctx := t.Context()
	cut := records(ctRecord(1), ctRecord(2), ctRecord(3))
	cut = cut[:len(cut)-40]
	cutGz := records(ctRecord(11), ctRecord(12), ctRecord(13))
	cutGz = cutGz[:len(cutGz)-40]
	full := gz(records(ctRecord(21), ctRecord(22)))
	tests := []struct {
		name    string
		content []byte
		state   store.FileState
		events  []string
		err     string
	}{
		{"truncated.json", []byte(cut), store.FilePartial, []string{ctRecord(1), ctRecord(2)}, "event 2: invalid JSON at offset"},
		{"truncated-inside.json.gz", gz(cutGz), store.FilePartial, []string{ctRecord(11), ctRecord(12)}, "event 2: invalid JSON"},
		{"truncated-gzip.json.gz", full[:len(full)/2], store.FileCorrupt, nil, "gzip: unexpected EOF"},
		{"corrupt.json.gz", append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, "not deflate at all"...), store.FileCorrupt, nil, "gzip: "},
		{"not-gzip.json.gz", []byte("\x1f\x8bhello"), store.FileCorrupt, nil, "not gzip"},
		{"text.json", []byte("hello world\n"), store.FileCorrupt, nil, "not JSON: expected '{' or '['"},
		{"first-cut.json", []byte(`{"Records":[{"eventVersion":"1.09","eventSource":`), store.FileCorrupt, nil, "event 0: invalid JSON"},
		{"rejected.json", []byte(records(ctRecord(31), k8sEvent(1), ctRecord(32), `{"eventVersion":1}`)), store.FilePartial,
			[]string{ctRecord(31), ctRecord(32)}, "event 1: a k8s-audit event, where source cloudtrail takes cloudtrail events; event 3: a json event"},
		{"empty.json", nil, store.FileDone, nil, ""},
		{"broken-line.jsonl", []byte(ctRecord(41) + "\n[" + ctRecord(42) + ",\n" + ctRecord(43) + "\n"), store.FilePartial,
			[]string{ctRecord(41), ctRecord(42), ctRecord(43)}, "event 2: invalid JSON: unexpected end of input"},
		{"bomb.json.gz", gz(strings.Repeat(" ", int(testLimits.MaxDecompressed)+1)), store.FileCorrupt, nil, "too large once decompressed"},
	}
	d := newDir(e, root)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			write(t, root, tt.name, tt.content, t0)
			d.poll(ctx)
			d.poll(ctx)
			if got := e.events("cloudtrail"); !slices.Equal(got, tt.events) {
				t.Errorf("on the bus: %s", diff(got, tt.events))
			}
			f := e.file("trails", tt.name)
			if f == nil || f.State != tt.state || f.Events != len(tt.events) || !strings.Contains(f.Error, tt.err) ||
				(tt.err == "") != (f.Error == "") || f.SHA256 != sha(tt.content) {
				t.Errorf("recorded %+v, want %s with %d events and error %q", f, tt.state, len(tt.events), tt.err)
			}
			// Not read again.
			d.poll(ctx)
			d.poll(ctx)
			if n := e.messages(); n != 0 {
				t.Errorf("read again: %d messages", n)
			}
		})
	}
	e.t = t
	for state, n := range map[string]float64{"done": 1, "partial": 4, "corrupt": 6} {
		if got := e.counter("vigil_input_files_total", "input=trails", "state="+state); got != n {
			t.Errorf("files %s = %v, want %v", state, got, n)
		}
	}
}

// TestDirBusFull checks that a file the bus cannot take is not recorded,
// and is read once the bus can take it.
func TestDirBusFull(t *testing.T) {
	e := newEnv(t, envConfig{maxBytes: 16 << 10})
	root := t.TempDir()
	ctx := t.Context()
	filler := &bus.Batch{Source: "cloudtrail", ID: "filler", Received: time.Now(),
		Events: [][]byte{[]byte(`{"pad":"` + strings.Repeat("x", 12<<10) + `"}`)}}
	if err := e.bus.Publish(ctx, []*nats.Msg{filler.Msg()}); err != nil {
		t.Fatal(err)
	}
	var recs []string
	for i := range 10 {
		recs = append(recs, ctRecord(i))
	}
	write(t, root, "a.json", []byte(records(recs...)), t0)
	d := newDir(e, root)
	d.poll(ctx)
	d.poll(ctx)
	if f := e.file("trails", "a.json"); f != nil {
		t.Errorf("recorded %+v while the bus was full", f)
	}
	if got := e.counter("vigil_ingest_events_total", "source=cloudtrail"); got != 0 {
		t.Errorf("%v events accepted while the bus was full", got)
	}
	if bs := e.batches(); len(bs) != 1 || bs[0].ID != "filler" {
		t.Fatalf("on the bus %d batches, want the filler", len(bs))
	}
	d.poll(ctx)
	d.poll(ctx)
	if got := e.events("cloudtrail"); !slices.Equal(got, recs) {
		t.Errorf("once the bus had room: %s", diff(got, recs))
	}
	if f := e.file("trails", "a.json"); f == nil || f.State != store.FileDone || f.Events != 10 {
		t.Errorf("recorded %+v", f)
	}
}

// TestDirRun runs an input on its timer until its context ends.
func TestDirRun(t *testing.T) {
	e := newEnv(t, envConfig{})
	root := t.TempDir()
	write(t, root, "a.json", []byte(records(ctRecord(1))), t0)
	d := newDir(e, root)
	d.Poll = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for e.file("trails", "a.json") == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if got, want := e.events("cloudtrail"), []string{ctRecord(1)}; !slices.Equal(got, want) {
		t.Errorf("on the bus: %s", diff(got, want))
	}
}

// TestDirMissing polls a directory that does not exist, or no longer:
// nothing happens, and the input goes on.
func TestDirMissing(t *testing.T) {
	e := newEnv(t, envConfig{})
	root := filepath.Join(t.TempDir(), "later")
	d := newDir(e, root)
	d.poll(t.Context())
	write(t, root, "a.json", []byte(records(ctRecord(1))), t0)
	d.poll(t.Context())
	d.poll(t.Context())
	if got, want := e.events("cloudtrail"), []string{ctRecord(1)}; !slices.Equal(got, want) {
		t.Errorf("on the bus: %s", diff(got, want))
	}
}
