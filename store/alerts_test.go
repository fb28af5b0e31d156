package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/rule"
	"vigil/store/storetest"
)

// seedAlerts records one alert per rule, each with its severity, status,
// last seen time (minutes after t0; none when negative) and entity, and
// returns their ids by rule.
func seedAlerts(t *testing.T, db *DB) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, a := range []struct {
		rule     string
		severity rule.Severity
		status   Status
		minutes  int
		entity   string
	}{
		{"r-high", rule.High, Open, 10, "10.0.0.1"},
		{"r-low", rule.Low, Acknowledged, 20, "alice"},
		{"r-critical", rule.Critical, Resolved, 30, "AKIA1"},
		{"r-info", rule.Info, Open, -1, "alice"},
		{"r-medium", rule.Medium, FalsePositive, 40, "bob"},
	} {
		o := ob(a.rule, "e-"+a.rule, nil, a.minutes)
		o.Rule.Severity = a.severity
		o.Entities = map[string][]string{"any": {a.entity}}
		if a.minutes < 0 {
			o = withoutTime(o)
		}
		changes, err := db.Record(t.Context(), []Observation{o})
		if err != nil {
			t.Fatal(err)
		}
		id := changes[0].AlertID
		ids[a.rule] = id
		if a.status != Open {
			if _, err := db.SetStatus(t.Context(), id, a.status, "", "tester"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func TestAlertsFilters(t *testing.T) {
	t.Parallel()
	at := func(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }
	high := rule.High
	for _, tc := range []struct {
		name string
		q    Query
		want []string // rules
	}{
		{"all", Query{}, []string{"r-high", "r-low", "r-critical", "r-info", "r-medium"}},
		{"severity", Query{Severity: []rule.Severity{rule.High, rule.Low}}, []string{"r-high", "r-low"}},
		{"min severity", Query{MinSeverity: &high}, []string{"r-high", "r-critical"}},
		{"rule", Query{Rule: "r-low"}, []string{"r-low"}},
		{"unknown rule", Query{Rule: "r-none"}, nil},
		{"status", Query{Status: []Status{Open}}, []string{"r-high", "r-info"}},
		{"statuses", Query{Status: []Status{Resolved, FalsePositive}}, []string{"r-critical", "r-medium"}},
		{"from", Query{From: at(20)}, []string{"r-low", "r-critical", "r-medium"}},
		{"to", Query{To: at(20)}, []string{"r-high"}},
		{"from and to", Query{From: at(10), To: at(31)}, []string{"r-high", "r-low", "r-critical"}},
		{"entity", Query{Entity: "alice"}, []string{"r-low", "r-info"}},
		{"unknown entity", Query{Entity: "carol"}, nil},
		{"all filters", Query{Severity: []rule.Severity{rule.Low, rule.Info}, Status: []Status{Acknowledged},
			Entity: "alice", From: at(0), To: at(60), Rule: "r-low", MinSeverity: new(rule.Low)}, []string{"r-low"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, url string) {
				db := openDB(t, url)
				ids := seedAlerts(t, db)
				alerts, next, err := db.Alerts(t.Context(), tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, r := range tc.want {
					want = append(want, ids[r])
				}
				slices.Sort(want)
				slices.Reverse(want) // newest first
				var got []string
				for _, a := range alerts {
					got = append(got, a.ID)
				}
				if !slices.Equal(got, want) || next != "" {
					t.Errorf("alerts %v, next %q\nwant %v (rules %v)", got, next, want, tc.want)
				}
			})
		})
	}
}

func TestAlertsPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		const n = 23
		var obs []Observation
		for i := range n {
			obs = append(obs, ob(fmt.Sprintf("r%02d", i), "e1", nil, i))
		}
		mustRecord(t, db, obs...)
		all, next, err := db.Alerts(t.Context(), Query{})
		if err != nil || len(all) != n || next != "" {
			t.Fatalf("all alerts: %d, next %q, %v", len(all), next, err)
		}
		if !slices.IsSortedFunc(all, func(a, b Alert) int { return strings.Compare(b.ID, a.ID) }) {
			t.Errorf("alerts not newest first")
		}
		for _, limit := range []int{1, 5, 22, 23, 24} {
			var got []Alert
			q := Query{Limit: limit}
			for pages := 0; ; pages++ {
				page, next, err := db.Alerts(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit || pages > n {
					t.Fatalf("limit %d: page of %d", limit, len(page))
				}
				got = append(got, page...)
				if next == "" {
					break
				}
				q.Cursor = next
			}
			if !slices.EqualFunc(got, all, func(a, b Alert) bool { return a.ID == b.ID }) {
				t.Errorf("limit %d: pages hold %d alerts, not the %d of one page", limit, len(got), n)
			}
		}
	})
}

func TestAlertsInvalid(t *testing.T) {
	t.Parallel()
	db := openDB(t, storetest.SQLite(t))
	mustRecord(t, db, ob("r1", "e1", nil, 0), ob("r2", "e1", nil, 0))
	_, next, err := db.Alerts(t.Context(), Query{Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("first page: next %q, %v", next, err)
	}
	for _, tc := range []struct {
		name string
		q    Query
		want string
	}{
		{"limit too large", Query{Limit: MaxPage + 1}, "page size 501 out of 1..500"},
		{"negative limit", Query{Limit: -1}, "page size -1"},
		{"unknown status", Query{Status: []Status{"closed"}}, `unknown status "closed"`},
		{"unknown severity", Query{Severity: []rule.Severity{9}}, "unknown severity 9"},
		{"garbage cursor", Query{Cursor: "not a cursor!"}, "malformed cursor"},
		{"truncated cursor", Query{Cursor: next[:5]}, "malformed cursor"},
		{"cursor of events", Query{Cursor: encodeCursor("events\x00x", "1", "e1")}, "malformed cursor"},
		{"forged position", Query{Cursor: encodeCursor(scopeAlerts, "1 OR 1=1")}, "malformed cursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := db.Alerts(t.Context(), tc.q)
			errIs(t, "Alerts", err, ErrInvalid)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "store: alerts: ") {
				t.Errorf("error %v, want store: alerts: ...%s", err, tc.want)
			}
		})
	}
	// Any change of one character of a cursor makes it malformed.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range next {
		for _, c := range []byte{alphabet[(strings.IndexByte(alphabet, next[i])+1)%64], '='} {
			tampered := next[:i] + string(c) + next[i+1:]
			if _, _, err := db.Alerts(t.Context(), Query{Cursor: tampered}); !strings.Contains(fmt.Sprint(err), "malformed cursor") {
				t.Errorf("cursor %q tampered as %q: %v", next, tampered, err)
			}
		}
	}
}

func TestEventsErrors(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		changes, err := db.Record(t.Context(), []Observation{ob("r1", "e1", nil, 0), ob("r1", "e2", nil, 1), ob("r2", "e1", nil, 0)})
		if err != nil {
			t.Fatal(err)
		}
		id := changes[0].AlertID
		_, next, err := db.Events(t.Context(), id, "", 1)
		if err != nil || next == "" {
			t.Fatalf("first page: next %q, %v", next, err)
		}
		_, _, err = db.Events(t.Context(), "01ARZ3NDEKTSV4RRFFQ69G5FAV", "", 0)
		errIs(t, "Events of an unknown alert", err, ErrNotFound)
		_, _, err = db.Events(t.Context(), changes[1].AlertID, next, 1)
		errIs(t, "Events with the cursor of another alert", err, ErrInvalid)
		_, _, err = db.Events(t.Context(), id, encodeCursor("events\x00"+id, "x", "e1"), 1)
		errIs(t, "Events with a cursor of no time", err, ErrInvalid)
		_, _, err = db.Events(t.Context(), id, "", MaxPage+1)
		errIs(t, "Events with a page too large", err, ErrInvalid)
	})
}

func TestAlertNotFound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		db := openDB(t, url)
		for _, id := range []string{"01ARZ3NDEKTSV4RRFFQ69G5FAV", "", "../x", "bad \xff\x00 id\n"} {
			_, err := db.Alert(t.Context(), id)
			errIs(t, "Alert", err, ErrNotFound)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", id)) {
				t.Errorf("error %v does not name alert %q", err, id)
			}
			_, _, err = db.Events(t.Context(), id, "", 0)
			errIs(t, "Events", err, ErrNotFound)
			_, err = db.SetStatus(t.Context(), id, Resolved, "", "tester")
			errIs(t, "SetStatus", err, ErrNotFound)
		}
		if _, _, err := db.Alerts(t.Context(), Query{Rule: "bad \xff rule", Entity: "bad \xff\x00"}); err != nil {
			t.Errorf("Alerts of a rule and entity not UTF-8: %v", err)
		}
	})
}

func TestSetStatus(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, url string) {
		ctx := t.Context()
		db := openDB(t, url)
		changes, err := db.Record(ctx, []Observation{ob("r1", "e1", str("alice"), 0)})
		if err != nil {
			t.Fatal(err)
		}
		id := changes[0].AlertID
		created, err := db.Alert(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		steps := []Note{
			{Status: Acknowledged, Actor: "analyst-1", Comment: "looking"},
			{Status: Resolved, Actor: "analyst-2", Comment: "key rotated, user removed"},
		}
		var a *Alert
		for _, s := range steps {
			if a, err = db.SetStatus(ctx, id, s.Status, s.Comment, s.Actor); err != nil {
				t.Fatal(err)
			}
		}
		if a.Status != Resolved || len(a.Notes) != 2 || a.UpdatedAt.Before(created.UpdatedAt) || !a.CreatedAt.Equal(created.CreatedAt) {
			t.Fatalf("alert %+v", a)
		}
		for i, n := range a.Notes {
			want := steps[i]
			if n.Status != want.Status || n.Actor != want.Actor || n.Comment != want.Comment || n.At.Before(created.CreatedAt) || n.At.Location() != time.UTC {
				t.Errorf("note %d: %+v, want %+v", i, n, want)
			}
		}
		_, err = db.SetStatus(ctx, id, "closed", "", "analyst-1")
		errIs(t, "SetStatus to an unknown status", err, ErrInvalid)
		_, err = db.SetStatus(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV", Resolved, "", "analyst-1")
		errIs(t, "SetStatus of an unknown alert", err, ErrNotFound)

		// While a new alert takes the events, the old one cannot reopen.
		changes, err = db.Record(ctx, []Observation{ob("r1", "e2", str("alice"), 1)})
		if err != nil {
			t.Fatal(err)
		}
		other := changes[0].AlertID
		_, err = db.SetStatus(ctx, id, Open, "reopen", "analyst-1")
		errIs(t, "reopening", err, ErrConflict)
		if err == nil || !strings.Contains(err.Error(), other) {
			t.Errorf("error %v does not name alert %s", err, other)
		}
		if a, err := db.Alert(ctx, id); err != nil || a.Status != Resolved || len(a.Notes) != 2 {
			t.Errorf("failed reopening changed the alert: %+v, %v", a, err)
		}
		// Once that one is closed, it can, and takes events again.
		if _, err := db.SetStatus(ctx, other, FalsePositive, "", "analyst-1"); err != nil {
			t.Fatal(err)
		}
		if a, err = db.SetStatus(ctx, id, Acknowledged, "again", "analyst-1"); err != nil {
			t.Fatal(err)
		}
		if got := mustRecord(t, db, ob("r1", "e3", str("alice"), 2)); !slices.Equal(got, []changed{{false, 1}}) {
			t.Errorf("event after reopening: %v", got)
		}
		if a, err = db.Alert(ctx, id); err != nil || a.Count != 2 || len(a.Notes) != 3 {
			t.Errorf("reopened alert %+v, %v; want 2 events and 3 notes", a, err)
		}
	})
}
