package ocsf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/alert"
	"vigil/rule"
	"vigil/store"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// cloudTrailAlert is an acknowledged CloudTrail alert with every standard
// entity, entities of its rule and ATT&CK tags.
func cloudTrailAlert() *store.Alert {
	return &store.Alert{
		ID: "01JD7Q3ZC4M1V8X2K6N9R5T0WB",
		Alert: alert.Alert{
			Rule: alert.RuleRef{
				ID:       "aws-iam-access-key-created",
				Title:    "IAM access key created for another user",
				Severity: rule.High,
				Scenario: rule.Privilege,
				Tags:     []string{"attack.persistence", "attack.t1098.001"},
			},
			Dedup:     map[string]*string{"detail.requestParameters.userName": ptr("svc-reporting")},
			Count:     2,
			FirstSeen: ptr(at("2026-11-20T18:13:00Z")),
			LastSeen:  ptr(at("2026-11-20T18:13:41.25Z")),
			EventIDs:  []string{"78f8521a-08c5-5643-9829-b1d067b87cb1", "261fb13b-584b-5d8b-8d70-2023440333a7"},
			Entities: map[string][]string{
				"created_access_key": {"AKIAEXAMPLENEWKEY001"},
				"target_user":        {"svc-reporting"},
				"principal": {
					"arn:aws:iam::111122223333:user/svc-legacy-etl",
					"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_4f2a9c8b7d6e5f10/bob@bank.example",
				},
				"access_key": {"AKIAEXAMPLELEGACY001", "ASIAEXAMPLESSOBOB001"},
				"source_ip":  {"198.51.100.23", "192.0.2.10"},
				"account":    {"111122223333"},
				"region":     {"us-east-1"},
				"user_agent": {"aws-cli/2.15.10", "AWS Internal"},
			},
			Fields: map[string][]string{"detail.eventName": {"CreateAccessKey"}},
		},
		Status:    store.Acknowledged,
		CreatedAt: at("2026-11-20T18:14:02.5Z"),
		UpdatedAt: at("2026-11-20T18:20:00Z"),
		Notes: []store.Note{
			{At: at("2026-11-20T18:20:00Z"), Actor: "alice", Status: store.Acknowledged, Comment: "asking the ETL team"},
		},
	}
}

const cloudTrailFinding = `{
  "activity_id": 2,
  "activity_name": "Update",
  "category_uid": 2,
  "category_name": "Findings",
  "class_uid": 2004,
  "class_name": "Detection Finding",
  "type_uid": 200402,
  "type_name": "Detection Finding: Update",
  "severity_id": 4,
  "severity": "High",
  "status_id": 2,
  "status": "In Progress",
  "comment": "asking the ETL team",
  "time": 1795198421250,
  "start_time": 1795198380000,
  "end_time": 1795198421250,
  "count": 2,
  "metadata": {
    "version": "1.3.0",
    "product": {
      "name": "vigil",
      "vendor_name": "vigil",
      "version": "1.4.2"
    },
    "uid": "01JD7Q3ZC4M1V8X2K6N9R5T0WB",
    "logged_time": 1795198442500,
    "modified_time": 1795198800000,
    "profiles": [
      "cloud"
    ]
  },
  "finding_info": {
    "uid": "01JD7Q3ZC4M1V8X2K6N9R5T0WB",
    "title": "IAM access key created for another user",
    "analytic": {
      "uid": "aws-iam-access-key-created",
      "name": "IAM access key created for another user",
      "type_id": 1,
      "type": "Rule"
    },
    "types": [
      "privilege"
    ],
    "attacks": [
      {
        "tactic": {
          "uid": "TA0003",
          "name": "Persistence",
          "src_url": "https://attack.mitre.org/tactics/TA0003/"
        },
        "technique": {
          "uid": "T1098",
          "src_url": "https://attack.mitre.org/techniques/T1098/"
        },
        "sub_technique": {
          "uid": "T1098.001",
          "src_url": "https://attack.mitre.org/techniques/T1098/001/"
        }
      }
    ],
    "created_time": 1795198442500,
    "modified_time": 1795198800000,
    "first_seen_time": 1795198380000,
    "last_seen_time": 1795198421250,
    "related_events": [
      {
        "uid": "78f8521a-08c5-5643-9829-b1d067b87cb1"
      },
      {
        "uid": "261fb13b-584b-5d8b-8d70-2023440333a7"
      }
    ]
  },
  "observables": [
    {
      "name": "entities.principal",
      "type_id": 10,
      "type": "Resource UID",
      "value": "arn:aws:iam::111122223333:user/svc-legacy-etl"
    },
    {
      "name": "entities.principal",
      "type_id": 10,
      "type": "Resource UID",
      "value": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_4f2a9c8b7d6e5f10/bob@bank.example"
    },
    {
      "name": "entities.access_key",
      "type_id": 19,
      "type": "User Credential ID",
      "value": "AKIAEXAMPLELEGACY001"
    },
    {
      "name": "entities.access_key",
      "type_id": 19,
      "type": "User Credential ID",
      "value": "ASIAEXAMPLESSOBOB001"
    },
    {
      "name": "entities.source_ip",
      "type_id": 2,
      "type": "IP Address",
      "value": "198.51.100.23"
    },
    {
      "name": "entities.source_ip",
      "type_id": 2,
      "type": "IP Address",
      "value": "192.0.2.10"
    },
    {
      "name": "entities.account",
      "type_id": 99,
      "type": "Other",
      "value": "111122223333"
    },
    {
      "name": "entities.region",
      "type_id": 99,
      "type": "Other",
      "value": "us-east-1"
    },
    {
      "name": "entities.user_agent",
      "type_id": 16,
      "type": "HTTP User-Agent",
      "value": "aws-cli/2.15.10"
    },
    {
      "name": "entities.user_agent",
      "type_id": 16,
      "type": "HTTP User-Agent",
      "value": "AWS Internal"
    },
    {
      "name": "entities.created_access_key",
      "type_id": 19,
      "type": "User Credential ID",
      "value": "AKIAEXAMPLENEWKEY001"
    },
    {
      "name": "entities.target_user",
      "type_id": 4,
      "type": "User Name",
      "value": "svc-reporting"
    }
  ],
  "resources": [
    {
      "uid": "arn:aws:iam::111122223333:user/svc-legacy-etl",
      "type": "iam:user",
      "cloud_partition": "aws"
    },
    {
      "uid": "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_4f2a9c8b7d6e5f10/bob@bank.example",
      "type": "sts:assumed-role",
      "cloud_partition": "aws"
    }
  ],
  "cloud": {
    "provider": "AWS",
    "account": {
      "uid": "111122223333"
    },
    "region": "us-east-1"
  },
  "unmapped": {
    "dedup": {
      "detail.requestParameters.userName": "svc-reporting"
    },
    "fields": {
      "detail.eventName": [
        "CreateAccessKey"
      ]
    }
  }
}`

func TestGolden(t *testing.T) {
	got, err := json.MarshalIndent(FromAlert(cloudTrailAlert(), "1.4.2"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != cloudTrailFinding {
		t.Errorf("finding:\n%s\nwant:\n%s", got, cloudTrailFinding)
	}
}

// decode returns the JSON of a finding as generic values, as a consumer
// sees it.
func decode(t *testing.T, f Finding) map[string]any {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// get returns the value at a dotted path of decoded JSON, with numbers
// as strings; "" when absent.
func get(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[p]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// kubernetesAlert is a new alert on Kubernetes audit events, whose
// principal is not an ARN and whose rule names two tactics.
func kubernetesAlert() *store.Alert {
	return &store.Alert{
		ID: "01JD7Q40000000000000000K8S",
		Alert: alert.Alert{
			Rule: alert.RuleRef{
				ID:       "k8s-exec-into-pod",
				Title:    "Exec into a pod",
				Severity: rule.Medium,
				Tags:     []string{"attack.execution", "attack.privilege_escalation", "attack.t1609", "attack.g0016"},
			},
			Dedup:     map[string]*string{},
			Count:     1,
			FirstSeen: ptr(at("2026-11-20T09:00:00.123Z")),
			LastSeen:  ptr(at("2026-11-20T09:00:00.123Z")),
			EventIDs:  []string{"b7a1c3e0-0000-4000-8000-000000000001"},
			Entities: map[string][]string{
				"principal":  {"system:serviceaccount:payments:deployer"},
				"source_ip":  {"10.0.3.17"},
				"user_agent": {"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"},
			},
		},
		Status:    store.Open,
		CreatedAt: at("2026-11-20T09:00:05Z"),
		UpdatedAt: at("2026-11-20T09:00:05Z"),
	}
}

// required are the attributes every Detection Finding must have.
var required = [][]string{
	{"activity_id"}, {"activity_name"},
	{"category_uid"}, {"category_name"},
	{"class_uid"}, {"class_name"},
	{"type_uid"}, {"type_name"},
	{"severity_id"}, {"severity"},
	{"status_id"}, {"status"},
	{"time"},
	{"metadata", "version"},
	{"metadata", "product", "name"}, {"metadata", "product", "vendor_name"},
	{"finding_info", "uid"},
	{"finding_info", "analytic", "type_id"},
}

func TestFromAlert(t *testing.T) {
	k8s := kubernetesAlert()

	resolved := cloudTrailAlert()
	resolved.Status = store.Resolved
	resolved.Notes = append(resolved.Notes, store.Note{At: at("2026-11-21T08:00:00Z"), Actor: "alice", Status: store.Resolved, Comment: "key revoked"})

	falsePositive := cloudTrailAlert()
	falsePositive.Status = store.FalsePositive
	falsePositive.Rule.Severity = rule.Critical

	timeless := &store.Alert{
		ID: "01JD7Q40000000000000000HST",
		Alert: alert.Alert{
			Rule:     alert.RuleRef{ID: "host-shadow-read", Title: "Shadow file read", Severity: rule.Info, Tags: []string{}},
			Count:    3,
			EventIDs: []string{"e1", "e2", "e3"},
			Entities: map[string][]string{"host": {"db-01.bank.example"}, "principal": {"CORP\\alice"}},
		},
		Status:    store.Open,
		CreatedAt: at("2026-11-20T10:00:00Z"),
		UpdatedAt: at("2026-11-20T10:30:00.9Z"),
	}

	tests := []struct {
		name  string
		alert *store.Alert
		want  map[string]string // dotted path to value; "" for absent
	}{
		{"kubernetes", k8s, map[string]string{
			"activity_id":               "1",
			"activity_name":             "Create",
			"type_uid":                  "200401",
			"type_name":                 "Detection Finding: Create",
			"severity_id":               "3",
			"severity":                  "Medium",
			"status_id":                 "1",
			"status":                    "New",
			"time":                      "1795165200123",
			"start_time":                "1795165200123",
			"end_time":                  "1795165200123",
			"count":                     "1",
			"cloud":                     "",
			"resources":                 "",
			"unmapped":                  "",
			"comment":                   "",
			"finding_info.types":        "",
			"finding_info.created_time": "1795165205000",
			"metadata.profiles":         "",
			"metadata.logged_time":      "1795165205000",
			"metadata.modified_time":    "1795165205000",
		}},
		{"resolved", resolved, map[string]string{
			"activity_id":   "3",
			"activity_name": "Close",
			"type_uid":      "200403",
			"type_name":     "Detection Finding: Close",
			"status_id":     "4",
			"status":        "Resolved",
			"status_detail": "",
			"comment":       "key revoked",
			"severity_id":   "4",
		}},
		{"false positive", falsePositive, map[string]string{
			"activity_id":   "3",
			"activity_name": "Close",
			"type_uid":      "200403",
			"status_id":     "3",
			"status":        "Suppressed",
			"status_detail": "False Positive",
			"severity_id":   "5",
			"severity":      "Critical",
		}},
		{"no event times", timeless, map[string]string{
			"activity_id":                  "2",
			"type_uid":                     "200402",
			"severity_id":                  "1",
			"severity":                     "Informational",
			"time":                         "1795170600900",
			"start_time":                   "",
			"end_time":                     "",
			"finding_info.first_seen_time": "",
			"finding_info.last_seen_time":  "",
			"finding_info.attacks":         "",
			"cloud":                        "",
			"resources":                    "",
			"unmapped":                     "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := decode(t, FromAlert(tt.alert, "1.4.2"))
			for _, p := range required {
				if get(m, p...) == "" {
					t.Errorf("%v missing", p)
				}
			}
			if got := get(m, "class_uid"); got != "2004" {
				t.Errorf("class_uid = %s", got)
			}
			if got := get(m, "category_uid"); got != "2" {
				t.Errorf("category_uid = %s", got)
			}
			if got := get(m, "metadata", "version"); got != "1.3.0" {
				t.Errorf("metadata.version = %s", got)
			}
			for path, want := range tt.want {
				if got := get(m, strings.Split(path, ".")...); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
		})
	}
}

func TestKubernetesDetails(t *testing.T) {
	f := FromAlert(kubernetesAlert(), "9.9.9")
	want := []Observable{
		{Name: "entities.principal", TypeID: ObservableUserName, Type: "User Name", Value: "system:serviceaccount:payments:deployer"},
		{Name: "entities.source_ip", TypeID: ObservableIPAddress, Type: "IP Address", Value: "10.0.3.17"},
		{Name: "entities.user_agent", TypeID: ObservableHTTPUserAgent, Type: "HTTP User-Agent", Value: "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"},
	}
	if fmt.Sprint(f.Observables) != fmt.Sprint(want) {
		t.Errorf("observables = %+v, want %+v", f.Observables, want)
	}
	// Two tactics: tactics and the technique stand alone.
	got := f.FindingInfo.Attacks
	if len(got) != 3 ||
		got[0].Tactic == nil || got[0].Tactic.UID != "TA0002" || got[0].Technique != nil ||
		got[1].Tactic == nil || got[1].Tactic.UID != "TA0004" || got[1].Tactic.Name != "Privilege Escalation" ||
		got[2].Tactic != nil || got[2].Technique.UID != "T1609" || got[2].SubTechnique != nil {
		b, _ := json.Marshal(got)
		t.Errorf("attacks = %s", b)
	}
	if f.Metadata.Product.Version != "9.9.9" {
		t.Errorf("product version = %q", f.Metadata.Product.Version)
	}
}

func TestAttacks(t *testing.T) {
	tests := []struct {
		tags []string
		want string
	}{
		{nil, `null`},
		{[]string{"attack.g0016", "cis.1.2", "attack.t12"}, `null`},
		{[]string{"attack.impact"}, `[{"tactic":{"uid":"TA0040","name":"Impact","src_url":"https://attack.mitre.org/tactics/TA0040/"}}]`},
		{[]string{"attack.t1485"}, `[{"technique":{"uid":"T1485","src_url":"https://attack.mitre.org/techniques/T1485/"}}]`},
		{
			[]string{"attack.impact", "attack.T1485", "attack.t1489", "attack.impact"},
			`[{"tactic":{"uid":"TA0040","name":"Impact","src_url":"https://attack.mitre.org/tactics/TA0040/"},"technique":{"uid":"T1485","src_url":"https://attack.mitre.org/techniques/T1485/"}},` +
				`{"tactic":{"uid":"TA0040","name":"Impact","src_url":"https://attack.mitre.org/tactics/TA0040/"},"technique":{"uid":"T1489","src_url":"https://attack.mitre.org/techniques/T1489/"}}]`,
		},
	}
	for _, tt := range tests {
		b, err := json.Marshal(attacks(tt.tags))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("attacks(%q) = %s\nwant %s", tt.tags, b, tt.want)
		}
	}
	for name, uid := range map[string]string{
		"reconnaissance": "TA0043", "resource-development": "TA0042", "initial-access": "TA0001",
		"execution": "TA0002", "persistence": "TA0003", "privilege-escalation": "TA0004",
		"defense-evasion": "TA0005", "credential-access": "TA0006", "discovery": "TA0007",
		"lateral-movement": "TA0008", "collection": "TA0009", "exfiltration": "TA0010",
		"command-and-control": "TA0011", "impact": "TA0040",
	} {
		if tac, ok := tactic("attack." + name); !ok || tac.UID != uid {
			t.Errorf("tactic %s = %+v, %v; want %s", name, tac, ok, uid)
		}
	}
}

func TestRelatedEventsCap(t *testing.T) {
	a := cloudTrailAlert()
	a.EventIDs = nil
	for i := range MaxRelatedEvents + 500 {
		a.EventIDs = append(a.EventIDs, fmt.Sprintf("ev-%04d", i))
	}
	a.Count = len(a.EventIDs)
	f := FromAlert(a, "1")
	ev := f.FindingInfo.RelatedEvents
	if len(ev) != MaxRelatedEvents || ev[0].UID != "ev-0000" || ev[len(ev)-1].UID != "ev-0999" {
		t.Errorf("related events: %d, %v ... %v", len(ev), ev[0], ev[len(ev)-1])
	}
	if f.Count != MaxRelatedEvents+500 {
		t.Errorf("count = %d", f.Count)
	}
}

func TestResource(t *testing.T) {
	tests := []struct {
		arn  string
		want Resource
		ok   bool
	}{
		{"arn:aws:s3:::statements-archive", Resource{UID: "arn:aws:s3:::statements-archive", Type: "s3", CloudPartition: "aws"}, true},
		{"arn:aws:backup:us-east-1:111122223333:backup-plan:8a2f", Resource{UID: "arn:aws:backup:us-east-1:111122223333:backup-plan:8a2f", Type: "backup:backup-plan", CloudPartition: "aws", Region: "us-east-1"}, true},
		{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234", Resource{UID: "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/1234", Type: "kms:key", CloudPartition: "aws-us-gov", Region: "us-gov-west-1"}, true},
		{"arn:aws:iam::111122223333", Resource{}, false},
		{"svc-reporting", Resource{}, false},
	}
	for _, tt := range tests {
		got, ok := resource(tt.arn)
		if got != tt.want || ok != tt.ok {
			t.Errorf("resource(%q) = %+v, %v; want %+v, %v", tt.arn, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTimeless(t *testing.T) {
	// A created alert whose events have no time takes its time from when
	// it was last updated; its times are milliseconds, never the zero
	// time's.
	a := &store.Alert{ID: "x", Status: store.Open, CreatedAt: at("2026-11-20T10:00:00Z"), UpdatedAt: at("2026-11-20T10:00:00Z")}
	f := FromAlert(a, "")
	if f.Time != at("2026-11-20T10:00:00Z").UnixMilli() || f.ActivityID != ActivityCreate {
		t.Errorf("time = %d, activity %d", f.Time, f.ActivityID)
	}
	if f.StartTime != 0 || f.EndTime != 0 || f.FindingInfo.FirstSeenTime != 0 || f.Observables != nil || f.FindingInfo.Types != nil {
		t.Errorf("finding = %+v", f)
	}
	m := decode(t, f)
	for _, k := range []string{"start_time", "end_time", "count", "observables", "resources", "cloud", "unmapped"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present: %v", k, m[k])
		}
	}
	if got := get(m, "metadata", "product", "version"); got != "" {
		t.Errorf("product version = %q", got)
	}
}
