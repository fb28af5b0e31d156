package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/alert"
	"vigil/api"
	"vigil/auth"
	"vigil/rule"
	"vigil/server"
	"vigil/store"
)

// t0 is when the seeded events start.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// seed is an alert the tests start with.
type seed struct {
	key      string // the tests' name for it
	rule     string
	severity rule.Severity
	user     string // its dedup value
	status   store.Status
	minutes  []int // when its events happened, after t0; nil: one event without a time
	resource string
}

var seeds = []seed{
	{"root", "r-root", rule.Critical, "alice", store.Open, []int{0, 1, 2}, "arn:aws:iam::111122223333:root"},
	{"key-bob", "r-key", rule.High, "bob", store.Acknowledged, []int{10}, "AKIABOB"},
	{"key-carol", "r-key", rule.High, "carol", store.Resolved, []int{20}, "AKIACAROL"},
	{"sg", "r-sg", rule.Medium, "alice", store.FalsePositive, []int{30}, "sg-0123"},
	{"login", "r-login", rule.Low, "alice", store.Open, []int{40}, "10.0.0.1"},
	{"probe", "r-probe", rule.Info, "mallory", store.Open, nil, "10.0.0.1"},
}

// The roles of the tokens the tests use, by the name of the token.
var roles = map[string]store.Role{
	"ann": store.Analyst,
	"ada": store.Admin,
	"aud": store.Auditor,
	"ing": store.Ingest,
	"rev": store.Analyst, // revoked
}

// env is the API served over HTTPS on a store of seeded alerts.
type env struct {
	srv    *httptest.Server
	db     *store.DB
	tokens map[string]string // by name
	ids    map[string]string // alert ids by seed key
	keys   map[string]string // seed keys by alert id
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newEnv serves the API, as vigil serve does, on a new SQLite store
// holding the seeds and bulk more alerts of rule r-bulk, with a limiter
// of the rate and burst.
func newEnv(t *testing.T, bulk int, rate, burst float64) *env {
	t.Helper()
	ctx := t.Context()
	db, err := store.OpenDB(ctx, t.TempDir()+"/vigil.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{db: db, tokens: map[string]string{}, ids: map[string]string{}, keys: map[string]string{}, logs: &syncBuffer{}}
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		id, token := auth.New()
		if err := db.CreateToken(ctx, store.Token{ID: id, Name: name, Role: roles[name], Hash: auth.Hash(token), Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = token
	}
	if err := db.RevokeToken(ctx, "rev"); err != nil {
		t.Fatal(err)
	}
	all := slices.Clone(seeds)
	for i := range bulk {
		all = append(all, seed{fmt.Sprintf("bulk-%02d", i), "r-bulk", rule.Medium, fmt.Sprintf("u%02d", i), store.Open, []int{100 + i}, "bulk"})
	}
	for _, s := range all {
		e.record(t, s)
	}

	log := slog.New(slog.NewJSONHandler(e.logs, nil))
	mux := http.NewServeMux()
	(&api.API{Store: db, Limiter: auth.NewLimiter(rate, burst), Log: log, Version: "1.2.3"}).Register(mux)
	e.srv = httptest.NewTLSServer(server.Secure(server.Logged(log, mux)))
	t.Cleanup(e.srv.Close)
	return e
}

// newTestEnv is newEnv with a rate limit the tests do not reach.
func newTestEnv(t *testing.T, bulk int) *env { return newEnv(t, bulk, 1e6, 1e6) }

// record records the events of a seed and gives its alert its status.
func (e *env) record(t *testing.T, s seed) string {
	t.Helper()
	times := []time.Time{{}}
	if s.minutes != nil {
		times = times[:0]
		for _, m := range s.minutes {
			times = append(times, at(m))
		}
	}
	var obs []store.Observation
	for i, tm := range times {
		eventID := fmt.Sprintf("%s-%s-%d", s.key, s.user, i)
		obs = append(obs, store.Observation{
			Rule: alert.RuleRef{ID: s.rule, Title: "Title of " + s.rule, Severity: s.severity,
				Scenario: rule.Privilege, Tags: []string{"attack.t1098"}},
			Dedup:    map[string]*string{"user": &s.user},
			EventID:  eventID,
			Time:     tm,
			Received: t0.Add(time.Hour),
			Entities: map[string][]string{"user": {s.user}, "resource": {s.resource}},
			Fields:   map[string][]string{"eventName": {"Call" + s.rule}},
			Event:    []byte(`{"eventID":"` + eventID + `","n":` + fmt.Sprint(i) + `}`),
		})
	}
	changes, err := e.db.Record(t.Context(), obs)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 {
		t.Fatalf("seed %s: %d changes, want 1", s.key, len(changes))
	}
	id := changes[0].AlertID
	if s.status != store.Open {
		if _, err := e.db.SetStatus(t.Context(), id, s.status, "seeded", "seeder"); err != nil {
			t.Fatal(err)
		}
	}
	e.ids[s.key], e.keys[id] = id, s.key
	return id
}

// response is an answer of the API.
type response struct {
	code   int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.code, r.body) }

// decode decodes the body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// errorMessage returns the message of an error answer, failing when the
// body is not {"error": "..."}.
func (r response) errorMessage(t *testing.T) string {
	t.Helper()
	var body map[string]string
	r.decode(t, &body)
	if len(body) != 1 || body["error"] == "" {
		t.Fatalf("error body %s, want {\"error\": ...}", r.body)
	}
	if msg := body["error"]; strings.Contains(msg, "store:") {
		t.Errorf("error %q: the store's context is for the logs", msg)
	}
	return body["error"]
}

// do makes a request as the token named (none when ""), with the header
// pairs given.
func (e *env) do(t *testing.T, method, target, token string, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[token])
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, target, ct)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %s: no security headers", method, target)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func (e *env) get(t *testing.T, target string) response { return e.do(t, "GET", target, "ann", "") }

// list is the body of GET /api/v1/alerts.
type list struct {
	Alerts []store.Alert `json:"alerts"`
	Next   string        `json:"next"`
}

// listKeys returns the seed keys of the alerts a list request returns,
// in order, and checks that they are newest first.
func (e *env) listKeys(t *testing.T, query url.Values) []string {
	t.Helper()
	r := e.get(t, "/api/v1/alerts?"+query.Encode())
	if r.code != http.StatusOK {
		t.Fatalf("GET ?%s: %s", query.Encode(), r)
	}
	var l list
	r.decode(t, &l)
	keys := []string{}
	for i, a := range l.Alerts {
		if i > 0 && a.ID >= l.Alerts[i-1].ID {
			t.Errorf("GET ?%s: alert %s after %s: not newest first", query.Encode(), a.ID, l.Alerts[i-1].ID)
		}
		keys = append(keys, e.keys[a.ID])
	}
	return keys
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	rfc := func(m int) string { return at(m).Format(time.RFC3339Nano) }
	for _, tc := range []struct {
		name  string
		query string
		want  []string // seed keys
	}{
		{"all", "", []string{"root", "key-bob", "key-carol", "sg", "login", "probe"}},
		{"severity", "severity=high", []string{"key-bob", "key-carol"}},
		{"severity list", "severity=critical,low", []string{"root", "login"}},
		{"severity list with spaces", "severity=critical,%20low", []string{"root", "login"}},
		{"severity upper case", "severity=HIGH", []string{"key-bob", "key-carol"}},
		{"min_severity", "min_severity=high", []string{"root", "key-bob", "key-carol"}},
		{"min_severity info", "min_severity=info", []string{"root", "key-bob", "key-carol", "sg", "login", "probe"}},
		{"min_severity critical", "min_severity=critical", []string{"root"}},
		{"severity and min_severity", "severity=low,medium,critical&min_severity=medium", []string{"root", "sg"}},
		{"rule", "rule=r-key", []string{"key-bob", "key-carol"}},
		{"unknown rule", "rule=r-none", []string{}},
		{"status", "status=open", []string{"root", "login", "probe"}},
		{"status list", "status=resolved,false_positive", []string{"key-carol", "sg"}},
		{"status acknowledged", "status=acknowledged", []string{"key-bob"}},
		{"from", "from=" + url.QueryEscape(rfc(20)), []string{"key-carol", "sg", "login"}},
		{"from inclusive to the nanosecond", "from=" + url.QueryEscape(at(20).Add(1).Format(time.RFC3339Nano)), []string{"sg", "login"}},
		{"to exclusive", "to=" + url.QueryEscape(rfc(20)), []string{"root", "key-bob"}},
		{"from and to", "from=" + url.QueryEscape(rfc(10)) + "&to=" + url.QueryEscape(rfc(31)), []string{"key-bob", "key-carol", "sg"}},
		{"from in another zone", "from=" + url.QueryEscape(at(20).In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)), []string{"key-carol", "sg", "login"}},
		{"from after to", "from=" + url.QueryEscape(rfc(40)) + "&to=" + url.QueryEscape(rfc(10)), []string{}},
		{"entity", "entity=10.0.0.1", []string{"login", "probe"}},
		{"entity user", "entity=alice", []string{"root", "sg", "login"}},
		{"entity arn", "entity=" + url.QueryEscape("arn:aws:iam::111122223333:root"), []string{"root"}},
		{"entity is exact", "entity=10.0.0", []string{}},
		{"all filters", "severity=low,info&min_severity=info&status=open,acknowledged&entity=10.0.0.1&rule=r-login&from=" +
			url.QueryEscape(rfc(0)) + "&to=" + url.QueryEscape(rfc(60)), []string{"login"}},
		{"format json", "format=json&rule=r-sg", []string{"sg"}},
		{"empty parameters", "severity=&status=&rule=&entity=&from=&to=&limit=&cursor=&format=", []string{"root", "key-bob", "key-carol", "sg", "login", "probe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got := e.listKeys(t, q)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("GET ?%s: %v, want %v", tc.query, got, want)
			}
		})
	}
}

func TestListBadRequests(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 3)
	// A real cursor, of another list, and altered.
	var l list
	e.get(t, "/api/v1/alerts?limit=1").decode(t, &l)
	var ev struct{ Next string }
	e.get(t, "/api/v1/alerts/"+e.ids["root"]+"/events?limit=1").decode(t, &ev)
	if l.Next == "" || ev.Next == "" {
		t.Fatalf("no cursors: %q, %q", l.Next, ev.Next)
	}
	altered := []byte(l.Next)
	altered[len(altered)/2] ^= 1
	for _, tc := range []struct {
		query string
		says  string // in the error message
	}{
		{"severity=urgent", "severity"},
		{"severity=high,,low", "severity"},
		{"min_severity=severe", "min_severity"},
		{"status=closed", "status"},
		{"status=open,Open", "status"},
		{"from=yesterday", "from"},
		{"from=2026-03-14", "from"},
		{"from=2026-03-14T09:00:00", "from"},
		{"to=1773480413", "to"},
		{"to=2026-03-14T09:00:00%2B0100", "to"},
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"limit=-1", "limit"},
		{"limit=junk", "limit"},
		{"limit=1.5", "limit"},
		{"limit=99999999999999999999", "limit"},
		{"cursor=junk", "cursor"},
		{"cursor=" + url.QueryEscape("!!!"), "cursor"},
		{"cursor=AAAAAAAAAAAAAAAAAAAAAA", "cursor"},
		{"cursor=" + ev.Next, "cursor"},
		{"cursor=" + string(altered), "cursor"},
		{"format=xml", "format"},
		{"format=OCSF", "format"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			r := e.get(t, "/api/v1/alerts?"+tc.query)
			if r.code != http.StatusBadRequest {
				t.Fatalf("GET ?%s: %s, want 400", tc.query, r)
			}
			if msg := r.errorMessage(t); !strings.Contains(msg, tc.says) {
				t.Errorf("GET ?%s: error %q does not say %q", tc.query, msg, tc.says)
			}
		})
	}
	for _, q := range []string{"limit=1", "limit=500", "limit=250&format=ocsf"} {
		if r := e.get(t, "/api/v1/alerts?"+q); r.code != http.StatusOK {
			t.Errorf("GET ?%s: %s", q, r)
		}
	}
}

// pages fetches all pages of a list, following the cursors, and returns
// the alerts' ids in order and the number of pages.
func (e *env) pages(t *testing.T, query url.Values, field string) (ids []string, pages int) {
	t.Helper()
	limit := 50
	if s := query.Get("limit"); s != "" {
		fmt.Sscan(s, &limit)
	}
	for cursor := ""; ; {
		q := maps.Clone(query)
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.get(t, "/api/v1/alerts?"+q.Encode())
		if r.code != http.StatusOK {
			t.Fatalf("page %d: %s", pages, r)
		}
		var body map[string]json.RawMessage
		r.decode(t, &body)
		if len(body) != 2 || body[field] == nil || body["next"] == nil {
			t.Fatalf("page %d: keys %v, want %s and next", pages, slices.Collect(maps.Keys(body)), field)
		}
		var items []struct {
			ID       string `json:"id"`
			Metadata struct {
				UID string `json:"uid"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(body[field], &items); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body["next"], &cursor); err != nil {
			t.Fatal(err)
		}
		pages++
		if len(items) > limit || (cursor != "" && len(items) != limit) {
			t.Fatalf("page %d: %d items, limit %d, next %q", pages, len(items), limit, cursor)
		}
		for _, it := range items {
			ids = append(ids, cmpOr(it.ID, it.Metadata.UID))
		}
		if cursor == "" {
			return ids, pages
		}
		if pages > 1000 {
			t.Fatal("the cursors do not end")
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	const bulk = 23
	e := newTestEnv(t, bulk)
	all := slices.Collect(maps.Values(e.ids))
	slices.Sort(all)
	slices.Reverse(all) // newest first
	var bulkIDs []string
	for _, id := range all {
		if strings.HasPrefix(e.keys[id], "bulk-") {
			bulkIDs = append(bulkIDs, id)
		}
	}
	if len(all) != len(seeds)+bulk || len(bulkIDs) != bulk {
		t.Fatalf("%d alerts, %d of them bulk", len(all), len(bulkIDs))
	}
	t.Run("pages", func(t *testing.T) { pagination(t, e, all, bulkIDs) })

	// Alerts that arrive while a client pages come on the first page of
	// a new listing, not in the middle of the one under way.
	var first list
	e.get(t, "/api/v1/alerts?limit=10").decode(t, &first)
	late := e.record(t, seed{"late", "r-late", rule.High, "zed", store.Open, []int{500}, "late"})
	var second list
	e.get(t, "/api/v1/alerts?limit=10&cursor="+first.Next).decode(t, &second)
	for _, a := range second.Alerts {
		if a.ID == late {
			t.Error("an alert made after the first page came on the second")
		}
	}
	if got := e.listKeys(t, url.Values{"limit": {"1"}}); !slices.Equal(got, []string{"late"}) {
		t.Errorf("first alert %v, want the late one", got)
	}
}

// pagination pages through lists of all alerts, and of the bulk ones.
func pagination(t *testing.T, e *env, all, bulkIDs []string) {
	for _, tc := range []struct {
		query string
		field string
		want  []string
	}{
		{"", "alerts", all},
		{"limit=1", "alerts", all},
		{"limit=4", "alerts", all},
		{"limit=7", "alerts", all},
		{fmt.Sprint("limit=", len(all)-1), "alerts", all},
		{fmt.Sprint("limit=", len(all)), "alerts", all},
		{fmt.Sprint("limit=", len(all)+1), "alerts", all},
		{"limit=500", "alerts", all},
		{"limit=5&rule=r-bulk", "alerts", bulkIDs},
		{"limit=5&entity=bulk&min_severity=medium&status=open", "alerts", bulkIDs},
		{"limit=4&format=ocsf", "findings", all},
		{"limit=10&format=ocsf&rule=r-bulk", "findings", bulkIDs},
	} {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			q, _ := url.ParseQuery(tc.query)
			got, pages := e.pages(t, q, tc.field)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%d alerts over %d pages:\n%v\nwant %d:\n%v", len(got), pages, got, len(tc.want), tc.want)
			}
			limit := 50
			if s := q.Get("limit"); s != "" {
				fmt.Sscan(s, &limit)
			}
			if want := max(1, (len(tc.want)+limit-1)/limit); pages != want {
				t.Errorf("%d pages, want %d", pages, want)
			}
		})
	}
}

// jsonKeys returns the keys of a JSON object.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

func TestAlertShape(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	// scan's alert, with every field filled.
	first := t0
	scanJSON, err := json.Marshal(&alert.Alert{Rule: alert.RuleRef{ID: "r", Scenario: rule.Data, Tags: []string{}},
		Dedup: map[string]*string{}, FirstSeen: &first, LastSeen: &first, EventIDs: []string{"e"},
		Entities: map[string][]string{"user": {"u"}}, Fields: map[string][]string{"f": {"v"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := append(jsonKeys(t, scanJSON), "id", "status", "created_at", "updated_at")
	slices.Sort(want)
	for _, k := range []string{"rule", "dedup", "count", "first_seen", "last_seen", "event_ids", "entities", "fields"} {
		if !slices.Contains(want, k) {
			t.Fatalf("scan's alert has no %q: %v", k, want)
		}
	}

	r := e.get(t, "/api/v1/alerts?rule=r-root")
	var body struct {
		Alerts []json.RawMessage `json:"alerts"`
		Next   *string           `json:"next"`
	}
	r.decode(t, &body)
	if len(body.Alerts) != 1 || body.Next == nil || *body.Next != "" {
		t.Fatalf("GET ?rule=r-root: %s", r)
	}
	if got := jsonKeys(t, body.Alerts[0]); !slices.Equal(got, want) {
		t.Errorf("alert fields %v,\nwant scan's and id, status, created_at, updated_at: %v", got, want)
	}
	var rr struct {
		Rule map[string]json.RawMessage `json:"rule"`
	}
	json.Unmarshal(body.Alerts[0], &rr)
	var scanRule struct {
		Rule map[string]json.RawMessage `json:"rule"`
	}
	json.Unmarshal(scanJSON, &scanRule)
	if got, want := slices.Sorted(maps.Keys(rr.Rule)), slices.Sorted(maps.Keys(scanRule.Rule)); !slices.Equal(got, want) {
		t.Errorf("rule fields %v, want scan's %v", got, want)
	}

	// The values are the store's.
	stored, _, err := e.db.Alerts(t.Context(), store.Query{Rule: "r-root"})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(stored[0])
	if !jsonEqual(t, body.Alerts[0], wantJSON) {
		t.Errorf("alert\n%s\nwant the store's\n%s", body.Alerts[0], wantJSON)
	}
	var a map[string]any
	json.Unmarshal(body.Alerts[0], &a)
	if a["id"] != e.ids["root"] || a["status"] != "open" || a["count"] != 3.0 ||
		a["first_seen"] != at(0).Format(time.RFC3339Nano) || a["last_seen"] != at(2).Format(time.RFC3339Nano) {
		t.Errorf("alert %s", body.Alerts[0])
	}
	if rl := a["rule"].(map[string]any); rl["id"] != "r-root" || rl["severity"] != "critical" || rl["scenario"] != "privilege" {
		t.Errorf("rule %v", rl)
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if _, err := time.Parse(time.RFC3339Nano, a[k].(string)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}

	// One alert adds its notes, events and the cursor of the next ones.
	one := e.get(t, "/api/v1/alerts/"+e.ids["key-carol"])
	wantOne := append(slices.Clone(want), "notes", "events", "events_next")
	slices.Sort(wantOne)
	if got := jsonKeys(t, one.body); !slices.Equal(got, wantOne) {
		t.Errorf("one alert's fields %v, want %v", got, wantOne)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// oneAlert is the body of GET /api/v1/alerts/{id}.
type oneAlert struct {
	store.Alert
	Events     []apiEvent `json:"events"`
	EventsNext string     `json:"events_next"`
}

type apiEvent struct {
	ID    string          `json:"id"`
	Time  *time.Time      `json:"time"`
	Event json.RawMessage `json:"event"`
}

func TestGetAlert(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	for _, s := range seeds {
		t.Run(s.key, func(t *testing.T) {
			t.Parallel()
			id := e.ids[s.key]
			r := e.get(t, "/api/v1/alerts/"+id)
			if r.code != http.StatusOK {
				t.Fatalf("GET: %s", r)
			}
			var a oneAlert
			r.decode(t, &a)
			n := max(1, len(s.minutes))
			if a.ID != id || a.Rule.ID != s.rule || a.Rule.Severity != s.severity || a.Status != s.status ||
				a.Count != n || len(a.EventIDs) != n || len(a.Events) != n || a.EventsNext != "" {
				t.Errorf("GET: %s", r)
			}
			if u := a.Dedup["user"]; u == nil || *u != s.user {
				t.Errorf("dedup %v", a.Dedup)
			}
			if !slices.Contains(a.Entities["resource"], s.resource) {
				t.Errorf("entities %v", a.Entities)
			}
			for i, ev := range a.Events {
				wantID := fmt.Sprintf("%s-%s-%d", s.key, s.user, i)
				if ev.ID != wantID || a.EventIDs[i] != wantID {
					t.Errorf("event %d: %s (event_ids %v), want %s", i, ev.ID, a.EventIDs, wantID)
				}
				if s.minutes == nil && ev.Time != nil || s.minutes != nil && (ev.Time == nil || !ev.Time.Equal(at(s.minutes[i]))) {
					t.Errorf("event %d: time %v", i, ev.Time)
				}
				// The event itself, as JSON.
				var body struct {
					EventID string `json:"eventID"`
					N       int    `json:"n"`
				}
				if err := json.Unmarshal(ev.Event, &body); err != nil || body.EventID != wantID || body.N != i {
					t.Errorf("event %d: %s: want the event's JSON object (%v)", i, ev.Event, err)
				}
			}
			if s.status == store.Open && a.Notes != nil {
				t.Errorf("notes %v", a.Notes)
			}
			if s.status != store.Open && (len(a.Notes) != 1 || a.Notes[0].Status != s.status || a.Notes[0].Actor != "seeder" || a.Notes[0].Comment != "seeded") {
				t.Errorf("notes %+v", a.Notes)
			}

			// OCSF.
			r = e.get(t, "/api/v1/alerts/"+id+"?format=ocsf")
			if r.code != http.StatusOK {
				t.Fatalf("GET format=ocsf: %s", r)
			}
			var f struct {
				ClassUID    int    `json:"class_uid"`
				CategoryUID int    `json:"category_uid"`
				SeverityID  int    `json:"severity_id"`
				Comment     string `json:"comment"`
				Metadata    struct {
					UID string `json:"uid"`
				} `json:"metadata"`
				FindingInfo struct {
					UID      string `json:"uid"`
					Analytic struct {
						UID string `json:"uid"`
					} `json:"analytic"`
				} `json:"finding_info"`
			}
			r.decode(t, &f)
			if f.ClassUID != 2004 || f.CategoryUID != 2 || f.Metadata.UID != id || f.FindingInfo.UID != id ||
				f.FindingInfo.Analytic.UID != s.rule || f.SeverityID != int(s.severity)+1 {
				t.Errorf("GET format=ocsf: %s", r)
			}
			if wantComment := map[bool]string{true: "", false: "seeded"}[s.status == store.Open]; f.Comment != wantComment {
				t.Errorf("OCSF comment %q, want %q", f.Comment, wantComment)
			}
			if r := e.get(t, "/api/v1/alerts/"+id+"?format=json"); r.code != http.StatusOK {
				t.Errorf("GET format=json: %s", r)
			}
			if r := e.get(t, "/api/v1/alerts/"+id+"?format=yaml"); r.code != http.StatusBadRequest {
				t.Errorf("GET format=yaml: %s", r)
			}
		})
	}

	// Alerts that do not exist.
	unknown := "01" + strings.Repeat("A", 24)
	for _, target := range []string{
		"/api/v1/alerts/" + unknown,
		"/api/v1/alerts/" + unknown + "?format=ocsf",
		"/api/v1/alerts/" + strings.ToLower(e.ids["root"]),
		"/api/v1/alerts/nope",
		"/api/v1/alerts/" + url.PathEscape("'; DROP TABLE alerts; --"),
		"/api/v1/alerts/" + unknown + "/events",
	} {
		r := e.get(t, target)
		if r.code != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", target, r)
			continue
		}
		if msg := r.errorMessage(t); msg != "no such alert" {
			t.Errorf("GET %s: error %q", target, msg)
		}
	}
}

func TestListOCSF(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	r := e.get(t, "/api/v1/alerts?format=ocsf&severity=high,critical")
	if r.code != http.StatusOK {
		t.Fatalf("GET: %s", r)
	}
	if keys := jsonKeys(t, r.body); !slices.Equal(keys, []string{"findings", "next"}) {
		t.Errorf("keys %v, want findings and next", keys)
	}
	var body struct {
		Findings []struct {
			ClassUID  int    `json:"class_uid"`
			ClassName string `json:"class_name"`
			TypeUID   int    `json:"type_uid"`
			StatusID  int    `json:"status_id"`
			Metadata  struct {
				UID     string `json:"uid"`
				Version string `json:"version"`
				Product struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"product"`
			} `json:"metadata"`
		} `json:"findings"`
		Next *string `json:"next"`
	}
	r.decode(t, &body)
	if body.Next == nil || *body.Next != "" {
		t.Errorf("next %v, want \"\"", body.Next)
	}
	got := map[string]int{}
	for _, f := range body.Findings {
		if f.ClassUID != 2004 || f.ClassName != "Detection Finding" || f.TypeUID/100 != 2004 ||
			f.Metadata.Product.Name != "vigil" || f.Metadata.Product.Version != "1.2.3" || f.Metadata.Version == "" {
			t.Errorf("finding %+v", f)
		}
		got[e.keys[f.Metadata.UID]] = f.StatusID
	}
	// New, In Progress, Resolved.
	if want := map[string]int{"root": 1, "key-bob": 2, "key-carol": 4}; !maps.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}

	// No alerts: an empty list, not null.
	r = e.get(t, "/api/v1/alerts?format=ocsf&rule=none")
	if string(r.body) != `{"findings":[],"next":""}`+"\n" {
		t.Errorf("no findings: %s", r.body)
	}
	r = e.get(t, "/api/v1/alerts?rule=none")
	if string(r.body) != `{"alerts":[],"next":""}`+"\n" {
		t.Errorf("no alerts: %s", r.body)
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	// An alert of more events than a page of them, and than it keeps;
	// the last without a time.
	const n = store.KeepEvents + 30
	minutes := make([]int, n-1)
	for i := range minutes {
		minutes[i] = 1000 + i
	}
	var obs []store.Observation
	for i := range n {
		o := store.Observation{
			Rule:     alert.RuleRef{ID: "r-many", Title: "Many", Severity: rule.High, Tags: []string{}},
			Dedup:    map[string]*string{},
			EventID:  fmt.Sprintf("ev-%03d", i),
			Received: t0,
			Event:    []byte(fmt.Sprintf(`{"i": %d, "html": "<b>&</b>"}`, i)),
		}
		if i < n-1 {
			o.Time = at(minutes[i])
		}
		obs = append(obs, o)
	}
	changes, err := e.db.Record(t.Context(), obs)
	if err != nil {
		t.Fatal(err)
	}
	id := changes[0].AlertID
	wantIDs := make([]string, n)
	for i := range n {
		wantIDs[i] = fmt.Sprintf("ev-%03d", i)
	}
	check := func(t *testing.T, events []apiEvent, from int) {
		t.Helper()
		for j, ev := range events {
			i := from + j
			if ev.ID != wantIDs[i] {
				t.Fatalf("event %d: %s, want %s", i, ev.ID, wantIDs[i])
			}
			if (ev.Time == nil) != (i == n-1) || ev.Time != nil && !ev.Time.Equal(at(minutes[i])) {
				t.Errorf("event %d: time %v", i, ev.Time)
			}
			if i < store.KeepEvents {
				var body struct {
					I    int    `json:"i"`
					HTML string `json:"html"`
				}
				if err := json.Unmarshal(ev.Event, &body); err != nil || body.I != i || body.HTML != "<b>&</b>" {
					t.Fatalf("event %d: %s: want the event's JSON (%v)", i, ev.Event, err)
				}
			} else if ev.Event != nil {
				t.Errorf("event %d: %s: kept beyond the first %d", i, ev.Event, store.KeepEvents)
			}
		}
	}

	// The alert comes with its first page of events.
	r := e.get(t, "/api/v1/alerts/"+id)
	var a oneAlert
	r.decode(t, &a)
	if len(a.Events) != 100 || a.EventsNext == "" || a.Count != n || !slices.Equal(a.EventIDs, wantIDs) {
		t.Fatalf("GET alert: %d events, next %q, count %d, %d event ids", len(a.Events), a.EventsNext, a.Count, len(a.EventIDs))
	}
	check(t, a.Events, 0)
	if strings.Contains(string(r.body), `\u003c`) {
		t.Error("the events' HTML characters are escaped")
	}

	// events_next continues on the events endpoint.
	var rest struct {
		Events []apiEvent `json:"events"`
		Next   *string    `json:"next"`
	}
	e.get(t, "/api/v1/alerts/"+id+"/events?cursor="+a.EventsNext).decode(t, &rest)
	if len(rest.Events) != n-100 || rest.Next == nil || *rest.Next != "" {
		t.Fatalf("GET events after the first page: %d events, next %v", len(rest.Events), rest.Next)
	}
	check(t, rest.Events, 100)

	// All pages, at several sizes.
	for _, limit := range []int{1, 7, 100, n - 1, n, 500} {
		var got []apiEvent
		pages := 0
		for cursor := ""; ; pages++ {
			q := url.Values{"limit": {fmt.Sprint(limit)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			r := e.get(t, "/api/v1/alerts/"+id+"/events?"+q.Encode())
			if r.code != http.StatusOK {
				t.Fatalf("limit %d, page %d: %s", limit, pages, r)
			}
			var page struct {
				Events []apiEvent `json:"events"`
				Next   string     `json:"next"`
			}
			r.decode(t, &page)
			if len(page.Events) > limit || page.Next != "" && len(page.Events) != limit {
				t.Fatalf("limit %d, page %d: %d events, next %q", limit, pages, len(page.Events), page.Next)
			}
			got = append(got, page.Events...)
			if cursor = page.Next; cursor == "" || pages > n {
				break
			}
		}
		if len(got) != n {
			t.Fatalf("limit %d: %d events, want %d", limit, len(got), n)
		}
		check(t, got, 0)
		if want := (n + limit - 1) / limit; pages+1 != want {
			t.Errorf("limit %d: %d pages, want %d", limit, pages+1, want)
		}
	}
	// The default page is 100.
	var def struct {
		Events []apiEvent `json:"events"`
		Next   string     `json:"next"`
	}
	e.get(t, "/api/v1/alerts/"+id+"/events").decode(t, &def)
	if len(def.Events) != 100 || def.Next == "" {
		t.Errorf("default page: %d events, next %q", len(def.Events), def.Next)
	}
	// An alert of one event.
	var one struct {
		Events []apiEvent `json:"events"`
		Next   *string    `json:"next"`
	}
	e.get(t, "/api/v1/alerts/"+e.ids["probe"]+"/events").decode(t, &one)
	if len(one.Events) != 1 || one.Events[0].Time != nil || one.Next == nil || *one.Next != "" {
		t.Errorf("events of probe: %+v", one)
	}

	// Bad requests.
	var other struct{ Next string }
	e.get(t, "/api/v1/alerts/"+e.ids["root"]+"/events?limit=1").decode(t, &other)
	var alertsCursor list
	e.get(t, "/api/v1/alerts?limit=1").decode(t, &alertsCursor)
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "limit=-5", "cursor=junk",
		"cursor=" + other.Next, "cursor=" + alertsCursor.Next} {
		r := e.get(t, "/api/v1/alerts/"+id+"/events?"+q)
		if r.code != http.StatusBadRequest {
			t.Errorf("GET events?%s: %s, want 400", q, r)
		} else if msg := r.errorMessage(t); !strings.Contains(msg, strings.Split(q, "=")[0]) {
			t.Errorf("GET events?%s: error %q", q, msg)
		}
	}
}

// patch changes the status of an alert.
func (e *env) patch(t *testing.T, token, id, body string, header ...string) response {
	t.Helper()
	if len(header) == 0 {
		header = []string{"Content-Type", "application/json"}
	}
	return e.do(t, "PATCH", "/api/v1/alerts/"+id, token, body, header...)
}

// stored returns an alert as the store has it.
func (e *env) stored(t *testing.T, id string) *store.Alert {
	t.Helper()
	a, err := e.db.Alert(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPatch(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	id := e.ids["root"]

	// An analyst acknowledges, with a comment.
	before := e.stored(t, id)
	r := e.patch(t, "ann", id, `{"status": "acknowledged", "comment": "looking into it <now>"}`)
	if r.code != http.StatusOK {
		t.Fatalf("PATCH: %s", r)
	}
	var a store.Alert
	r.decode(t, &a)
	if a.ID != id || a.Status != store.Acknowledged || len(a.Notes) != 1 || !a.UpdatedAt.After(before.UpdatedAt) ||
		!a.CreatedAt.Equal(before.CreatedAt) || a.Count != before.Count {
		t.Fatalf("PATCH: %s", r)
	}
	if n := a.Notes[0]; n.Actor != "api:ann" || n.Status != store.Acknowledged || n.Comment != "looking into it <now>" ||
		n.At.Before(before.UpdatedAt) || n.At.After(time.Now()) {
		t.Errorf("note %+v, want by api:ann with the comment", n)
	}
	// An admin resolves, without a comment.
	r = e.patch(t, "ada", id, `{"status":"resolved"}`, "Content-Type", "application/json; charset=utf-8")
	if r.code != http.StatusOK {
		t.Fatalf("PATCH as admin: %s", r)
	}
	if strings.Contains(string(r.body), `"comment":""`) {
		t.Errorf("an empty comment is shown: %s", r.body)
	}
	got := e.stored(t, id)
	if got.Status != store.Resolved || len(got.Notes) != 2 || got.Notes[1].Actor != "api:ada" || got.Notes[1].Comment != "" ||
		got.Notes[0].Comment != "looking into it <now>" {
		t.Errorf("stored after two changes: status %s, notes %+v", got.Status, got.Notes)
	}
	// GET shows the notes, oldest first.
	var one oneAlert
	e.get(t, "/api/v1/alerts/"+id).decode(t, &one)
	if one.Status != store.Resolved || len(one.Notes) != 2 || one.Notes[0].Actor != "api:ann" || one.Notes[1].Actor != "api:ada" {
		t.Errorf("GET after PATCH: status %s, notes %+v", one.Status, one.Notes)
	}
	// And the status filters see it.
	if keys := e.listKeys(t, url.Values{"status": {"resolved"}}); !slices.Equal(slices.Sorted(slices.Values(keys)), []string{"key-carol", "root"}) {
		t.Errorf("resolved alerts after PATCH: %v", keys)
	}
	// Media types are case-insensitive.
	if r := e.patch(t, "ann", id, `{"status":"resolved","comment":"again"}`, "Content-Type", "Application/JSON"); r.code != http.StatusOK {
		t.Errorf("PATCH with Content-Type Application/JSON: %s", r)
	}
	// A comment up to the limit.
	if r := e.patch(t, "ann", id, `{"status":"resolved","comment":"`+strings.Repeat("x", 60<<10)+`"}`); r.code != http.StatusOK {
		t.Errorf("PATCH with a 60 KiB comment: %s", r)
	}
}

func TestPatchRejected(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	id := e.ids["login"]
	for _, tc := range []struct {
		name   string
		token  string
		id     string
		body   string
		header []string
		code   int
		says   string
	}{
		{"invalid status", "ann", id, `{"status":"closed"}`, nil, 400, `status "closed"`},
		{"status in upper case", "ann", id, `{"status":"OPEN"}`, nil, 400, "status"},
		{"no status", "ann", id, `{"comment":"x"}`, nil, 400, "status"},
		{"unknown field", "ann", id, `{"status":"resolved","owner":"ann"}`, nil, 400, `unknown field "owner"`},
		{"status not a string", "ann", id, `{"status":1}`, nil, 400, "body"},
		{"not JSON", "ann", id, `status=resolved`, nil, 400, "body"},
		{"empty body", "ann", id, ``, nil, 400, "body"},
		{"null", "ann", id, `null`, nil, 400, "status"},
		{"array", "ann", id, `[{"status":"resolved"}]`, nil, 400, "body"},
		{"two objects", "ann", id, `{"status":"resolved"}{"status":"open"}`, nil, 400, "body"},
		{"data after the object", "ann", id, `{"status":"resolved"} x`, nil, 400, "body"},
		{"truncated", "ann", id, `{"status":"resolved"`, nil, 400, "body"},
		{"text/plain", "ann", id, `{"status":"resolved"}`, []string{"Content-Type", "text/plain"}, 415, "Content-Type"},
		{"no Content-Type", "ann", id, `{"status":"resolved"}`, []string{"X-None", "x"}, 415, "Content-Type"},
		{"form", "ann", id, `{"status":"resolved"}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type"},
		{"application/jsonp", "ann", id, `{"status":"resolved"}`, []string{"Content-Type", "application/jsonp"}, 415, "Content-Type"},
		{"application/json-patch+json", "ann", id, `{"status":"resolved"}`, []string{"Content-Type", "application/json-patch+json"}, 415, "Content-Type"},
		{"oversized", "ann", id, `{"status":"resolved","comment":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "bytes"},
		{"oversized after the object", "ann", id, `{"status":"resolved"}` + strings.Repeat(" ", 70<<10) + "x", nil, 413, "bytes"},
		{"unknown alert", "ann", "01" + strings.Repeat("Z", 24), `{"status":"resolved"}`, nil, 404, "no such alert"},
		{"malformed id", "ann", "login", `{"status":"resolved"}`, nil, 404, "no such alert"},
		{"auditor", "aud", id, `{"status":"resolved"}`, nil, 403, "auditor"},
		{"ingest", "ing", id, `{"status":"resolved"}`, nil, 403, "ingest"},
		{"no token", "", id, `{"status":"resolved"}`, nil, 401, "bearer"},
		{"revoked", "rev", id, `{"status":"resolved"}`, nil, 401, "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.patch(t, tc.token, tc.id, tc.body, tc.header...)
			if r.code != tc.code {
				t.Fatalf("PATCH: %s, want %d", r, tc.code)
			}
			if msg := r.errorMessage(t); !strings.Contains(msg, tc.says) {
				t.Errorf("error %q does not say %q", msg, tc.says)
			}
			if a := e.stored(t, id); a.Status != store.Open || len(a.Notes) != 0 {
				t.Errorf("the alert changed: status %s, notes %+v", a.Status, a.Notes)
			}
		})
	}
}

func TestPatchReopenConflict(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	closed := e.ids["key-carol"] // resolved
	// A new event of the same rule and dedup values opens a new alert.
	open := e.record(t, seed{"key-carol-again", "r-key", rule.High, "carol", store.Open, []int{50}, "AKIACAROL"})
	if open == closed {
		t.Fatal("the event joined the resolved alert")
	}
	for _, s := range []string{"open", "acknowledged"} {
		r := e.patch(t, "ann", closed, `{"status":"`+s+`","comment":"reopen"}`)
		if r.code != http.StatusConflict {
			t.Fatalf("reopening as %s: %s, want 409", s, r)
		}
		if msg := r.errorMessage(t); !strings.Contains(msg, open) || !strings.HasPrefix(msg, "cannot change the status: ") {
			t.Errorf("reopening as %s: error %q does not name alert %s", s, msg, open)
		}
	}
	if a := e.stored(t, closed); a.Status != store.Resolved || len(a.Notes) != 1 {
		t.Errorf("the closed alert changed: %s, %+v", a.Status, a.Notes)
	}
	// Closed to closed is no conflict.
	if r := e.patch(t, "ann", closed, `{"status":"false_positive"}`); r.code != http.StatusOK {
		t.Errorf("resolved to false_positive: %s", r)
	}
	// Once the other is closed, the first reopens.
	if r := e.patch(t, "ann", open, `{"status":"resolved"}`); r.code != http.StatusOK {
		t.Fatalf("closing the new alert: %s", r)
	}
	if r := e.patch(t, "ann", closed, `{"status":"open"}`); r.code != http.StatusOK {
		t.Errorf("reopening once the other is closed: %s", r)
	}
	// The other alert of the rule, with other dedup values, is no
	// conflict either.
	if r := e.patch(t, "ann", e.ids["key-bob"], `{"status":"open"}`); r.code != http.StatusOK {
		t.Errorf("reopening key-bob: %s", r)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	id := e.ids["root"]
	targets := []string{
		"/api/v1/alerts",
		"/api/v1/alerts?format=ocsf&limit=1&cursor=junk",
		"/api/v1/alerts/" + id,
		"/api/v1/alerts/" + id + "?format=ocsf",
		"/api/v1/alerts/" + id + "/events",
		"/api/v1/alerts/nope",
	}
	t.Run("tokens", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			header string // Authorization; "token:NAME" for the token named
			code   int
		}{
			{"analyst", "token:ann", 200},
			{"admin", "token:ada", 200},
			{"auditor", "token:aud", 200},
			{"ingest", "token:ing", 403},
			{"revoked", "token:rev", 401},
			{"none", "", 401},
			{"unknown", "Bearer vgl_AAAAAAAAAAAAAAAA_" + strings.Repeat("a", 43), 401},
			{"garbage", "Bearer x", 401},
			{"basic", "Basic YW5uOnNlY3JldA==", 401},
			{"no scheme", "token-only", 401},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				header := tc.header
				if name, ok := strings.CutPrefix(header, "token:"); ok {
					header = "Bearer " + e.tokens[name]
				}
				for _, target := range targets {
					r := e.do(t, "GET", target, "", "", "Authorization", header)
					want := tc.code
					if want == 200 && strings.Contains(target, "junk") {
						want = 400
					} else if want == 200 && strings.HasSuffix(target, "nope") {
						want = 404
					}
					if r.code != want {
						t.Errorf("GET %s: %s, want %d", target, r, want)
						continue
					}
					if www := r.header.Get("WWW-Authenticate"); (want == 401) != (www != "") || want == 401 && www != `Bearer realm="vigil"` {
						t.Errorf("GET %s: %d with WWW-Authenticate %q", target, r.code, www)
					}
					if want >= 400 {
						r.errorMessage(t)
					}
				}
			})
		}
	})
	// Other methods are not routes.
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		if r, _ := http.NewRequest(m, e.srv.URL+"/api/v1/alerts/"+id, nil); r != nil {
			r.Header.Set("Authorization", "Bearer "+e.tokens["ada"])
			resp, err := e.srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s: %d, want 405", m, resp.StatusCode)
			}
		}
	}
	if a := e.stored(t, id); a.Status != store.Open {
		t.Errorf("status %s after the requests", a.Status)
	}

	// The request log names requests, never the tokens.
	logs := e.logs.String()
	if !strings.Contains(logs, `"path":"/api/v1/alerts"`) || !strings.Contains(logs, `"status":401`) {
		t.Errorf("the log does not show the requests: %.500s", logs)
	}
	for name, token := range e.tokens {
		if strings.Contains(logs, token) || strings.Contains(logs, token[len(token)-43:]) {
			t.Errorf("the log holds the token of %s", name)
		}
	}
	if strings.Contains(logs, "junk") || strings.Contains(logs, "format=") {
		t.Errorf("the log holds query strings")
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// Three requests, then one every 1000 s.
	e := newEnv(t, 0, 0.001, 3)
	for i := range 3 {
		if r := e.get(t, "/api/v1/alerts"); r.code != http.StatusOK {
			t.Fatalf("request %d: %s", i, r)
		}
	}
	for _, req := range []func() response{
		func() response { return e.get(t, "/api/v1/alerts") },
		func() response { return e.get(t, "/api/v1/alerts/"+e.ids["root"]) },
		func() response { return e.patch(t, "ann", e.ids["root"], `{"status":"resolved"}`) },
	} {
		r := req()
		if r.code != http.StatusTooManyRequests {
			t.Fatalf("over the limit: %s, want 429", r)
		}
		if ra := r.header.Get("Retry-After"); ra != "1000" {
			t.Errorf("Retry-After %q, want 1000", ra)
		}
		if msg := r.errorMessage(t); !strings.Contains(msg, "too many requests") {
			t.Errorf("error %q", msg)
		}
	}
	if a := e.stored(t, e.ids["root"]); a.Status != store.Open {
		t.Errorf("a refused PATCH changed the alert: %s", a.Status)
	}
	// Each token has its own bucket; requests without a valid token
	// take nothing from any.
	if r := e.do(t, "GET", "/api/v1/alerts", "aud", ""); r.code != http.StatusOK {
		t.Errorf("another token: %s", r)
	}
	if r := e.do(t, "GET", "/api/v1/alerts", "", ""); r.code != http.StatusUnauthorized {
		t.Errorf("no token: %s", r)
	}
	if r := e.do(t, "GET", "/api/v1/alerts", "aud", ""); r.code != http.StatusOK {
		t.Errorf("another token, again: %s", r)
	}
}

func TestStoreDown(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, 0)
	e.db.Close()
	r := e.get(t, "/api/v1/alerts")
	if r.code != http.StatusServiceUnavailable {
		t.Fatalf("GET with the store closed: %s, want 503", r)
	}
	if msg := r.errorMessage(t); strings.Contains(msg, "closed") || strings.Contains(msg, "sql") {
		t.Errorf("error %q tells the store's internals", msg)
	}
	if www := r.header.Get("WWW-Authenticate"); www != "" {
		t.Errorf("WWW-Authenticate %q: the token may be good", www)
	}
	if logs := e.logs.String(); !strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, "closed") {
		t.Errorf("the failure is not logged: %s", logs)
	}
}
