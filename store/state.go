package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkpoint returns the checkpoint saved under name, or nil when there
// is none.
func (db *DB) Checkpoint(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := db.reader().queryRow(ctx, `SELECT data FROM checkpoints WHERE name = $1`, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint %q: %w", name, err)
	}
	if data == nil { // saved empty
		data = []byte{}
	}
	return data, nil
}

// SaveCheckpoint saves data under name, replacing what was there.
func (db *DB) SaveCheckpoint(ctx context.Context, name string, data []byte) error {
	if name == "" {
		return fmt.Errorf("store: save checkpoint: %w", invalidf("no name"))
	}
	if data == nil {
		data = []byte{}
	}
	_, err := db.writer().exec(ctx, `INSERT INTO checkpoints (name, data, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		name, data, encodeTime(time.Now()))
	if err != nil {
		return fmt.Errorf("store: save checkpoint %q: %w", name, err)
	}
	return nil
}

// File returns what the directory input named input did with the file at
// path, or ErrNotFound.
func (db *DB) File(ctx context.Context, input, path string) (*File, error) {
	f := File{Input: input, Path: path}
	var modTime, done sql.NullInt64
	var events int64
	err := db.reader().queryRow(ctx, `SELECT size, mod_time, sha256, state, events, error, done
FROM files WHERE input = $1 AND path = $2`, input, []byte(path)).
		Scan(&f.Size, &modTime, &f.SHA256, &f.State, &events, &f.Error, &done)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: file %q of input %q: %w", path, input, err)
	}
	f.Events = int(events)
	f.ModTime, f.Done = optionalTime(modTime), optionalTime(done)
	return &f, nil
}

// optionalTime decodes a nullable time as the zero time when null.
func optionalTime(n sql.NullInt64) time.Time {
	if t := decodeOptionalTime(n); t != nil {
		return *t
	}
	return time.Time{}
}

// SaveFile saves what a directory input did with a file, replacing what
// was saved for the same input and path.
func (db *DB) SaveFile(ctx context.Context, f File) error {
	if err := db.saveFile(ctx, f); err != nil {
		return fmt.Errorf("store: save file %q of input %q: %w", f.Path, f.Input, err)
	}
	return nil
}

func (db *DB) saveFile(ctx context.Context, f File) error {
	switch {
	case f.Input == "":
		return invalidf("no input")
	case f.Path == "":
		return invalidf("no path")
	case f.State != FileDone && f.State != FilePartial && f.State != FileCorrupt:
		return invalidf("unknown state %q", f.State)
	}
	_, err := db.writer().exec(ctx, `INSERT INTO files
	(input, path, size, mod_time, sha256, state, events, error, done)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (input, path) DO UPDATE SET size = excluded.size, mod_time = excluded.mod_time,
	sha256 = excluded.sha256, state = excluded.state, events = excluded.events,
	error = excluded.error, done = excluded.done`,
		f.Input, []byte(f.Path), f.Size, encodeOptionalTime(f.ModTime), f.SHA256, string(f.State),
		int64(f.Events), cleanText(f.Error), encodeOptionalTime(f.Done))
	return err
}
