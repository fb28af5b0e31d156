package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// DB is the store, in SQLite or PostgreSQL. It is safe for concurrent use.
type DB struct {
	d dialect
	w *sql.DB // for writes: one connection on SQLite
	r *sql.DB // for reads: a pool of read-only connections on SQLite, w on PostgreSQL
}

// dialect is what differs between the databases.
type dialect interface {
	name() string
	// rebind turns the $1, $2... of query into the database's parameters.
	rebind(query string) string
	// lockMigrations keeps other processes from migrating until tx ends.
	lockMigrations(ctx context.Context, tx runner) error
	// lockName keeps other transactions that lock the same name waiting
	// until tx ends.
	lockName(ctx context.Context, tx runner, name string) error
	// isUniqueViolation reports whether err is the violation of a unique
	// index.
	isUniqueViolation(err error) bool
}

// OpenDB opens the store at url and brings its schema up to date,
// applying the migrations the database lacks; processes opening the same
// database at once apply them once. (It is not called Open: that is the
// name of a Status.)
//
// A url starting with postgres:// or postgresql:// is a PostgreSQL
// connection string, as libpq takes it. Unless it sets
// default_query_exec_mode, statements are not prepared on the server, so
// that each is planned for its values and the store works through a
// connection pooler in transaction mode.
//
// Anything else is the path of a SQLite file, which may also be written
// sqlite://PATH or file:PATH (PATH is taken as it is, without URL
// decoding or query). The file is created, readable and writable by its
// owner only, when it does not exist. It is used in WAL mode, with
// foreign keys, one connection that writes and a few that read while it
// does.
func OpenDB(ctx context.Context, url string) (*DB, error) {
	if sqlitePath(url) == "" {
		return nil, errors.New("store: open: no database named")
	}
	db, err := open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", displayURL(url), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: migrate: %w", displayURL(url), err)
	}
	return db, nil
}

func open(ctx context.Context, url string) (*DB, error) {
	if isPostgres(url) {
		return openPostgres(ctx, url)
	}
	return openSQLite(ctx, sqlitePath(url))
}

func isPostgres(url string) bool {
	u := strings.ToLower(url)
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// displayURL is url as errors may show it: without a password.
func displayURL(url string) string {
	if isPostgres(url) {
		return redactPostgres(url)
	}
	return sqlitePath(url)
}

// Close closes the store.
func (db *DB) Close() error {
	if db.r == db.w {
		return db.w.Close()
	}
	return errors.Join(db.r.Close(), db.w.Close())
}

// Ping checks that the database can be reached.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.d.name(), err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s readers: %w", db.d.name(), err)
	}
	return nil
}

// Dialect returns the kind of database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name() }

// queryer is what runs SQL: a pool or a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs SQL written with $1, $2... parameters on any database.
type runner struct {
	q queryer
	d dialect
}

func (r runner) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.q.ExecContext(ctx, r.d.rebind(query), args...)
}

func (r runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.q.QueryContext(ctx, r.d.rebind(query), args...)
}

func (r runner) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return r.q.QueryRowContext(ctx, r.d.rebind(query), args...)
}

// writer runs single statements on the writer.
func (db *DB) writer() runner { return runner{db.w, db.d} }

// reader runs single statements on the read pool.
func (db *DB) reader() runner { return runner{db.r, db.d} }

// write runs f in a transaction on the writer, committed when f returns
// nil.
func (db *DB) write(ctx context.Context, f func(runner) error) error {
	return inTx(ctx, db.w, nil, db.d, f)
}

// read runs f in a read-only transaction, which sees one snapshot.
func (db *DB) read(ctx context.Context, f func(runner) error) error {
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	return inTx(ctx, db.r, opts, db.d, f)
}

func inTx(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, d dialect, f func(runner) error) error {
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := f(runner{tx, d}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
