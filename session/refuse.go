package session

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"vigil/audit"
)

// Refusals of requests that come without a live session — an unknown,
// malformed, expired or ended session id; a login refused before its
// credentials are checked — can be made by anyone, as fast as they
// like. So that they cannot flood the audit trail, those of one kind
// from one address (see AddrKey) are folded: the first in a minute is
// recorded, the others are counted and recorded as one entry, with the
// count, when the minute is over (at the next refusal of the kind, or
// at the next Sweep).

// foldWindow is how long refusals of a kind from an address fold into
// one entry.
const foldWindow = time.Minute

// maxFolds bounds the kinds and addresses folded at once; beyond, the
// refusals from new addresses fold together under otherAddresses.
const (
	maxFolds       = 4096
	otherAddresses = "other addresses"
)

// foldKey is what folds refusals together.
type foldKey struct {
	action, kind, addr string
}

// fold is the refusals of a kind from an address since start: the first,
// recorded, and how many more, not yet recorded.
type fold struct {
	start time.Time
	first audit.Entry
	more  int
}

// AddrKey returns what requests from the address ip are counted under,
// for rate limits and folded refusals: an IPv4 address as it is, an
// IPv6 address by its /64, which one client usually holds whole (and
// can pick addresses from at will); ip as it is when it is not an
// address.
func AddrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// Refuse records e, the refusal of a request that came without a live
// session, unless a refusal of the same kind (and action) from the same
// address was recorded less than a minute before: then it counts it, to
// be recorded with the others of the minute as one entry.
func (m *Manager) Refuse(ctx context.Context, e audit.Entry, kind string) error {
	now := m.now()
	k := foldKey{e.Action, kind, AddrKey(e.SourceIP)}
	m.mu.Lock()
	f := m.folds[k]
	if f == nil && len(m.folds) >= maxFolds {
		k.addr = otherAddresses
		f = m.folds[k]
	}
	var done *fold
	if f != nil && now.Sub(f.start) >= foldWindow {
		done, f = f, nil
		delete(m.folds, k)
	}
	if f != nil {
		f.more++
		m.mu.Unlock()
		return nil
	}
	m.folds[k] = &fold{start: now, first: e}
	m.mu.Unlock()
	if err := m.recordFold(ctx, k, done); err != nil {
		return err
	}
	return m.audit.Record(ctx, e)
}

// flushFolds records the counts of the refusals folded for a minute or
// more by now.
func (m *Manager) flushFolds(ctx context.Context, now time.Time) error {
	m.mu.Lock()
	done := map[foldKey]*fold{}
	for k, f := range m.folds {
		if now.Sub(f.start) >= foldWindow {
			done[k] = f
			delete(m.folds, k)
		}
	}
	m.mu.Unlock()
	for k, f := range done {
		if err := m.recordFold(ctx, k, f); err != nil {
			return err
		}
	}
	return nil
}

// recordFold records the refusals folded into f, if there were more than
// the first.
func (m *Manager) recordFold(ctx context.Context, k foldKey, f *fold) error {
	if f == nil || f.more == 0 {
		return nil
	}
	e := f.first
	e.Time = time.Time{}
	e.Actor = "-"
	e.Detail = fmt.Sprintf("%d more like it from %s in the minute from %s: %s", f.more, k.addr,
		f.start.UTC().Format(time.RFC3339), f.first.Detail)
	return m.audit.Record(ctx, e)
}
