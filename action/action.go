// Package action carries out automatic responses to alerts: deactivating
// an IAM access key, quarantining an IAM user or role with a deny-all
// policy, calling a SOAR webhook. Each kind is an Executor built from its
// configuration; when an action runs (at once, after approval, or never,
// in a dry run), its rate limit and its record are the respond package's.
package action

import (
	"context"
	"encoding/json"

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
