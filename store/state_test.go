package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"vigil/store/storetest"
)

func token(id, name string) Token {
	hash := sha256.Sum256([]byte("secret of " + id))
	return Token{ID: id, Name: name, Role: Analyst, Hash: hash[:], Created: t0.Add(time.Duration(len(id)) * time.Second)}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		first := token("tok1", "ci")
		first.Role, first.Source = Ingest, "cloudtrail"
		if err := db.CreateToken(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := db.TokenByHash(ctx, first.Hash)
		if err != nil || got.ID != "tok1" || got.Name != "ci" || got.Role != Ingest || got.Source != "cloudtrail" ||
			!got.Created.Equal(first.Created) || got.Created.Location() != time.UTC || got.Revoked != nil {
			t.Fatalf("TokenByHash: %+v, %v", got, err)
		}
		for _, tc := range []struct {
			name string
			tok  Token
			want string
		}{
			{"same name", token("tok2", "ci"), `a token named "ci" exists`},
			{"same id", token("tok1", "other"), `a token with id "tok1" exists`},
			{"same secret", Token{ID: "tok3", Name: "x", Role: Admin, Hash: first.Hash, Created: t0}, "same secret"},
		} {
			err := db.CreateToken(ctx, tc.tok)
			errIs(t, tc.name, err, ErrConflict)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
			}
		}
		_, err = db.TokenByHash(ctx, token("nope", "").Hash)
		errIs(t, "TokenByHash of an unknown hash", err, ErrNotFound)
		if got, err := db.TokenByID(ctx, "tok1"); err != nil || got.Name != "ci" {
			t.Errorf("TokenByID: %+v, %v", got, err)
		}
		for _, id := range []string{"nope", "tok1\xff"} {
			_, err = db.TokenByID(ctx, id)
			errIs(t, "TokenByID of an unknown id", err, ErrNotFound)
		}

		if err := db.RevokeToken(ctx, "ci"); err != nil {
			t.Fatal(err)
		}
		_, err = db.TokenByHash(ctx, first.Hash)
		errIs(t, "TokenByHash of a revoked token", err, ErrNotFound)
		_, err = db.TokenByID(ctx, first.ID)
		errIs(t, "TokenByID of a revoked token", err, ErrNotFound)
		errIs(t, "revoking again", db.RevokeToken(ctx, "ci"), ErrNotFound)
		errIs(t, "revoking by id again", db.RevokeToken(ctx, "tok1"), ErrNotFound)
		errIs(t, "revoking an unknown token", db.RevokeToken(ctx, "nobody"), ErrNotFound)
		errIs(t, "revoking a name not UTF-8", db.RevokeToken(ctx, "ci\xff"), ErrNotFound)

		// The name is free again.
		second := token("tok22", "ci")
		if err := db.CreateToken(ctx, second); err != nil {
			t.Fatal(err)
		}
		if got, err := db.TokenByHash(ctx, second.Hash); err != nil || got.ID != "tok22" {
			t.Errorf("TokenByHash of the second token: %+v, %v", got, err)
		}
		tokens, err := db.Tokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tokens) != 2 || tokens[0].ID != "tok1" || tokens[0].Revoked == nil || tokens[1].ID != "tok22" || tokens[1].Revoked != nil {
			t.Errorf("Tokens: %+v", tokens)
		}
		if err := db.RevokeToken(ctx, "tok22"); err != nil {
			t.Errorf("revoking by id: %v", err)
		}
	})
}

func TestCreateTokenInvalid(t *testing.T) {
	t.Parallel()
	db := openDB(t, storetest.SQLite(t))
	revoked := t0
	for _, tc := range []struct {
		name string
		edit func(*Token)
		want string
	}{
		{"no id", func(t *Token) { t.ID = "" }, "no id"},
		{"no name", func(t *Token) { t.Name = "" }, "no name"},
		{"unknown role", func(t *Token) { t.Role = "root" }, `unknown role "root"`},
		{"name not UTF-8", func(t *Token) { t.Name = "ci\xff" }, "not UTF-8 text"},
		{"source with NUL", func(t *Token) { t.Source = "a\x00b" }, "not UTF-8 text"},
		{"short hash", func(t *Token) { t.Hash = t.Hash[:16] }, "hash of 16 bytes"},
		{"no creation time", func(t *Token) { t.Created = time.Time{} }, "no creation time"},
		{"revoked", func(t *Token) { t.Revoked = &revoked }, "already revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := token("tok1", "ci")
			tc.edit(&tok)
			err := db.CreateToken(t.Context(), tok)
			errIs(t, "CreateToken", err, ErrInvalid)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCheckpoints(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		if data, err := db.Checkpoint(ctx, "detector/a"); data != nil || err != nil {
			t.Errorf("Checkpoint of nothing: %q, %v", data, err)
		}
		big := make([]byte, 6<<20)
		rand.Read(big)
		for _, data := range [][]byte{big, []byte("small"), {}, big[:1000]} {
			if err := db.SaveCheckpoint(ctx, "detector/a", data); err != nil {
				t.Fatal(err)
			}
			got, err := db.Checkpoint(ctx, "detector/a")
			if err != nil || got == nil || !bytes.Equal(got, data) {
				t.Errorf("checkpoint of %d bytes read back as %d bytes, %v", len(data), len(got), err)
			}
		}
		if data, err := db.Checkpoint(ctx, "detector/b"); data != nil || err != nil {
			t.Errorf("Checkpoint of another name: %d bytes, %v", len(data), err)
		}
		errIs(t, "SaveCheckpoint without name", db.SaveCheckpoint(ctx, "", nil), ErrInvalid)
	})
}

func TestFiles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		_, err := db.File(ctx, "trails", "2026/03/14/a.json.gz")
		errIs(t, "File of an unknown file", err, ErrNotFound)
		files := []File{
			{Input: "trails", Path: "2026/03/14/a.json.gz", Size: 1234, ModTime: t0, SHA256: strings.Repeat("ab", 32),
				State: FilePartial, Events: 17, Error: "unexpected EOF", Done: t0.Add(time.Minute)},
			{Input: "trails", Path: "2026/03/14/a.json.gz", Size: 2345, ModTime: t0.Add(time.Hour), SHA256: strings.Repeat("cd", 32),
				State: FileDone, Events: 40, Done: t0.Add(2 * time.Hour)},
			{Input: "trails", Path: "not \xff utf-8", State: FileCorrupt, Error: "bad \xff\x00byte"},
			{Input: "other", Path: "2026/03/14/a.json.gz", State: FileDone},
		}
		for _, f := range files {
			if err := db.SaveFile(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range files[1:] {
			got, err := db.File(ctx, want.Input, want.Path)
			if err != nil {
				t.Fatal(err)
			}
			want.Error = cleanText(want.Error)
			if !got.ModTime.Equal(want.ModTime) || !got.Done.Equal(want.Done) || got.Done.IsZero() != want.Done.IsZero() {
				t.Errorf("times of %q: %v, %v, want %v, %v", want.Path, got.ModTime, got.Done, want.ModTime, want.Done)
			}
			got.ModTime, got.Done, want.ModTime, want.Done = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if *got != want {
				t.Errorf("File %q:\n%+v\nwant\n%+v", want.Path, *got, want)
			}
		}
		for _, tc := range []struct {
			name string
			f    File
		}{
			{"no input", File{Path: "a", State: FileDone}},
			{"no path", File{Input: "trails", State: FileDone}},
			{"unknown state", File{Input: "trails", Path: "a", State: "read"}},
		} {
			errIs(t, tc.name, db.SaveFile(ctx, tc.f), ErrInvalid)
		}
	})
}
