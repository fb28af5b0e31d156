package engine

import (
	"slices"

	"vigil/event"
	"vigil/field"
)

// view is a set of fields read from events, in the namespace of event
// patterns: the EventBridge envelope. A bare CloudTrail record is read
// below "detail", and the envelope fields the set names are derived from
// it, as EventBridge derives them.
type view struct {
	set    *field.Set
	root   field.Scope
	detail field.Scope
	derive []derived
	// keys are the IDs of event.Keys as read from the root, and from
	// "detail" (where a bare record's top level lands).
	keys [2][]int
}

// derived is an envelope field and the record fields it comes from.
type derived struct {
	path int
	from []int // record fields in order of preference, or none
	make func(dst []byte, from []byte) []byte
}

// newView returns the view of paths and of composite paths, at which an
// object is a value too (see field.NewSetOf).
func newView(paths, composite []string) *view {
	all := slices.Clone(paths)
	for _, k := range event.Keys { // to tell kinds apart, as either kind
		all = append(all, k, "detail."+k)
	}
	for _, d := range event.Derivations {
		if slices.Contains(paths, d.Field) {
			for _, f := range d.From {
				all = append(all, "detail."+f)
			}
		}
	}
	w := &view{set: field.NewSetOf(all, composite)}
	w.root, w.detail = w.set.Scope(""), w.set.Scope("detail")
	for _, k := range event.Keys {
		id, _ := w.set.ID(k)
		w.keys[0] = append(w.keys[0], id)
		id, _ = w.set.ID("detail." + k)
		w.keys[1] = append(w.keys[1], id)
	}
	for _, e := range event.Derivations {
		id, ok := w.set.ID(e.Field)
		if !ok {
			continue
		}
		d := derived{path: id, make: e.Make}
		for _, f := range e.From {
			fid, _ := w.set.ID("detail." + f)
			d.from = append(d.from, fid)
		}
		w.derive = append(w.derive, d)
	}
	return w
}

// load extracts the view's fields of an event into v, and sets the
// event's kind when it is not known. buf holds derived values and must
// stay untouched until v is reset.
//
// An event of unknown kind is extracted in one pass as the kind its first
// key suggests, recording the keys that tell kinds apart; only when they
// say otherwise is it extracted again.
func (w *view) load(v *field.Values, ev *event.Event, buf *[]byte) error {
	if ev.Kind != event.Unknown {
		return w.extract(v, ev.Raw, ev.Kind, buf)
	}
	guess := event.Guess(ev.Raw)
	if guess == event.Unknown {
		guess = event.JSON
	}
	if err := w.extract(v, ev.Raw, guess, buf); err != nil {
		return err
	}
	keys := w.keys[0]
	if guess == event.CloudTrail {
		keys = w.keys[1]
	}
	ev.Kind = event.KindOf(func(k string) bool { return v.Has(keys[slices.Index(event.Keys, k)]) })
	if ev.Kind == guess || ev.Kind != event.CloudTrail && guess != event.CloudTrail {
		return nil // JSON and EventBridge events are read alike
	}
	return w.extract(v, ev.Raw, ev.Kind, buf)
}

func (w *view) extract(v *field.Values, raw []byte, kind event.Kind, buf *[]byte) error {
	v.Reset()
	if kind != event.CloudTrail {
		return v.Extract(raw, w.root)
	}
	if err := v.Extract(raw, w.detail); err != nil {
		return err
	}
	*buf = (*buf)[:0]
	for _, d := range w.derive {
		var from []byte
		found := len(d.from) == 0
		for _, f := range d.from {
			if b, ok := v.String(f); ok {
				from, found = b, true
				break
			}
		}
		if !found {
			continue
		}
		if d.make != nil {
			start := len(*buf)
			*buf = d.make(*buf, from)
			from = (*buf)[start:len(*buf):len(*buf)]
		}
		v.Add(d.path, field.String, from)
	}
	return nil
}
