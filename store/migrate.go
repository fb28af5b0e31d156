package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// migrationFiles are the schema's migrations, one file per version named
// NNNN_what.sql, applied in order. Each is portable SQL that both SQLite
// and PostgreSQL run, but for sections of one database's own (triggers):
// a line "-- dialect: sqlite" or "-- dialect: postgres" starts
// statements for that database only, which end at the next such line or
// at "-- dialect: all".
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one version of the schema.
type migration struct {
	version int64
	name    string
	sql     string
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// loadMigrations reads the migrations in fsys, in order of version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var all []migration
	for _, name := range names { // sorted
		m, err := readMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		if n := len(all); n > 0 && all[n-1].version >= m.version {
			return nil, fmt.Errorf("migration %s: version %d follows version %d", name, m.version, all[n-1].version)
		}
		all = append(all, m)
	}
	return all, nil
}

func readMigration(fsys fs.FS, name string) (migration, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
	num, _, ok := strings.Cut(base, "_")
	version, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || version <= 0 {
		return migration{}, fmt.Errorf("migration %s: name is not NNNN_what.sql", name)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: base, sql: string(b)}, nil
}

// migrate applies the migrations the database lacks, all in one
// transaction.
func (db *DB) migrate(ctx context.Context) error {
	all, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx runner) error {
		if err := db.d.lockMigrations(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, createMigrationsTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied, err := appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		if err := checkNotNewer(applied, all); err != nil {
			return err
		}
		for _, m := range all {
			if !applied[m.version] {
				if err := apply(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func appliedMigrations(ctx context.Context, tx runner) (map[int64]bool, error) {
	rows, err := tx.query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// checkNotNewer refuses a database that a newer version of vigil
// migrated.
func checkNotNewer(applied map[int64]bool, all []migration) error {
	latest := all[len(all)-1].version
	for v := range applied {
		if v > latest {
			return fmt.Errorf("the database has schema version %d, newer than this program's %d", v, latest)
		}
	}
	return nil
}

func apply(ctx context.Context, tx runner, m migration) error {
	if _, err := tx.exec(ctx, forDialect(m.sql, tx.d.name())); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("migration %s: record it: %w", m.name, err)
	}
	return nil
}

// dialectLine starts a section of a migration for one database, or for
// all again.
const dialectLine = "-- dialect: "

// forDialect returns the SQL of a migration that the database named
// dialect runs: the lines of other databases' sections are blanked, so
// that errors keep their line numbers.
func forDialect(sql, dialect string) string {
	lines := strings.SplitAfter(sql, "\n")
	keep := true
	for i, l := range lines {
		if d, ok := strings.CutPrefix(strings.TrimSpace(l), dialectLine); ok {
			keep = d == "all" || d == dialect
		}
		if !keep {
			lines[i] = "\n"
		}
	}
	return strings.Join(lines, "")
}
