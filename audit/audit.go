// Package audit keeps vigil's audit trail: who did what, from where, to
// what, with which result. The trail is append-only and tamper-evident:
// each entry carries the SHA-256 of the entry before, so that changing,
// deleting or reordering entries breaks the chain, and the trail is
// sealed now and then with an Ed25519 signature, which vouches for every
// entry up to the one sealed (the chain alone can be recomputed by
// whoever can write the database; the seals cannot, without the key).
// Seals are chained too, each signing the one before, so that deleting
// one breaks their series; and the last seal is kept outside the
// database, in an anchor file and in vigil's log, so that cutting the
// end of the trail and its seals shows.
//
// Sensitive values (identity card, phone and bank card numbers,
// passwords, tokens) are masked before an entry is stored: see package
// mask.
package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"vigil/mask"
	"vigil/store"
)

// Entry is what happened, as a caller records it.
type Entry struct {
	Time     time.Time // zero for now
	Actor    string    // who: a user's name, "cli:<os user>", "token:<name>" or "system"
	SourceIP string    // where from; "" for vigil itself
	Action   string    // what: one of the Action constants, or another dotted name
	Target   string    // to what: a user, an alert, a rule...
	Result   string    // ResultSuccess, ResultFailure or ResultDenied
	Detail   string    // anything else an auditor needs, in words
}

// Actor is who does something, and from where.
type Actor struct {
	Name string
	IP   string
}

// System is vigil acting on its own: timeouts, sweeps, seals.
var System = Actor{Name: "system"}

// Entry returns the entry of something a did.
func (a Actor) Entry(action, target, result, detail string) Entry {
	return Entry{Actor: a.Name, SourceIP: a.IP, Action: action, Target: target, Result: result, Detail: detail}
}

// The actions vigil records. Every package that changes what the
// security team relies on records its changes under one of these.
const (
	ActionLogin          = "login"               // a login attempt
	ActionLogout         = "logout"              // a user ended their session
	ActionLockout        = "lockout"             // a user locked out after failed logins
	ActionSessionInvalid = "session.invalid"     // a request with an unknown, expired or ended session
	ActionSessionEnd     = "session.end"         // a session ended by vigil: timeout, new login, role or password change
	ActionAccessDenied   = "access.denied"       // a request its role does not allow
	ActionUserAdd        = "user.add"            // a user created
	ActionUserRole       = "user.role"           // a user's role changed
	ActionUserLock       = "user.lock"           // a user locked by an administrator
	ActionUserUnlock     = "user.unlock"         // a user unlocked
	ActionPassword       = "user.password"       // a user changed their password
	ActionPasswordReset  = "user.password_reset" // an administrator gave a user a one-time password
	ActionTOTP           = "user.totp"           // a user enrolled a second factor
	ActionTOTPReset      = "user.totp_reset"     // an administrator removed a user's second factor
	ActionTokenCreate    = "token.create"
	ActionTokenRevoke    = "token.revoke"
	ActionConfigChange   = "config.change"
	ActionRuleChange     = "rule.change"
	ActionAlertStatus    = "alert.status"
	ActionSilenceAdd     = "silence.add"
	ActionSilenceRemove  = "silence.remove"
	ActionApprove        = "action.approve"   // an automatic response approved
	ActionReject         = "action.reject"    // or refused
	ActionRedrive        = "delivery.redrive" // a dead letter sent again
	ActionDiscard        = "delivery.discard" // a dead letter deleted
	ActionAuditExport    = "audit.export"
	ActionAuditVerify    = "audit.verify"
	ActionStepUp         = "user.stepup" // a second authentication before a sensitive change
	ActionServeStart     = "serve.start" // vigil serve started, with its rules
	ActionServeStop      = "serve.stop"  // and stopped
)

// The results of actions.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
	ResultDenied  = "denied" // refused for lack of permission
)

// Store is where the trail is kept; *store.DB is one.
type Store interface {
	AppendAudit(ctx context.Context, e store.AuditEntry, hash func(store.AuditEntry) []byte) (*store.AuditEntry, error)
	AuditHead(ctx context.Context) (seq int64, hash []byte, err error)
	AuditEntries(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error)
	AuditSeqByHash(ctx context.Context, hash []byte) (int64, error)
	AddAuditSeal(ctx context.Context, s store.AuditSeal) error
	AuditSeals(ctx context.Context, from int64) ([]store.AuditSeal, error)
	AuditStats(ctx context.Context, q store.AuditQuery, offset time.Duration) (*store.AuditStats, error)
}

// Recorder records entries; *Trail is one. Packages that record take a
// Recorder.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}

// Config configures a Trail.
type Config struct {
	// KeyFile holds the Ed25519 private key that seals the trail, made
	// (readable by its owner only) when it does not exist; the public
	// key is kept beside it, in PublicKeyFile(KeyFile), and the last
	// seal the trail made or verified in AnchorFile(KeyFile).
	KeyFile string
	// SealEvery seals the trail after this many entries; 0 means 100.
	SealEvery int
	// SealInterval is how often Run seals the entries since the last
	// seal; 0 means 5 minutes.
	SealInterval time.Duration
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Trusted are other keys whose seals the trail accepts: those of
	// other nodes sharing the store, when each has its own key.
	Trusted []ed25519.PublicKey
	// Log receives a line per seal ("audit trail sealed", with the
	// seal's fields: see ReadSealLog), so that a copy of each seal lives
	// outside the database, and the errors of sealing; nil discards
	// them.
	Log *slog.Logger
}

// Trail is the audit trail. It is safe for concurrent use.
type Trail struct {
	st         Store
	key        ed25519.PrivateKey
	keyID      string
	trusted    []ed25519.PublicKey
	every      int64
	interval   time.Duration
	now        func() time.Time
	log        *slog.Logger
	anchorFile string
	cache      verified // the outcome of the last verification

	mu sync.Mutex // held while sealing; guards the fields below
	// anchor is the last seal this process made or found good, or the
	// one the anchor file kept: the trail must extend it.
	anchor store.AuditSeal
	// tried is the head when sealing last ended, sealed or not.
	tried int64
}

// Open opens the trail kept in st, with the key of c.KeyFile, from the
// seal kept in the anchor file beside it, when there is one.
func Open(ctx context.Context, st Store, c Config) (*Trail, error) {
	key, err := loadKey(c.KeyFile)
	if err != nil {
		return nil, err
	}
	t := &Trail{st: st, key: key, keyID: KeyID(key.Public().(ed25519.PublicKey)), trusted: c.Trusted,
		every: int64(c.SealEvery), interval: c.SealInterval, now: c.Now, log: c.Log, anchorFile: AnchorFile(c.KeyFile)}
	if t.every <= 0 {
		t.every = DefaultSealEvery
	}
	if t.interval <= 0 {
		t.interval = DefaultSealInterval
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.anchor, err = t.loadAnchor(); err != nil {
		return nil, err
	}
	return t, nil
}

// The defaults of Config.
const (
	DefaultSealEvery    = 100
	DefaultSealInterval = 5 * time.Minute
)

// PublicKey returns the public key that verifies the trail's seals.
func (t *Trail) PublicKey() ed25519.PublicKey { return t.key.Public().(ed25519.PublicKey) }

// keys returns the keys whose seals the trail accepts: its own and the
// trusted ones.
func (t *Trail) keys() []ed25519.PublicKey {
	return append([]ed25519.PublicKey{t.PublicKey()}, t.trusted...)
}

// Record appends an entry to the trail, masked, and seals the trail
// when SealEvery entries have come since the last seal. An error means
// the entry was not recorded.
func (t *Trail) Record(ctx context.Context, e Entry) error {
	_, err := t.record(ctx, e)
	return err
}

// record records e, and returns it as stored.
func (t *Trail) record(ctx context.Context, e Entry) (*store.AuditEntry, error) {
	stored, err := t.st.AppendAudit(ctx, t.prepare(e), Hash)
	if err != nil {
		return nil, fmt.Errorf("audit: record %s of %s: %w", e.Action, e.Target, err)
	}
	if t.due(stored.Seq) {
		// The entry is recorded: a seal that fails now is tried again
		// SealEvery entries later, or at the next SealInterval.
		if err := t.seal(ctx, t.every); err != nil {
			t.log.Error("audit: seal failed", "seq", stored.Seq, "err", err)
		}
	}
	return stored, nil
}

// due reports whether entry seq calls for a seal: SealEvery entries
// since the last seal, and since the last try.
func (t *Trail) due(seq int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return seq-max(t.anchor.Seq, t.tried) >= t.every
}

// Limits of the fields of an entry, in bytes.
const (
	maxActor  = 256
	maxIP     = 64
	maxAction = 64
	maxTarget = 1024
	maxDetail = 8192
)

// prepare turns e into what is stored: its time set, its text masked,
// made safe and bounded.
func (t *Trail) prepare(e Entry) store.AuditEntry {
	if y := e.Time.Year(); e.Time.IsZero() || y < 1970 || y > 2261 {
		e.Time = t.now() // a time the store keeps as it is, for the hash to hold
	}
	return store.AuditEntry{
		Time:     e.Time.Round(0).UTC(),
		Actor:    text(mask.String(e.Actor), maxActor),
		SourceIP: address(e.SourceIP),
		Action:   text(e.Action, maxAction),
		Target:   text(mask.String(e.Target), maxTarget),
		Result:   text(e.Result, maxAction),
		Detail:   text(mask.String(e.Detail), maxDetail),
	}
}

// address returns an IP address in its canonical form, or else the text
// as given, masked.
func address(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String()
	}
	return text(mask.String(s), maxIP)
}

// text makes s storable and harmless to whoever reads it: valid UTF-8,
// control characters but tab and newline replaced with U+FFFD (no NUL
// for PostgreSQL, no escape sequences for terminals), and at most max
// bytes, cut at a character with "…".
func text(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || !unicode.IsControl(r) {
			return r
		}
		return utf8.RuneError
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Entries returns a page of the entries that q selects.
func (t *Trail) Entries(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, error) {
	return t.st.AuditEntries(ctx, q)
}

// Stats counts the entries that q selects, in all and by action, actor,
// result and day, days starting at midnight at offset from UTC.
func (t *Trail) Stats(ctx context.Context, q store.AuditQuery, offset time.Duration) (*store.AuditStats, error) {
	return t.st.AuditStats(ctx, q, offset)
}
