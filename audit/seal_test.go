package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/store"
	"vigil/store/storetest"
)

func TestSealEvery(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db testDB) {
		ctx := t.Context()
		tr := openTrail(t, db, 3)
		for range 7 {
			mustRecord(t, tr, Entry{Actor: "alice", Action: ActionLogin})
		}
		seals, err := db.AuditSeals(ctx)
		if err != nil || len(seals) != 2 || seals[0].Seq != 3 || seals[1].Seq != 6 || seals[1].KeyID != KeyID(tr.PublicKey()) {
			t.Fatalf("seals %+v, %v; want entries 3 and 6", seals, err)
		}
		// A trail opened again knows where the last seal is.
		again, err := Open(ctx, db, Config{KeyFile: filepath.Join(t.TempDir(), "audit.key"), SealEvery: 3})
		if err != nil {
			t.Fatal(err)
		}
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
		if seals, _ := db.AuditSeals(ctx); len(seals) != 3 {
			t.Errorf("%d seals, want 3", len(seals))
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
