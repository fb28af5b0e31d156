package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"vigil/store"
)

// Kind is how a trail is broken.
type Kind string

// The ways a trail can be broken.
const (
	// Changed: an entry's content no longer matches its hash, or its
	// hash was recomputed so that the next entry's link to it no longer
	// matches.
	Changed Kind = "changed"
	// Missing: entries were deleted (a gap in the sequence, or the end
	// of the trail short of its head or of a seal).
	Missing Kind = "missing"
	// Reordered: an entry is linked to another entry than the one
	// before it.
	Reordered Kind = "reordered"
	// Rewritten: the chain is whole but no longer the one a seal
	// signed: entries were changed and every hash after them recomputed.
	Rewritten Kind = "rewritten"
	// BadSeal: a seal's signature does not verify, or is made with a
	// key that is not trusted.
	BadSeal Kind = "bad seal"
)

// Problem is the first broken entry of a trail, and how it is broken.
type Problem struct {
	Seq    int64 // the entry; 0 for the head of the trail
	Kind   Kind
	Detail string
}

func (p *Problem) String() string {
	if p.Seq == 0 {
		return fmt.Sprintf("head: %s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("entry %d: %s: %s", p.Seq, p.Kind, p.Detail)
}

// Report is what Verify found.
type Report struct {
	Entries  int64     // entries in the trail, as its head says
	Seals    int       // seals checked
	Sealed   int64     // the last entry a good seal covers; 0 when none does
	SealedAt time.Time // when it was sealed
	// Unsealed is how many entries come after the last good seal: the
	// chain vouches for them, but no signature does yet.
	Unsealed int64
	Problem  *Problem // the first thing broken; nil when the trail is intact
}

// OK reports whether the trail is intact.
func (r *Report) OK() bool { return r.Problem == nil }

// String summarizes the report in one line.
func (r *Report) String() string {
	if r.Problem != nil {
		return "audit trail broken: " + r.Problem.String()
	}
	s := "audit trail intact: " + count(r.Entries, "entry", "entries")
	if r.Sealed > 0 {
		s += fmt.Sprintf(", sealed up to entry %d at %s", r.Sealed, r.SealedAt.Format(time.RFC3339))
	}
	if r.Unsealed > 0 {
		s += fmt.Sprintf(", %d not yet sealed", r.Unsealed)
	}
	return s
}

// verifyPage is how many entries Verify reads at a time.
const verifyPage = store.MaxAuditPage

// Verify checks the trail in st: that every entry matches its hash and
// is linked to the one before, that none is missing up to the trail's
// head, and that each seal verifies with one of keys and matches the
// chain. It reports the first broken entry and how it is broken. An
// error means the trail could not be read.
func Verify(ctx context.Context, st Store, keys ...ed25519.PublicKey) (*Report, error) {
	v := verifier{st: st, keys: map[string]ed25519.PublicKey{}, r: &Report{}}
	for _, k := range keys {
		v.keys[KeyID(k)] = k
	}
	if err := v.run(ctx); err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	return v.r, nil
}

// verifier walks a trail.
type verifier struct {
	st    Store
	keys  map[string]ed25519.PublicKey
	seals map[int64]store.AuditSeal
	r     *Report

	prevSeq  int64
	prevHash []byte
}

func (v *verifier) run(ctx context.Context) error {
	// The seals first, then the head: every seal read then covers an
	// entry at or before the head, even while others append.
	seals, err := v.st.AuditSeals(ctx)
	if err != nil {
		return err
	}
	v.seals = map[int64]store.AuditSeal{}
	for _, s := range seals {
		v.seals[s.Seq] = s
	}
	head, headHash, err := v.st.AuditHead(ctx)
	if errors.Is(err, store.ErrNotFound) {
		v.fail(0, Missing, "the head of the trail, which records its last entry, was deleted")
		return nil
	}
	if err != nil {
		return err
	}
	v.r.Entries = head
	v.prevHash = make([]byte, sha256.Size)
	for v.prevSeq < head && v.r.Problem == nil {
		page, err := v.st.AuditEntries(ctx, store.AuditQuery{After: v.prevSeq, Before: head + 1, Limit: verifyPage})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if err := v.entry(ctx, e); err != nil || v.r.Problem != nil {
				return err
			}
		}
	}
	if v.r.Problem == nil {
		v.end(head, headHash, seals)
	}
	v.r.Unsealed = head - v.r.Sealed
	return nil
}

// fail records the first problem.
func (v *verifier) fail(seq int64, kind Kind, format string, args ...any) {
	if v.r.Problem == nil {
		v.r.Problem = &Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)}
	}
}

// entry checks the next entry of the trail.
func (v *verifier) entry(ctx context.Context, e store.AuditEntry) error {
	want := v.prevSeq + 1
	switch {
	case e.Seq > want:
		v.fail(want, Missing, "%s deleted: the next entry is %d", entries(want, e.Seq-1), e.Seq)
		return nil
	case !bytes.Equal(e.Prev, v.prevHash):
		return v.badLink(ctx, e)
	case !bytes.Equal(Hash(e), e.Hash):
		v.fail(e.Seq, Changed, "its content does not match its hash")
		return nil
	}
	v.seal(e)
	v.prevSeq, v.prevHash = e.Seq, e.Hash
	return nil
}

// badLink explains an entry that is not linked to the one before it.
func (v *verifier) badLink(ctx context.Context, e store.AuditEntry) error {
	other, err := v.st.AuditSeqByHash(ctx, e.Prev)
	switch {
	case err == nil:
		v.fail(e.Seq, Reordered, "it was written after entry %d, not after entry %d", other, v.prevSeq)
	case !errors.Is(err, store.ErrNotFound):
		return err
	case v.prevSeq > 0 && bytes.Equal(Hash(e), e.Hash):
		// e is whole; the entry before it is not the one e was chained to.
		v.fail(v.prevSeq, Changed, "it was rewritten with a new hash: entry %d no longer links to it", e.Seq)
	default:
		v.fail(e.Seq, Changed, "neither its content nor its link to entry %d match", v.prevSeq)
	}
	return nil
}

// seal checks the seal of entry e, if it has one.
func (v *verifier) seal(e store.AuditEntry) {
	s, ok := v.seals[e.Seq]
	if !ok {
		return
	}
	v.r.Seals++
	key, trusted := v.keys[s.KeyID]
	switch {
	case !trusted:
		v.fail(e.Seq, BadSeal, "its seal of %s is signed with key %s, which is not trusted", s.Time.Format(time.RFC3339), s.KeyID)
	case !ed25519.Verify(key, sealMessage(s.Seq, s.Hash, s.Time), s.Sig):
		v.fail(e.Seq, BadSeal, "the signature of its seal of %s does not verify", s.Time.Format(time.RFC3339))
	case !bytes.Equal(s.Hash, e.Hash):
		v.fail(v.r.Sealed+1, Rewritten, "the chain no longer matches the seal of entry %d made %s: one of %s was changed and the hashes after it recomputed",
			e.Seq, s.Time.Format(time.RFC3339), entries(v.r.Sealed+1, e.Seq))
	default:
		v.r.Sealed, v.r.SealedAt = e.Seq, s.Time
	}
}

// end checks the end of the trail against its head and its seals.
func (v *verifier) end(head int64, headHash []byte, seals []store.AuditSeal) {
	switch {
	case v.prevSeq < head:
		v.fail(v.prevSeq+1, Missing, "%s deleted: the trail ends at entry %d, its head is entry %d", entries(v.prevSeq+1, head), v.prevSeq, head)
	case head > 0 && !bytes.Equal(v.prevHash, headHash):
		v.fail(head, Changed, "it does not match the head of the trail")
	}
	if n := len(seals); n > 0 && seals[n-1].Seq > head {
		v.fail(head+1, Missing, "%s deleted: entry %d was sealed at %s, the trail ends at entry %d",
			entries(head+1, seals[n-1].Seq), seals[n-1].Seq, seals[n-1].Time.Format(time.RFC3339), head)
	}
}

// count writes n and the noun, singular or plural.
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// entries names a range of entries.
func entries(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d", from)
	}
	return fmt.Sprintf("entries %d to %d", from, to)
}

// Verify verifies the trail with its key and Config.Trusted, and records
// that by verified it, with the outcome.
func (t *Trail) Verify(ctx context.Context, by Actor) (*Report, error) {
	r, err := Verify(ctx, t.st, append([]ed25519.PublicKey{t.PublicKey()}, t.trusted...)...)
	if err != nil {
		return nil, err
	}
	result := ResultSuccess
	if !r.OK() {
		result = ResultFailure
	}
	if err := t.Record(ctx, by.Entry(ActionAuditVerify, "audit trail", result, r.String())); err != nil {
		return nil, err
	}
	return r, nil
}
