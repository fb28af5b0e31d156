package audittest_test

import (
	"errors"
	"testing"

	"vigil/audit"
	"vigil/audit/audittest"
)

var _ audit.Recorder = (*audittest.Recorder)(nil)

func TestRecorder(t *testing.T) {
	var r audittest.Recorder
	if got := r.Last(); got != (audit.Entry{}) || len(r.Entries()) != 0 {
		t.Errorf("a new recorder has %+v, %d entries", got, len(r.Entries()))
	}
	for _, a := range []string{"a", "b"} {
		if err := r.Record(t.Context(), audit.Entry{Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	full := errors.New("disk full")
	r.Fail(full)
	if err := r.Record(t.Context(), audit.Entry{Action: "c"}); err != full {
		t.Errorf("Record after Fail = %v, want %v", err, full)
	}
	if es := r.Entries(); len(es) != 2 || es[0].Action != "a" || r.Last().Action != "b" {
		t.Errorf("entries %+v, last %+v", es, r.Last())
	}
}
