// Package ocsf exports alerts as OCSF Detection Findings (class 2004 of
// the Findings category, schema 1.3.0), the form in which security data
// lakes and SIEMs that speak the Open Cybersecurity Schema Framework (AWS
// Security Lake, Splunk and others) take findings.
//
// Each OCSF object has its function here. What OCSF has no place for (the
// dedup values and the rule's fields) goes under unmapped.
package ocsf

import (
	"slices"
	"strings"
	"time"

	"vigil/rule"
	"vigil/store"
)

// SchemaVersion is the OCSF version the findings follow.
const SchemaVersion = "1.3.0"

// The class of the findings.
const (
	CategoryUID  = 2
	CategoryName = "Findings"
	ClassUID     = 2004
	ClassName    = "Detection Finding"
)

// The activities of a finding.
const (
	ActivityCreate = 1 // a new alert, never updated
	ActivityUpdate = 2 // an alert updated since it was created
	ActivityClose  = 3 // a resolved or false-positive alert
)

// MaxRelatedEvents bounds finding_info.related_events: the first event ids
// of an alert, in its order.
const MaxRelatedEvents = 1000

// Finding is an OCSF Detection Finding (class 2004). It holds only the
// attributes vigil fills; times are in milliseconds since the epoch.
type Finding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	// StatusDetail says why a suppressed finding is: a false positive.
	StatusDetail string `json:"status_detail,omitempty"`
	// Comment is the comment of the alert's last change of status.
	Comment string `json:"comment,omitempty"`
	// Time is when the alert's last event happened, or when the alert was
	// last updated if its events do not say when they happened.
	Time int64 `json:"time"`
	// StartTime and EndTime are when the first and last events happened.
	StartTime   int64        `json:"start_time,omitempty"`
	EndTime     int64        `json:"end_time,omitempty"`
	Count       int          `json:"count,omitempty"`
	Metadata    Metadata     `json:"metadata"`
	FindingInfo FindingInfo  `json:"finding_info"`
	Observables []Observable `json:"observables,omitempty"`
	Resources   []Resource   `json:"resources,omitempty"`
	Cloud       *Cloud       `json:"cloud,omitempty"`
	Unmapped    *Unmapped    `json:"unmapped,omitempty"`
}

// Metadata is the OCSF metadata object: the schema version and the
// product that made the finding.
type Metadata struct {
	Version string  `json:"version"`
	Product Product `json:"product"`
	// UID is the alert's id.
	UID string `json:"uid,omitempty"`
	// LoggedTime is when the alert was created, ModifiedTime when it was
	// last updated.
	LoggedTime   int64 `json:"logged_time,omitempty"`
	ModifiedTime int64 `json:"modified_time,omitempty"`
	// Profiles lists the OCSF profiles whose attributes the finding has:
	// "cloud" when it has a cloud object.
	Profiles []string `json:"profiles,omitempty"`
}

// Product is the OCSF product object: vigil and its version.
type Product struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

// FindingInfo is the OCSF finding_info object: what was found, by which
// rule, and when.
type FindingInfo struct {
	UID           string         `json:"uid"`
	Title         string         `json:"title,omitempty"`
	Analytic      Analytic       `json:"analytic"`
	Types         []string       `json:"types,omitempty"`
	Attacks       []Attack       `json:"attacks,omitempty"`
	CreatedTime   int64          `json:"created_time,omitempty"`
	ModifiedTime  int64          `json:"modified_time,omitempty"`
	FirstSeenTime int64          `json:"first_seen_time,omitempty"`
	LastSeenTime  int64          `json:"last_seen_time,omitempty"`
	RelatedEvents []RelatedEvent `json:"related_events,omitempty"`
}

// Analytic is the OCSF analytic object: the rule that raised the alert.
type Analytic struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type,omitempty"`
}

// AnalyticRule is the analytic type_id of a rule.
const AnalyticRule = 1

// RelatedEvent is the OCSF related_event object: one event of the alert.
type RelatedEvent struct {
	UID string `json:"uid"`
}

// Observable is the OCSF observable object: one value of one of the
// alert's entities, named "entities.<type>".
type Observable struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type,omitempty"`
	Value  string `json:"value,omitempty"`
}

// The observable types of OCSF 1.3 that entities take.
const (
	ObservableHostname         = 1
	ObservableIPAddress        = 2
	ObservableUserName         = 4
	ObservableResourceUID      = 10
	ObservableHTTPUserAgent    = 16
	ObservableUserCredentialID = 19
	ObservableOther            = 99
)

// Resource is the OCSF resource_details object: an AWS resource the
// alert's events name by ARN.
type Resource struct {
	UID string `json:"uid"`
	// Type is the ARN's service, then its resource type when it has one:
	// "iam:user", "sts:assumed-role", "s3".
	Type           string `json:"type,omitempty"`
	CloudPartition string `json:"cloud_partition,omitempty"`
	Region         string `json:"region,omitempty"`
}

// Cloud is the OCSF cloud object: the AWS account and region of the
// alert's events.
type Cloud struct {
	Provider string   `json:"provider"`
	Account  *Account `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
}

// Account is the OCSF account object.
type Account struct {
	UID string `json:"uid"`
}

// Unmapped holds what OCSF has no attribute for.
type Unmapped struct {
	// Dedup maps the rule's dedup fields to the values that fold events
	// into the alert.
	Dedup map[string]*string `json:"dedup,omitempty"`
	// Fields maps the rule's fields to the values the events had.
	Fields map[string][]string `json:"fields,omitempty"`
}

// FromAlert returns the finding of an alert. version is vigil's version.
func FromAlert(a *store.Alert, version string) Finding {
	activityID, activityName := activity(a)
	severityID, severityName := severity(a.Rule.Severity)
	statusID, statusName, statusDetail := status(a.Status)
	f := Finding{
		ActivityID:   activityID,
		ActivityName: activityName,
		CategoryUID:  CategoryUID,
		CategoryName: CategoryName,
		ClassUID:     ClassUID,
		ClassName:    ClassName,
		TypeUID:      ClassUID*100 + activityID,
		TypeName:     ClassName + ": " + activityName,
		SeverityID:   severityID,
		Severity:     severityName,
		StatusID:     statusID,
		Status:       statusName,
		StatusDetail: statusDetail,
		Comment:      comment(a.Notes),
		Time:         findingTime(a),
		StartTime:    millisOf(a.FirstSeen),
		EndTime:      millisOf(a.LastSeen),
		Count:        a.Count,
		FindingInfo:  findingInfo(a),
		Observables:  observables(a.Entities),
		Resources:    resources(a.Entities),
		Cloud:        cloud(a.Entities),
		Unmapped:     unmapped(a),
	}
	f.Metadata = metadata(a, version, f.Cloud != nil)
	return f
}

// findingTime returns when the alert's last event happened, or when the
// alert was last updated if its events do not say when they happened.
func findingTime(a *store.Alert) int64 {
	if t := millisOf(a.LastSeen); t != 0 {
		return t
	}
	return millis(a.UpdatedAt)
}

// activity returns the activity of the alert's finding: closed when its
// status closes it, else updated when it changed after its creation.
func activity(a *store.Alert) (int, string) {
	switch {
	case a.Status == store.Resolved || a.Status == store.FalsePositive:
		return ActivityClose, "Close"
	case a.UpdatedAt.After(a.CreatedAt):
		return ActivityUpdate, "Update"
	}
	return ActivityCreate, "Create"
}

// severity maps vigil's severities onto OCSF's severity_id, which has the
// same five levels above Unknown (0).
func severity(s rule.Severity) (int, string) {
	switch s {
	case rule.Info:
		return 1, "Informational"
	case rule.Low:
		return 2, "Low"
	case rule.Medium:
		return 3, "Medium"
	case rule.High:
		return 4, "High"
	case rule.Critical:
		return 5, "Critical"
	}
	return 0, "Unknown"
}

// status maps an alert's status onto the status_id of OCSF 1.3 findings:
// 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 99 Other. OCSF defines
// Suppressed as a finding reviewed and found benign or a false positive,
// which is exactly vigil's false_positive, so it maps there rather than to
// Other; status_detail says it was a false positive.
func status(s store.Status) (id int, name, detail string) {
	switch s {
	case store.Open:
		return 1, "New", ""
	case store.Acknowledged:
		return 2, "In Progress", ""
	case store.FalsePositive:
		return 3, "Suppressed", "False Positive"
	case store.Resolved:
		return 4, "Resolved", ""
	}
	return 0, "Unknown", ""
}

// comment returns the comment of the last change of status.
func comment(notes []store.Note) string {
	if len(notes) == 0 {
		return ""
	}
	return notes[len(notes)-1].Comment
}

func metadata(a *store.Alert, version string, cloud bool) Metadata {
	m := Metadata{
		Version:      SchemaVersion,
		Product:      Product{Name: "vigil", VendorName: "vigil", Version: version},
		UID:          a.ID,
		LoggedTime:   millis(a.CreatedAt),
		ModifiedTime: millis(a.UpdatedAt),
	}
	if cloud {
		m.Profiles = []string{"cloud"}
	}
	return m
}

func findingInfo(a *store.Alert) FindingInfo {
	fi := FindingInfo{
		UID:           a.ID,
		Title:         a.Rule.Title,
		Analytic:      analytic(a),
		Attacks:       attacks(a.Rule.Tags),
		CreatedTime:   millis(a.CreatedAt),
		ModifiedTime:  millis(a.UpdatedAt),
		FirstSeenTime: millisOf(a.FirstSeen),
		LastSeenTime:  millisOf(a.LastSeen),
		RelatedEvents: relatedEvents(a.EventIDs),
	}
	if a.Rule.Scenario != "" {
		fi.Types = []string{string(a.Rule.Scenario)}
	}
	return fi
}

func analytic(a *store.Alert) Analytic {
	return Analytic{UID: a.Rule.ID, Name: a.Rule.Title, TypeID: AnalyticRule, Type: "Rule"}
}

func relatedEvents(ids []string) []RelatedEvent {
	ids = ids[:min(len(ids), MaxRelatedEvents)]
	if len(ids) == 0 {
		return nil
	}
	out := make([]RelatedEvent, len(ids))
	for i, id := range ids {
		out[i] = RelatedEvent{UID: id}
	}
	return out
}

// standardEntities are the entity types every event kind may name, in the
// order observables list them; the entities of rules follow, by name.
var standardEntities = []string{"principal", "access_key", "source_ip", "account", "region", "user_agent", "host"}

// entityTypes returns the entity types of an alert in the order
// observables list them.
func entityTypes(entities map[string][]string) []string {
	var types, others []string
	for _, t := range standardEntities {
		if _, ok := entities[t]; ok {
			types = append(types, t)
		}
	}
	for t := range entities {
		if !slices.Contains(standardEntities, t) {
			others = append(others, t)
		}
	}
	slices.Sort(others)
	return append(types, others...)
}

func observables(entities map[string][]string) []Observable {
	var out []Observable
	for _, t := range entityTypes(entities) {
		for _, v := range entities[t] {
			id, name := observableType(t, v)
			out = append(out, Observable{Name: "entities." + t, TypeID: id, Type: name, Value: v})
		}
	}
	return out
}

// observableType returns the OCSF observable type of an entity's value.
// An ARN is a Resource UID whatever the entity; an access key id is a User
// Credential ID, the type OCSF gives AWS access keys; a principal that is
// not an ARN (a Kubernetes or host user) is a User Name. Entities OCSF has
// no type for (account, region, most of the rules' own) are Other, their
// name saying what they are.
func observableType(entity, value string) (int, string) {
	switch {
	case strings.HasPrefix(value, "arn:"):
		return ObservableResourceUID, "Resource UID"
	case entity == "principal", entity == "target_user":
		return ObservableUserName, "User Name"
	case entity == "access_key", entity == "target_access_key", entity == "created_access_key":
		return ObservableUserCredentialID, "User Credential ID"
	case entity == "source_ip":
		return ObservableIPAddress, "IP Address"
	case entity == "host":
		return ObservableHostname, "Hostname"
	case entity == "user_agent":
		return ObservableHTTPUserAgent, "HTTP User-Agent"
	}
	return ObservableOther, "Other"
}

// resources returns the AWS resources the alert's entities name by ARN:
// its principals first, then the resources its rule names. The alert's
// events act on or as them.
func resources(entities map[string][]string) []Resource {
	var out []Resource
	seen := map[string]bool{}
	for _, t := range entityTypes(entities) {
		for _, v := range entities[t] {
			r, ok := resource(v)
			if ok && !seen[v] {
				seen[v] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// resource returns the resource of an ARN,
// arn:partition:service:region:account:resource.
func resource(arn string) (Resource, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return Resource{}, false
	}
	typ := parts[2]
	if i := strings.IndexAny(parts[5], "/:"); i > 0 {
		typ += ":" + parts[5][:i]
	}
	return Resource{UID: arn, Type: typ, CloudPartition: parts[1], Region: parts[3]}, true
}

// cloud returns the cloud of the alert: AWS, with the first account and
// region its events name; nil when they name neither.
func cloud(entities map[string][]string) *Cloud {
	accounts, regions := entities["account"], entities["region"]
	if len(accounts) == 0 && len(regions) == 0 {
		return nil
	}
	c := &Cloud{Provider: "AWS"}
	if len(accounts) > 0 {
		c.Account = &Account{UID: accounts[0]}
	}
	if len(regions) > 0 {
		c.Region = regions[0]
	}
	return c
}

func unmapped(a *store.Alert) *Unmapped {
	if len(a.Dedup) == 0 && len(a.Fields) == 0 {
		return nil
	}
	return &Unmapped{Dedup: a.Dedup, Fields: a.Fields}
}

// millis returns t in milliseconds since the epoch; 0 for the zero time.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// millisOf returns *t in milliseconds since the epoch; 0 for nil.
func millisOf(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return millis(*t)
}
