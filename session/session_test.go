package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/audit"
	"vigil/audit/audittest"
	"vigil/store"
	"vigil/store/storetest"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// env is a manager over a fresh database with users alice and bob, its
// clock and what it records.
type env struct {
	*Manager
	db  *store.DB
	rec *audittest.Recorder
	now time.Time
}

func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

// eachDB runs f with a manager over SQLite and over PostgreSQL.
func eachDB(t *testing.T, c Config, f func(t *testing.T, e *env)) {
	storetest.Each(t, func(t *testing.T, url string) { f(t, newEnv(t, url, c)) })
}

func newEnv(t *testing.T, url string, c Config) *env {
	t.Helper()
	db, err := store.OpenDB(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, rec: &audittest.Recorder{}, now: t0}
	c.Now = func() time.Time { return e.now }
	if e.Manager, err = New(db, e.rec, c); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		id, name string
		role     store.Role
	}{{"u1", "alice", store.Analyst}, {"u2", "bob", store.Admin}} {
		err := db.CreateUser(t.Context(), store.User{ID: u.id, Name: u.name, Role: u.role, Password: "$argon2id$x",
			PasswordChanged: t0, Created: t0, Updated: t0})
		if err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) create(t *testing.T, user string) (string, string) {
	t.Helper()
	id, token, err := e.Create(t.Context(), user, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return id, token
}

func (e *env) get(id string) (*Session, error) { return e.Get(context.Background(), id, "192.0.2.9") }

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		id, token := e.create(t, "u1")
		if len(id) != 43 || !validID(id) || token == "" || token == id {
			t.Errorf("id %q, token %q", id, token)
		}
		// Only the hash of the id is stored.
		if _, err := e.db.Session(t.Context(), []byte(id)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the store finds the session by its id: %v", err)
		}
		e.advance(time.Minute)
		s, err := e.get(id)
		if err != nil || s.UserID != "u1" || s.User != "alice" || s.Role != store.Analyst || s.IP != "192.0.2.1" ||
			!s.Created.Equal(t0) || !s.LastSeen.Equal(e.now) || !s.Expires.Equal(t0.Add(8*time.Hour)) || s.CSRF != token {
			t.Fatalf("Get: %+v, %v", s, err)
		}
		if !CheckCSRF(id, token) || CheckCSRF(id, token+"x") || CheckCSRF(id, "") || CheckCSRF("bad", token) {
			t.Error("CheckCSRF does not tell the token")
		}
		other, _ := e.create(t, "u2")
		if CheckCSRF(other, token) {
			t.Error("the CSRF token of one session is good for another")
		}
	})
}

func TestNewIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newID()
		if seen[id] || !validID(id) {
			t.Fatalf("id %q repeated or invalid", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 42), strings.Repeat("A", 44), strings.Repeat("+", 43)} {
		if validID(bad) {
			t.Errorf("validID(%q)", bad)
		}
	}
}

func TestGetErrors(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		if _, err := e.get(""); !errors.Is(err, ErrUnknown) || len(e.rec.Entries()) != 0 {
			t.Errorf("no id: %v, recorded %d", err, len(e.rec.Entries()))
		}
		for _, id := range []string{"not-an-id", newID()} {
			_, err := e.get(id)
			if got := e.rec.Last(); !errors.Is(err, ErrUnknown) || got.Action != audit.ActionSessionInvalid || got.Actor != "-" ||
				got.SourceIP != "192.0.2.9" || got.Result != audit.ResultFailure {
				t.Errorf("id %q: %v, recorded %+v", id, err, got)
			}
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		id, _ := e.create(t, "u1")
		// Requests 15 minutes apart keep it alive.
		for range 4 {
			e.advance(15 * time.Minute)
			if _, err := e.get(id); err != nil {
				t.Fatalf("at %v: %v", e.now, err)
			}
		}
		e.advance(15*time.Minute + time.Second)
		_, err := e.get(id)
		if got := e.rec.Last(); !errors.Is(err, ErrExpired) || got.Actor != "alice" || !strings.Contains(got.Detail, "idle for 15m1s") {
			t.Errorf("after 15m1s idle: %v, recorded %+v", err, got)
		}
		// Ended: using it again says so.
		if _, err := e.get(id); !errors.Is(err, ErrEnded) || !strings.Contains(err.Error(), "(idle)") {
			t.Errorf("using it again: %v", err)
		}
	})
}

func TestIdleConfig(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{Idle: 5 * time.Minute}, func(t *testing.T, e *env) {
		id, _ := e.create(t, "u1")
		e.advance(5 * time.Minute)
		if _, err := e.get(id); err != nil {
			t.Errorf("after 5m: %v", err)
		}
		e.advance(5*time.Minute + time.Nanosecond)
		if _, err := e.get(id); !errors.Is(err, ErrExpired) {
			t.Errorf("after 5m idle: %v", err)
		}
	})
	for _, c := range []Config{{Idle: 31 * time.Minute}, {Idle: MaxIdle}, {Idle: time.Second}, {Lifetime: 10 * time.Minute},
		{Lifetime: 25 * time.Hour}, {StepUp: time.Second}, {StepUp: time.Hour}} {
		if _, err := New(nil, nil, c); err == nil {
			t.Errorf("New(%+v): no error", c)
		}
	}
	if _, err := New(nil, nil, Config{Idle: MaxIdle - time.Second}); err != nil {
		t.Errorf("an idle timeout of 29m59s: %v", err)
	}
}

func TestLifetime(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{Lifetime: time.Hour}, func(t *testing.T, e *env) {
		id, _ := e.create(t, "u1")
		for e.now.Before(t0.Add(time.Hour - 10*time.Minute)) {
			e.advance(10 * time.Minute)
			if _, err := e.get(id); err != nil {
				t.Fatalf("at %v: %v", e.now, err)
			}
		}
		e.advance(10 * time.Minute) // an hour after login: busy, but over
		_, err := e.get(id)
		if !errors.Is(err, ErrExpired) || !strings.Contains(e.rec.Last().Detail, "past its lifetime") {
			t.Errorf("an hour after login: %v, recorded %+v", err, e.rec.Last())
		}
	})
}

// TestOneSessionPerUser logs a user in twice: the first session ends.
func TestOneSessionPerUser(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		first, _ := e.create(t, "u1")
		bob, _ := e.create(t, "u2")
		e.advance(time.Minute)
		second, _ := e.create(t, "u1")
		if first == second {
			t.Fatal("a login kept the session id")
		}
		if got := e.rec.Last(); got.Action != audit.ActionSessionEnd || got.Target != "alice" || !strings.Contains(got.Detail, "new login") {
			t.Errorf("recorded %+v", got)
		}
		if _, err := e.get(first); !errors.Is(err, ErrEnded) || !strings.Contains(err.Error(), "replaced") {
			t.Errorf("the first session: %v", err)
		}
		for _, id := range []string{second, bob} {
			if _, err := e.get(id); err != nil {
				t.Errorf("a live session: %v", err)
			}
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		id, _ := e.create(t, "u1")
		if err := e.End(t.Context(), id, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionLogout || got.Actor != "alice" {
			t.Errorf("recorded %+v", got)
		}
		if _, err := e.get(id); !errors.Is(err, ErrEnded) || !strings.Contains(err.Error(), "logout") {
			t.Errorf("after logout: %v", err)
		}
		for _, bad := range []string{id, newID(), "x"} {
			if err := e.End(t.Context(), bad, ""); !errors.Is(err, ErrUnknown) {
				t.Errorf("End(%q): %v", bad, err)
			}
		}
	})
}

// TestUserChanges ends a user's sessions by changing the user.
func TestUserChanges(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		for _, tc := range []struct {
			change func(*store.User)
			reason string
		}{
			{func(u *store.User) { u.Role = store.Auditor }, store.EndRole},
			{func(u *store.User) { u.Password = "$argon2id$y" }, store.EndPassword},
			{func(u *store.User) { u.Locked = true }, store.EndLocked},
		} {
			id, _ := e.create(t, "u1")
			_, err := e.db.UpdateUser(ctx, "u1", func(u *store.User) error { tc.change(u); u.Updated = e.now; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.get(id); !errors.Is(err, ErrEnded) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("after %s: %v", tc.reason, err)
			}
		}
		if _, _, err := e.Create(ctx, "u1", ""); !errors.Is(err, ErrLocked) {
			t.Errorf("a session of a locked user: %v", err)
		}
		id, _ := e.create(t, "u2")
		n, err := e.EndUser(ctx, audit.Actor{Name: "cli:root"}, "u2", "bob", "ended by an administrator")
		if err != nil || n != 1 {
			t.Errorf("EndUser: %d, %v", n, err)
		}
		if _, err := e.get(id); !errors.Is(err, ErrEnded) {
			t.Errorf("after EndUser: %v", err)
		}
	})
}

func TestSweep(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		idle, _ := e.create(t, "u1")
		e.advance(10 * time.Minute)
		busy, _ := e.create(t, "u2")
		e.advance(6 * time.Minute)
		if err := e.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := e.rec.Last(); got.Action != audit.ActionSessionEnd || got.Actor != "system" || got.Target != "alice" || got.Detail != "idle" {
			t.Errorf("recorded %+v", got)
		}
		if _, err := e.get(busy); err != nil {
			t.Errorf("the busy session: %v", err)
		}
		if _, err := e.get(idle); !errors.Is(err, ErrEnded) {
			t.Errorf("the idle session: %v", err)
		}
		// A lifetime later, the ended session is forgotten.
		e.advance(8*time.Hour + time.Second)
		if err := e.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.get(idle); !errors.Is(err, ErrUnknown) {
			t.Errorf("a session ended a lifetime ago: %v", err)
		}
	})
}

func TestCookie(t *testing.T) {
	id := newID()
	w := httptest.NewRecorder()
	http.SetCookie(w, Cookie(id))
	http.SetCookie(w, ClearCookie())
	got := w.Header().Values("Set-Cookie")
	want := []string{
		"__Host-vigil_session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Strict",
		"__Host-vigil_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Set-Cookie:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r := httptest.NewRequest("GET", "/?"+CookieName+"=fromurl", nil)
	if ID(r) != "" {
		t.Error("ID takes the id from the URL")
	}
	r.AddCookie(&http.Cookie{Name: CookieName, Value: id})
	if ID(r) != id {
		t.Errorf("ID = %q", ID(r))
	}
}

// TestRefusalsFolded sends requests with made-up session ids from one
// address, and from others: the trail records the first of each kind
// from each address (an IPv6 address by its /64) in a minute, and then
// how many more there were.
func TestRefusalsFolded(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		ctx := t.Context()
		for range 100 {
			e.Get(ctx, newID(), "192.0.2.9")
		}
		for i := range 50 {
			e.Get(ctx, newID(), fmt.Sprintf("2001:db8:1:2::%x", i+1))
		}
		e.Get(ctx, newID(), "2001:db8:1:3::1")
		e.Get(ctx, "malformed", "192.0.2.9")
		if n := len(e.rec.Entries()); n != 4 {
			t.Fatalf("%d entries for 152 refusals of 2 kinds from 3 addresses, want 4: %+v", n, e.rec.Entries())
		}
		e.advance(time.Minute)
		if err := e.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		es := e.rec.Entries()
		var counts []string
		for _, x := range es[4:] {
			counts = append(counts, x.Detail)
		}
		slices.Sort(counts)
		want := []string{
			"49 more like it from 2001:db8:1:2::/64 in the minute from 2026-03-14T09:26:53Z: request with an unknown session id",
			"99 more like it from 192.0.2.9 in the minute from 2026-03-14T09:26:53Z: request with an unknown session id",
		}
		if !slices.Equal(counts, want) {
			t.Errorf("counts recorded:\n%s\nwant\n%s", strings.Join(counts, "\n"), strings.Join(want, "\n"))
		}
		for _, x := range es[4:] {
			if x.Action != audit.ActionSessionInvalid || x.Actor != "-" || x.Result != audit.ResultFailure {
				t.Errorf("recorded %+v", x)
			}
		}
		// A minute later, the next is recorded again.
		e.Get(ctx, newID(), "192.0.2.9")
		if n := len(e.rec.Entries()); n != 7 {
			t.Errorf("%d entries, want 7", n)
		}
	})
}

func TestAddrKey(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.9": "192.0.2.9", "::ffff:192.0.2.9": "192.0.2.9", "2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2::1": "2001:db8:1:2::/64", "fe80::1%eth0": "fe80::/64", "not an address": "not an address",
	} {
		if got := AddrKey(ip); got != want {
			t.Errorf("AddrKey(%q) = %q, want %q", ip, got, want)
		}
	}
}

// TestStepUp checks that a step-up lasts its time, for its session only,
// and ends with the session.
func TestStepUp(t *testing.T) {
	t.Parallel()
	eachDB(t, Config{}, func(t *testing.T, e *env) {
		id, _ := e.create(t, "u1")
		other, _ := e.create(t, "u2")
		if e.SteppedUp(id, "u1") {
			t.Fatal("a new session is stepped up")
		}
		e.StepUp(id, "u1")
		if !e.SteppedUp(id, "u1") || e.SteppedUp(other, "u2") || e.SteppedUp(id, "u2") {
			t.Error("the step-up is not of its session and user only")
		}
		e.advance(time.Minute)
		if s, err := e.get(id); err != nil || !s.StepUpUntil.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("Get: %+v, %v; want a step-up until %v", s, err, t0.Add(5*time.Minute))
		}
		e.advance(4 * time.Minute)
		if e.SteppedUp(id, "u1") {
			t.Error("a step-up lasts over 5 minutes")
		}
		e.StepUp(id, "u1")
		if err := e.End(t.Context(), id, ""); err != nil {
			t.Fatal(err)
		}
		if e.SteppedUp(id, "u1") {
			t.Error("a step-up outlives its session")
		}
		e.StepUp(other, "u2")
		e.EndUser(t.Context(), audit.Actor{Name: "cli:root"}, "u2", "bob", "ended by an administrator")
		if e.SteppedUp(other, "u2") {
			t.Error("a step-up outlives the sessions of its user")
		}
	})
}
