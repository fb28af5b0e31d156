// Package silence mutes the notifications of alerts, as Alertmanager's
// silences do: a silence has label matchers and a time window, and while
// it is active the alerts whose labels it matches are not notified. They
// are still stored and shown.
package silence

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"

	"vigil/config"
	"vigil/store"
)

// State is where a silence is in its window.
type State string

// The states of a silence.
const (
	Pending State = "pending" // starts later
	Active  State = "active"
	Expired State = "expired"
)

// StateAt returns the state of a silence at now.
func StateAt(s *store.Silence, now time.Time) State {
	switch {
	case now.Before(s.StartsAt):
		return Pending
	case now.Before(s.EndsAt):
		return Active
	}
	return Expired
}

// MaxMatchers bounds the matchers of a silence, MaxComment its comment,
// in bytes, and MaxDuration its window: a silence is for planned,
// temporary quiet; what is always expected belongs in an exception of the
// rule, which the audit trail and the rules page show for good.
const (
	MaxMatchers = 32
	MaxComment  = 1024
	MaxDuration = 30 * 24 * time.Hour
)

// Check checks a silence before it is created: its matchers parse, at
// least one of them needs a label to be set (a silence of everything is
// refused, as Alertmanager refuses it), and it ends after it starts and
// after now.
func Check(s *store.Silence, now time.Time) error {
	switch {
	case len(s.Matchers) == 0:
		return errors.New("no matchers: a silence needs at least one")
	case len(s.Matchers) > MaxMatchers:
		return fmt.Errorf("%d matchers: at most %d", len(s.Matchers), MaxMatchers)
	case s.CreatedBy == "":
		return errors.New("no creator")
	case len(s.Comment) > MaxComment:
		return fmt.Errorf("comment of %d bytes: at most %d", len(s.Comment), MaxComment)
	case !s.EndsAt.After(s.StartsAt):
		return fmt.Errorf("ends at %s, not after it starts at %s", s.EndsAt.Format(time.RFC3339), s.StartsAt.Format(time.RFC3339))
	case !s.EndsAt.After(now):
		return fmt.Errorf("ends at %s, in the past", s.EndsAt.Format(time.RFC3339))
	case s.EndsAt.Sub(s.StartsAt) > MaxDuration:
		return fmt.Errorf("lasts %s: at most 30 days; add an exception to the rule for activity that is always expected",
			s.EndsAt.Sub(s.StartsAt).Round(time.Hour))
	}
	ms, err := config.ParseMatchers(s.Matchers)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !m.Matches("") {
			return nil
		}
	}
	return errors.New("every matcher matches alerts without the label: the silence would mute every alert")
}

// Set is the silences that mute alerts at some time.
type Set struct {
	silences []compiled
}

type compiled struct {
	id       string
	matchers labels.Matchers
	starts   time.Time
	ends     time.Time
}

// NewSet compiles silences. A silence whose matchers no longer parse
// (stored by a version that read them differently) is left out, and
// returned in the error, which does not stop the others from working.
func NewSet(ss []store.Silence) (*Set, error) {
	set := &Set{}
	var errs []error
	for _, s := range ss {
		ms, err := config.ParseMatchers(s.Matchers)
		if err != nil {
			errs = append(errs, fmt.Errorf("silence %s: %w", s.ID, err))
			continue
		}
		set.silences = append(set.silences, compiled{s.ID, ms, s.StartsAt, s.EndsAt})
	}
	return set, errors.Join(errs...)
}

// Silencing returns the id of an active silence that mutes an alert with
// the labels at now, or "".
func (s *Set) Silencing(ls model.LabelSet, now time.Time) string {
	for _, c := range s.silences {
		if !now.Before(c.starts) && now.Before(c.ends) && c.matchers.Matches(ls) {
			return c.id
		}
	}
	return ""
}

// Describe says what a silence mutes, until when, and why: for the
// audit trail and logs.
func Describe(s *store.Silence) string {
	return fmt.Sprintf("%s until %s: %s", strings.Join(s.Matchers, " "), s.EndsAt.UTC().Format(time.RFC3339), s.Comment)
}
