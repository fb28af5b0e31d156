package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"vigil/audit"
	"vigil/store"
	"vigil/store/storetest"
	"vigil/user"
)

// consoleDB is where the console commands of a test keep their data.
type consoleDB struct {
	dir  string   // the data directory
	url  string   // the store
	args []string // the flags that name them
}

func consoleDBs(t *testing.T, f func(t *testing.T, db consoleDB)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		f(t, consoleDB{dir, filepath.Join(dir, "vigil.db"), []string{"--data-dir", dir}})
	})
	t.Run("postgres", func(t *testing.T) {
		dir, url := t.TempDir(), storetest.Postgres(t)
		f(t, consoleDB{dir, url, []string{"--data-dir", dir, "--db", url}})
	})
}

// run runs vigil with the flags of db after the command's words.
func (db consoleDB) run(t *testing.T, words ...string) (string, string, int) {
	t.Helper()
	var args []string
	for i, w := range words {
		args = append(args, w)
		if i == 1 {
			args = append(args, db.args...)
		}
	}
	return vigil(t, "", args...)
}

// exec changes the store behind vigil's back.
func (db consoleDB) exec(t *testing.T, query string) {
	t.Helper()
	if _, err := storetest.Open(t, db.url).Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// oneTime matches the first line user add and user passwd print.
var oneTime = regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}\n# `)

func TestUserCommands(t *testing.T) {
	consoleDBs(t, func(t *testing.T, db consoleDB) {
		out, errOut, code := db.run(t, "user", "add", "--name", "Alice", "--role", "analyst")
		if code != 0 || !oneTime.MatchString(out) || !strings.Contains(out, "must be changed at the first login") {
			t.Fatalf("user add: exit %d\n%s%s", code, out, errOut)
		}
		first := out[:24]
		for _, tc := range []struct {
			args []string
			err  string
		}{
			{[]string{"user", "add", "--name", "alice", "--role", "auditor"}, "a user of that name exists"},
			{[]string{"user", "add", "--name", "bob", "--role", "ingest"}, `role "ingest"`},
			{[]string{"user", "add", "--name", "b:b", "--role", "analyst"}, "user name"},
			{[]string{"user", "add", "--role", "analyst"}, "want --name"},
			{[]string{"user", "add", "--name", "bob"}, "want --role"},
			{[]string{"user", "lock", "--name", "bob", "--role", "admin"}, "takes no --role"},
			{[]string{"user", "lock", "--name", "nobody"}, "no such user"},
			{[]string{"user", "list", "extra"}, "unexpected argument"},
			{[]string{"user", "delete", "--name", "alice"}, "unknown command"},
			{[]string{"user"}, "want add, passwd"},
		} {
			if _, errOut, code := db.run(t, tc.args...); code != 2 || !strings.Contains(errOut, tc.err) {
				t.Errorf("%q: exit %d, %s; want exit 2 and %q", tc.args, code, errOut, tc.err)
			}
		}

		if _, errOut, code := db.run(t, "user", "lock", "--name", "alice"); code != 0 {
			t.Fatalf("user lock: %s", errOut)
		}
		out, _, _ = db.run(t, "user", "list")
		if !regexp.MustCompile(`(?m)^NAME +ROLE +LOCKED +TOTP +PASSWORD +LAST LOGIN\nalice +analyst +yes +no +one-time +never$`).MatchString(out) {
			t.Errorf("user list of a locked user:\n%s", out)
		}
		db.run(t, "user", "unlock", "--name", "alice")
		db.run(t, "user", "role", "--name", "alice", "--role", "auditor")
		out, _, code = db.run(t, "user", "passwd", "--name", "alice")
		if code != 0 || !oneTime.MatchString(out) || out[:24] == first {
			t.Fatalf("user passwd: exit %d\n%s", code, out)
		}
		second := out[:24]
		db.run(t, "user", "totp-reset", "--name", "alice")

		// The password works, once, for a login that must change it.
		st, err := store.OpenDB(t.Context(), db.url)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		key, err := os.ReadFile(filepath.Join(db.dir, "secret.key"))
		if err != nil {
			t.Fatal(err)
		}
		trail, err := audit.Open(t.Context(), st, audit.Config{KeyFile: filepath.Join(db.dir, "audit.key")})
		if err != nil {
			t.Fatal(err)
		}
		users, err := user.New(st, trail, user.Config{Key: key})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			pw string
			ok bool
		}{{first, false}, {second, true}} {
			l, err := users.Login(t.Context(), user.Credentials{Name: "alice", Password: c.pw})
			if c.ok != (err == nil) || c.ok && (!l.MustChangePassword || l.Role != store.Auditor) {
				t.Errorf("login with the password %q: %+v, %v", c.pw, l, err)
			}
		}
		trail.Seal(t.Context())
		out, _, _ = db.run(t, "user", "list")
		if !regexp.MustCompile(`(?m)^alice +auditor +no +no +one-time +\S+ success from $`).MatchString(out) {
			t.Errorf("user list:\n%s", out)
		}

		// Every change is in the audit trail, as done from the command
		// line.
		es, err := st.AuditEntries(t.Context(), store.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			if strings.HasPrefix(e.Actor, "cli:") {
				got = append(got, e.Action+" "+e.Target)
			}
		}
		want := "user.add alice,user.lock alice,user.unlock alice,user.role alice,user.password_reset alice,user.totp_reset alice"
		if strings.Join(got, ",") != want {
			t.Errorf("recorded from the command line:\n%s\nwant\n%s", strings.Join(got, ","), want)
		}
	})
}
