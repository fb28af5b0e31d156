// Package session keeps the sessions of vigil's console: made at login
// with a new random id, held by the browser in a cookie only, ended by
// logout, by an idle timeout, at the end of an absolute lifetime, by a
// new login of the same user (one session per user), and by a change of
// the user's role or password or a lock.
//
// Only the SHA-256 of an id is stored, so that a read of the database
// gives no session away. Each session has a CSRF token, derived from its
// id, for the forms of the console, and may hold a step-up: the user
// proved who they are again, which key operations ask of a session for a
// few minutes.
//
// Requests with a session that is not live are recorded in the audit
// trail, folded per address and minute so that they cannot flood it.
package session

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"vigil/audit"
	"vigil/store"
)

// Store is where sessions are kept; *store.DB is one.
type Store interface {
	CreateSession(ctx context.Context, s store.Session) (replaced int, err error)
	Session(ctx context.Context, hash []byte) (*store.Session, error)
	TouchSession(ctx context.Context, hash []byte, at, idleSince time.Time) error
	EndSession(ctx context.Context, hash []byte, at time.Time, reason string) error
	EndUserSessions(ctx context.Context, userID string, at time.Time, reason string) (int, error)
	EndStaleSessions(ctx context.Context, at, idleSince time.Time) ([]store.Session, error)
	PurgeSessions(ctx context.Context, before time.Time) (int, error)
}

// Limits of the timeouts. An idle timeout is shorter than MaxIdle, as
// the specification asks (7.1.5: under 30 minutes).
const (
	DefaultIdle     = 15 * time.Minute
	MaxIdle         = 30 * time.Minute
	DefaultLifetime = 8 * time.Hour
	MaxLifetime     = 24 * time.Hour
	DefaultStepUp   = 5 * time.Minute
	MaxStepUp       = 15 * time.Minute
)

// Config configures a Manager. Zero fields take their defaults.
type Config struct {
	// Idle ends a session without a request for this long: 15 minutes
	// by default, at most 30.
	Idle time.Duration
	// Lifetime ends a session this long after login, however busy: 8
	// hours by default, at most 24.
	Lifetime time.Duration
	// StepUp is how long a step-up lasts: 5 minutes by default, at most
	// 15.
	StepUp time.Duration
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Log receives the errors of Run; nil discards them.
	Log *slog.Logger
}

// Manager makes, checks and ends sessions. It is safe for concurrent
// use.
type Manager struct {
	st     Store
	audit  audit.Recorder
	idle   time.Duration
	life   time.Duration
	stepUp time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu sync.Mutex
	// stepUps holds the step-ups of sessions, by the hash of their id:
	// in memory, so that a restart, or another node, asks again.
	stepUps map[string]stepUp
	// folds holds the refusals being folded (see Refuse).
	folds map[foldKey]*fold
}

// stepUp is when the user of a session proved who they are again.
type stepUp struct {
	userID string
	at     time.Time
}

// New returns a manager of the sessions in st that records in rec.
func New(st Store, rec audit.Recorder, c Config) (*Manager, error) {
	if c.Idle == 0 {
		c.Idle = DefaultIdle
	}
	if c.Lifetime == 0 {
		c.Lifetime = DefaultLifetime
	}
	if c.StepUp == 0 {
		c.StepUp = DefaultStepUp
	}
	switch {
	case c.Idle < time.Minute || c.Idle >= MaxIdle:
		return nil, fmt.Errorf("session: idle timeout %s: want 1m or more, and less than %s", c.Idle, MaxIdle)
	case c.Lifetime < c.Idle || c.Lifetime > MaxLifetime:
		return nil, fmt.Errorf("session: lifetime %s: want the idle timeout (%s) to %s", c.Lifetime, c.Idle, MaxLifetime)
	case c.StepUp < time.Minute || c.StepUp > MaxStepUp:
		return nil, fmt.Errorf("session: step-up of %s: want 1m to %s", c.StepUp, MaxStepUp)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Manager{st: st, audit: rec, idle: c.Idle, life: c.Lifetime, stepUp: c.StepUp, now: c.Now, log: c.Log,
		stepUps: map[string]stepUp{}, folds: map[foldKey]*fold{}}, nil
}

// Timeouts returns the idle timeout and the lifetime of sessions.
func (m *Manager) Timeouts() (idle, lifetime time.Duration) { return m.idle, m.life }

// StepUpFor returns how long a step-up lasts.
func (m *Manager) StepUpFor() time.Duration { return m.stepUp }

// Session is a live session, with what the console needs of its user.
type Session struct {
	UserID string
	User   string // the user's name
	Role   store.Role
	// MustChangePassword and TOTP tell what the user must do before
	// anything else: change a one-time password; enrol a second factor
	// when the role needs one and TOTP is false.
	MustChangePassword bool
	TOTP               bool
	IP                 string // where it was made from
	Created            time.Time
	LastSeen           time.Time
	Expires            time.Time // the end of its lifetime
	// CSRF is the token the session's forms carry (see CheckCSRF).
	CSRF string
	// StepUpUntil is when the session's step-up ends (see StepUp); zero
	// when it has none.
	StepUpUntil time.Time
}

// Errors of Get, which callers tell apart with errors.Is. To the user,
// all mean: log in.
var (
	ErrUnknown = errors.New("session: unknown session")
	ErrExpired = errors.New("session: expired") // idle too long, or past its lifetime
	ErrEnded   = errors.New("session: ended")   // by logout, a new login, a change of the user
	ErrLocked  = errors.New("session: the user is locked")
)

// idLen is the bytes of randomness in an id: 256 bits.
const idLen = 32

// newID returns a new session id: 32 bytes from crypto/rand, in
// unpadded base64url (43 characters).
func newID() string {
	b := make([]byte, idLen)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validID reports whether id has the form of the ids newID makes.
func validID(id string) bool {
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	return err == nil && len(b) == idLen
}

func hash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// csrfDomain keys the CSRF token of a session.
const csrfDomain = "vigil csrf v1"

// csrf returns the CSRF token of the session id: an HMAC of the id, so
// that only who holds the id has it, and nothing more is kept.
func csrf(id string) string {
	m := hmac.New(sha256.New, []byte(id))
	m.Write([]byte(csrfDomain))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether token is the CSRF token of the session id,
// comparing in constant time.
func CheckCSRF(id, token string) bool {
	return validID(id) && subtle.ConstantTimeCompare([]byte(csrf(id)), []byte(token)) == 1
}

// Create makes a session for the user, logged in from ip, and returns
// its id (for the cookie) and CSRF token. The id is always new: an id
// from before the login is never kept. It ends the user's other session,
// if any. It returns ErrLocked for a locked user.
func (m *Manager) Create(ctx context.Context, userID, ip string) (id, token string, err error) {
	id = newID()
	now := m.now()
	replaced, err := m.st.CreateSession(ctx, store.Session{Hash: hash(id), UserID: userID, IP: ip, Created: now,
		LastSeen: now, Expires: now.Add(m.life)})
	if errors.Is(err, store.ErrConflict) {
		return "", "", fmt.Errorf("%w: %w", ErrLocked, err)
	}
	if err != nil {
		return "", "", err
	}
	if replaced > 0 {
		s, err := m.st.Session(ctx, hash(id))
		if err != nil {
			return "", "", err
		}
		err = m.audit.Record(ctx, audit.Actor{Name: s.User, IP: ip}.Entry(audit.ActionSessionEnd, s.User,
			audit.ResultSuccess, "ended by a new login: one session per user"))
		if err != nil {
			return "", "", err
		}
	}
	return id, csrf(id), nil
}

// Get returns the live session with the id, used from ip, and records
// the request, which keeps it from idling out. It returns ErrUnknown for
// an id it never made, ErrExpired for a session idle too long or past
// its lifetime, which it ends, and ErrEnded for one that ended; it
// records each in the audit trail (but not a request without an id).
func (m *Manager) Get(ctx context.Context, id, ip string) (*Session, error) {
	if id == "" {
		return nil, ErrUnknown
	}
	if !validID(id) {
		return nil, m.invalid(ctx, "", ip, ErrUnknown, "a malformed session id")
	}
	h := hash(id)
	s, err := m.st.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, m.invalid(ctx, "", ip, ErrUnknown, "an unknown session id")
	}
	if err != nil {
		return nil, err
	}
	now := m.now()
	switch {
	case !s.Ended.IsZero():
		return nil, m.invalid(ctx, s.User, ip, ErrEnded, fmt.Sprintf("a session ended at %s (%s)", s.Ended.UTC().Format(time.RFC3339), s.EndReason))
	case !now.Before(s.Expires):
		return nil, m.expire(ctx, s, ip, now, store.EndExpired, fmt.Sprintf("a session past its lifetime (%s)", m.life))
	case now.Sub(s.LastSeen) > m.idle:
		return nil, m.expire(ctx, s, ip, now, store.EndIdle, fmt.Sprintf("a session idle for %s (timeout %s)", now.Sub(s.LastSeen), m.idle))
	}
	if err := m.st.TouchSession(ctx, h, now, now.Add(-m.idle)); errors.Is(err, store.ErrNotFound) {
		return nil, m.invalid(ctx, s.User, ip, ErrEnded, "a session that ended meanwhile")
	} else if err != nil {
		return nil, err
	}
	return &Session{UserID: s.UserID, User: s.User, Role: s.Role, MustChangePassword: s.MustChange, TOTP: s.TOTP,
		IP: s.IP, Created: s.Created, LastSeen: now, Expires: s.Expires, CSRF: csrf(id),
		StepUpUntil: m.stepUpUntil(id, s.UserID, now)}, nil
}

// StepUp records that the user of the session with the id proved who
// they are again (user.Service.Confirm), now: for a while (Config.StepUp)
// the session may do what needs it without asking again.
func (m *Manager) StepUp(id, userID string) {
	if !validID(id) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stepUps[string(hash(id))] = stepUp{userID: userID, at: m.now()}
}

// SteppedUp reports whether the session with the id, of the user, has a
// step-up still in force.
func (m *Manager) SteppedUp(id, userID string) bool {
	return !m.stepUpUntil(id, userID, m.now()).IsZero()
}

// stepUpUntil returns when the step-up of the session with the id ends,
// if it is in force at now, else the zero time.
func (m *Manager) stepUpUntil(id, userID string, now time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.stepUps[string(hash(id))]
	if !ok || s.userID != userID {
		return time.Time{}
	}
	until := s.at.Add(m.stepUp)
	if !now.Before(until) {
		return time.Time{}
	}
	return until
}

// forgetStepUps drops the step-ups of the session whose id has the hash,
// when not nil, of the user, when not "", and those over at now.
func (m *Manager) forgetStepUps(h []byte, userID string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.stepUps {
		if h != nil && k == string(h) || userID != "" && s.userID == userID || !now.Before(s.at.Add(m.stepUp)) {
			delete(m.stepUps, k)
		}
	}
}

// expire ends a session that ran out and records its use.
func (m *Manager) expire(ctx context.Context, s *store.Session, ip string, now time.Time, reason, detail string) error {
	if err := m.st.EndSession(ctx, s.Hash, now, reason); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return m.invalid(ctx, s.User, ip, ErrExpired, detail+"; ended")
}

// invalid records the use of a session that is not live, folded with
// others of its kind from its address (see Refuse), and returns kind, or
// the error of recording.
func (m *Manager) invalid(ctx context.Context, user, ip string, kind error, detail string) error {
	if user == "" {
		user = "-"
	}
	e := audit.Actor{Name: user, IP: ip}.Entry(audit.ActionSessionInvalid, "console", audit.ResultFailure, "request with "+detail)
	fk := user + ": " + kind.Error()
	if user == "-" {
		fk += ": " + detail // malformed or unknown
	}
	if err := m.Refuse(ctx, e, fk); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", kind, detail)
}

// End ends the session with the id, at its user's request from ip: a
// logout. It returns ErrUnknown when there is no such live session.
func (m *Manager) End(ctx context.Context, id, ip string) error {
	if !validID(id) {
		return ErrUnknown
	}
	h := hash(id)
	s, err := m.st.Session(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnknown
	}
	if err != nil {
		return err
	}
	if err := m.st.EndSession(ctx, h, m.now(), store.EndLogout); errors.Is(err, store.ErrNotFound) {
		return ErrUnknown
	} else if err != nil {
		return err
	}
	m.forgetStepUps(h, "", m.now())
	return m.audit.Record(ctx, audit.Actor{Name: s.User, IP: ip}.Entry(audit.ActionLogout, s.User, audit.ResultSuccess, ""))
}

// EndUser ends the sessions of the user, by someone's decision, for the
// reason, and returns how many it ended. A change of the user's role or
// password, or a lock, ends them without it (see store.UpdateUser).
func (m *Manager) EndUser(ctx context.Context, by audit.Actor, userID, user, reason string) (int, error) {
	n, err := m.st.EndUserSessions(ctx, userID, m.now(), reason)
	m.forgetStepUps(nil, userID, m.now())
	if err != nil || n == 0 {
		return n, err
	}
	return n, m.audit.Record(ctx, by.Entry(audit.ActionSessionEnd, user, audit.ResultSuccess, reason))
}

// Sweep ends the sessions idle too long or past their lifetime, recording
// each, and deletes the sessions that ended over a lifetime ago (until
// then, using one is told apart from using an unknown id). It records the
// refusals folded in the minute before (see Refuse), and forgets the
// step-ups that are over.
func (m *Manager) Sweep(ctx context.Context) error {
	now := m.now()
	m.forgetStepUps(nil, "", now)
	if err := m.flushFolds(ctx, now); err != nil {
		return err
	}
	ended, err := m.st.EndStaleSessions(ctx, now, now.Add(-m.idle))
	if err != nil {
		return err
	}
	for _, s := range ended {
		err := m.audit.Record(ctx, audit.System.Entry(audit.ActionSessionEnd, s.User, audit.ResultSuccess, s.EndReason))
		if err != nil {
			return err
		}
	}
	_, err = m.st.PurgeSessions(ctx, now.Add(-m.life))
	return err
}

// Run sweeps every minute until ctx is done.
func (m *Manager) Run(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := m.Sweep(ctx); err != nil {
				m.log.Error("session: sweep failed", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}
