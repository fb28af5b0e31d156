package corpus

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

var filePattern = regexp.MustCompile(`^AWSLogs/([0-9]{12})/CloudTrail/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/` +
	`([0-9]{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)

// writeArchive writes n records of a generator seeded with seed to dir.
func writeArchive(t *testing.T, dir string, seed uint64, n int) {
	t.Helper()
	g := New(seed)
	g.Step = time.Second
	a := NewArchive(dir, seed)
	var rec []byte
	for range n {
		rec = g.Record(rec[:0])
		if err := a.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// readArchive returns the contents of the files under dir by path.
func readArchive(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestArchiveLayout(t *testing.T) {
	dir := t.TempDir()
	const n = 3000
	writeArchive(t, dir, 5, n)
	total := 0
	for path, gz := range readArchive(t, dir) {
		m := filePattern.FindStringSubmatch(path)
		if m == nil || m[1] != m[4] || m[2] != m[5] {
			t.Fatalf("bad path %s", path)
		}
		end, _ := time.Parse("20060102T1504Z", m[6])
		if end.Format("2006/01/02") != m[3] {
			t.Errorf("%s: date directory disagrees with the file name", path)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var file struct{ Records []map[string]any }
		if err := json.Unmarshal(body, &file); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, r := range file.Records {
			at, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
			if r["recipientAccountId"] != m[1] || r["awsRegion"] != m[2] || at.Before(end.Add(-Window)) || !at.Before(end) {
				t.Errorf("%s holds a record of %v in %v at %v", path, r["recipientAccountId"], r["awsRegion"], at)
			}
		}
		total += len(file.Records)
	}
	if total != n {
		t.Errorf("archive holds %d records, want %d", total, n)
	}
}

func TestArchiveIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeArchive(t, a, 6, 500)
	writeArchive(t, b, 6, 500)
	fa, fb := readArchive(t, a), readArchive(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for path, data := range fa {
		if !bytes.Equal(data, fb[path]) {
			t.Errorf("%s differs", path)
		}
	}
}
