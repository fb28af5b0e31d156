package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// AuditEntry is an entry of the audit trail. The store appends entries
// and reads them; it neither changes nor deletes them.
type AuditEntry struct {
	Seq      int64 // 1, 2, 3... in the order they were appended
	Time     time.Time
	Actor    string
	SourceIP string
	Action   string
	Target   string
	Result   string
	Detail   string
	// Prev is the Hash of the entry before; of the first entry, 32 zero
	// bytes.
	Prev []byte
	Hash []byte
}

// AuditSeal is a signature over the trail up to an entry, and over the
// seal before it.
type AuditSeal struct {
	// N numbers the seals: 1, 2, 3... in the order they were made; 0 for
	// seals of the first format, made before seals were chained.
	N     int64
	Seq   int64  // the last entry it covers
	Hash  []byte // that entry's hash
	Time  time.Time
	KeyID string // names the public key that verifies it
	Sig   []byte
	// PrevSeq, PrevHash and PrevSig are the Seq, Hash and Sig of the seal
	// before (seal N-1, or the last seal of the first format): 0 and
	// empty for the first.
	PrevSeq  int64
	PrevHash []byte
	PrevSig  []byte
}

// AuditQuery selects audit entries. Zero fields do not filter.
type AuditQuery struct {
	// From and To bound the entries' times (from inclusive, to
	// exclusive).
	From, To time.Time
	// Actor, Action, Target and Result select entries with these values.
	Actor, Action, Target, Result string
	// After and Before bound the entries' sequence numbers (both
	// exclusive): a page continues from the last entry of the one before.
	After, Before int64
	// Newest lists the newest entries first.
	Newest bool
	// Limit bounds the page: 1 to MaxAuditPage; 0 means DefaultAuditPage.
	Limit int
}

// Page sizes of AuditEntries.
const (
	DefaultAuditPage = 100
	MaxAuditPage     = 1000
)

// AuditStats counts audit entries.
type AuditStats struct {
	Total int64
	// ByAction, ByActor and ByResult count the entries of each value,
	// most first: the first MaxAuditGroups values, the entries of the
	// others summed in OtherActions, OtherActors and OtherResults.
	ByAction, ByActor, ByResult             []AuditCount
	OtherActions, OtherActors, OtherResults int64
	ByDay                                   []AuditCount // oldest first; Key is the date, 2006-01-02
}

// MaxAuditGroups is how many values AuditStats counts apart, per field.
const MaxAuditGroups = 20

// AuditCount is how many entries have a value.
type AuditCount struct {
	Key string
	N   int64
}

const auditColumns = `seq, at, actor, source_ip, action, target, result, detail, prev, hash`

// AppendAudit appends an entry to the trail: it gives e the next
// sequence number and, as Prev, the hash of the last entry, then stores
// it with the Hash that hash returns for it. Appends take turns, in this
// process and across processes sharing a PostgreSQL database, so that
// the entries form one chain. It returns the entry as stored.
//
// The text of e must be valid UTF-8 without NUL: the store does not
// change what was hashed.
func (db *DB) AppendAudit(ctx context.Context, e AuditEntry, hash func(AuditEntry) []byte) (*AuditEntry, error) {
	if err := checkAudit(e); err != nil {
		return nil, fmt.Errorf("store: append audit entry %s: %w", e.Action, err)
	}
	err := db.write(ctx, func(tx runner) error {
		// Locking the head row makes other appenders wait until this one
		// commits; then they read the head it wrote.
		res, err := tx.exec(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return errors.New("the head of the trail is missing")
		}
		var last int64
		if err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&last, &e.Prev); err != nil {
			return err
		}
		e.Seq = last + 1
		if last == 0 {
			e.Prev = make([]byte, sha256.Size)
		}
		e.Hash = hash(e)
		if len(e.Hash) == 0 {
			return invalidf("no hash")
		}
		_, err = tx.exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (`+params(1, 10)+`)`,
			e.Seq, encodeTime(e.Time), e.Actor, e.SourceIP, e.Action, e.Target, e.Result, e.Detail, e.Prev, e.Hash)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, e.Seq, e.Hash)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: append audit entry %s: %w", e.Action, err)
	}
	return &e, nil
}

// checkAudit checks what AppendAudit requires of e.
func checkAudit(e AuditEntry) error {
	if e.Time.IsZero() || e.Action == "" {
		return invalidf("no time or action")
	}
	for _, s := range []string{e.Actor, e.SourceIP, e.Action, e.Target, e.Result, e.Detail} {
		if !isClean(s) {
			return invalidf("text that is not UTF-8, or holds NUL")
		}
	}
	return nil
}

// AuditHead returns the sequence number and hash of the last entry of
// the trail, as the trail's head records them: 0 and no hash when it is
// empty.
func (db *DB) AuditHead(ctx context.Context) (seq int64, hash []byte, err error) {
	err = db.reader().queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store: audit head: %w", err)
	}
	if len(hash) == 0 {
		hash = nil
	}
	return seq, hash, nil
}

// AuditEntries returns a page of the entries that q selects.
func (db *DB) AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	entries, err := db.auditEntries(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: audit entries: %w", err)
	}
	return entries, nil
}

func (db *DB) auditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultAuditPage
	case limit < 0 || limit > MaxAuditPage:
		return nil, invalidf("limit %d: want 1 to %d", q.Limit, MaxAuditPage)
	}
	var w where
	if err := auditWhere(&w, q); err != nil {
		return nil, err
	}
	order := ` ORDER BY seq`
	if q.Newest {
		order = ` ORDER BY seq DESC`
	}
	rows, err := db.reader().query(ctx, `SELECT `+auditColumns+` FROM audit_log`+w.clause()+order+` LIMIT `+w.param(limit), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var entries []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.SourceIP, &e.Action, &e.Target, &e.Result, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.Time = decodeTime(at)
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

// auditWhere adds the conditions of q to w.
func auditWhere(w *where, q AuditQuery) error {
	for _, f := range []struct{ col, value string }{
		{`actor`, q.Actor}, {`action`, q.Action}, {`target`, q.Target}, {`result`, q.Result},
	} {
		if f.value == "" {
			continue
		}
		if !isClean(f.value) {
			return invalidf("%s is not UTF-8 text", f.col)
		}
		w.add(f.col + ` = ` + w.param(f.value))
	}
	if !q.From.IsZero() {
		w.add(`at >= ` + w.param(encodeTime(q.From)))
	}
	if !q.To.IsZero() {
		w.add(`at < ` + w.param(encodeTime(q.To)))
	}
	if q.After > 0 {
		w.add(`seq > ` + w.param(q.After))
	}
	if q.Before > 0 {
		w.add(`seq < ` + w.param(q.Before))
	}
	return nil
}

// AuditSeqByHash returns the sequence number of the entry with the hash,
// or ErrNotFound. It reads the whole trail: it serves to explain a
// broken chain.
func (db *DB) AuditSeqByHash(ctx context.Context, hash []byte) (int64, error) {
	var seq int64
	err := db.reader().queryRow(ctx, `SELECT seq FROM audit_log WHERE hash = $1 ORDER BY seq LIMIT 1`, hash).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: audit entry by hash: %w", err)
	}
	return seq, nil
}

// AddAuditSeal stores a seal that continues the chain of seals: s.N
// is one more than the last seal's N, s.PrevSeq, s.PrevHash and s.PrevSig
// are the last seal's Seq, Hash and Sig (0 and empty when there is no
// seal), and s.Seq comes after the last seal's and is at most the trail's
// head. Sealers take turns, in this process and across processes sharing
// a PostgreSQL database. When another sealed meanwhile, so that s no
// longer continues the chain, it returns ErrConflict.
func (db *DB) AddAuditSeal(ctx context.Context, s AuditSeal) error {
	if err := checkSeal(s); err != nil {
		return fmt.Errorf("store: add audit seal %d of entry %d: %w", s.N, s.Seq, err)
	}
	err := db.write(ctx, func(tx runner) error {
		// Locking the head row, as appending does, makes sealers wait for
		// each other, and for the entry being appended.
		if _, err := tx.exec(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
			return err
		}
		var head int64
		if err := tx.queryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&head); err != nil {
			return fmt.Errorf("the head of the trail: %w", err)
		}
		last, err := lastSeal(ctx, tx)
		if err != nil {
			return err
		}
		if err := continues(s, last, head); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO audit_seals (`+sealColumns+`) VALUES (`+params(1, 9)+`)`,
			s.N, s.Seq, s.Hash, encodeTime(s.Time), s.KeyID, s.Sig, s.PrevSeq, orEmpty(s.PrevHash), orEmpty(s.PrevSig))
		if db.d.isUniqueViolation(err) {
			return conflictf("seal %d or a seal of entry %d exists", s.N, s.Seq)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: add audit seal %d of entry %d: %w", s.N, s.Seq, err)
	}
	return nil
}

// orEmpty returns b, or no bytes rather than nil, which the drivers
// write as NULL.
func orEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// checkSeal checks that s is whole.
func checkSeal(s AuditSeal) error {
	if s.N <= 0 || s.Seq <= 0 || len(s.Hash) == 0 || len(s.Sig) == 0 || s.KeyID == "" || !isClean(s.KeyID) || s.Time.IsZero() {
		return invalidf("incomplete seal")
	}
	if (s.PrevSeq == 0) != (len(s.PrevSig) == 0) || s.PrevSeq < 0 {
		return invalidf("the seal before is half given")
	}
	return nil
}

// continues checks that s follows last, the last seal (nil when none), in
// a trail whose head is entry head.
func continues(s AuditSeal, last *AuditSeal, head int64) error {
	if last == nil {
		last = &AuditSeal{}
	}
	switch {
	case s.N != last.N+1 || s.PrevSeq != last.Seq || !bytes.Equal(s.PrevHash, last.Hash) || !bytes.Equal(s.PrevSig, last.Sig):
		return conflictf("it does not follow the last seal, %d of entry %d", last.N, last.Seq)
	case s.Seq <= last.Seq:
		return conflictf("entry %d is sealed already, by seal %d", last.Seq, last.N)
	case s.Seq > head:
		return conflictf("the trail ends at entry %d", head)
	}
	return nil
}

const sealColumns = `n, seq, hash, at, key_id, sig, prev_seq, prev_hash, prev_sig`

// AuditSeals returns the seals of entries from seq from on, in order of
// the entries they cover.
func (db *DB) AuditSeals(ctx context.Context, from int64) ([]AuditSeal, error) {
	seals, err := auditSeals(ctx, db.reader(), from, ``)
	if err != nil {
		return nil, fmt.Errorf("store: audit seals: %w", err)
	}
	return seals, nil
}

// LastAuditSeal returns the seal that covers the most entries, or nil
// when there is none.
func (db *DB) LastAuditSeal(ctx context.Context) (*AuditSeal, error) {
	s, err := lastSeal(ctx, db.reader())
	if err != nil {
		return nil, fmt.Errorf("store: last audit seal: %w", err)
	}
	return s, nil
}

func lastSeal(ctx context.Context, tx runner) (*AuditSeal, error) {
	seals, err := auditSeals(ctx, tx, 0, ` DESC LIMIT 1`)
	if err != nil || len(seals) == 0 {
		return nil, err
	}
	return &seals[0], nil
}

func auditSeals(ctx context.Context, tx runner, from int64, order string) ([]AuditSeal, error) {
	rows, err := tx.query(ctx, `SELECT `+sealColumns+` FROM audit_seals WHERE seq >= $1 ORDER BY seq`+order, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var seals []AuditSeal
	for rows.Next() {
		var s AuditSeal
		var at int64
		if err := rows.Scan(&s.N, &s.Seq, &s.Hash, &at, &s.KeyID, &s.Sig, &s.PrevSeq, &s.PrevHash, &s.PrevSig); err != nil {
			return nil, err
		}
		s.Time = decodeTime(at)
		for _, b := range []*[]byte{&s.PrevHash, &s.PrevSig} {
			if len(*b) == 0 {
				*b = nil
			}
		}
		seals = append(seals, s)
	}
	return seals, rows.Err()
}

// day is a day in nanoseconds.
const day = int64(24 * time.Hour)

// AuditStats counts the entries that q selects (its paging fields
// aside): in all, by action, actor, result and day. Days start at
// midnight at offset from UTC (8h for China).
func (db *DB) AuditStats(ctx context.Context, q AuditQuery, offset time.Duration) (*AuditStats, error) {
	q.After, q.Before, q.Newest, q.Limit = 0, 0, false, 0
	st, err := db.auditStats(ctx, q, offset)
	if err != nil {
		return nil, fmt.Errorf("store: audit stats: %w", err)
	}
	return st, nil
}

func (db *DB) auditStats(ctx context.Context, q AuditQuery, offset time.Duration) (*AuditStats, error) {
	var st AuditStats
	err := db.read(ctx, func(tx runner) error {
		var w where
		if err := auditWhere(&w, q); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM audit_log`+w.clause(), w.args...).Scan(&st.Total); err != nil {
			return err
		}
		for _, g := range []struct {
			col    string
			counts *[]AuditCount
			others *int64
		}{{`action`, &st.ByAction, &st.OtherActions}, {`actor`, &st.ByActor, &st.OtherActors}, {`result`, &st.ByResult, &st.OtherResults}} {
			counts, err := auditGroups(ctx, tx, q, g.col)
			if err != nil {
				return err
			}
			*g.counts, *g.others = counts, st.Total-sumCounts(counts)
		}
		days, err := auditDays(ctx, tx, q, offset)
		st.ByDay = days
		return err
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// auditGroups counts the entries q selects by the values of a column, the
// first MaxAuditGroups, most first.
func auditGroups(ctx context.Context, tx runner, q AuditQuery, col string) ([]AuditCount, error) {
	var w where
	if err := auditWhere(&w, q); err != nil {
		return nil, err
	}
	return auditCounts(ctx, tx, `SELECT `+col+`, COUNT(*) AS n FROM audit_log`+w.clause()+
		` GROUP BY `+col+` ORDER BY n DESC, `+col+` LIMIT `+w.param(MaxAuditGroups), w.args)
}

// auditDays counts the entries q selects by day, days starting at
// midnight at offset from UTC, oldest first.
func auditDays(ctx context.Context, tx runner, q AuditQuery, offset time.Duration) ([]AuditCount, error) {
	var w where
	off := w.param(int64(offset))
	if err := auditWhere(&w, q); err != nil {
		return nil, err
	}
	days, err := auditCounts(ctx, tx, `SELECT (at + `+off+`) / `+fmt.Sprint(day)+` AS d, COUNT(*) AS n FROM audit_log`+
		w.clause()+` GROUP BY d ORDER BY d`, w.args)
	if err != nil {
		return nil, err
	}
	for i, c := range days {
		d, err := strconv.ParseInt(c.Key, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("day %q: %w", c.Key, err)
		}
		days[i].Key = time.Unix(d*day/int64(time.Second), 0).UTC().Format(time.DateOnly)
	}
	return days, nil
}

// sumCounts adds up counts.
func sumCounts(counts []AuditCount) int64 {
	var n int64
	for _, c := range counts {
		n += c.N
	}
	return n
}

// auditCounts runs a query of keys and counts.
func auditCounts(ctx context.Context, tx runner, query string, args []any) ([]AuditCount, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var counts []AuditCount
	for rows.Next() {
		var c AuditCount
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return nil, err
		}
		counts = append(counts, c)
	}
	return counts, rows.Err()
}
