// Package user manages the accounts of vigil's console: their roles,
// passwords (argon2id, under a policy), logins (with lockout after failed
// attempts, and a TOTP second factor), what the last login was, and the
// second authentication that key operations ask of a logged-in user.
//
// Every change and every login, failed or not, is recorded in the audit
// trail; a change that cannot be recorded is refused. Errors a login or a
// second authentication returns say nothing of what was wrong:
// ErrInvalid, whatever it was. The audit trail says what it was.
package user

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"vigil/audit"
	"vigil/store"
)

// Store is where users are kept; *store.DB is one.
type Store interface {
	CreateUser(ctx context.Context, u store.User) error
	User(ctx context.Context, id string) (*store.User, error)
	UserByName(ctx context.Context, name string) (*store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	UpdateUser(ctx context.Context, id string, f func(*store.User) error) (*store.User, error)
	UpdateUserAmongAdmins(ctx context.Context, id string, f func(u *store.User, otherAdmins int) error) (*store.User, error)
	DecoyUserUpdate(ctx context.Context) error
	EndUserSessions(ctx context.Context, userID string, at time.Time, reason string) (int, error)
}

// Notice tells of a change to a user's account that the user should
// hear of from elsewhere than the console, in case it was not them:
// passwords changed or reset, lockouts, second factors added or removed.
type Notice struct {
	User  string // whose account
	Event string // what happened, in words
	By    string // who did it
	IP    string // from where
	Time  time.Time
}

// Config configures a Service. Zero fields take their defaults.
type Config struct {
	// MaxFailures failed logins in a row lock a user out for LockFor: 5
	// and 30 minutes by default.
	MaxFailures int
	LockFor     time.Duration
	// MinLength is the least length of a password: 8 by default, and
	// not less.
	MinLength int
	// OneTimeFor is how long a one-time password works: 72 hours by
	// default.
	OneTimeFor time.Duration
	// TOTPRoles must log in with a second factor: admins by default.
	// An empty, non-nil list asks it of no role.
	TOTPRoles []store.Role
	// Key seals second-factor secrets in the store: the server key,
	// 32 bytes or more. Required.
	Key []byte
	// Issuer names vigil in authenticator apps: "vigil" by default.
	Issuer string
	// Hash is the cost of password hashes: DefaultParams by default.
	// Lower only in tests.
	Hash Params
	// ReauthBurst second authentications of a user (see Confirm) may be
	// tried at once, then one every ReauthEvery: 10 and 30 seconds by
	// default.
	ReauthBurst int
	ReauthEvery time.Duration
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Notify, when set, is told of changes the user should hear of.
	Notify func(context.Context, Notice)
}

// withDefaults returns c with its defaults, checked.
func (c Config) withDefaults() (Config, error) {
	if c.MaxFailures == 0 {
		c.MaxFailures = 5
	}
	if c.LockFor == 0 {
		c.LockFor = 30 * time.Minute
	}
	if c.MinLength == 0 {
		c.MinLength = MinPasswordLen
	}
	if c.OneTimeFor == 0 {
		c.OneTimeFor = 72 * time.Hour
	}
	if c.TOTPRoles == nil {
		c.TOTPRoles = []store.Role{store.Admin}
	}
	if c.Issuer == "" {
		c.Issuer = "vigil"
	}
	if c.Hash == (Params{}) {
		c.Hash = DefaultParams
	}
	if c.ReauthBurst == 0 {
		c.ReauthBurst = 10
	}
	if c.ReauthEvery == 0 {
		c.ReauthEvery = 30 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, c.check()
}

func (c Config) check() error {
	switch {
	case c.MaxFailures < 1 || c.MaxFailures > 20:
		return fmt.Errorf("user: %d failed logins before a lockout: want 1 to 20", c.MaxFailures)
	case c.LockFor < time.Minute || c.LockFor > 24*time.Hour:
		return fmt.Errorf("user: lockout of %s: want 1m to 24h", c.LockFor)
	case c.MinLength < MinPasswordLen || c.MinLength > 64:
		return fmt.Errorf("user: least password length %d: want %d to 64", c.MinLength, MinPasswordLen)
	case c.OneTimeFor < time.Minute:
		return fmt.Errorf("user: one-time passwords working %s: want 1m or more", c.OneTimeFor)
	case c.Hash.Threads == 0 || c.Hash.Time == 0 || c.Hash.Memory < 8*uint32(c.Hash.Threads):
		return fmt.Errorf("user: password hash parameters %+v", c.Hash)
	case strings.ContainsAny(c.Issuer, ":/?#&"):
		return fmt.Errorf("user: issuer %q: it may not hold : / ? # &", c.Issuer)
	case c.ReauthBurst < 1 || c.ReauthEvery < time.Second:
		return fmt.Errorf("user: second authentications in a burst of %d, then one every %s: want 1 or more, and 1s or more",
			c.ReauthBurst, c.ReauthEvery)
	}
	for _, r := range c.TOTPRoles {
		if !validRole(r) {
			return fmt.Errorf("user: second factor for role %q: not a role of users", r)
		}
	}
	return nil
}

// Service manages users. It is safe for concurrent use.
type Service struct {
	st     Store
	audit  audit.Recorder
	c      Config
	sealer sealer
	// hashing bounds the password hashes computed at once: each takes
	// Config.Hash.Memory.
	hashing chan struct{}
	// dummy is the hash a login of an unknown user is checked against,
	// so that it takes as long as that of a known one; made at the first
	// need. decoy is a sealed second-factor secret that such a login
	// opens, as one of a known user does.
	dummy func() string
	decoy []byte
	// names keys the hashes that stand for names no user has in the
	// audit trail.
	names []byte
	// reauths limits the second authentications of each user.
	reauths *limiter
}

// maxHashing is how many password hashes are computed at once.
const maxHashing = 4

// New returns a service over the users in st that records in rec.
func New(st Store, rec audit.Recorder, c Config) (*Service, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	sl, err := newSealer(c.Key)
	if err != nil {
		return nil, err
	}
	dummy := sync.OnceValue(func() string { return hashPassword(rand.Text(), c.Hash) })
	secret := make([]byte, secretLen)
	rand.Read(secret)
	m := hmac.New(sha256.New, c.Key)
	m.Write([]byte("vigil unknown user names v1"))
	return &Service{st: st, audit: rec, c: c, sealer: sl, hashing: make(chan struct{}, maxHashing), dummy: dummy,
		decoy: sl.seal(secret, decoyID), names: m.Sum(nil), reauths: newLimiter(c.ReauthBurst, c.ReauthEvery)}, nil
}

// decoyID is the user the decoy secret is sealed for: no user has it.
const decoyID = "decoy"

// Account is a user as others see it: without secrets.
type Account struct {
	ID   string
	Name string
	Role store.Role
	// MustChangePassword is set while the user has a one-time password.
	MustChangePassword bool
	TOTP               bool      // the user has a second factor
	Locked             bool      // an administrator keeps the user out
	LockedUntil        time.Time // a lockout after failed logins ends; zero when none
	LastLogin          store.LoginAttempt
	PasswordChanged    time.Time
	Created            time.Time
}

func account(u *store.User) *Account {
	return &Account{ID: u.ID, Name: u.Name, Role: u.Role, MustChangePassword: u.MustChange, TOTP: u.TOTP != nil,
		Locked: u.Locked, LockedUntil: u.LockedUntil, LastLogin: u.LastLogin, PasswordChanged: u.PasswordChanged,
		Created: u.Created}
}

// LockedOut reports whether a lockout after failed logins keeps the user
// out at t.
func (a *Account) LockedOut(t time.Time) bool { return t.Before(a.LockedUntil) }

// Errors of the service besides *PolicyError. Callers show ErrInvalid,
// and only it, for a failed login.
var (
	ErrInvalid   = errors.New("invalid user name or password")
	ErrNotFound  = errors.New("no such user")
	ErrExists    = errors.New("a user of that name exists")
	ErrCode      = errors.New("the code is not valid")
	ErrLastAdmin = errors.New("it would leave no administrator who can log in")
	ErrTooMany   = errors.New("too many attempts: wait a minute and try again")
)

// Get returns the account of the user with the id.
func (s *Service) Get(ctx context.Context, id string) (*Account, error) {
	u, err := s.st.User(ctx, id)
	if err != nil {
		return nil, notFound(err, id)
	}
	return account(u), nil
}

// ByName returns the account of the user with the name.
func (s *Service) ByName(ctx context.Context, name string) (*Account, error) {
	u, err := s.byName(ctx, name)
	if err != nil {
		return nil, err
	}
	return account(u), nil
}

func (s *Service) byName(ctx context.Context, name string) (*store.User, error) {
	n, err := Name(name)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", name, ErrNotFound)
	}
	u, err := s.st.UserByName(ctx, n)
	if err != nil {
		return nil, notFound(err, n)
	}
	return u, nil
}

// notFound turns the store's ErrNotFound into the service's.
func notFound(err error, who string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user %q: %w", who, ErrNotFound)
	}
	return err
}

// List returns the accounts, by name.
func (s *Service) List(ctx context.Context) ([]Account, error) {
	users, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(users))
	for i := range users {
		out[i] = *account(&users[i])
	}
	return out, nil
}

// NeedsTOTP reports whether users of the role must log in with a second
// factor.
func (s *Service) NeedsTOTP(r store.Role) bool { return slices.Contains(s.c.TOTPRoles, r) }

// Name returns a user name in the form the store keeps: lower case. A
// name is 2 to 64 letters, digits and . _ - @, starting with a letter
// or digit: it cannot hold ':' (so "cli:..." and "token:..." actors are
// never user names) nor look like another name to a reader.
func Name(name string) (string, error) {
	n := strings.ToLower(name)
	if len(n) < 2 || len(n) > 64 {
		return "", fmt.Errorf("user name %q: want 2 to 64 characters", name)
	}
	for i, c := range n {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-' || c == '@'):
		default:
			return "", fmt.Errorf("user name %q: want letters a to z, digits and . _ - @, starting with a letter or digit", name)
		}
	}
	return n, nil
}

func validRole(r store.Role) bool {
	return r == store.Admin || r == store.Analyst || r == store.Auditor
}

// Actor returns how the audit trail names who typed name to log in: the
// user's name, when a user has it; else "unknown:" and the first 12 hex
// digits of an HMAC of it under the server key. What is typed as a name
// may be a password typed in the wrong field: it is not recorded as it
// is, yet the same name gives the same hash, so that auditors can tell
// repeated attempts apart.
func (s *Service) Actor(ctx context.Context, name string) (string, error) {
	u, err := s.byName(ctx, name)
	switch {
	case err == nil:
		return u.Name, nil
	case errors.Is(err, ErrNotFound):
		return s.unknownName(name), nil
	}
	return "", err
}

// unknownName is how the audit trail names a name no user has.
func (s *Service) unknownName(name string) string {
	if n, err := Name(name); err == nil {
		name = n
	}
	m := hmac.New(sha256.New, s.names)
	m.Write([]byte(name))
	return "unknown:" + hex.EncodeToString(m.Sum(nil))[:12]
}

// record records an entry in the audit trail.
func (s *Service) record(ctx context.Context, by audit.Actor, action, target, result, detail string) error {
	return s.audit.Record(ctx, by.Entry(action, target, result, detail))
}

// notify tells of a change the user should hear of.
func (s *Service) notify(ctx context.Context, user, event string, by audit.Actor) {
	if s.c.Notify != nil {
		s.c.Notify(ctx, Notice{User: user, Event: event, By: by.Name, IP: by.IP, Time: s.c.Now()})
	}
}

// hash hashes a password, taking a turn among the hashes computed at
// once.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.turn(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return hashPassword(pw, s.c.Hash), nil
}

// verify checks a password against a hash, taking a turn as hash does.
func (s *Service) verify(ctx context.Context, pw, hash string) (bool, error) {
	if err := s.turn(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return verifyPassword(pw, hash)
}

func (s *Service) turn(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
