package audit

import (
	"bytes"
	"context"
	"sync"

	"vigil/store"
)

// Verify verifies the trail from its anchor, the last seal this process
// made or found good, to its head: the entries before the anchor were
// verified when it was. The first time, when there is no anchor, it
// verifies the whole trail. It records that by verified it, with the
// outcome, and keeps the outcome: until an entry is added or the trail
// sealed, Verify returns it again, reading nothing but the head and
// recording nothing. An error means the trail could not be read, or the
// verification not recorded.
func (t *Trail) Verify(ctx context.Context, by Actor) (*Report, error) {
	if r := t.cache.get(ctx, t.st); r != nil {
		return r, nil
	}
	return t.verify(ctx, by, false)
}

// VerifyAll verifies the whole trail, and that it holds the anchor, and
// records that by verified it, with the outcome.
func (t *Trail) VerifyAll(ctx context.Context, by Actor) (*Report, error) {
	return t.verify(ctx, by, true)
}

// verify verifies the trail, the whole of it or from its anchor on, and
// records and keeps the outcome.
func (t *Trail) verify(ctx context.Context, by Actor, all bool) (*Report, error) {
	gen := t.cache.generation()
	o, from := t.options(), t.anchorNow()
	if all && from.Seq > 0 {
		o.Anchors, from = []store.AuditSeal{from}, store.AuditSeal{}
	}
	r, err := verifyFrom(ctx, t.st, o, from)
	if err != nil {
		return nil, err
	}
	if r.OK() {
		t.mu.Lock()
		t.advance(r.last)
		t.mu.Unlock()
	}
	result := ResultSuccess
	if !r.OK() {
		result = ResultFailure
	}
	stored, err := t.record(ctx, by.Entry(ActionAuditVerify, "audit trail", result, r.String()))
	if err != nil {
		return nil, err
	}
	t.cache.put(r, stored, gen)
	return r, nil
}

// verified keeps the outcome of the last verification, for as long as
// the trail's head is the entry recorded after it, and no seal came.
type verified struct {
	mu     sync.Mutex
	gen    int64 // counts seals
	valid  bool
	seq    int64 // the head the report holds for
	hash   []byte
	report Report
}

// generation returns the count of seals made.
func (c *verified) generation() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// invalidate forgets the outcome: the trail was sealed.
func (c *verified) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.valid = false
}

// put keeps r, the outcome of a verification made at generation gen,
// recorded as entry e. When e directly follows the head r verified, so
// that no other entry came between, r holds for the trail ending at e,
// which this process appended.
func (c *verified) put(r *Report, e *store.AuditEntry, gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid = gen == c.gen && e.Seq == r.headSeq+1 && bytes.Equal(e.Prev, r.headHash)
	if !c.valid {
		return
	}
	c.seq, c.hash, c.report = e.Seq, e.Hash, *r
	c.report.Entries, c.report.Unsealed = e.Seq, r.Unsealed+1
}

// get returns the outcome kept, if it holds for the trail's head: nil
// when it does not, or the head cannot be read.
func (c *verified) get(ctx context.Context, st Store) *Report {
	c.mu.Lock()
	valid, gen := c.valid, c.gen
	c.mu.Unlock()
	if !valid {
		return nil
	}
	seq, hash, err := st.AuditHead(ctx)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.valid || c.gen != gen || seq != c.seq || !bytes.Equal(hash, c.hash) {
		return nil
	}
	r := c.report
	return &r
}
