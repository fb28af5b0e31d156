package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/alert"
	"vigil/rule"
	"vigil/store/storetest"
)

// t0 is when the tests' events happen.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

func ruleRef(id string) alert.RuleRef {
	return alert.RuleRef{ID: id, Title: "Title of " + id, Severity: rule.High, Scenario: rule.Privilege,
		Tags: []string{"attack.t1098"}}
}

func str(s string) *string { return &s }

// ob returns an observation of rule by event id, deduplicated by user, at
// t0 plus minutes.
func ob(ruleID, eventID string, user *string, minutes int) Observation {
	return Observation{
		Rule:     ruleRef(ruleID),
		Dedup:    map[string]*string{"user": user},
		EventID:  eventID,
		Time:     t0.Add(time.Duration(minutes) * time.Minute),
		Received: t0.Add(time.Hour),
		Event:    []byte(`{"id":"` + eventID + `"}`),
	}
}

// summary is what a test checks of an alert.
type summary struct {
	Rule   string
	User   string // "<nil>" for null
	Status Status
	Count  int
	Events string // event ids, in time order
}

func summarize(a Alert) summary {
	user := "<nil>"
	if u := a.Dedup["user"]; u != nil {
		user = *u
	}
	return summary{a.Rule.ID, user, a.Status, a.Count, strings.Join(a.EventIDs, " ")}
}

// allAlerts returns every alert, summarized, sorted.
func allAlerts(t *testing.T, db *DB) []summary {
	t.Helper()
	var out []summary
	q := Query{Limit: MaxPage}
	for {
		alerts, next, err := db.Alerts(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			out = append(out, summarize(a))
		}
		if next == "" {
			break
		}
		q.Cursor = next
	}
	slices.SortFunc(out, func(a, b summary) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// changed is what a test checks of a Change.
type changed struct {
	New    bool
	Events int
}

func mustRecord(t *testing.T, db *DB, obs ...Observation) []changed {
	t.Helper()
	changes, err := db.Record(t.Context(), obs)
	if err != nil {
		t.Fatal(err)
	}
	out := []changed{}
	for _, c := range changes {
		if !validULID(c.AlertID) {
			t.Errorf("alert id %q is not a ULID", c.AlertID)
		}
		if !slices.ContainsFunc(obs, func(o Observation) bool { return o.Rule.ID == c.Rule }) {
			t.Errorf("change of alert %s names rule %q, of no observation", c.AlertID, c.Rule)
		}
		out = append(out, changed{c.New, c.Events})
	}
	slices.SortFunc(out, func(a, b changed) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

func TestRecord(t *testing.T) {
	t.Parallel()
	alice, bob := str("alice"), str("bob")
	for _, tc := range []struct {
		name    string
		calls   [][]Observation
		changes [][]changed // of each call
		alerts  []summary
	}{{
		name:    "one event",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0)}},
		changes: [][]changed{{{true, 1}}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}},
	}, {
		name:    "same dedup values fold",
		calls:   [][]Observation{{ob("r1", "e2", alice, 2), ob("r1", "e1", alice, 1)}},
		changes: [][]changed{{{true, 2}}},
		alerts:  []summary{{"r1", "alice", Open, 2, "e1 e2"}},
	}, {
		name:    "other dedup values, other alert",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0), ob("r1", "e2", bob, 0)}},
		changes: [][]changed{{{true, 1}, {true, 1}}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}, {"r1", "bob", Open, 1, "e2"}},
	}, {
		name:    "null differs from empty",
		calls:   [][]Observation{{ob("r1", "e1", nil, 0), ob("r1", "e2", str(""), 0)}},
		changes: [][]changed{{{true, 1}, {true, 1}}},
		alerts:  []summary{{"r1", "", Open, 1, "e2"}, {"r1", "<nil>", Open, 1, "e1"}},
	}, {
		name:    "other rule, other alert",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0)}, {ob("r2", "e1", alice, 0)}},
		changes: [][]changed{{{true, 1}}, {{true, 1}}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}, {"r2", "alice", Open, 1, "e1"}},
	}, {
		name:    "same event twice in one call",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0), ob("r1", "e1", alice, 0)}},
		changes: [][]changed{{{true, 1}}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}},
	}, {
		name:    "same event in two calls",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0)}, {ob("r1", "e1", alice, 0)}},
		changes: [][]changed{{{true, 1}}, {}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}},
	}, {
		name:    "same event with other dedup values",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0)}, {ob("r1", "e1", bob, 0)}},
		changes: [][]changed{{{true, 1}}, {}},
		alerts:  []summary{{"r1", "alice", Open, 1, "e1"}},
	}, {
		name:    "second call folds into the alert",
		calls:   [][]Observation{{ob("r1", "e1", alice, 0)}, {ob("r1", "e1", alice, 0), ob("r1", "e2", alice, -1)}},
		changes: [][]changed{{{true, 1}}, {{false, 1}}},
		alerts:  []summary{{"r1", "alice", Open, 2, "e2 e1"}},
	}, {
		name: "events in time order, those without time last",
		calls: [][]Observation{{
			ob("r1", "e3", alice, 3), withoutTime(ob("r1", "e0", alice, 0)), ob("r1", "e1", alice, 1),
			ob("r1", "e2b", alice, 2), ob("r1", "e2a", alice, 2),
		}},
		changes: [][]changed{{{true, 5}}},
		alerts:  []summary{{"r1", "alice", Open, 5, "e1 e2a e2b e3 e0"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, url string) {
				db := openDB(t, url)
				for i, call := range tc.calls {
					if got := mustRecord(t, db, call...); !slices.Equal(got, tc.changes[i]) {
						t.Errorf("call %d: changes %v, want %v", i, got, tc.changes[i])
					}
				}
				if got := allAlerts(t, db); !slices.Equal(got, tc.alerts) {
					t.Errorf("alerts\n%v\nwant\n%v", got, tc.alerts)
				}
			})
		})
	}
}

func withoutTime(o Observation) Observation {
	o.Time = time.Time{}
	return o
}

func TestRecordInvalid(t *testing.T) {
	t.Parallel()
	db := openDB(t, storetest.SQLite(t))
	good := ob("r1", "e1", nil, 0)
	for _, tc := range []struct {
		name string
		edit func(*Observation)
		want string
	}{
		{"no rule", func(o *Observation) { o.Rule.ID = "" }, "observation 1: no rule id"},
		{"no event id", func(o *Observation) { o.EventID = "" }, `observation 1: rule "r1": no event id`},
		{"no received time", func(o *Observation) { o.Received = time.Time{} }, `observation 1: rule "r1", event "e1": no received time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := good
			tc.edit(&bad)
			_, err := db.Record(t.Context(), []Observation{good, bad})
			errIs(t, "Record", err, ErrInvalid)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not say %q", err, tc.want)
			}
		})
	}
	if got := allAlerts(t, db); len(got) != 0 {
		t.Errorf("invalid calls recorded %v", got)
	}
}

// TestRecordClosed checks that a closed alert takes no event again, that
// its events are not recorded again, and that a new event opens a new
// alert.
func TestRecordClosed(t *testing.T) {
	t.Parallel()
	for _, status := range []Status{Resolved, FalsePositive} {
		t.Run(string(status), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, url string) {
				db := openDB(t, url)
				alice := str("alice")
				changes, err := db.Record(t.Context(), []Observation{ob("r1", "e1", alice, 0)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SetStatus(t.Context(), changes[0].AlertID, status, "", "tester"); err != nil {
					t.Fatal(err)
				}
				if got := mustRecord(t, db, ob("r1", "e1", alice, 0)); len(got) != 0 {
					t.Errorf("replaying the event of a closed alert: %v", got)
				}
				if got := mustRecord(t, db, ob("r1", "e2", alice, 1), ob("r1", "e1", alice, 0)); !slices.Equal(got, []changed{{true, 1}}) {
					t.Errorf("a new event after closing: %v, want a new alert with it", got)
				}
				if got := mustRecord(t, db, ob("r1", "e3", alice, 2)); !slices.Equal(got, []changed{{false, 1}}) {
					t.Errorf("another new event: %v, want it in the new alert", got)
				}
				want := []summary{{"r1", "alice", Open, 2, "e2 e3"}, {"r1", "alice", status, 1, "e1"}}
				slices.SortFunc(want, func(a, b summary) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
				if got := allAlerts(t, db); !slices.Equal(got, want) {
					t.Errorf("alerts\n%v\nwant\n%v", got, want)
				}
			})
		})
	}
}

// TestRecordConcurrently records the same events on the same alert from
// goroutines on two connections to the database, like two nodes.
func TestRecordConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		const (
			nodes      = 2
			goroutines = 4
			events     = 120
			batch      = 15
		)
		dbs := []*DB{openDB(t, url), openDB(t, url)}
		var (
			mu           sync.Mutex
			added, fresh int
			ids          = map[string]bool{}
		)
		var wg sync.WaitGroup
		for g := range nodes * goroutines {
			db := dbs[g%nodes]
			wg.Go(func() {
				order := rand.Perm(events)
				for part := range slices.Chunk(order, batch) {
					var obs []Observation
					for _, n := range part {
						obs = append(obs, ob("r1", fmt.Sprintf("e%03d", n), str("alice"), n))
					}
					changes, err := db.Record(t.Context(), obs)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, c := range changes {
						added += c.Events
						ids[c.AlertID] = true
						if c.New {
							fresh++
						}
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if added != events || fresh != 1 || len(ids) != 1 {
			t.Errorf("changes added %d events to %d alerts, %d new; want %d to 1, 1 new", added, len(ids), fresh, events)
		}
		a, err := dbs[0].Alert(t.Context(), slices.Collect(maps.Keys(ids))[0])
		if err != nil {
			t.Fatal(err)
		}
		if a.Count != events || len(a.EventIDs) != events || a.EventIDs[events-1] != fmt.Sprintf("e%03d", events-1) {
			t.Errorf("alert has %d events, ids %v, want %d", a.Count, a.EventIDs, events)
		}
		if got := allAlerts(t, dbs[0]); len(got) != 1 {
			t.Errorf("%d alerts, want 1", len(got))
		}
	})
}

func TestRecordEntitiesAndFields(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		e1 := ob("r1", "e1", nil, 0)
		e1.Entities = map[string][]string{"ip": {"10.0.0.1", "10.0.0.2"}, "user": {"alice"}}
		e1.Fields = map[string][]string{"eventName": {"CreateUser"}}
		e2 := ob("r1", "e2", nil, 1)
		e2.Entities = map[string][]string{"ip": {"10.0.0.2", "10.0.0.3"}, "key": {"AKIA1"}}
		e2.Fields = map[string][]string{"eventName": {"CreateUser", "AttachUserPolicy"}}
		again := e1 // the same event: adds nothing
		again.Entities = map[string][]string{"ip": {"10.9.9.9"}}
		e3 := ob("r1", "e3", nil, 2)
		e3.Entities = map[string][]string{"ip": {"10.0.0.4"}, "user": {"bad\xffname\x00"}}
		mustRecord(t, db, e1)
		mustRecord(t, db, e2, again)
		changes, err := db.Record(t.Context(), []Observation{e3})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.Alert(t.Context(), changes[0].AlertID)
		if err != nil {
			t.Fatal(err)
		}
		wantEntities := map[string][]string{
			"ip":   {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"},
			"user": {"alice", "bad\uFFFDname\uFFFD"},
			"key":  {"AKIA1"},
		}
		wantFields := map[string][]string{"eventName": {"CreateUser", "AttachUserPolicy"}}
		if fmt.Sprint(a.Entities) != fmt.Sprint(wantEntities) || fmt.Sprint(a.Fields) != fmt.Sprint(wantFields) {
			t.Errorf("entities %q, fields %q\nwant %q, %q", a.Entities, a.Fields, wantEntities, wantFields)
		}
		for _, tc := range []struct {
			entity string
			found  bool
		}{
			{"10.0.0.3", true}, {"AKIA1", true}, {"alice", true}, {"bad\xffname\x00", true},
			{"10.9.9.9", false}, {"CreateUser", false}, {"10.0.0", false},
		} {
			alerts, _, err := db.Alerts(t.Context(), Query{Entity: tc.entity})
			if err != nil {
				t.Fatal(err)
			}
			if found := len(alerts) == 1; found != tc.found {
				t.Errorf("Entity %q found %d alerts, want found %v", tc.entity, len(alerts), tc.found)
			}
		}
	})
}

func TestRecordKeepsAlertFields(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		before := time.Now().UTC()
		obs := []Observation{ob("r1", "e1", str("alice"), 5), withoutTime(ob("r1", "e0", str("alice"), 0)), ob("r1", "e2", str("alice"), 1)}
		for _, o := range obs {
			o.Dedup["account"] = nil
		}
		changes, err := db.Record(t.Context(), obs[:2])
		if err != nil {
			t.Fatal(err)
		}
		mustRecord(t, db, obs[2])
		a, err := db.Alert(t.Context(), changes[0].AlertID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Rule.ID != "r1" || a.Rule.Title != "Title of r1" || a.Rule.Severity != rule.High ||
			a.Rule.Scenario != rule.Privilege || !slices.Equal(a.Rule.Tags, []string{"attack.t1098"}) {
			t.Errorf("rule %+v", a.Rule)
		}
		if len(a.Dedup) != 2 || *a.Dedup["user"] != "alice" || a.Dedup["account"] != nil {
			t.Errorf("dedup %v, want user alice and account null", a.Dedup)
		}
		first, last := t0.Add(time.Minute), t0.Add(5*time.Minute)
		if a.FirstSeen == nil || !a.FirstSeen.Equal(first) || a.LastSeen == nil || !a.LastSeen.Equal(last) {
			t.Errorf("seen from %v to %v, want %v to %v", a.FirstSeen, a.LastSeen, first, last)
		}
		if a.FirstSeen.Location() != time.UTC || a.CreatedAt.Location() != time.UTC {
			t.Errorf("times not in UTC: %v, %v", a.FirstSeen, a.CreatedAt)
		}
		if a.CreatedAt.Before(before) || a.UpdatedAt.Before(a.CreatedAt) || a.UpdatedAt.After(time.Now()) {
			t.Errorf("created %v, updated %v, want between %v and now", a.CreatedAt, a.UpdatedAt, before)
		}
		if a.Count != 3 || strings.Join(a.EventIDs, " ") != "e2 e1 e0" {
			t.Errorf("count %d, events %v", a.Count, a.EventIDs)
		}
		// An alert whose events have no time has no first or last seen.
		changes, err = db.Record(t.Context(), []Observation{withoutTime(ob("r2", "e1", nil, 0))})
		if err != nil {
			t.Fatal(err)
		}
		if a, err = db.Alert(t.Context(), changes[0].AlertID); err != nil {
			t.Fatal(err)
		}
		if a.FirstSeen != nil || a.LastSeen != nil {
			t.Errorf("alert without times seen from %v to %v", a.FirstSeen, a.LastSeen)
		}
	})
}

func TestRecordExtremeTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		early := ob("r1", "early", nil, 0)
		early.Time = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
		late := ob("r1", "late", nil, 0)
		late.Time = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		changes, err := db.Record(t.Context(), []Observation{late, early, withoutTime(ob("r1", "none", nil, 0))})
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.Alert(t.Context(), changes[0].AlertID)
		if err != nil {
			t.Fatal(err)
		}
		if a.FirstSeen.Year() != 1677 || a.LastSeen.Year() != 2262 {
			t.Errorf("seen from %v to %v, want the ends of 1677 and 2262", a.FirstSeen, a.LastSeen)
		}
		if got := strings.Join(a.EventIDs, " "); got != "early late none" {
			t.Errorf("events %q, want early late none", got)
		}
	})
}

func TestKeepEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		const n = KeepEvents + 50
		var obs []Observation
		for i := range n {
			obs = append(obs, ob("r1", fmt.Sprintf("e%03d", i), nil, i))
		}
		obs = append(obs, withoutTime(ob("r1", "late", nil, 0)))
		mustRecord(t, db, obs[:70]...)
		changes, err := db.Record(t.Context(), obs[70:])
		if err != nil {
			t.Fatal(err)
		}
		id := changes[0].AlertID
		var events []Event
		cursor, pages := "", 0
		for {
			page, next, err := db.Events(t.Context(), id, cursor, 40)
			if err != nil {
				t.Fatal(err)
			}
			events, cursor, pages = append(events, page...), next, pages+1
			if cursor == "" {
				break
			}
		}
		if len(events) != n+1 || pages != 4 {
			t.Fatalf("%d events in %d pages, want %d in 4", len(events), pages, n+1)
		}
		for i, e := range events[:n] {
			if e.ID != obs[i].EventID || e.Time == nil || !e.Time.Equal(obs[i].Time) {
				t.Fatalf("event %d is %s at %v, want %s at %v", i, e.ID, e.Time, obs[i].EventID, obs[i].Time)
			}
			if kept := e.JSON != nil; kept != (i < KeepEvents) {
				t.Errorf("event %d: JSON %q", i, e.JSON)
			}
			if kept := e.JSON != nil; kept && string(e.JSON) != string(obs[i].Event) {
				t.Errorf("event %d: JSON %q, want %q", i, e.JSON, obs[i].Event)
			}
		}
		if last := events[n]; last.ID != "late" || last.Time != nil || last.JSON != nil {
			t.Errorf("last event %+v, want late without time or JSON", last)
		}
		alerts, _, err := db.Alerts(t.Context(), Query{})
		if err != nil {
			t.Fatal(err)
		}
		if a := alerts[0]; a.Count != n+1 || len(a.EventIDs) != listEventIDs || a.EventIDs[0] != "e000" {
			t.Errorf("listed alert has count %d and %d event ids from %s, want %d and %d from e000",
				a.Count, len(a.EventIDs), a.EventIDs[0], n+1, listEventIDs)
		}
		a, err := db.Alert(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.EventIDs) != n+1 {
			t.Errorf("alert has %d event ids, want %d", len(a.EventIDs), n+1)
		}
	})
}

// TestRecordLostRace adds events that another transaction recorded after
// this one looked them up, as happens to concurrent transactions on
// PostgreSQL: they change nothing, and leave no empty alert.
func TestRecordLostRace(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		alice, bob := str("alice"), str("bob")
		changes, err := db.Record(t.Context(), []Observation{ob("r1", "e1", alice, 0)})
		if err != nil {
			t.Fatal(err)
		}
		closed := changes[0].AlertID
		mustRecord(t, db, ob("r1", "e2", bob, 0))
		if _, err := db.SetStatus(t.Context(), closed, Resolved, "", "tester"); err != nil {
			t.Fatal(err)
		}
		groups, err := groupObservations([]Observation{ob("r1", "e1", alice, 0), ob("r1", "e2", bob, 0)})
		if err != nil {
			t.Fatal(err)
		}
		err = db.write(t.Context(), func(tx runner) error {
			changes, err = addEvents(t.Context(), tx, groups, time.Now())
			return err
		})
		if err != nil || len(changes) != 0 {
			t.Errorf("adding recorded events: changes %+v, %v", changes, err)
		}
		want := []summary{{"r1", "alice", Resolved, 1, "e1"}, {"r1", "bob", Open, 1, "e2"}}
		if got := allAlerts(t, db); !slices.Equal(got, want) {
			t.Errorf("alerts\n%v\nwant\n%v", got, want)
		}
	})
}

// TestRecordHostileEvents records events whose ids and values PostgreSQL
// could not store or index as they are.
func TestRecordHostileEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		long := strings.Repeat("x", 10_000)
		o := ob("r1", long, str(strings.Repeat("u", 10_000)), 0)
		o.Entities = map[string][]string{"user_agent": {long + "\xff"}}
		o.Fields = map[string][]string{"userAgent\x00": {long}}
		bad := ob("r1", "e\xff\x00", str("bad \xff"), 0)
		for range 2 {
			mustRecord(t, db, o, bad)
		}
		sum := sha256.Sum256([]byte(long))
		want := map[string]string{ // event ids by user
			strings.Repeat("u", 10_000): strings.Repeat("x", 128) + "…" + hex.EncodeToString(sum[:]),
			"bad \uFFFD":                "e\uFFFD\uFFFD",
		}
		got := map[string]string{}
		for _, a := range allAlerts(t, db) {
			if a.Count != 1 {
				t.Errorf("alert of %.20q has %d events", a.User, a.Count)
			}
			got[a.User] = a.Events
		}
		if !maps.Equal(got, want) {
			t.Errorf("event ids by user %.200q\nwant %.200q", got, want)
		}
		alerts, _, err := db.Alerts(t.Context(), Query{Entity: long + "\xff"})
		if err != nil || len(alerts) != 1 {
			t.Errorf("Entity filter on a long value: %d alerts, %v", len(alerts), err)
		}
	})
}
