package user

import "vigil/store"

// Permission is something a role may do, in the console or the API.
type Permission string

// The permissions. Roles are separate, each with the least it needs
// (the specification's separation of system administration, audit
// administration and day-to-day operation): administrators run vigil
// (users, tokens, configuration, rules) and may read the audit trail,
// but do not handle alerts; analysts handle alerts (their status,
// silences, approvals of responses, searches); auditors read the audit
// trail and its reports, and alerts, and change nothing; ingest tokens
// only send events. Nobody can change or delete the audit trail: no
// permission allows it, and vigil has no way to do it.
const (
	PermIngest      Permission = "ingest"       // send events
	PermAlertsRead  Permission = "alerts.read"  // read alerts and metrics
	PermAlertsWrite Permission = "alerts.write" // change the status of alerts
	PermSilences    Permission = "silences"     // add and remove silences
	PermApprove     Permission = "approve"      // approve or refuse automatic responses
	PermSearch      Permission = "search"       // search events
	PermUsers       Permission = "users"        // manage users
	PermTokens      Permission = "tokens"       // manage API tokens
	PermConfig      Permission = "config"       // change the configuration
	PermRules       Permission = "rules"        // change rules
	PermAudit       Permission = "audit"        // read, verify and export the audit trail, and its statistics
)

// grants is what each role may do.
var grants = map[store.Role][]Permission{
	store.Admin:   {PermAlertsRead, PermUsers, PermTokens, PermConfig, PermRules, PermAudit},
	store.Analyst: {PermAlertsRead, PermAlertsWrite, PermSilences, PermApprove, PermSearch},
	store.Auditor: {PermAlertsRead, PermAudit},
	store.Ingest:  {PermIngest},
}

// Allowed reports whether the role may do what needs the permission.
// It is the one table of what roles may do: the console's users and
// the API's tokens share it.
func Allowed(r store.Role, p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}
