package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteReaders is the size of the pool of read-only connections: in WAL
// mode they read while the writer writes.
const sqliteReaders = 4

// sqliteBusyTimeout makes a connection wait up to 10 s for a lock
// another process holds.
const sqliteBusyTimeout = "busy_timeout(10000)"

// sqliteDialect is the dialect of SQLite.
type sqliteDialect struct{}

// sqlitePath is the file a SQLite url names.
func sqlitePath(url string) string {
	for _, prefix := range []string{"sqlite://", "file:"} {
		if strings.HasPrefix(url, prefix) {
			return url[len(prefix):]
		}
	}
	return url
}

// openSQLite opens the file at path with one writer connection and a pool
// of readers.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}
	w, err := sqlitePool(ctx, abs, 1, url.Values{
		"_pragma": {sqliteBusyTimeout, "journal_mode(WAL)", "foreign_keys(1)"},
		"_txlock": {"immediate"},
	})
	if err != nil {
		return nil, err
	}
	r, err := sqlitePool(ctx, abs, sqliteReaders, url.Values{
		"_pragma": {sqliteBusyTimeout, "foreign_keys(1)", "query_only(1)"},
	})
	if err != nil {
		w.Close()
		return nil, err
	}
	return &DB{d: sqliteDialect{}, w: w, r: r}, nil
}

// createPrivate creates the file at path, if it does not exist, readable
// and writable by its owner only. SQLite gives its -wal and -shm files
// the same permissions.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the caller names the file
		}
		return fmt.Errorf("create: %w", err)
	}
	return f.Close()
}

// sqlitePool opens up to conns connections to the file at path, with
// the DSN parameters of modernc.org/sqlite.
func sqlitePool(ctx context.Context, path string, conns int, params url.Values) (*sql.DB, error) {
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: params.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := pingBusy(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// pingBusy opens a first connection, trying again for a while when the
// file is busy: a connection that turns a new file to WAL mode while
// another process migrates it is refused at once, without waiting out the
// busy timeout, since SQLite will not wait when waiting could deadlock.
func pingBusy(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		err := db.PingContext(ctx)
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (sqliteDialect) name() string { return "sqlite" }

// rebind turns $N into ?N. The queries of the store hold no other $.
func (sqliteDialect) rebind(query string) string {
	return strings.ReplaceAll(query, "$", "?")
}

// lockMigrations does nothing: the writer's transactions begin
// IMMEDIATE, holding the database's write lock.
func (sqliteDialect) lockMigrations(context.Context, runner) error { return nil }

// lockName does nothing, for the same reason.
func (sqliteDialect) lockName(context.Context, runner, string) error { return nil }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
