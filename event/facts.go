package event

import (
	"time"
)

// Facts say where the events of a kind hold what every alert reports:
// the event's id, when it happened and the entities it names. Paths are
// in the namespace rules see: a CloudTrail record inside its EventBridge
// envelope, other kinds as they are.
type Facts struct {
	// ID and Time are paths in order of preference; the first present
	// counts. An event without an id is known by its Digest.
	ID, Time []string
	// Entities are the entities the events name, by type.
	Entities []EntityPath
}

// EntityPath is where events of a kind name an entity of a type:
// principal (who acted), access_key, source_ip, account, region,
// user_agent or host (the machine the event happened on).
type EntityPath struct{ Type, Path string }

var cloudFacts = Facts{
	ID:   []string{"id"},
	Time: []string{"time"},
	Entities: []EntityPath{
		{"principal", "detail.userIdentity.arn"},
		{"access_key", "detail.userIdentity.accessKeyId"},
		{"source_ip", "detail.sourceIPAddress"},
		{"account", "account"},
		{"region", "region"},
		{"user_agent", "detail.userAgent"},
	},
}

// facts are the facts of each kind. The names are those the sources
// write: Kubernetes' audit.k8s.io/v1 Event; Sysmon for Linux and the
// shippers that name host events as Sigma does; Sigma's web taxonomy and
// logline's access log entries; logline's audit records and syslog
// messages; common JSON log keys for anything else.
var facts = [...]Facts{
	CloudTrail:  cloudFacts,
	EventBridge: cloudFacts,
	K8sAudit: {
		ID:   []string{"auditID"},
		Time: []string{"requestReceivedTimestamp", "stageTimestamp"},
		Entities: []EntityPath{
			{"principal", "user.username"},
			{"source_ip", "sourceIPs"},
			{"user_agent", "userAgent"},
		},
	},
	Host: {
		ID:   []string{"ProcessGuid", "EventRecordID"},
		Time: []string{"UtcTime", "@timestamp", "timestamp", "time"},
		Entities: []EntityPath{
			{"principal", "User"},
			{"host", "Computer"},
			{"host", "host.name"},
			{"source_ip", "SourceIp"},
		},
	},
	HTTP: {
		Time: []string{"time", "@timestamp", "timestamp", "date"},
		Entities: []EntityPath{
			{"principal", "c-username"},
			{"source_ip", "c-ip"},
			{"user_agent", "c-useragent"},
			{"host", "cs-host"},
		},
	},
	Auditd: {
		Time: []string{"time"},
		Entities: []EntityPath{
			{"principal", "AUID"},
			{"principal", "auid"},
			{"host", "node"},
			{"source_ip", "addr"},
		},
	},
	Syslog: {
		Time:     []string{"time"},
		Entities: []EntityPath{{"host", "host"}},
	},
	WebError: {
		Time:     []string{"time"},
		Entities: []EntityPath{{"source_ip", "client"}},
	},
	JSON: {
		ID:   []string{"id"},
		Time: []string{"@timestamp", "timestamp", "time"},
	},
}

// Facts returns where events of the kind hold their id, time and
// entities. Where a type has several paths, the first present counts.
func (k Kind) Facts() Facts {
	if int(k) < len(facts) {
		return facts[k]
	}
	return Facts{}
}

// ParseTime parses an event's time: RFC 3339, as AWS and Kubernetes write
// it, or a date and a clock without a zone, separated by a space or a T,
// taken to be UTC, as Sysmon writes its UtcTime.
func ParseTime(b []byte) (time.Time, bool) {
	s := string(b)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return t, err == nil
}
