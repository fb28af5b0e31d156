package engine

import (
	"testing"

	"vigil/event"
)

// BenchmarkEvalFullPath evaluates records that all pass the prefilter.
func BenchmarkEvalFullPath(b *testing.B) {
	e, err := New(compile(b, patterns, nil))
	if err != nil {
		b.Fatal(err)
	}
	x := e.NewEvaluator()
	evs := make([]event.Event, len(records))
	size := 0
	for i, r := range records {
		evs[i] = event.Event{Raw: []byte(r), Kind: event.CloudTrail}
		size += len(r)
	}
	b.SetBytes(int64(size / len(records)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := x.Eval(&evs[i%len(evs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
