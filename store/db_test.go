package store

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"vigil/store/storetest"
)

// openDB opens the store at url, closed at the end of the test.
func openDB(tb testing.TB, url string) *DB {
	tb.Helper()
	db, err := OpenDB(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

func TestOpen(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		want := "sqlite"
		if isPostgres(url) {
			want = "postgres"
		}
		if got := db.Dialect(); got != want {
			t.Errorf("Dialect() = %q, want %q", got, want)
		}
		all, err := loadMigrations(migrationFiles)
		if err != nil {
			t.Fatal(err)
		}
		checkMigrations(t, db, len(all))
		_, err = db.writer().exec(ctx, `INSERT INTO alert_notes (alert_id, seq, at, actor, status, comment)
VALUES ('no such alert', 1, 0, 'a', 'open', '')`)
		if err == nil {
			t.Error("foreign keys are not enforced")
		}
		again := openDB(t, url) // applies nothing
		checkMigrations(t, again, len(all))
	})
}

// checkMigrations checks that each migration was applied, once.
func checkMigrations(t *testing.T, db *DB, n int) {
	t.Helper()
	var rows, versions int
	err := db.reader().queryRow(t.Context(),
		`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions)
	if err != nil {
		t.Fatal(err)
	}
	if rows != n || versions != n {
		t.Errorf("schema_migrations has %d rows of %d versions, want %d", rows, versions, n)
	}
}

// TestOpenConcurrently opens a fresh database from several processes at
// once: one migrates, the others wait and find it done.
func TestOpenConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		const nodes = 4
		dbs := make([]*DB, nodes)
		errs := make([]error, nodes)
		var wg sync.WaitGroup
		for i := range nodes {
			wg.Go(func() { dbs[i], errs[i] = OpenDB(t.Context(), url) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("node %d: %v", i, err)
			}
			defer dbs[i].Close()
		}
		all, _ := loadMigrations(migrationFiles)
		checkMigrations(t, dbs[0], len(all))
	})
}

func TestOpenNewerSchema(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		_, err := db.writer().exec(t.Context(),
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`)
		if err != nil {
			t.Fatal(err)
		}
		_, err = OpenDB(t.Context(), url)
		if err == nil || !strings.Contains(err.Error(), "schema version 9999, newer") {
			t.Errorf("OpenDB of a newer schema: %v, want an error naming version 9999", err)
		}
	})
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct{ name, url, file string }{
		{"path", filepath.Join(dir, "a.db"), "a.db"},
		{"sqlite scheme", "sqlite://" + filepath.Join(dir, "b.db"), "b.db"},
		{"file scheme", "file:" + filepath.Join(dir, "c.db"), "c.db"},
		{"odd characters", filepath.Join(dir, "d e?f#g%20h.db"), "d e?f#g%20h.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			openDB(t, tc.url)
			for _, name := range []string{tc.file, tc.file + "-wal", tc.file + "-shm"} {
				info, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err) // -wal and -shm exist in WAL mode only
				}
				if mode := info.Mode().Perm(); mode != 0o600 {
					t.Errorf("mode of %s = %v, want 0600", name, mode)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url string
		want      []string // in the error
		not       string   // not in the error
	}{
		{"no directory", filepath.Join(dir, "missing", "x.db"), []string{"store: open " + dir + "/missing/x.db: create: no such file"}, ""},
		{"not a database", garbage, []string{"store: open " + garbage}, ""},
		{"empty", "", []string{"store: open: no database named"}, ""},
		{"empty sqlite", "sqlite://", []string{"store: open: no database named"}, ""},
		{"unreachable postgres", "postgres://vigil:s3cret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
			[]string{"store: open postgres://vigil:xxxxx@127.0.0.1:1/x", "connect"}, "s3cret"},
		{"malformed postgres", "postgres://vigil:s3cret@127.0.0.1:port/x",
			[]string{"store: open postgres://(malformed url)"}, "s3cret"},
		{"password parameter", "postgresql://127.0.0.1:1/x?sslmode=disable&password=s3cret",
			[]string{"password=xxxxx"}, "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := OpenDB(t.Context(), tc.url)
			if err == nil {
				db.Close()
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("error %q shows %q", err, tc.not)
			}
		})
	}
}

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("CREATE TABLE t (x TEXT);")}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  string // error; "" for none
	}{
		{"ordered", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/0002_b.sql": sql}, ""},
		{"no number", fstest.MapFS{"migrations/init.sql": sql}, "not NNNN_what.sql"},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": sql}, "not NNNN_what.sql"},
		{"repeated version", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/01_b.sql": sql}, "follows version 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadMigrations(fs.FS(tc.files))
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("loadMigrations: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	q := `SELECT a FROM t WHERE b = $1 AND c IN ($2, $10)`
	if got, want := (sqliteDialect{}).rebind(q), `SELECT a FROM t WHERE b = ?1 AND c IN (?2, ?10)`; got != want {
		t.Errorf("sqlite rebind = %q, want %q", got, want)
	}
	if got := (postgresDialect{}).rebind(q); got != q {
		t.Errorf("postgres rebind = %q, want it unchanged", got)
	}
}

func TestULID(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	a, b := newULID(now), newULID(now.Add(time.Millisecond))
	if !validULID(a) || !validULID(b) {
		t.Fatalf("invalid ULIDs %q, %q", a, b)
	}
	if a >= b {
		t.Errorf("%q (at %v) does not sort before %q (a millisecond later)", a, now, b)
	}
	// The example of the ULID specification.
	if got := newULID(time.UnixMilli(1469922850259)); got[:10] != "01ARZ3NDEK" {
		t.Errorf("ULID at 1469922850259 ms = %q, want 01ARZ3NDEK...", got)
	}
	prev := newULID(now)
	for range 1000 { // in the same millisecond, each sorts after the last
		next := newULID(now)
		if next <= prev || next[:10] != prev[:10] {
			t.Fatalf("%q follows %q in the same millisecond", next, prev)
		}
		prev = next
	}
	var max [16]byte
	for i := range max {
		max[i] = 0xff
	}
	if got := encodeULID(max); got != "7ZZZZZZZZZZZZZZZZZZZZZZZZZ" {
		t.Errorf("largest ULID = %q", got)
	}
	for _, bad := range []string{"", "01ARZ3NDEKTSV4RRFFQ69G5FA", "81ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAI", "01arz3ndektsv4rrffq69g5fav"} {
		if validULID(bad) {
			t.Errorf("validULID(%q) = true", bad)
		}
	}
}

// errIs fails the test unless err is target.
func errIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// TestReadWhileWriting reads while a transaction writes.
func TestReadWhileWriting(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		mustRecord(t, db, ob("r1", "e1", nil, 0))
		err := db.write(t.Context(), func(tx runner) error {
			if _, err := tx.exec(t.Context(), `UPDATE alerts SET status = 'resolved'`); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			alerts, _, err := db.Alerts(ctx, Query{})
			if err != nil || len(alerts) != 1 || alerts[0].Status != Open {
				t.Errorf("reading while writing: %v, %v; want the open alert", alerts, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
