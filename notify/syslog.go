package notify

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/config"
	"vigil/notify/tmpl"
)

// Sizes of syslog messages every receiver takes: 2048 bytes over UDP
// (RFC 5426), 8192 over TCP and TLS (RFC 5425).
const (
	syslogUDPMax = 2048
	syslogTCPMax = 8192
	// Values in structured data and CEF extensions are cut to this:
	// whole messages must fit, and a SIEM wants fields, not essays.
	fieldMax = 256
	// ArcSight's longest string fields (msg, request) take 1023.
	cefValueMax = 1023
)

// enterprise is the private enterprise number of vigil's SD-IDs
// ("alert@32473"): the one IANA reserves for documentation (RFC 5612),
// as vigil has none of its own.
const enterprise = "32473"

// syslogSeverity maps vigil's severities, by level, to syslog's:
// informational, notice, warning, error, critical.
var syslogSeverity = [...]int{6, 5, 4, 3, 2}

// cefSeverity maps them to CEF's 0 to 10: low (0-3), medium (4-6), high
// (7-8), very high (9-10).
var cefSeverity = [...]int{1, 3, 5, 8, 10}

// bom starts an RFC 5424 MSG written in UTF-8.
const bom = "\uFEFF"

type syslogger struct {
	base
	cfg      *config.SyslogConfig
	network  string
	facility int
	host     string
	tls      *tls.Config
	max      int
}

func newSyslog(b base, c *config.SyslogConfig) (*syslogger, error) {
	b.resolved = c.Resolved()
	s := &syslogger{base: b, cfg: c, network: c.SyslogNet(), max: syslogTCPMax}
	s.facility = config.Facilities[cmp.Or(c.Facility, config.DefaultFacility)]
	if s.network == "udp" {
		s.max = syslogUDPMax
	}
	s.host = c.Hostname
	if s.host == "" {
		h, _ := os.Hostname()
		s.host = printable(h, 255)
	}
	if s.network == "tls" {
		host, _, _ := net.SplitHostPort(c.Address)
		var err error
		if s.tls, err = tlsConfig(c.TLSConfig, host); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *syslogger) Notify(ctx context.Context, n *Notification) error {
	if n = s.pick(n); n == nil {
		return nil
	}
	now := time.Now()
	var out []byte
	for i := range n.Alerts {
		m := s.format(n, &n.Alerts[i], now)
		if s.network == "udp" {
			// One datagram per message.
			if err := s.send(ctx, m); err != nil {
				return err
			}
			continue
		}
		// Octet counting (RFC 6587): the length, a space, the message.
		out = append(append(strconv.AppendInt(out, int64(len(m)), 10), ' '), m...)
	}
	if len(out) == 0 {
		return nil
	}
	return s.send(ctx, out)
}

// send writes b on a new connection.
func (s *syslogger) send(ctx context.Context, b []byte) error {
	d := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	var err error
	if s.network == "tls" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.tls}).DialContext(ctx, "tcp", s.cfg.Address)
	} else {
		conn, err = d.DialContext(ctx, s.network, s.cfg.Address)
	}
	if err != nil {
		return fmt.Errorf("syslog %s %s: %w", s.network, s.cfg.Address, err)
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	if _, err := conn.Write(b); err != nil {
		return fmt.Errorf("syslog %s %s: %w", s.network, s.cfg.Address, err)
	}
	return nil
}

// format writes the RFC 5424 message of an alert: the header, then
// vigil's structured data and the summary, or an empty structured data
// and the CEF line.
func (s *syslogger) format(n *Notification, a *Alert, now time.Time) []byte {
	lvl := level(a.Rule.Severity)
	head := fmt.Sprintf("<%d>1 %s %s %s %d %s ", s.facility*8+syslogSeverity[lvl],
		now.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), cmp.Or(s.host, "-"),
		cmp.Or(s.cfg.AppName, config.DefaultAppName), os.Getpid(), cmp.Or(a.Status, "-"))
	room := s.max - len(head)
	if s.cfg.Format == "cef" {
		return []byte(head + "- " + cef(n, a, now, room-2))
	}
	const msgMin = 128 // room kept for the summary
	sd := structured(n, a, room-1-msgMin)
	return []byte(head + sd + " " + bom + cut(summary(a), room-len(sd)-1-len(bom), inBytes))
}

// structured writes vigil's RFC 5424 structured data for an alert, in
// at most room bytes: the alert, its entities, and its dedup values as
// JSON. Parameters are left out, the least useful first, when the whole
// would not fit.
func structured(n *Notification, a *Alert, room int) string {
	dedup, _ := json.Marshal(a.Dedup)
	alert := []param{
		{"id", a.ID}, {"status", a.Status}, {"rule", a.Rule.ID}, {"severity", a.Rule.Severity},
		{"count", strconv.Itoa(a.Count)}, {"title", a.Rule.Title}, {"url", a.URL}, {"notification", n.ID},
		{"scenario", a.Rule.Scenario}, {"first_seen", stamp(a.FirstSeen)}, {"last_seen", stamp(a.LastSeen)},
		{"dedup", string(dedup)},
	}
	var entity []param
	for _, e := range tmpl.Entities(a.Entities) {
		for _, v := range e.Values {
			entity = append(entity, param{e.Type, v})
		}
	}
	var b strings.Builder
	for _, el := range []struct {
		id     string
		params []param
	}{{"alert", alert}, {"entity", entity}} {
		id := el.id + "@" + enterprise
		var ps strings.Builder
		for _, p := range el.params {
			if p.value == "" {
				continue
			}
			w := " " + sdName(p.name) + `="` + sdEscape(cut(valid(p.value), fieldMax, inBytes)) + `"`
			if b.Len()+len(id)+2+ps.Len()+len(w) <= room {
				ps.WriteString(w)
			}
		}
		if ps.Len() > 0 {
			b.WriteString("[" + id + ps.String() + "]")
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

type param struct{ name, value string }

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// sdEscaper escapes what RFC 5424 requires in a PARAM-VALUE.
var sdEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "]", `\]`)

// sdEscape escapes a PARAM-VALUE of RFC 5424 structured data.
func sdEscape(s string) string { return sdEscaper.Replace(s) }

// sdName makes a PARAM-NAME of s: at most 32 printable ASCII characters
// but '=', ' ', ']' and '"'.
func sdName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' || r == '=' || r == ']' || r == '"' {
			return '_'
		}
		return r
	}, s)
	return s[:min(len(s), 32)]
}

// printable keeps the printable ASCII of s, at most n bytes of it: what
// RFC 5424 allows in HOSTNAME and APP-NAME.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r <= ' ' || r > '~' {
			return -1
		}
		return r
	}, s)
	return s[:min(len(s), n)]
}

// summary is an alert in one line of plain text.
func summary(a *Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s", strings.ToUpper(a.Rule.Severity), a.Rule.Title)
	if a.Status == "resolved" {
		b.WriteString(" (resolved)")
	}
	fmt.Fprintf(&b, ", %d events", a.Count)
	for _, e := range tmpl.Entities(a.Entities) {
		fmt.Fprintf(&b, "; %s=%s", e.Type, strings.Join(e.Values, ","))
	}
	fmt.Fprintf(&b, "; rule %s; alert %s", a.Rule.ID, a.ID)
	if a.URL != "" {
		b.WriteString("; " + a.URL)
	}
	return valid(strings.Join(strings.Fields(b.String()), " "))
}

// valid replaces what is not UTF-8 in s: RFC 5424 and CEF want UTF-8.
func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// CEF escaping (ArcSight's "Implementing ArcSight CEF"): in the header,
// backslash and pipe; in extension values, backslash, equals sign and
// line breaks.
var (
	cefHeaderEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")
	cefValueEscaper  = strings.NewReplacer(`\`, `\\`, "=", `\=`, "\n", `\n`, "\r", `\r`)
)

// cefHeader escapes a field of a CEF header.
func cefHeader(s string) string { return cefHeaderEscaper.Replace(s) }

// cefValue escapes a value of a CEF extension.
func cefValue(s string) string { return cefValueEscaper.Replace(s) }

// cef writes an alert as a CEF line of at most room bytes. The
// extension's pairs come in order of use to a SIEM; those that would
// not fit are left out.
func cef(n *Notification, a *Alert, now time.Time, room int) string {
	ms := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	firstOf := func(typ string) string {
		if v := a.Entities[typ]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	src, src6 := "", ""
	if ip := net.ParseIP(firstOf("source_ip")); ip.To4() != nil {
		src = ip.String()
	} else if ip != nil {
		src6 = ip.String()
	}
	dedup, _ := json.Marshal(a.Dedup)
	pairs := [][]param{
		{{"rt", strconv.FormatInt(now.UnixMilli(), 10)}},
		{{"externalId", cut(a.ID, 40, inBytes)}},
		{{"cnt", strconv.Itoa(a.Count)}},
		{{"cs1Label", "status"}, {"cs1", a.Status}},
		{{"src", src}},
		{{"c6a2Label", "Source IPv6 Address"}, {"c6a2", src6}},
		{{"suser", firstOf("principal")}},
		{{"request", a.URL}},
		{{"cs2Label", "account"}, {"cs2", strings.Join(a.Entities["account"], ",")}},
		{{"cs3Label", "accessKey"}, {"cs3", strings.Join(a.Entities["access_key"], ",")}},
		{{"dhost", firstOf("host")}},
		{{"cat", a.Rule.Scenario}},
		{{"start", ms(a.FirstSeen)}},
		{{"end", ms(a.LastSeen)}},
		{{"cs4Label", "notification"}, {"cs4", n.ID}},
		{{"cs5Label", "dedup"}, {"cs5", string(dedup)}},
		{{"cs6Label", "tags"}, {"cs6", strings.Join(a.Rule.Tags, ",")}},
		{{"msg", summary(a)}},
	}
	head := fmt.Sprintf("CEF:0|vigil|vigil|%s|%s|%s|%d|", cefHeader(version()), cefHeader(cut(valid(a.Rule.ID), 128, inBytes)),
		cefHeader(cut(valid(a.Rule.Title), 512, inBytes)), cefSeverity[level(a.Rule.Severity)])
	var ext []string
	used := len(head)
	for _, group := range pairs {
		if group[len(group)-1].value == "" {
			continue
		}
		kv := make([]string, len(group))
		for i, p := range group {
			kv[i] = p.name + "=" + cefValue(cut(valid(p.value), cefValueMax, inBytes))
		}
		w := strings.Join(kv, " ")
		if len(ext) > 0 {
			w = " " + w
		}
		if used+len(w) <= room {
			ext = append(ext, w)
			used += len(w)
		}
	}
	return head + strings.Join(ext, "")
}

// version is vigil's version, as the build recorded it.
var version = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
})
