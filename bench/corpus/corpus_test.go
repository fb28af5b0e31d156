package corpus

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"testing"
	"time"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkRecord fails t unless rec is a CloudTrail record with every field
// CloudTrail always writes.
func checkRecord(t *testing.T, g *Generator, rec []byte) map[string]any {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(rec, &r); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, rec)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\n%s", append(args, rec)...)
	}
	for _, k := range []string{"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "eventID", "eventType", "recipientAccountId", "eventCategory"} {
		if s, _ := r[k].(string); s == "" {
			fail("missing %s", k)
		}
	}
	for _, k := range []string{"requestParameters", "responseElements", "readOnly", "managementEvent"} {
		if _, ok := r[k]; !ok {
			fail("missing %s", k)
		}
	}
	if v := r["eventVersion"]; v != "1.08" && v != "1.09" {
		fail("eventVersion %v", v)
	}
	if id, ok := r["userIdentity"].(map[string]any); !ok || id["type"] == nil && id["invokedBy"] == nil {
		fail("bad userIdentity")
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", r["eventTime"].(string)); err != nil {
		fail("eventTime: %v", err)
	}
	if !uuidPattern.MatchString(r["eventID"].(string)) {
		fail("eventID is not a UUID")
	}
	if !accountPattern.MatchString(r["recipientAccountId"].(string)) {
		fail("bad recipientAccountId")
	}
	if !slices.Contains(g.Regions, r["awsRegion"].(string)) && r["awsRegion"] != "us-east-1" {
		fail("region outside Regions")
	}
	if !slices.Contains([]any{"AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn"}, r["eventType"]) {
		fail("eventType %v", r["eventType"])
	}
	if (r["eventCategory"] == "Data") == r["managementEvent"] {
		fail("eventCategory disagrees with managementEvent")
	}
	return r
}

func TestRecordsAreCloudTrailRecords(t *testing.T) {
	g := New(1)
	var rec []byte
	errors, sources := 0, map[any]bool{}
	types := map[any]int{}
	const n = 10000
	for range n {
		rec = g.Record(rec[:0])
		r := checkRecord(t, g, rec)
		if r["errorCode"] != nil || r["errorMessage"] != nil {
			errors++
		}
		sources[r["eventSource"]] = true
		types[r["userIdentity"].(map[string]any)["type"]]++
	}
	if rate := float64(errors) / n; rate < 0.02 || rate > 0.06 {
		t.Errorf("error rate %.3f, want about 0.04", rate)
	}
	if len(sources) < 25 {
		t.Errorf("%d event sources, want at least 25", len(sources))
	}
	for _, typ := range []string{"AssumedRole", "IAMUser", "AWSService"} {
		if types[typ] < n/20 {
			t.Errorf("%d records of %s identities", types[typ], typ)
		}
	}
}

func TestAverageSize(t *testing.T) {
	g := New(2)
	var rec []byte
	total := 0
	const n = 10000
	for range n {
		rec = g.Record(rec[:0])
		total += len(rec)
	}
	avg := total / n
	t.Logf("average record size %d bytes", avg)
	if avg < 1100 || avg > 1500 {
		t.Errorf("average record size %d bytes, want 1100 to 1500", avg)
	}
}

func TestSameSeedSameRecords(t *testing.T) {
	a, b, c := New(42), New(42), New(43)
	var ra, rb, rc []byte
	differ := false
	for range 2000 {
		ra, rb, rc = a.Record(ra[:0]), b.Record(rb[:0]), c.Record(rc[:0])
		if !bytes.Equal(ra, rb) {
			t.Fatalf("same seed, different records:\n%s\n%s", ra, rb)
		}
		differ = differ || !bytes.Equal(ra, rc)
	}
	if !differ {
		t.Error("seeds 42 and 43 gave the same records")
	}
}

func TestKnobs(t *testing.T) {
	g := New(3)
	start := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	g.Clock, g.Step = start, 10*time.Second
	g.Accounts, g.Regions = []string{"123456789012"}, []string{"eu-west-2"}
	var rec []byte
	last := start
	for range 1000 {
		rec = g.Record(rec[:0])
		r := checkRecord(t, g, rec)
		if r["recipientAccountId"] != "123456789012" {
			t.Fatalf("record for account %v", r["recipientAccountId"])
		}
		at, _ := time.Parse(time.RFC3339, r["eventTime"].(string))
		if at.Before(last) {
			t.Fatalf("eventTime %v went back from %v", at, last)
		}
		last = at
	}
	if d := last.Sub(start); d < 2*time.Hour || d > 4*time.Hour {
		t.Errorf("1000 records 10s apart spanned %v", d)
	}
}

// TestEveryKind renders every kind of record many times.
func TestEveryKind(t *testing.T) {
	g := New(4)
	now := g.Clock
	var rec []byte
	for i := range catalog {
		e := &catalog[i]
		for range 50 {
			g.rec.start(e, now)
			rec = g.rec.appendRecord(rec[:0])
			r := checkRecord(t, g, rec)
			if r["eventName"] != e.name {
				t.Fatalf("eventName %v, want %s", r["eventName"], e.name)
			}
		}
	}
}

func TestEscaping(t *testing.T) {
	for _, s := range []string{"plain", `quote " and \ backslash`, "tab\tnew\nline\x01", "caf\u00e9 \u2603", "bad \xff utf-8"} {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if want := string([]rune(s)); got != want {
			t.Errorf("round trip of %q gave %q", s, got)
		}
	}
}

func BenchmarkRecord(b *testing.B) {
	g := New(1)
	var rec []byte
	size := 0
	for b.Loop() {
		rec = g.Record(rec[:0])
		size += len(rec)
	}
	b.SetBytes(int64(size / b.N))
}
