package main

import (
	"crypto/ed25519"
	"database/sql"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vigil/audit"
	"vigil/store"
	"vigil/store/storetest"
)

func TestAuditCommands(t *testing.T) {
	consoleDBs(t, func(t *testing.T, db consoleDB) {
		for _, name := range []string{"alice", "bob", "carol"} {
			if _, errOut, code := db.run(t, "user", "add", "--name", name, "--role", "analyst"); code != 0 {
				t.Fatal(errOut)
			}
		}
		out, errOut, code := db.run(t, "audit", "verify")
		if code != 0 || !regexp.MustCompile(`^audit trail intact: 3 entries, sealed up to entry 3 at \S+, matching 1 anchor\n$`).MatchString(out) {
			t.Fatalf("audit verify: exit %d\n%s%s", code, out, errOut)
		}

		out, _, code = db.run(t, "audit", "export", "--action", "user.add", "--from", "2000-01-01T00:00:00Z")
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if code != 0 || err != nil || len(rows) != 4 || rows[3][5] != "carol" || !strings.HasPrefix(rows[3][2], "cli:") {
			t.Errorf("audit export: exit %d, %v\n%s", code, err, out)
		}
		for _, bad := range [][]string{{"audit", "export", "--from", "yesterday"}, {"audit", "verify", "x"}, {"audit", "rewrite"}, {"audit"}} {
			if _, _, code := db.run(t, bad...); code != 2 {
				t.Errorf("%q: exit %d, want 2", bad, code)
			}
		}

		// A seal made with another key than the data directory's does
		// not verify, unless that key is given.
		other := t.TempDir()
		if err := sealElsewhere(t, db, other); err != nil {
			t.Fatal(err)
		}
		out, _, code = db.run(t, "audit", "verify")
		if code != 1 || !strings.Contains(out, "entry 6: bad seal") {
			t.Errorf("a seal of another key: exit %d\n%s", code, out)
		}
		out, _, code = db.run(t, "audit", "verify", "--key", audit.PublicKeyFile(filepath.Join(other, "audit.key")))
		if code != 0 {
			t.Errorf("with the other key: exit %d\n%s", code, out)
		}

		storetest.DropAuditGuard(t, storetest.Open(t, db.url))
		db.exec(t, `UPDATE audit_log SET target = 'mallory' WHERE seq = 2`)
		out, _, code = db.run(t, "audit", "verify")
		if code != 1 || strings.TrimSpace(out) != "audit trail broken: entry 2: changed: its content does not match its hash" {
			t.Errorf("after an edit: exit %d\n%s", code, out)
		}
		db.exec(t, `DELETE FROM audit_log WHERE seq = 2`)
		out, _, code = db.run(t, "audit", "verify")
		if code != 1 || !strings.Contains(out, "entry 2: missing: entry 2 deleted") {
			t.Errorf("after a deletion: exit %d\n%s", code, out)
		}
	})
}

// sealElsewhere records two entries from this process with a trail
// whose key is in dir, and seals them: as another node with its own key
// would, which trusts the key of db's data directory.
func sealElsewhere(t *testing.T, db consoleDB, dir string) error {
	st, err := store.OpenDB(t.Context(), db.url)
	if err != nil {
		return err
	}
	defer st.Close()
	first, err := audit.LoadPublicKey(filepath.Join(db.dir, "audit.pub"))
	if err != nil {
		return err
	}
	tr, err := audit.Open(t.Context(), st, audit.Config{KeyFile: filepath.Join(dir, "audit.key"), Trusted: []ed25519.PublicKey{first}})
	if err != nil {
		return err
	}
	for range 2 {
		if err := tr.Record(t.Context(), audit.Entry{Actor: "node2", Action: audit.ActionConfigChange}); err != nil {
			return err
		}
	}
	return tr.Seal(t.Context())
}

// record83 records 83 entries in the store of db with the key of its
// data directory, sealing every 10, as vigil serve would, with its log
// (JSON) in logFile.
func record83(t *testing.T, db consoleDB, logFile string) {
	t.Helper()
	st, err := store.OpenDB(t.Context(), db.url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	tr, err := audit.Open(t.Context(), st, audit.Config{KeyFile: filepath.Join(db.dir, "audit.key"), SealEvery: 10,
		Log: slog.New(slog.NewJSONHandler(log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 83 {
		if err := tr.Record(t.Context(), audit.Entry{Actor: fmt.Sprint("user", i), Action: audit.ActionConfigChange}); err != nil {
			t.Fatal(err)
		}
	}
}

// rawExec runs SQL written with $1, $2... on the database behind vigil's
// back.
func rawExec(t *testing.T, raw *sql.DB, sqlite bool, query string, args ...any) {
	t.Helper()
	if sqlite {
		query = strings.ReplaceAll(query, "$", "?")
	}
	if _, err := raw.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// rehashFrom recomputes the hashes of the entries from seq on, and the
// head, as one who rewrites the trail without the key would.
func rehashFrom(t *testing.T, raw *sql.DB, sqlite bool, st *store.DB, seq int64) {
	t.Helper()
	es, err := st.AuditEntries(t.Context(), store.AuditQuery{Limit: store.MaxAuditPage})
	if err != nil {
		t.Fatal(err)
	}
	prev := es[seq-2].Hash
	for _, e := range es[seq-1:] {
		e.Prev = prev
		e.Hash = audit.Hash(e)
		rawExec(t, raw, sqlite, `UPDATE audit_log SET prev = $1, hash = $2 WHERE seq = $3`, e.Prev, e.Hash, e.Seq)
		prev = e.Hash
	}
	rawExec(t, raw, sqlite, `UPDATE audit_head SET hash = $1`, prev)
}

// TestAuditVerifyForgery makes the forgeries of the security review
// (H2), without the key, as the owner of the database: audit verify
// finds them, with the anchor file of the data directory; and on a copy
// of the database, with the seal lines of vigil's log or an entry known
// from elsewhere, though not with the database alone.
func TestAuditVerifyForgery(t *testing.T) {
	for _, f := range []struct {
		name  string
		forge func(t *testing.T, raw *sql.DB, sqlite bool, st *store.DB)
		// want is what audit verify finds with the data directory;
		// withLog with the log, on a copy of the database; alone on the
		// copy alone ("" when it finds the trail intact).
		want, withLog, alone string
	}{
		{"rewritten", func(t *testing.T, raw *sql.DB, sqlite bool, st *store.DB) {
			rawExec(t, raw, sqlite, `UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 5`)
			rehashFrom(t, raw, sqlite, st, 5)
			rawExec(t, raw, sqlite, `DELETE FROM audit_seals WHERE seq >= 5`)
		}, "audit trail broken: entry 1: rewritten: the chain no longer matches seal 8 of entry 80",
			"audit trail broken: entry 1: rewritten: the chain no longer matches seal 1 of entry 10",
			"audit trail broken: entry 1: unsealed: entries 1 to 83 are not sealed"},
		{"cut", func(t *testing.T, raw *sql.DB, sqlite bool, st *store.DB) {
			rawExec(t, raw, sqlite, `DELETE FROM audit_log WHERE seq > 70`)
			rawExec(t, raw, sqlite, `DELETE FROM audit_seals WHERE seq > 70`)
			rawExec(t, raw, sqlite, `UPDATE audit_head SET seq = 70, hash = (SELECT hash FROM audit_log WHERE seq = 70)`)
		}, "audit trail broken: entry 71: missing: entries 71 to 80 deleted: the trail ends at entry 70, but seal 8 of entry 80",
			"audit trail broken: entry 71: missing: entries 71 to 80 deleted: the trail ends at entry 70, but seal 8 of entry 80",
			""},
	} {
		t.Run(f.name, func(t *testing.T) {
			consoleDBs(t, func(t *testing.T, db consoleDB) {
				logFile := filepath.Join(t.TempDir(), "vigil.log")
				record83(t, db, logFile)
				st, err := store.OpenDB(t.Context(), db.url)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				es, err := st.AuditEntries(t.Context(), store.AuditQuery{After: 79, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				entry80 := fmt.Sprintf("80:%x", es[0].Hash)
				raw := storetest.Open(t, db.url)
				storetest.DropAuditGuard(t, raw)
				f.forge(t, raw, st.Dialect() == "sqlite", st)

				// The copy is verified with the configuration of the trail.
				conf := filepath.Join(t.TempDir(), "vigil.yaml")
				if err := os.WriteFile(conf, []byte("audit:\n  seal_every: 10\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				pub := filepath.Join(db.dir, "audit.pub")
				copyArgs := []string{"audit", "verify", "--config", conf, "--data-dir", t.TempDir(), "--db", db.url, "--key", pub}
				for _, c := range []struct {
					name string
					args []string
					want string
				}{
					{"with the data directory", append([]string{"audit", "verify"}, db.args...), f.want},
					{"on a copy, with the log", append(copyArgs, "--seal-log", logFile), f.withLog},
					{"on a copy, with an entry known", append(copyArgs, "--anchor", entry80), "audit trail broken"},
					{"on a copy alone", copyArgs, f.alone},
				} {
					out, errOut, code := vigil(t, "", c.args...)
					if c.want == "" && (code != 0 || !strings.HasPrefix(out, "audit trail intact")) ||
						c.want != "" && (code != 1 || !strings.HasPrefix(out, c.want)) {
						t.Errorf("%s: exit %d\n%s%s\nwant %q", c.name, code, out, errOut, c.want)
					}
				}
			})
		})
	}
}

func TestAuditVerifyFlags(t *testing.T) {
	dir := t.TempDir()
	notALog := filepath.Join(dir, "not.log")
	os.WriteFile(notALog, []byte("level=INFO msg=started\n"), 0o600)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--anchor", "80"}, 2, "want SEQ:HASH"},
		{[]string{"--seal-log", filepath.Join(dir, "none.log")}, 2, "no such file"},
		{[]string{"--seal-log", notALog}, 2, `no line "audit trail sealed"`},
	} {
		_, errOut, code := vigil(t, "", append([]string{"audit", "verify", "--data-dir", dir}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d\n%s\nwant exit %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
