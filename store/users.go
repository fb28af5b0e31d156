package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is a user of the console. The store keeps what the user package
// decides; it checks only that the record is whole.
type User struct {
	ID   string
	Name string // unique; never changes
	// Role is Admin, Analyst or Auditor: users do not ingest.
	Role Role
	// Password is the hash of the password, as a PHC string.
	Password string
	// MustChange is set while the password is one-time: one the user did
	// not choose, to be changed at the next login.
	MustChange      bool
	PasswordChanged time.Time
	// TOTP is the sealed secret of the second factor, nil when the user
	// has none; TOTPPending is one being enrolled, not yet confirmed.
	TOTP, TOTPPending []byte
	// TOTPStep is the time step of the last code accepted.
	TOTPStep int64
	// Failures counts the failed logins since the last success or the
	// end of the last lockout; FailedSince those since the last success.
	Failures, FailedSince int
	// LockedUntil is when a lockout for failed logins ends; zero when
	// there is none.
	LockedUntil time.Time
	// Locked is set while an administrator keeps the user out.
	Locked bool
	// LastLogin is the last attempt to log in.
	LastLogin LoginAttempt
	Created   time.Time
	Updated   time.Time
}

// LoginAttempt is an attempt to log in.
type LoginAttempt struct {
	Time   time.Time // zero when there has been none
	Result string    // LoginSuccess or LoginFailure
	IP     string
}

// The results of a login attempt.
const (
	LoginSuccess = "success"
	LoginFailure = "failure"
)

const userColumns = `id, name, role, password, must_change, password_changed, totp, totp_pending, totp_step,
failures, failed_since, locked_until, locked, last_login, last_result, last_ip, created, updated`

// CreateUser stores a new user. It returns ErrConflict when the name or
// id is taken.
func (db *DB) CreateUser(ctx context.Context, u User) error {
	if err := db.createUser(ctx, u); err != nil {
		return fmt.Errorf("store: create user %q: %w", u.Name, err)
	}
	return nil
}

func (db *DB) createUser(ctx context.Context, u User) error {
	if u.ID == "" {
		return invalidf("no id")
	}
	if err := checkUser(u); err != nil {
		return err
	}
	_, err := db.writer().exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (`+params(1, 18)+`)`, userValues(u)...)
	if db.d.isUniqueViolation(err) {
		return conflictf("a user named %q or with id %q exists", u.Name, u.ID)
	}
	return err
}

// checkUser checks that u is whole.
func checkUser(u User) error {
	switch {
	case u.Name == "":
		return invalidf("no name")
	case !isClean(u.ID) || !isClean(u.Name) || !isClean(u.LastLogin.IP):
		return invalidf("id, name or address is not UTF-8 text")
	case u.Role != Admin && u.Role != Analyst && u.Role != Auditor:
		return invalidf("role %q: want admin, analyst or auditor", u.Role)
	case u.Password == "" || !isClean(u.Password):
		return invalidf("no password hash")
	case u.Created.IsZero() || u.Updated.IsZero() || u.PasswordChanged.IsZero():
		return invalidf("no creation, update or password change time")
	case u.LastLogin.Result != "" && u.LastLogin.Result != LoginSuccess && u.LastLogin.Result != LoginFailure:
		return invalidf("login result %q", u.LastLogin.Result)
	case u.Failures < 0 || u.FailedSince < 0:
		return invalidf("negative failure count")
	}
	return nil
}

func userValues(u User) []any {
	return []any{u.ID, u.Name, string(u.Role), u.Password, flag(u.MustChange), encodeTime(u.PasswordChanged),
		nullBytes(u.TOTP), nullBytes(u.TOTPPending), u.TOTPStep, u.Failures, u.FailedSince,
		encodeOptionalTime(u.LockedUntil), flag(u.Locked), encodeOptionalTime(u.LastLogin.Time),
		u.LastLogin.Result, u.LastLogin.IP, encodeTime(u.Created), encodeTime(u.Updated)}
}

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var (
		u                                User
		mustChange, locked, failures, fs int64
		pwChanged, created, updated      int64
		lockedUntil, lastLogin           sql.NullInt64
	)
	err := row.Scan(&u.ID, &u.Name, &u.Role, &u.Password, &mustChange, &pwChanged, &u.TOTP, &u.TOTPPending, &u.TOTPStep,
		&failures, &fs, &lockedUntil, &locked, &lastLogin, &u.LastLogin.Result, &u.LastLogin.IP, &created, &updated)
	if err != nil {
		return nil, err
	}
	u.MustChange, u.Locked = mustChange != 0, locked != 0
	u.Failures, u.FailedSince = int(failures), int(fs)
	u.PasswordChanged, u.Created, u.Updated = decodeTime(pwChanged), decodeTime(created), decodeTime(updated)
	u.LockedUntil, u.LastLogin.Time = optionalTime(lockedUntil), optionalTime(lastLogin)
	return &u, nil
}

// User returns the user with the id, or ErrNotFound.
func (db *DB) User(ctx context.Context, id string) (*User, error) {
	u, err := db.user(ctx, db.reader(), `id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: user %q: %w", id, err)
	}
	return u, nil
}

// UserByName returns the user with the name, or ErrNotFound.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := db.user(ctx, db.reader(), `name`, name)
	if err != nil {
		return nil, fmt.Errorf("store: user named %q: %w", name, err)
	}
	return u, nil
}

// user returns the user whose column col has value.
func (db *DB) user(ctx context.Context, r runner, col, value string) (*User, error) {
	if !isClean(value) {
		return nil, ErrNotFound // no user has it
	}
	u, err := scanUser(r.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+col+` = $1`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return u, err
}

// Users returns all users, by name.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	users, err := db.users(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return users, nil
}

func (db *DB) users(ctx context.Context) ([]User, error) {
	rows, err := db.reader().query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, *u)
	}
	return users, rows.Err()
}

// UpdateUser changes the user with the id: f changes the user as stored,
// in a transaction that keeps others from changing it meanwhile, and
// what f leaves is stored, unless f returns an error. The ID, Name and
// Created of a user do not change.
//
// When the change is to the user's role or password, locks the user or
// removes the second factor, the user's sessions end in the same
// transaction, at u.Updated: no request is served with what the user may
// no longer do. It returns the user as stored, or ErrNotFound.
func (db *DB) UpdateUser(ctx context.Context, id string, f func(u *User) error) (*User, error) {
	return db.updateUser(ctx, id, false, func(u *User, _ int) error { return f(u) })
}

// UpdateUserAmongAdmins is UpdateUser for a change that may leave no
// administrator who can log in (a demotion, a lock): it locks the rows of
// the administrators first, and tells f how many administrators other
// than the user are not locked, so that f decides with none of them
// changing meanwhile.
func (db *DB) UpdateUserAmongAdmins(ctx context.Context, id string, f func(u *User, otherAdmins int) error) (*User, error) {
	return db.updateUser(ctx, id, true, f)
}

// updateUser is UpdateUser, with the administrators' rows locked and
// counted for f when admins is set.
func (db *DB) updateUser(ctx context.Context, id string, admins bool, f func(u *User, otherAdmins int) error) (*User, error) {
	var out *User
	err := db.write(ctx, func(tx runner) error {
		others := 0
		if admins {
			var err error
			if others, err = lockAdmins(ctx, tx, id); err != nil {
				return err
			}
		}
		u, err := lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		old := *u
		if err := f(u, others); err != nil {
			return err
		}
		if err := checkUpdate(old, *u); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET (`+userColumns+`) = (`+params(1, 18)+`) WHERE id = $1`, userValues(*u)...); err != nil {
			return err
		}
		if reason := endReason(old, *u); reason != "" {
			if _, err := endSessions(ctx, tx, `user_id = $3`, u.Updated, reason, id); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update user %q: %w", id, err)
	}
	return out, nil
}

// lockAdmins locks the rows of the administrators until tx ends, one
// after the other by id, so that transactions that lock them never wait
// on each other's rows in a circle; and returns how many of them, but the
// user with the id, are not locked.
func lockAdmins(ctx context.Context, tx runner, id string) (int, error) {
	rows, err := tx.query(ctx, `SELECT id FROM users WHERE role = $1 ORDER BY id`, string(Admin))
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, a)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	for _, a := range ids {
		if _, err := tx.exec(ctx, `UPDATE users SET updated = updated WHERE id = $1`, a); err != nil {
			return 0, err
		}
	}
	var n int64
	err = tx.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = $1 AND locked = 0 AND id <> $2`, string(Admin), id).Scan(&n)
	return int(n), err
}

// DecoyUserUpdate does work like that of the UpdateUser of a failed
// login, on a user that is not there: in one transaction, it stores a
// user no one can log in as, and deletes it. A login with a name no user
// has does it, so that it costs what a login with a known name does (a
// write transaction, committed), and its time does not tell which names
// exist; BenchmarkLogin in package user compares them.
func (db *DB) DecoyUserUpdate(ctx context.Context) error {
	id := "decoy:" + rand.Text()
	now := time.Now()
	u := User{ID: id, Name: id, Role: Analyst, Password: "-", PasswordChanged: now, Created: now, Updated: now}
	err := db.write(ctx, func(tx runner) error {
		if _, err := tx.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (`+params(1, 18)+`)`, userValues(u)...); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: decoy user update: %w", err)
	}
	return nil
}

// lockUser reads the user with the id in tx, having locked its row until
// tx ends: an update that changes nothing takes the row's lock on
// PostgreSQL, and the writer's transactions hold the database's on
// SQLite. At the isolation of db.write (read committed), the read that
// follows sees what transactions that held the lock before committed.
func lockUser(ctx context.Context, tx runner, id string) (*User, error) {
	res, err := tx.exec(ctx, `UPDATE users SET updated = updated WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, errors.Join(ErrNotFound, err)
	}
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return u, err
}

// checkUpdate checks what UpdateUser requires of a change from old to u.
func checkUpdate(old, u User) error {
	if u.ID != old.ID || u.Name != old.Name || !u.Created.Equal(old.Created) {
		return invalidf("the id, name or creation time of a user changed")
	}
	return checkUser(u)
}

// endReason tells why a change from old to u ends the user's sessions,
// "" when it does not.
func endReason(old, u User) string {
	switch {
	case u.Locked && !old.Locked:
		return EndLocked
	case u.Role != old.Role:
		return EndRole
	case u.Password != old.Password:
		return EndPassword
	case u.TOTP == nil && old.TOTP != nil:
		return EndTOTP
	}
	return ""
}

// flag stores a boolean as 0 or 1.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// nullBytes stores nil as NULL, whatever the driver does with a nil
// slice.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
