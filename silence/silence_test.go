package silence

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"vigil/store"
)

var now = time.Date(2026, 12, 5, 22, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	ok := store.Silence{Matchers: []string{`rule="r1"`}, StartsAt: now, EndsAt: now.Add(time.Hour), CreatedBy: "ana"}
	tests := []struct {
		name string
		edit func(*store.Silence)
		err  string
	}{
		{"valid", func(*store.Silence) {}, ""},
		{"several in one string", func(s *store.Silence) { s.Matchers = []string{`{rule="r1", account!="2"}`} }, ""},
		{"no matchers", func(s *store.Silence) { s.Matchers = nil }, "no matchers"},
		{"bad matcher", func(s *store.Silence) { s.Matchers = []string{`rule=~"("`} }, `matcher "rule=~\"(\""`},
		{"matches everything", func(s *store.Silence) { s.Matchers = []string{`rule=~".*"`, `account!="x"`} }, "would mute every alert"},
		{"ends before it starts", func(s *store.Silence) { s.EndsAt = s.StartsAt }, "not after it starts"},
		{"in the past", func(s *store.Silence) { s.StartsAt, s.EndsAt = now.Add(-2*time.Hour), now.Add(-time.Hour) }, "in the past"},
		{"no creator", func(s *store.Silence) { s.CreatedBy = "" }, "no creator"},
		{"long comment", func(s *store.Silence) { s.Comment = strings.Repeat("x", MaxComment+1) }, "comment of 1025 bytes"},
		{"a year", func(s *store.Silence) { s.EndsAt = s.StartsAt.Add(365 * 24 * time.Hour) }, "at most 30 days"},
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		err := Check(&s, now)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
}

func TestSet(t *testing.T) {
	ss := []store.Silence{
		{ID: "s1", Matchers: []string{`rule="r1"`, `account="1"`}, StartsAt: now, EndsAt: now.Add(time.Hour)},
		{ID: "s2", Matchers: []string{`severity=~"low|info"`}, StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)},
		{ID: "bad", Matchers: []string{`rule=~"("`}, StartsAt: now, EndsAt: now.Add(time.Hour)},
	}
	set, err := NewSet(ss)
	if err == nil || !strings.Contains(err.Error(), "silence bad") {
		t.Errorf("a broken silence is not reported: %v", err)
	}
	tests := []struct {
		labels model.LabelSet
		at     time.Time
		want   string
	}{
		{model.LabelSet{"rule": "r1", "account": "1"}, now, "s1"},
		{model.LabelSet{"rule": "r1", "account": "2"}, now, ""},
		{model.LabelSet{"rule": "r1", "account": "1"}, now.Add(time.Hour), ""}, // ended
		{model.LabelSet{"severity": "low"}, now, ""},                           // not started
		{model.LabelSet{"severity": "low"}, now.Add(90 * time.Minute), "s2"},
	}
	for _, tt := range tests {
		if got := set.Silencing(tt.labels, tt.at); got != tt.want {
			t.Errorf("%s at %s: silenced by %q, want %q", tt.labels, tt.at, got, tt.want)
		}
	}
	for at, want := range map[time.Time]State{now.Add(-time.Second): Pending, now: Active, now.Add(time.Hour): Expired} {
		if got := StateAt(&ss[0], at); got != want {
			t.Errorf("state at %s: %s, want %s", at, got, want)
		}
	}
}
