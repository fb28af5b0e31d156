// Package action carries out automatic responses to alerts: deactivating
// an IAM access key, quarantining an IAM user or role with a deny-all
// policy, calling a SOAR webhook. Each kind is an Executor built from its
// configuration; when an action runs (at once, after approval, or never,
// in a dry run), its rate limit and its record are the respond package's.
//
// Errors that retrying cannot help (the key does not exist, vigil may not
// do it, the request is malformed) are marked with notify.Permanent, as
// notifications' are; test them with notify.IsPermanent. docs/actions.md
// describes the actions, their settings and the IAM permissions they need.
package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"vigil/config"
	"vigil/notify"
	"vigil/store"
)

// Request is what an action does for one alert, planned before it runs
// and kept with its record: an approver sees exactly what will be done.
type Request struct {
	// Type is the kind of action, such as "aws_iam_deactivate_access_key".
	Type string `json:"type"`
	// Params are its parameters: the access key id, the user name, the
	// account...
	Params map[string]string `json:"params"`
	// Payload is the document the action sends, for actions that send
	// one (soar_webhook): planned with the rest, it is what is sent.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Result is what an action did.
type Result struct {
	// Summary says it in a sentence, for the console and the audit trail.
	Summary string `json:"summary"`
	// Response is what the remote service answered, without secrets.
	Response json.RawMessage `json:"response,omitempty"`
}

// Executor is one configured action.
type Executor interface {
	// Plan returns the request the action makes for an alert, from the
	// alert and the JSON of its events (as received: CloudTrail records
	// bare or in their EventBridge envelope). It returns an error that
	// says what is missing when the alert does not name a target.
	Plan(a *store.Alert, events [][]byte) (Request, error)
	// Run carries out a request Plan made. Running the same request
	// again does no harm (deactivating a key twice leaves it inactive).
	Run(ctx context.Context, r Request) (Result, error)
}

// Errors of Plan and of looking actions up; test them with errors.Is.
var (
	// ErrNoTarget is wrapped by Plan when no event of the alert names a
	// target the action can act on; the error says what each one lacked.
	ErrNoTarget = errors.New("no target")
	// ErrNotConfigured is for a rule naming an action that the
	// configuration does not have.
	ErrNotConfigured = errors.New("action not configured")
)

// Options are what executors share, beyond their configuration.
type Options struct {
	// HTTPClient carries the requests of actions, to AWS and to
	// webhooks; nil for the default clients.
	HTTPClient *http.Client
	// MaxBackoff bounds the wait between the tries the AWS SDK makes on
	// throttling and server errors; 0 for 2s.
	MaxBackoff time.Duration
	// Now is the clock of webhook timestamps; nil for time.Now.
	Now func() time.Time
}

// New returns the executor of a configured action. It reads the secrets
// the configuration names but calls no remote service.
func New(cfg config.Action, o Options) (Executor, error) {
	var (
		e   Executor
		err error
	)
	switch cfg.Type {
	case config.ActionDeactivateAccessKey:
		e, err = newDeactivate(cfg, o)
	case config.ActionQuarantine:
		e, err = newQuarantine(cfg, o)
	case config.ActionSOARWebhook:
		e, err = newWebhook(cfg, o)
	default:
		err = fmt.Errorf("unknown type %q", cfg.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("action %s: %w", cfg.Name, err)
	}
	return e, nil
}

// timeout returns the time one run of cfg may take.
func timeout(cfg config.Action) time.Duration {
	if cfg.Timeout > 0 {
		return time.Duration(cfg.Timeout)
	}
	return config.DefaultActionTimeout
}

// describe names what an action acts on: "access key AKIA… of user bob in
// account 111122223333", leaving out what is not known.
func describe(what, ownerKind, owner, account string) string {
	if owner != "" {
		what += " of " + ownerKind + " " + owner
	}
	if account != "" {
		what += " in account " + account
	}
	return what
}

// check returns a permanent error when r is not a request of type typ
// with the parameters required.
func check(r Request, typ string, required ...string) error {
	if r.Type != typ {
		return notify.Permanent(fmt.Errorf("a %s action cannot run a request of type %q", typ, r.Type))
	}
	for _, k := range required {
		if r.Params[k] == "" {
			return notify.Permanent(fmt.Errorf("the %s request has no %s", typ, k))
		}
	}
	return nil
}
