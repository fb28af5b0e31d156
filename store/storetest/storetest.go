// Package storetest gives tests the databases of the store: a fresh
// PostgreSQL schema on the test server, or a SQLite file.
//
// PostgreSQL is looked for at $VIGIL_TEST_POSTGRES, by default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When it cannot
// be reached, tests that need it are skipped with a message, or fail
// when $VIGIL_TEST_POSTGRES_REQUIRED is 1, as in CI.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"             // the "sqlite" driver
)

// DefaultPostgres is where tests look for PostgreSQL when
// $VIGIL_TEST_POSTGRES does not say.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the URL of the tests' PostgreSQL.
func DSN() string {
	if dsn := os.Getenv("VIGIL_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultPostgres
}

// ping reports, once, whether the tests' PostgreSQL answers.
var ping = sync.OnceValue(func() error {
	db, err := sql.Open("pgx", DSN())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
})

// Each runs f as two subtests, "sqlite" and "postgres", each with the
// URL of a fresh database: SQLite's and PostgreSQL's (which skips or
// fails as Postgres does).
func Each(t *testing.T, f func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}

// SQLite returns the path of a new SQLite database in a temporary
// directory.
func SQLite(tb testing.TB) string { return filepath.Join(tb.TempDir(), "vigil.db") }

// Postgres returns the URL of a fresh schema of the tests' PostgreSQL,
// dropped at the end of the test. It skips the test when PostgreSQL
// cannot be reached, or fails it when $VIGIL_TEST_POSTGRES_REQUIRED is 1.
func Postgres(tb testing.TB) string {
	dsn := DSN()
	if err := ping(); err != nil {
		msg := "no PostgreSQL at " + redact(dsn) + " (set $VIGIL_TEST_POSTGRES): " + err.Error()
		if os.Getenv("VIGIL_TEST_POSTGRES_REQUIRED") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	schema := "vigil_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// Open opens the database at url, SQLite's or PostgreSQL's, with
// database/sql: a connection around the store, for tests that change
// its tables as whoever tampers with them would. It is closed at the end
// of the test.
func Open(tb testing.TB, url string) *sql.DB {
	tb.Helper()
	driver, dsn := "pgx", url
	if !strings.HasPrefix(url, "postgres") {
		driver, dsn = "sqlite", "file:"+url+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", redact(url), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// redact hides the password of a URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(an unreadable URL)"
	}
	return u.Redacted()
}
