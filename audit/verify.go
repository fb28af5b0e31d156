package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
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
	// of the trail short of its head, of a seal or of an anchor); or
	// seals were (a gap in their numbers, an anchor's seal gone).
	Missing Kind = "missing"
	// Reordered: an entry is linked to another entry than the one
	// before it.
	Reordered Kind = "reordered"
	// Rewritten: the chain is whole but no longer the one a seal
	// signed: entries were changed and every hash after them recomputed.
	Rewritten Kind = "rewritten"
	// BadSeal: a seal's signature does not verify, or is made with a
	// key that is not trusted; or a seal does not follow the one before
	// it.
	BadSeal Kind = "bad seal"
	// Unsealed: more entries follow the last seal than sealing leaves
	// (twice SealEvery), as when the seals after it were deleted.
	Unsealed Kind = "unsealed"
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
	// From is the entry verification started from: 0 when it verified
	// the whole trail; else that of an earlier seal found good, which it
	// checked is still there as it was, with its seal. The entries before
	// it were verified when that seal was.
	From int64
	// Anchors is how many seals or entries kept outside the database the
	// trail was checked against.
	Anchors int
	// Findings are what an auditor should look at though they prove no
	// change: entries that waited long for a seal (vigil stopped without
	// sealing, or its seals failed or were refused).
	Findings []string
	Problem  *Problem // the first thing broken; nil when the trail is intact

	last     store.AuditSeal // the last good seal; the zero seal when none
	end      []byte          // the hash of the last entry verified
	headSeq  int64           // the head of the trail, as read
	headHash []byte
}

// OK reports whether the trail is intact.
func (r *Report) OK() bool { return r.Problem == nil }

// String summarizes the report in one line.
func (r *Report) String() string {
	var b strings.Builder
	if r.Problem != nil {
		b.WriteString("audit trail broken: " + r.Problem.String())
	} else {
		b.WriteString("audit trail intact: " + count(r.Entries, "entry", "entries"))
		if r.Sealed > 0 {
			fmt.Fprintf(&b, ", sealed up to entry %d at %s", r.Sealed, r.SealedAt.Format(time.RFC3339))
		}
		if r.Unsealed > 0 {
			fmt.Fprintf(&b, ", %d not yet sealed", r.Unsealed)
		}
		if r.From > 0 {
			fmt.Fprintf(&b, ", verified from entry %d on", r.From)
		}
		if r.Anchors > 0 {
			fmt.Fprintf(&b, ", matching %s", count(int64(r.Anchors), "anchor", "anchors"))
		}
	}
	for _, f := range r.Findings {
		b.WriteString("; note: " + f)
	}
	return b.String()
}

// Options are what Verify checks a trail against besides itself.
type Options struct {
	// Keys verify seals: a seal made with another key is a bad seal.
	Keys []ed25519.PublicKey
	// SealEvery and SealInterval are how often the trail is sealed, as
	// Config says; 0 means their defaults. More than twice SealEvery
	// entries after the last seal break the trail (Unsealed); entries
	// that waited more than twice SealEvery entries or twice
	// SealInterval for a seal are findings.
	SealEvery    int
	SealInterval time.Duration
	// Anchors are seals kept outside the database (the anchor file, the
	// log: ReadAnchor, ReadSealLog), or entries known otherwise: a seal
	// with only Seq and Hash (ParseAnchor). The trail must hold each:
	// the entry with its hash, and a seal as it is.
	Anchors []store.AuditSeal
	// Now tells the time, for the findings; nil means time.Now.
	Now func() time.Time
}

// maxFindings bounds Report.Findings.
const maxFindings = 10

// Verify checks the whole trail in st: that every entry matches its
// hash and is linked to the one before, that none is missing up to the
// trail's head; that each seal verifies with one of o.Keys, matches the
// chain and follows the seal before it, so that the seals are one series
// from the first; that at most twice o.SealEvery entries follow the last
// seal; and that the trail holds o.Anchors. It reports the first broken
// thing and how it is broken, and findings. An error means the trail
// could not be read.
func Verify(ctx context.Context, st Store, o Options) (*Report, error) {
	return verifyFrom(ctx, st, o, store.AuditSeal{})
}

// verifyFrom verifies the trail from seal from on, or the whole trail
// when from is the zero seal: it checks that the trail still holds from,
// its entry and its hash, then the rest as Verify does.
func verifyFrom(ctx context.Context, st Store, o Options, from store.AuditSeal) (*Report, error) {
	v := newVerifier(st, o)
	if err := v.run(ctx, from); err != nil {
		return nil, fmt.Errorf("audit: verify: %w", err)
	}
	return v.r, nil
}

// verifier walks a trail.
type verifier struct {
	st       Store
	keys     map[string]ed25519.PublicKey
	o        Options
	anchors  map[int64][]store.AuditSeal // by entry
	every    int64
	interval time.Duration
	now      func() time.Time
	seals    map[int64]store.AuditSeal // by entry
	r        *Report

	prevSeq  int64
	prevHash []byte
	since    time.Time // the time of the first entry after the last good seal; zero when none
	more     int       // findings beyond maxFindings
}

func newVerifier(st Store, o Options) *verifier {
	v := &verifier{st: st, keys: map[string]ed25519.PublicKey{}, o: o, anchors: map[int64][]store.AuditSeal{},
		every: int64(o.SealEvery), interval: o.SealInterval, now: o.Now, r: &Report{Anchors: len(o.Anchors)}}
	for _, k := range o.Keys {
		v.keys[KeyID(k)] = k
	}
	for _, a := range o.Anchors {
		v.anchors[a.Seq] = append(v.anchors[a.Seq], a)
	}
	if v.every <= 0 {
		v.every = DefaultSealEvery
	}
	if v.interval <= 0 {
		v.interval = DefaultSealInterval
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

func (v *verifier) run(ctx context.Context, from store.AuditSeal) error {
	// The seals first, then the head: every seal read then covers an
	// entry at or before the head, even while others append.
	seals, err := v.st.AuditSeals(ctx, from.Seq)
	if err != nil {
		return err
	}
	head, headHash, err := v.st.AuditHead(ctx)
	if errors.Is(err, store.ErrNotFound) {
		v.fail(0, Missing, "the head of the trail, which records its last entry, was deleted")
		return nil
	}
	if err != nil {
		return err
	}
	v.r.Entries, v.r.headSeq, v.r.headHash = head, head, headHash
	v.prevHash = make([]byte, sha256.Size)
	v.checkAnchors()
	if from.Seq > 0 && v.r.Problem == nil {
		if err := v.start(ctx, from, seals, head); err != nil {
			return err
		}
		seals = seals[min(1, len(seals)):]
	}
	v.seals = map[int64]store.AuditSeal{}
	for _, s := range seals {
		v.seals[s.Seq] = s
	}
	if err := v.walk(ctx, head); err != nil {
		return err
	}
	if v.r.Problem == nil {
		v.end(head, headHash, seals)
	}
	if v.more > 0 {
		v.r.Findings = append(v.r.Findings, fmt.Sprintf("and %s", count(int64(v.more), "more finding", "more findings")))
	}
	v.r.Unsealed = head - v.r.Sealed
	v.r.end = v.prevHash
	return nil
}

// checkAnchors checks the signatures of the seals kept outside the
// database.
func (v *verifier) checkAnchors() {
	for _, a := range v.o.Anchors {
		if a.N > 0 && !verifySeal(a, v.o.Keys) {
			v.fail(a.Seq, BadSeal, "%s, kept outside the database, does not verify with the keys trusted", anchorName(a))
		}
	}
}

// start checks that the trail still holds from, the seal verification
// starts from, and the entry it seals, and takes them as verified.
func (v *verifier) start(ctx context.Context, from store.AuditSeal, seals []store.AuditSeal, head int64) error {
	v.r.From = from.Seq
	switch {
	case head < from.Seq:
		v.fail(head+1, Missing, "%s deleted: entry %d was sealed (seal %d), the trail ends at entry %d",
			entries(head+1, from.Seq), from.Seq, from.N, head)
		return nil
	case len(seals) == 0 || !sameSeal(seals[0], from):
		v.fail(from.Seq, Missing, "its seal %d, made %s and found good, was deleted or replaced", from.N, from.Time.Format(time.RFC3339))
		return nil
	}
	es, err := v.st.AuditEntries(ctx, store.AuditQuery{After: from.Seq - 1, Before: from.Seq + 1, Limit: 1})
	if err != nil {
		return err
	}
	switch {
	case len(es) == 0:
		v.fail(from.Seq, Missing, "entry %d, sealed, was deleted", from.Seq)
	case !bytes.Equal(es[0].Hash, from.Hash):
		v.fail(from.Seq, Rewritten, "it no longer has the hash its seal %d of %s signed: it or an entry before it was changed and the hashes recomputed",
			from.N, from.Time.Format(time.RFC3339))
	case !bytes.Equal(Hash(es[0]), es[0].Hash):
		v.fail(from.Seq, Changed, "its content does not match its hash")
	default:
		v.prevSeq, v.prevHash = from.Seq, from.Hash
		v.r.Sealed, v.r.SealedAt, v.r.last = from.Seq, from.Time, from
	}
	return nil
}

// sameSeal reports whether a and b are the same seal.
func sameSeal(a, b store.AuditSeal) bool {
	return a.N == b.N && a.Seq == b.Seq && a.Time.Equal(b.Time) && bytes.Equal(a.Hash, b.Hash) && bytes.Equal(a.Sig, b.Sig)
}

// walk checks the entries after the last one checked, up to head.
func (v *verifier) walk(ctx context.Context, head int64) error {
	for v.prevSeq < head && v.r.Problem == nil {
		page, err := v.st.AuditEntries(ctx, store.AuditQuery{After: v.prevSeq, Before: head + 1, Limit: verifyPage})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, e := range page {
			if err := v.entry(ctx, e); err != nil || v.r.Problem != nil {
				return err
			}
		}
	}
	return nil
}

// fail records the first problem.
func (v *verifier) fail(seq int64, kind Kind, format string, args ...any) {
	if v.r.Problem == nil {
		v.r.Problem = &Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)}
	}
}

// find records a finding.
func (v *verifier) find(format string, args ...any) {
	if len(v.r.Findings) == maxFindings {
		v.more++
		return
	}
	v.r.Findings = append(v.r.Findings, fmt.Sprintf(format, args...))
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
	v.anchor(e)
	v.seal(e)
	if v.r.Sealed != e.Seq && v.since.IsZero() {
		v.since = e.Time
	}
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

// anchor checks entry e against the anchors kept for it outside the
// database.
func (v *verifier) anchor(e store.AuditEntry) {
	for _, a := range v.anchors[e.Seq] {
		switch {
		case !bytes.Equal(a.Hash, e.Hash):
			v.fail(v.r.Sealed+1, Rewritten, "the chain no longer matches %s, kept outside the database: %s was changed and the hashes after it recomputed",
				anchorName(a), oneOf(v.r.Sealed+1, e.Seq))
		case a.N > 0 && !sameSeal(v.seals[e.Seq], a):
			v.fail(e.Seq, Missing, "%s, kept outside the database, was deleted from it or replaced", anchorName(a))
		}
	}
}

// anchorName names an anchor.
func anchorName(a store.AuditSeal) string {
	if a.N == 0 {
		return fmt.Sprintf("the hash of entry %d", a.Seq)
	}
	return fmt.Sprintf("seal %d of entry %d (made %s)", a.N, a.Seq, a.Time.Format(time.RFC3339))
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
	case !ed25519.Verify(key, sealMessage(s), s.Sig):
		v.fail(e.Seq, BadSeal, "the signature of its seal of %s does not verify", s.Time.Format(time.RFC3339))
	case !bytes.Equal(s.Hash, e.Hash):
		v.fail(v.r.Sealed+1, Rewritten, "the chain no longer matches the seal of entry %d made %s: %s was changed and the hashes after it recomputed",
			e.Seq, s.Time.Format(time.RFC3339), oneOf(v.r.Sealed+1, e.Seq))
	case v.follows(s):
		v.gap(s)
		v.r.Sealed, v.r.SealedAt, v.r.last = e.Seq, s.Time, s
		v.since = time.Time{}
	}
}

// follows checks that seal s follows the last good seal.
func (v *verifier) follows(s store.AuditSeal) bool {
	last := v.r.last
	switch {
	case s.N == 0 && last.N > 0:
		v.fail(s.Seq, BadSeal, "its seal is of the first format, not chained, yet follows seal %d of entry %d", last.N, last.Seq)
	case s.N == 0:
		return true
	case s.PrevSeq > last.Seq || s.N > last.N+1:
		seq := s.PrevSeq
		if seq <= last.Seq {
			seq = s.Seq
		}
		v.fail(seq, Missing, "a seal was deleted: seal %d of entry %d follows seal %d of entry %d, but the seal before it is %s",
			s.N, s.Seq, s.N-1, s.PrevSeq, sealName(last))
	case s.N != last.N+1 || s.PrevSeq != last.Seq || !bytes.Equal(s.PrevHash, last.Hash) || !bytes.Equal(s.PrevSig, last.Sig):
		v.fail(s.Seq, BadSeal, "its seal %d does not follow %s, the seal before it: seals were replaced or reordered", s.N, sealName(last))
	default:
		return true
	}
	return false
}

// sealName names a seal.
func sealName(s store.AuditSeal) string {
	if s.Seq == 0 {
		return "none"
	}
	return fmt.Sprintf("seal %d of entry %d", s.N, s.Seq)
}

// gap notes the entries since the last good seal that waited long for
// seal s.
func (v *verifier) gap(s store.AuditSeal) {
	first := v.r.Sealed + 1
	if n := s.Seq - v.r.Sealed; n > 2*v.every {
		v.find("%s: waited for a seal: %d entries, more than twice seal_every (%d)", entries(first, s.Seq), n, v.every)
	}
	if d := s.Time.Sub(v.since); !v.since.IsZero() && d > 2*v.interval {
		v.find("%s: waited %s for a seal, from %s to %s", entries(first, s.Seq), d.Round(time.Second),
			v.since.Format(time.RFC3339), s.Time.Format(time.RFC3339))
	}
}

// end checks the end of the trail against its head, its seals and the
// anchors.
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
	if a, ok := v.lastAnchor(); ok && a.Seq > head {
		v.fail(head+1, Missing, "%s deleted: the trail ends at entry %d, but %s is kept outside the database",
			entries(head+1, a.Seq), head, anchorName(a))
	}
	v.tail(head)
}

// lastAnchor returns the anchor of the last entry.
func (v *verifier) lastAnchor() (store.AuditSeal, bool) {
	var last store.AuditSeal
	for _, a := range v.o.Anchors {
		if a.Seq > last.Seq {
			last = a
		}
	}
	return last, last.Seq > 0
}

// tail checks the entries after the last good seal.
func (v *verifier) tail(head int64) {
	first := v.r.Sealed + 1
	if n := head - v.r.Sealed; n > 2*v.every {
		v.fail(first, Unsealed, "%s are not sealed: %d entries, more than twice seal_every (%d): the seals after entry %d may have been deleted",
			entries(first, head), n, v.every, v.r.Sealed)
	}
	if d := v.now().Sub(v.since); !v.since.IsZero() && d > 2*v.interval {
		v.find("%s: no seal for %s, since %s: vigil stopped without sealing, or its seals fail or are refused",
			entries(first, head), d.Round(time.Second), v.since.Format(time.RFC3339))
	}
}

// count writes n and the noun, singular or plural.
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// oneOf names an entry of a range: "entry 5", "one of entries 5 to 8".
func oneOf(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d", from)
	}
	return "one of " + entries(from, to)
}

// entries names a range of entries.
func entries(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d", from)
	}
	return fmt.Sprintf("entries %d to %d", from, to)
}

// verifyPage is how many entries Verify reads at a time.
const verifyPage = store.MaxAuditPage
