// Package store keeps what vigil serve knows between requests and across
// restarts: alerts and the events folded into them, API tokens, the
// checkpoints of stateful detection and of directory inputs.
//
// One schema and one set of migrations serve SQLite (the default, a file
// in the data directory, pure Go) and PostgreSQL (for clusters, where
// every node shares it). The two differ only in a small dialect: how a
// connection is opened and how parameters are written. All SQL is
// parameterized.
package store

import (
	"errors"
	"time"

	"vigil/alert"
	"vigil/rule"
)

// Observation is one event that one rule matched, to be folded into an
// alert: into the rule's open (or acknowledged) alert with the same dedup
// values, or into a new one.
type Observation struct {
	Rule alert.RuleRef
	// Dedup holds the rule's dedup fields and their values (nil when the
	// event lacks the field); it decides which alert the event joins.
	Dedup   map[string]*string
	EventID string
	// Time is when the event happened; zero when it does not say.
	Time time.Time
	// Received is when vigil received the event.
	Received time.Time
	// Entities maps entity types to values the event names.
	Entities map[string][]string
	// Fields maps the rule's fields to the event's values.
	Fields map[string][]string
	// Event is the event's JSON, kept with the alert while it has fewer
	// than KeepEvents events; nil to keep only the id.
	Event []byte
	// Source is the name of the source the event came in by; an alert's
	// source is that of its first event.
	Source string
}

// KeepEvents is how many events' JSON an alert keeps; beyond it, only
// their ids and times.
const KeepEvents = 100

// Change is what recording did to one alert.
type Change struct {
	AlertID string
	Rule    string // the rule's id
	New     bool   // the alert was created
	Events  int    // events added to it (not already in it)
}

// Status is where an alert is in its handling.
type Status string

// The statuses of an alert. Open and acknowledged alerts take new events;
// resolved and false-positive ones are closed: the next matching event
// opens a new alert.
const (
	Open          Status = "open"
	Acknowledged  Status = "acknowledged"
	Resolved      Status = "resolved"
	FalsePositive Status = "false_positive"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case Open, Acknowledged, Resolved, FalsePositive:
		return true
	}
	return false
}

// Alert is an alert as the store keeps it: the alert of scan, with its
// identity and handling.
type Alert struct {
	ID string `json:"id"`
	alert.Alert
	Status Status `json:"status"`
	// Source is the source of its first event ("" in scan).
	Source    string    `json:"source,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Notes are the changes of status, oldest first, with their comments.
	Notes []Note `json:"notes,omitempty"`
}

// Note is a change of an alert's status.
type Note struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"` // the name of the token or user
	Status  Status    `json:"status"`
	Comment string    `json:"comment,omitempty"`
}

// Event is an event of an alert.
type Event struct {
	ID   string     `json:"id"`
	Time *time.Time `json:"time"`
	// JSON is the event itself, for the first KeepEvents events.
	JSON []byte `json:"event,omitempty"`
}

// Query selects alerts. Zero fields do not filter.
type Query struct {
	Severity    []rule.Severity // any of them
	MinSeverity *rule.Severity
	Rule        string // rule id
	Status      []Status
	// From and To bound when the alert was last seen (from inclusive,
	// to exclusive).
	From, To time.Time
	// Entity is a value one of the alert's entities must have, of any
	// type (an ARN, an address, a key id...).
	Entity string
	// Cursor continues a previous query from where it stopped.
	Cursor string
	// Limit bounds the page: 1 to MaxPage; 0 means DefaultPage.
	Limit int
}

// Page sizes of Alerts.
const (
	DefaultPage = 50
	MaxPage     = 500
)

// Role is what a token may do.
type Role string

// The roles. Ingest tokens only send events; analysts read and handle
// alerts; admins also manage tokens and configuration; auditors read
// alerts and the audit trail but change nothing.
const (
	Ingest  Role = "ingest"
	Analyst Role = "analyst"
	Admin   Role = "admin"
	Auditor Role = "auditor"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	switch r {
	case Ingest, Analyst, Admin, Auditor:
		return true
	}
	return false
}

// Token is an API token. Only the SHA-256 of its secret is kept.
type Token struct {
	ID     string // public: shown in lists and logs
	Name   string // unique among tokens that are not revoked
	Role   Role
	Source string // for ingest tokens: the one source it may send to; "" for any
	Hash   []byte // SHA-256 of the secret
	// Created and Revoked are when; Revoked is nil while the token works.
	Created time.Time
	Revoked *time.Time
}

// File is what a directory input did with one file.
type File struct {
	Input string // the input's name
	Path  string // relative to the input's directory
	Size  int64
	// ModTime and SHA256 tell a file rewritten under the same name.
	ModTime time.Time
	SHA256  string
	State   FileState
	Events  int    // events read from it
	Error   string // for partial and corrupt files: what was wrong
	Done    time.Time
}

// FileState is the outcome of reading a file.
type FileState string

// The states of a file.
const (
	FileDone    FileState = "done"    // every event read
	FilePartial FileState = "partial" // read up to a break (a truncated file)
	FileCorrupt FileState = "corrupt" // nothing could be read
)

// ErrNotFound is returned for a record the store does not have: an
// alert, a token, a user, a session, a silence, a delivery, an action, a
// rule exception, an audit entry...
var ErrNotFound = errors.New("not found")
