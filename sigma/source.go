package sigma

import (
	"fmt"
	"slices"
	"strings"

	"vigil/event"
)

// Logsource is the logsource of a Sigma rule.
type Logsource struct {
	Category, Product, Service string
}

func (l Logsource) String() string {
	var parts []string
	for _, kv := range [][2]string{{"product", l.Product}, {"category", l.Category}, {"service", l.Service}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+": "+kv[1])
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Source is where the events of a logsource are found: the kinds of
// event, the prefix of field paths in them (CloudTrail records are read
// below "detail", as inside their EventBridge envelope), and a condition
// that singles them out among the events of those kinds.
type Source struct {
	Kinds  []event.Kind
	Prefix string
	// Where is an implicit condition: the field names in it are paths
	// in events, as written; each field must have one of its values
	// (case-insensitive), or, for an empty list, any value.
	Where map[string][]string
}

// syslogPrograms are the programs whose syslog messages a Linux service
// names.
var syslogPrograms = map[string][]string{
	"sshd": {"sshd"}, "cron": {"cron", "crond", "CRON"}, "vsftpd": {"vsftpd"}, "sudo": {"sudo"},
	"auth": {}, "syslog": {}, "clamav": {"clamd", "freshclam", "clamav"}, "guacamole": {"guacd", "guacamole"},
	"su": {"su"},
}

// route returns the Source of a logsource, or a reason why vigil reads no
// events of it.
func route(l Logsource) (*Source, string) {
	lower := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	cat, prod, svc := lower(l.Category), lower(l.Product), lower(l.Service)
	switch {
	case prod == "aws" && svc == "cloudtrail":
		return &Source{Kinds: []event.Kind{event.CloudTrail, event.EventBridge}, Prefix: "detail."}, ""
	case prod == "kubernetes" && svc == "audit" && (cat == "" || cat == "application"):
		return &Source{Kinds: []event.Kind{event.K8sAudit}}, ""
	case cat == "webserver" || cat == "proxy":
		return &Source{Kinds: []event.Kind{event.HTTP}}, ""
	case cat == "" && (svc == "apache" || svc == "nginx") && (prod == "" || prod == svc || prod == "linux"):
		return &Source{Kinds: []event.Kind{event.WebError}, Where: map[string][]string{"server": {svc}}}, ""
	case prod != "linux":
		return nil, fmt.Sprintf("vigil reads no %s events", l)
	case svc == "auditd" && cat == "":
		return &Source{Kinds: []event.Kind{event.Auditd}}, ""
	case cat == "process_creation" && svc == "":
		return &Source{Kinds: []event.Kind{event.Host}, Where: map[string][]string{"CommandLine": nil}}, ""
	case cat == "file_event" && svc == "":
		return &Source{Kinds: []event.Kind{event.Host}, Where: map[string][]string{"TargetFilename": nil}}, ""
	case cat == "network_connection" && svc == "":
		return &Source{Kinds: []event.Kind{event.Host}, Where: map[string][]string{"DestinationIp": nil}}, ""
	case cat == "" && svc == "":
		return &Source{Kinds: []event.Kind{event.Syslog, event.Auditd}}, ""
	case cat == "":
		if progs, ok := syslogPrograms[svc]; ok {
			src := &Source{Kinds: []event.Kind{event.Syslog}}
			if len(progs) > 0 {
				src.Where = map[string][]string{"program": slices.Clone(progs)}
			}
			return src, ""
		}
	}
	return nil, fmt.Sprintf("vigil reads no %s events", l)
}
