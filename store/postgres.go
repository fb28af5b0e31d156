package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// migrationLock is the key of the advisory lock held while migrating:
// "vigil" and a version of the locking scheme.
const migrationLock int64 = 0x766967696c_0001

// postgresConns bounds the connections one process opens.
const postgresConns = 16

// postgresDialect is the dialect of PostgreSQL.
type postgresDialect struct{}

// openPostgres connects to the database. Unless dsn sets
// default_query_exec_mode, statements are not prepared on the server but
// sent with their values in one round trip and planned for those values:
// a plan made while a table was nearly empty (a scan where an index
// serves later) is not kept for its growth.
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	config, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(dsn, "default_query_exec_mode") {
		config.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	db := stdlib.OpenDB(*config)
	db.SetMaxOpenConns(postgresConns)
	db.SetMaxIdleConns(postgresConns / 2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &DB{d: postgresDialect{}, w: db, r: db}, nil
}

// redactPostgres returns dsn without its password.
func redactPostgres(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		scheme, _, _ := strings.Cut(dsn, "://")
		return scheme + "://(malformed url)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) rebind(query string) string { return query }

// lockMigrations takes a transaction-scoped advisory lock, so that nodes
// starting together migrate one after the other.
func (postgresDialect) lockMigrations(ctx context.Context, tx runner) error {
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock for migrating: %w", err)
	}
	return nil
}

// lockName takes a transaction-scoped advisory lock on a name.
func (postgresDialect) lockName(ctx context.Context, tx runner, name string) error {
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, name); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
