// Package audittest keeps audit entries in memory, for the tests of
// packages that record them.
package audittest

import (
	"context"
	"slices"
	"sync"

	"vigil/audit"
)

// Recorder is an audit.Recorder that keeps what is recorded, or fails.
// The zero Recorder is ready to use.
type Recorder struct {
	mu      sync.Mutex
	entries []audit.Entry
	err     error
}

// Record keeps e, or returns the error of Fail without keeping it.
func (r *Recorder) Record(_ context.Context, e audit.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.entries = append(r.entries, e)
	return nil
}

// Fail makes Record return err from now on; nil makes it keep entries
// again.
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Entries returns the entries kept, oldest first.
func (r *Recorder) Entries() []audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.entries)
}

// Last returns the last entry kept, or the zero Entry.
func (r *Recorder) Last() audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) == 0 {
		return audit.Entry{}
	}
	return r.entries[len(r.entries)-1]
}
