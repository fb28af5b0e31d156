package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/store"
	"vigil/store/storetest"
)

func TestSealEvery(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		keyFile := filepath.Join(t.TempDir(), "audit.key")
		tr := openTrailKey(t, db, 3, keyFile)
		for range 7 {
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		seals, err := db.AuditSeals(ctx, 0)
		if err != nil || len(seals) != 2 || seals[0].Seq != 3 || seals[1].Seq != 6 || seals[1].KeyID != KeyID(tr.PublicKey()) {
			t.Fatalf("seals %+v, %v; want entries 3 and 6", seals, err)
		}
		// A trail opened again knows where the last seal is, from its
		// anchor file.
		again := openTrailKey(t, db, 3, keyFile)
		mustRecord(t, again, Entry{Actor: "alice", Action: ActionLogin})
		if last, _ := db.LastAuditSeal(ctx); last.Seq != 6 {
			t.Errorf("after reopening, an entry sealed the trail at %d", last.Seq)
		}
		// Run seals at the end: cancel it before its first tick.
		run, cancel := context.WithCancel(ctx)
		cancel()
		if err := tr.Run(run); err != nil {
			t.Fatal(err)
		}
		if last, _ := db.LastAuditSeal(ctx); last.Seq != 8 {
			t.Errorf("Run's seal at the end covers %d, want 8", last.Seq)
		}
		if err := tr.Seal(ctx); err != nil { // nothing new to seal
			t.Fatal(err)
		}
		if seals, _ := db.AuditSeals(ctx, 0); len(seals) != 3 {
			t.Errorf("%d seals, want 3", len(seals))
		}
		// The trail opened again follows the seal the first made.
		mustRecord(t, again, Entry{Actor: "alice", Action: ActionLogin})
		if err := again.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		if last, _ := db.LastAuditSeal(ctx); last.Seq != 9 || last.N != 4 || last.PrevSeq != 8 {
			t.Errorf("the last seal is %+v, want seal 4 of entry 9, after entry 8", last)
		}
	})
}

// TestSealChain checks what the seals hold, what the log and the anchor
// file keep of them, and that ReadSealLog and ReadAnchor read them back.
func TestSealChain(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		var log bytes.Buffer
		keyFile := filepath.Join(t.TempDir(), "audit.key")
		clock := t0
		tr, err := Open(ctx, db, Config{KeyFile: keyFile, SealEvery: 2, Now: func() time.Time { return clock },
			Log: slog.New(slog.NewJSONHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			clock = t0.Add(time.Duration(i) * time.Millisecond)
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		seals, err := db.AuditSeals(ctx, 0)
		if err != nil || len(seals) != 3 {
			t.Fatalf("seals %+v, %v", seals, err)
		}
		var prev store.AuditSeal
		for i, s := range seals {
			if s.N != int64(i+1) || s.Seq != int64(2*i+2) || s.PrevSeq != prev.Seq || !bytes.Equal(s.PrevHash, prev.Hash) ||
				!bytes.Equal(s.PrevSig, prev.Sig) || !verifySeal(s, tr.keys()) {
				t.Errorf("seal %d: %+v does not follow %+v", i+1, s, prev)
			}
			prev = s
		}
		logged, err := ReadSealLog(strings.NewReader("not JSON\n{\"msg\":\"other\"}\n" + log.String()))
		if err != nil || fmt.Sprint(logged) != fmt.Sprint(seals) {
			t.Errorf("ReadSealLog:\n%v, %v\nwant\n%v\nfrom\n%s", logged, err, seals, log.String())
		}
		anchor, ok, err := ReadAnchor(AnchorFile(keyFile))
		if err != nil || !ok || !sameSeal(anchor, seals[2]) {
			t.Errorf("the anchor file holds %+v, %v, %v; want %+v", anchor, ok, err, seals[2])
		}
		if fi, err := os.Stat(AnchorFile(keyFile)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the anchor file: %v, %v; want mode 0600", fi.Mode(), err)
		}
		for _, bad := range []string{"", "{\"msg\":\"audit trail sealed\",\"seq\":\"x\"}", "{\"msg\":\"audit trail sealed\"}"} {
			if _, err := ReadSealLog(strings.NewReader(bad)); err == nil {
				t.Errorf("ReadSealLog(%q): no error", bad)
			}
		}
	})
}

// TestSealMessage pins the encoding of what a seal signs, part of the
// trail's format: docs/console.md describes it for verifiers written
// apart. The SHA-256 of the reference seal's message was computed apart,
// from the encoding sealMessage documents.
func TestSealMessage(t *testing.T) {
	s := store.AuditSeal{N: 2, Seq: 200, Hash: bytes.Repeat([]byte{0xaa}, 32), Time: t0, PrevSeq: 100,
		PrevHash: bytes.Repeat([]byte{0xbb}, 32), PrevSig: bytes.Repeat([]byte{0xcc}, 64)}
	v1 := store.AuditSeal{Seq: 200, Hash: s.Hash, Time: t0}
	for _, c := range []struct {
		s    store.AuditSeal
		want string
	}{
		{s, "3530287d13dde8632da867aa8555453e9e8cdbfd0d0dfb25d423fb7f412c04e5"},
		{v1, "d655fdfbf4f92af525ec547106fd1bd98b8c5e2d48c839990e79cb18754ea733"},
	} {
		if got := fmt.Sprintf("%x", sha256.Sum256(sealMessage(c.s))); got != c.want {
			t.Errorf("seal %d: the SHA-256 of its message is %s, want %s", c.s.N, got, c.want)
		}
	}
	for _, change := range []func(*store.AuditSeal){
		func(s *store.AuditSeal) { s.N++ },
		func(s *store.AuditSeal) { s.Seq++ },
		func(s *store.AuditSeal) { s.Time = s.Time.Add(1) },
		func(s *store.AuditSeal) { s.PrevSeq++ },
		func(s *store.AuditSeal) { s.PrevHash = s.PrevHash[1:] },
		func(s *store.AuditSeal) { s.PrevSig = nil },
	} {
		c := s
		change(&c)
		if bytes.Equal(sealMessage(c), sealMessage(s)) {
			t.Errorf("%+v and %+v sign the same message", c, s)
		}
	}
}

// TestSealAnchorAhead opens a trail whose anchor file holds a seal the
// database lacks (a database restored from an old backup, or cut): it
// refuses to seal until the anchor is dealt with.
func TestSealAnchorAhead(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		keyFile := filepath.Join(t.TempDir(), "audit.key")
		mustRecord(t, openTrailKey(t, db, 1, keyFile), Entry{Actor: "alice", Action: ActionLogin})
		other, err := store.OpenDB(ctx, storetest.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		tr := openTrailKey(t, other, 1, keyFile)
		mustRecord(t, tr, Entry{Actor: "bob", Action: ActionLogin})
		mustRecord(t, tr, Entry{Actor: "bob", Action: ActionLogin})
		if err := tr.Seal(ctx); !errors.Is(err, ErrBroken) || !strings.Contains(err.Error(), "its seal 1") {
			t.Errorf("Seal: %v", err)
		}
		if s, err := other.LastAuditSeal(ctx); s != nil || err != nil {
			t.Errorf("sealed %+v, %v", s, err)
		}
	})
}

func TestKeyFiles(t *testing.T) {
	t.Parallel()
	db, err := store.OpenDB(t.Context(), storetest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "audit.key")
	tr, err := Open(t.Context(), db, Config{KeyFile: file})
	if err != nil {
		t.Fatal(err)
	}
	for f, mode := range map[string]os.FileMode{file: 0o600, filepath.Join(dir, "audit.pub"): 0o644} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v, %v; want mode %v", f, fi.Mode(), err, mode)
		}
	}
	pub, err := LoadPublicKey(PublicKeyFile(file))
	if err != nil || !pub.Equal(tr.PublicKey()) {
		t.Errorf("LoadPublicKey: %x, %v; want %x", pub, err, tr.PublicKey())
	}
	again, err := Open(t.Context(), db, Config{KeyFile: file})
	if err != nil || !again.PublicKey().Equal(tr.PublicKey()) {
		t.Errorf("opening again made another key: %v", err)
	}

	os.Remove(PublicKeyFile(file)) // made again from the private key
	if _, err := Open(t.Context(), db, Config{KeyFile: file}); err != nil {
		t.Fatal(err)
	}
	if pub, err := LoadPublicKey(PublicKeyFile(file)); err != nil || !pub.Equal(tr.PublicKey()) {
		t.Errorf("the public key made again: %v", err)
	}

	os.Chmod(file, 0o644)
	if _, err := Open(t.Context(), db, Config{KeyFile: file}); err == nil || !strings.Contains(err.Error(), "others may read it") {
		t.Errorf("a key others may read: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	for _, c := range []Config{{KeyFile: bad}, {}} {
		if _, err := Open(t.Context(), db, c); err == nil {
			t.Errorf("Open with key file %q: no error", c.KeyFile)
		}
	}
	if _, err := LoadPublicKey(bad); err == nil {
		t.Error("LoadPublicKey of no key: no error")
	}
}

// TestSealLate seals a trail that was left unsealed for more entries
// than sealing leaves: verification finds it broken (Unsealed), which a
// seal mends, so sealing goes on.
func TestSealLate(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		keyFile := filepath.Join(t.TempDir(), "audit.key")
		tr := openTrailKey(t, db, 100, keyFile)
		for range 10 {
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		tr = openTrailKey(t, db, 2, keyFile)
		if r, err := Verify(ctx, db, tr.options()); err != nil || r.OK() || r.Problem.Kind != Unsealed {
			t.Fatalf("Verify: %v, %v; want entries unsealed", r, err)
		}
		mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		if r, err := Verify(ctx, db, tr.options()); err != nil || !r.OK() || r.Sealed != 11 {
			t.Errorf("Verify after a seal: %v, %v", r, err)
		}
	})
}
