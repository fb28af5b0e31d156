package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/store/storetest"
)

// newUser returns a user as the user package would make it.
func newUser(id, name string, role Role) User {
	return User{ID: id, Name: name, Role: role, Password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		MustChange: true, PasswordChanged: t0, Created: t0, Updated: t0}
}

// mustUser creates a user.
func mustUser(t *testing.T, db *DB, id, name string, role Role) User {
	t.Helper()
	u := newUser(id, name, role)
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		alice := mustUser(t, db, "u1", "alice", Admin)
		mustUser(t, db, "u2", "bob", Auditor)
		got, err := db.User(ctx, "u1")
		if err != nil || got.Name != "alice" || got.Role != Admin || got.Password != alice.Password || !got.MustChange ||
			got.Locked || got.TOTP != nil || !got.LockedUntil.IsZero() || !got.LastLogin.Time.IsZero() ||
			!got.Created.Equal(t0) || got.Created.Location() != time.UTC {
			t.Fatalf("User: %+v, %v", got, err)
		}
		if got, err := db.UserByName(ctx, "bob"); err != nil || got.ID != "u2" {
			t.Errorf("UserByName: %+v, %v", got, err)
		}
		for _, name := range []string{"carol", "bob\xff"} {
			_, err := db.UserByName(ctx, name)
			errIs(t, "UserByName "+name, err, ErrNotFound)
		}
		_, err = db.User(ctx, "u9")
		errIs(t, "User of an unknown id", err, ErrNotFound)
		all, err := db.Users(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "alice" || all[1].Name != "bob" {
			t.Errorf("Users: %+v, %v", all, err)
		}
		err = db.CreateUser(ctx, newUser("u3", "alice", Analyst))
		errIs(t, "same name", err, ErrConflict)
		err = db.CreateUser(ctx, newUser("u1", "carol", Analyst))
		errIs(t, "same id", err, ErrConflict)
	})
}

func TestCreateUserInvalid(t *testing.T) {
	t.Parallel()
	db := openDB(t, storetest.SQLite(t))
	for _, tc := range []struct {
		name   string
		change func(*User)
		want   string
	}{
		{"no id", func(u *User) { u.ID = "" }, "no id"},
		{"no name", func(u *User) { u.Name = "" }, "no name"},
		{"ingest", func(u *User) { u.Role = Ingest }, `role "ingest"`},
		{"unknown role", func(u *User) { u.Role = "root" }, `role "root"`},
		{"no password", func(u *User) { u.Password = "" }, "no password"},
		{"no time", func(u *User) { u.Created = time.Time{} }, "no creation"},
		{"bad name", func(u *User) { u.Name = "a\x00b" }, "not UTF-8"},
		{"bad result", func(u *User) { u.LastLogin.Result = "maybe" }, "login result"},
		{"negative", func(u *User) { u.Failures = -1 }, "negative"},
	} {
		u := newUser("u1", "alice", Analyst)
		tc.change(&u)
		err := db.CreateUser(t.Context(), u)
		errIs(t, tc.name, err, ErrInvalid)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		mustUser(t, db, "u1", "alice", Analyst)
		later := t0.Add(time.Hour)
		got, err := db.UpdateUser(ctx, "u1", func(u *User) error {
			u.Failures, u.FailedSince, u.LockedUntil = 5, 7, later
			u.TOTP, u.TOTPStep = []byte("sealed"), 42
			u.LastLogin = LoginAttempt{Time: later, Result: LoginFailure, IP: "192.0.2.1"}
			u.Updated = later
			return nil
		})
		if err != nil || got.Failures != 5 {
			t.Fatalf("UpdateUser: %+v, %v", got, err)
		}
		stored, _ := db.User(ctx, "u1")
		if stored.Failures != 5 || stored.FailedSince != 7 || !stored.LockedUntil.Equal(later) || string(stored.TOTP) != "sealed" ||
			stored.TOTPStep != 42 || stored.LastLogin.Result != LoginFailure || stored.LastLogin.IP != "192.0.2.1" ||
			!stored.LastLogin.Time.Equal(later) || !stored.Updated.Equal(later) {
			t.Errorf("stored %+v", stored)
		}

		// f's error rolls back.
		boom := errors.New("boom")
		_, err = db.UpdateUser(ctx, "u1", func(u *User) error { u.Failures = 0; return boom })
		errIs(t, "f fails", err, boom)
		if stored, _ := db.User(ctx, "u1"); stored.Failures != 5 {
			t.Errorf("a failed update changed failures to %d", stored.Failures)
		}
		for _, tc := range []struct {
			name string
			f    func(*User)
		}{
			{"rename", func(u *User) { u.Name = "mallory" }},
			{"new id", func(u *User) { u.ID = "u2" }},
			{"ingest", func(u *User) { u.Role = Ingest }},
		} {
			_, err := db.UpdateUser(ctx, "u1", func(u *User) error { tc.f(u); return nil })
			errIs(t, tc.name, err, ErrInvalid)
		}
		_, err = db.UpdateUser(ctx, "nobody", func(*User) error { return nil })
		errIs(t, "unknown user", err, ErrNotFound)
	})
}

// TestUpdateUserEndsSessions checks that a change of role or password,
// or a lock, ends the user's sessions with the change, and that other
// changes do not.
func TestUpdateUserEndsSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		mustUser(t, db, "u1", "alice", Analyst)
		for i, tc := range []struct {
			name   string
			f      func(*User)
			reason string // "" when the session goes on
		}{
			{"failures", func(u *User) { u.Failures++ }, ""},
			{"totp", func(u *User) { u.TOTP = []byte("x") }, ""},
			{"totp removed", func(u *User) { u.TOTP = nil }, EndTOTP},
			{"role", func(u *User) { u.Role = Auditor }, EndRole},
			{"password", func(u *User) { u.Password += "x" }, EndPassword},
			{"lock", func(u *User) { u.Locked = true }, EndLocked},
		} {
			hash := sessionHash(fmt.Sprint("s", i))
			if _, err := db.CreateSession(ctx, session(hash, "u1", t0)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			at := t0.Add(time.Duration(i+1) * time.Minute)
			if _, err := db.UpdateUser(ctx, "u1", func(u *User) error { tc.f(u); u.Updated = at; return nil }); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			s, err := db.Session(ctx, hash)
			switch {
			case err != nil:
				t.Errorf("%s: %v", tc.name, err)
			case tc.reason == "" && !s.Ended.IsZero():
				t.Errorf("%s ended the session: %s", tc.name, s.EndReason)
			case tc.reason != "" && (s.EndReason != tc.reason || !s.Ended.Equal(at)):
				t.Errorf("%s: session ended at %v for %q, want at %v for %q", tc.name, s.Ended, s.EndReason, at, tc.reason)
			}
		}
	})
}

// TestUpdateUserConcurrently counts failed logins from many goroutines,
// over two connections to the database as two processes would: none is
// lost.
func TestUpdateUserConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		dbs := []*DB{openDB(t, url), openDB(t, url)}
		mustUser(t, dbs[0], "u1", "alice", Analyst)
		const n = 40
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := dbs[i%2].UpdateUser(context.Background(), "u1", func(u *User) error {
					u.Failures++
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if u, _ := dbs[0].User(t.Context(), "u1"); u.Failures != n {
			t.Errorf("failures = %d, want %d", u.Failures, n)
		}
	})
}

// TestUpdateUserAmongAdmins counts, for the change of a user, the other
// administrators who can log in.
func TestUpdateUserAmongAdmins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		mustUser(t, db, "a1", "alice", Admin)
		mustUser(t, db, "a2", "bob", Admin)
		mustUser(t, db, "a3", "carol", Admin)
		mustUser(t, db, "u1", "dave", Analyst)
		db.UpdateUser(ctx, "a3", func(u *User) error { u.Locked = true; return nil })
		for id, want := range map[string]int{"a1": 1, "a2": 1, "a3": 2, "u1": 2} {
			var got int
			_, err := db.UpdateUserAmongAdmins(ctx, id, func(u *User, others int) error { got = others; return nil })
			if err != nil || got != want {
				t.Errorf("%s: %d other administrators, %v; want %d", id, got, err, want)
			}
		}
		// What f refuses is not stored; what it changes is, with the
		// sessions ended as UpdateUser ends them.
		refuse := errors.New("no")
		_, err := db.UpdateUserAmongAdmins(ctx, "a1", func(u *User, _ int) error { u.Role = Analyst; return refuse })
		if !errors.Is(err, refuse) {
			t.Errorf("refused: %v", err)
		}
		hash := sessionHash("s")
		db.CreateSession(ctx, session(hash, "a1", t0))
		_, err = db.UpdateUserAmongAdmins(ctx, "a1", func(u *User, _ int) error { u.Role = Analyst; u.Updated = t0; return nil })
		if u, _ := db.User(ctx, "a1"); err != nil || u.Role != Analyst {
			t.Errorf("changed: %+v, %v", u, err)
		}
		if s, _ := db.Session(ctx, hash); s.EndReason != EndRole {
			t.Errorf("the session: %+v", s)
		}
		_, err = db.UpdateUserAmongAdmins(ctx, "nobody", func(*User, int) error { return nil })
		errIs(t, "an unknown user", err, ErrNotFound)
	})
}

// TestUpdateUserAmongAdminsConcurrently demotes two administrators at
// once, over two connections as two nodes would, each only when another
// administrator is left: one is demoted, never both.
func TestUpdateUserAmongAdminsConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		dbs := []*DB{openDB(t, url), openDB(t, url)}
		for i := range 20 {
			ids := []string{fmt.Sprint("a", i), fmt.Sprint("b", i)}
			for _, id := range ids {
				mustUser(t, dbs[0], id, id, Admin)
			}
			var wg sync.WaitGroup
			for k, id := range ids {
				wg.Go(func() {
					dbs[k].UpdateUserAmongAdmins(context.Background(), id, func(u *User, others int) error {
						if others == 0 {
							return errors.New("the last administrator")
						}
						u.Role = Auditor
						return nil
					})
				})
			}
			wg.Wait()
			admins := 0
			for _, id := range ids {
				if u, _ := dbs[0].User(t.Context(), id); u.Role == Admin {
					admins++
				}
			}
			if admins != 1 {
				t.Fatalf("round %d: %d administrators left of 2, want 1", i, admins)
			}
			for _, id := range ids {
				dbs[0].UpdateUser(t.Context(), id, func(u *User) error { u.Role = Auditor; return nil })
			}
		}
	})
}

// TestDecoyUserUpdate leaves no user behind.
func TestDecoyUserUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		mustUser(t, db, "u1", "alice", Analyst)
		for range 3 {
			if err := db.DecoyUserUpdate(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if users, err := db.Users(t.Context()); err != nil || len(users) != 1 {
			t.Errorf("users: %+v, %v", users, err)
		}
	})
}
