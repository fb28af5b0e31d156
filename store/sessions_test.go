package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"vigil/store/storetest"
)

func sessionHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// session returns a session of the user made at, which lasts 8 hours.
func session(hash []byte, userID string, at time.Time) Session {
	return Session{Hash: hash, UserID: userID, IP: "192.0.2.7", Created: at, LastSeen: at, Expires: at.Add(8 * time.Hour)}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		mustUser(t, db, "u1", "alice", Admin)
		first := sessionHash("first")
		if n, err := db.CreateSession(ctx, session(first, "u1", t0)); err != nil || n != 0 {
			t.Fatalf("CreateSession: %d, %v", n, err)
		}
		s, err := db.Session(ctx, first)
		if err != nil || !bytes.Equal(s.Hash, first) || s.UserID != "u1" || s.User != "alice" || s.Role != Admin || !s.MustChange ||
			s.TOTP || s.IP != "192.0.2.7" || !s.Created.Equal(t0) || !s.Expires.Equal(t0.Add(8*time.Hour)) || !s.Ended.IsZero() {
			t.Fatalf("Session: %+v, %v", s, err)
		}

		// Touching refreshes a live session; not one idle since before
		// idleSince, nor one past its end.
		at := t0.Add(10 * time.Minute)
		if err := db.TouchSession(ctx, first, at, at.Add(-15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.Session(ctx, first); !s.LastSeen.Equal(at) {
			t.Errorf("last seen %v, want %v", s.LastSeen, at)
		}
		err = db.TouchSession(ctx, first, at.Add(20*time.Minute), at.Add(5*time.Minute))
		errIs(t, "touching an idle session", err, ErrNotFound)
		err = db.TouchSession(ctx, first, t0.Add(8*time.Hour), t0)
		errIs(t, "touching an expired session", err, ErrNotFound)
		err = db.TouchSession(ctx, sessionHash("nope"), at, t0)
		errIs(t, "touching an unknown session", err, ErrNotFound)
		_, err = db.Session(ctx, sessionHash("nope"))
		errIs(t, "an unknown session", err, ErrNotFound)

		// A new login ends the session before it.
		second := sessionHash("second")
		if n, err := db.CreateSession(ctx, session(second, "u1", at)); err != nil || n != 1 {
			t.Fatalf("CreateSession again: %d, %v", n, err)
		}
		if s, _ := db.Session(ctx, first); s.EndReason != EndReplaced || !s.Ended.Equal(at) {
			t.Errorf("first session after the second login: %+v", s)
		}
		err = db.TouchSession(ctx, first, at, t0)
		errIs(t, "touching an ended session", err, ErrNotFound)

		if err := db.EndSession(ctx, second, at, EndLogout); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.Session(ctx, second); s.EndReason != EndLogout {
			t.Errorf("after logout: %+v", s)
		}
		err = db.EndSession(ctx, second, at, EndLogout)
		errIs(t, "ending an ended session", err, ErrNotFound)

		_, err = db.CreateSession(ctx, session(sessionHash("x"), "u9", at))
		errIs(t, "a session of no user", err, ErrNotFound)
		_, err = db.CreateSession(ctx, session(first, "u1", at))
		errIs(t, "a session with a used id", err, ErrConflict)
		for _, bad := range []Session{
			{Hash: []byte("short"), UserID: "u1", Created: at, LastSeen: at, Expires: at.Add(time.Hour)},
			{Hash: sessionHash("y"), UserID: "u1", Created: at, LastSeen: at, Expires: at},
			{Hash: sessionHash("y"), UserID: "u1", Created: at, LastSeen: at, Expires: at.Add(time.Hour), Ended: at},
		} {
			_, err := db.CreateSession(ctx, bad)
			errIs(t, "an invalid session", err, ErrInvalid)
		}

		if _, err := db.UpdateUser(ctx, "u1", func(u *User) error { u.Locked = true; return nil }); err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateSession(ctx, session(sessionHash("z"), "u1", at))
		errIs(t, "a session of a locked user", err, ErrConflict)
	})
}

func TestEndStaleSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		for i, name := range []string{"idle", "busy", "old", "ended"} {
			mustUser(t, db, fmt.Sprint("u", i), name, Analyst)
		}
		now := t0.Add(9 * time.Hour)
		idleSince := now.Add(-15 * time.Minute)
		mk := func(id, user string, created, lastSeen time.Time) {
			s := session(sessionHash(id), user, created)
			s.LastSeen = lastSeen
			if _, err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		mk("idle", "u0", now.Add(-time.Hour), idleSince.Add(-time.Second))
		mk("busy", "u1", now.Add(-time.Hour), idleSince)
		mk("old", "u2", now.Add(-8*time.Hour), now) // expires now
		mk("ended", "u3", now.Add(-time.Hour), idleSince.Add(-time.Hour))
		db.EndSession(ctx, sessionHash("ended"), now.Add(-time.Hour), EndLogout)

		ended, err := db.EndStaleSessions(ctx, now, idleSince)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range ended {
			got[s.User] = s.EndReason
		}
		if len(ended) != 2 || got["idle"] != EndIdle || got["old"] != EndExpired {
			t.Errorf("ended %v, want idle idle and old expired", got)
		}
		if s, _ := db.Session(ctx, sessionHash("busy")); !s.Ended.IsZero() {
			t.Errorf("the busy session ended: %s", s.EndReason)
		}

		n, err := db.PurgeSessions(ctx, now)
		if err != nil || n != 1 {
			t.Errorf("PurgeSessions: %d, %v; want the one ended before", n, err)
		}
		if n, err := db.PurgeSessions(ctx, now.Add(time.Nanosecond)); err != nil || n != 2 {
			t.Errorf("PurgeSessions: %d, %v; want the two ended now", n, err)
		}
		if n, err := db.EndUserSessions(ctx, "u1", now, EndRole); err != nil || n != 1 {
			t.Errorf("EndUserSessions: %d, %v", n, err)
		}
	})
}

// TestCreateSessionConcurrently logs one user in many times at once, over
// two connections to the database: one session is left.
func TestCreateSessionConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		dbs := []*DB{openDB(t, url), openDB(t, url)}
		mustUser(t, dbs[0], "u1", "alice", Analyst)
		const n = 20
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				s := session(sessionHash(fmt.Sprint(i)), "u1", t0.Add(time.Duration(i)))
				if _, err := dbs[i%2].CreateSession(context.Background(), s); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var live, ended int
		err := dbs[0].reader().queryRow(t.Context(), `SELECT
	(SELECT COUNT(*) FROM sessions WHERE ended IS NULL),
	(SELECT COUNT(*) FROM sessions WHERE end_reason = 'replaced')`).Scan(&live, &ended)
		if err != nil || live != 1 || ended != n-1 {
			t.Errorf("%d live and %d replaced sessions, %v; want 1 and %d", live, ended, err, n-1)
		}
	})
}
