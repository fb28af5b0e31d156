package config

import (
	"cmp"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/notify/tmpl"
)

// Receiver is a named set of integrations that notifications of alerts
// go to, as in Alertmanager: where Alertmanager has the kind, the keys
// and defaults are Alertmanager's. docs/receivers.md describes them.
type Receiver struct {
	Name                string               `yaml:"name"`
	WebhookConfigs      []WebhookConfig      `yaml:"webhook_configs"`
	SlackConfigs        []SlackConfig        `yaml:"slack_configs"`
	EmailConfigs        []EmailConfig        `yaml:"email_configs"`
	PagerdutyConfigs    []PagerdutyConfig    `yaml:"pagerduty_configs"`
	OpsgenieConfigs     []OpsgenieConfig     `yaml:"opsgenie_configs"`
	DingtalkConfigs     []DingtalkConfig     `yaml:"dingtalk_configs"`
	WecomConfigs        []WecomConfig        `yaml:"wecom_configs"`
	FeishuConfigs       []FeishuConfig       `yaml:"feishu_configs"`
	SyslogConfigs       []SyslogConfig       `yaml:"syslog_configs"`
	FileConfigs         []FileConfig         `yaml:"file_configs"`
	NATSConfigs         []NATSConfig         `yaml:"nats_configs"`
	AlertmanagerConfigs []AlertmanagerConfig `yaml:"alertmanager_configs"`
}

// Defaults of the receivers.
const (
	DefaultPagerdutyURL  = "https://events.pagerduty.com/v2/enqueue"
	DefaultOpsgenieURL   = "https://api.opsgenie.com/"
	DefaultHello         = "localhost"
	DefaultSyslogNetwork = "tcp"
	DefaultSyslogFormat  = "rfc5424"
	DefaultFacility      = "local0"
	DefaultAppName       = "vigil"
	// DefaultFile is the NDJSON archive of file_configs with no path, in
	// the data directory.
	DefaultFile = "notifications.ndjson"
	// DefaultResolveTimeout is how long Alertmanager keeps a firing alert
	// of vigil's that is not sent again.
	DefaultResolveTimeout = Duration(24 * time.Hour)
)

func or(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// HTTPConfig is how an integration reaches an HTTP service: the
// authorization it sends and the TLS it expects, as Alertmanager's
// http_config (of which it has a part).
type HTTPConfig struct {
	BasicAuth     *BasicAuth     `yaml:"basic_auth"`
	Authorization *Authorization `yaml:"authorization"`
	TLSConfig     TLSConfig      `yaml:"tls_config"`
}

// BasicAuth is HTTP basic authentication.
type BasicAuth struct {
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
}

// Authorization is an Authorization header: its type (Bearer by default)
// and credentials.
type Authorization struct {
	Type            string `yaml:"type"`
	Credentials     Secret `yaml:"credentials"`
	CredentialsFile string `yaml:"credentials_file"`
}

// TLSConfig is what a client trusts and shows: the CA of the server
// (the system's when empty), the name it expects on the server's
// certificate, and a certificate of its own for mutual TLS.
type TLSConfig struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"`
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// WebhookConfig posts the notification as JSON, signed with HMAC-SHA256
// when it has a secret.
type WebhookConfig struct {
	SendResolved *bool  `yaml:"send_resolved"`
	URL          Secret `yaml:"url"`
	URLFile      string `yaml:"url_file"`
	// MaxAlerts bounds the alerts of one message; 0 sends them all.
	MaxAlerts  int        `yaml:"max_alerts"`
	Secret     Secret     `yaml:"secret"`
	SecretFile string     `yaml:"secret_file"`
	HTTPConfig HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *WebhookConfig) Resolved() bool { return or(c.SendResolved, true) }

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	SendResolved *bool      `yaml:"send_resolved"`
	APIURL       Secret     `yaml:"api_url"`
	APIURLFile   string     `yaml:"api_url_file"`
	Channel      string     `yaml:"channel"`
	Username     string     `yaml:"username"`
	IconEmoji    string     `yaml:"icon_emoji"`
	IconURL      string     `yaml:"icon_url"`
	Title        string     `yaml:"title"` // template
	Text         string     `yaml:"text"`  // template
	HTTPConfig   HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, no).
func (c *SlackConfig) Resolved() bool { return or(c.SendResolved, false) }

// EmailConfig sends mail through an SMTP server.
type EmailConfig struct {
	SendResolved *bool `yaml:"send_resolved"`
	// To is one address or several, separated by commas.
	To               string `yaml:"to"`
	From             string `yaml:"from"`
	Smarthost        string `yaml:"smarthost"` // host:port
	Hello            string `yaml:"hello"`
	AuthUsername     string `yaml:"auth_username"`
	AuthPassword     Secret `yaml:"auth_password"`
	AuthPasswordFile string `yaml:"auth_password_file"`
	AuthIdentity     string `yaml:"auth_identity"`
	// RequireTLS refuses a server that does not offer STARTTLS; true
	// unless set to false.
	RequireTLS *bool     `yaml:"require_tls"`
	TLSConfig  TLSConfig `yaml:"tls_config"`
	// Headers are added to the message; the values are templates.
	// Subject is the title template by default.
	Headers map[string]string `yaml:"headers"`
	HTML    string            `yaml:"html"` // template (html/template)
	Text    string            `yaml:"text"` // template
}

// Resolved reports whether resolved alerts are sent (by default, no).
func (c *EmailConfig) Resolved() bool { return or(c.SendResolved, false) }

// TLSRequired reports whether the server must offer STARTTLS.
func (c *EmailConfig) TLSRequired() bool { return or(c.RequireTLS, true) }

// PagerdutyConfig sends events to PagerDuty's Events API v2.
type PagerdutyConfig struct {
	SendResolved   *bool  `yaml:"send_resolved"`
	RoutingKey     Secret `yaml:"routing_key"`
	RoutingKeyFile string `yaml:"routing_key_file"`
	URL            string `yaml:"url"`        // DefaultPagerdutyURL when empty
	Client         string `yaml:"client"`     // "vigil" when empty
	ClientURL      string `yaml:"client_url"` // the console when empty
	// Description is the summary of the incident; a template.
	Description string `yaml:"description"`
	// Severity is critical, error, warning or info; empty maps the
	// alerts' severity.
	Severity   string     `yaml:"severity"`
	Source     string     `yaml:"source"` // the client when empty
	Class      string     `yaml:"class"`
	Component  string     `yaml:"component"`
	Group      string     `yaml:"group"`
	HTTPConfig HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *PagerdutyConfig) Resolved() bool { return or(c.SendResolved, true) }

// OpsgenieConfig creates and closes alerts with Opsgenie's Alert API.
type OpsgenieConfig struct {
	SendResolved *bool  `yaml:"send_resolved"`
	APIKey       Secret `yaml:"api_key"`
	APIKeyFile   string `yaml:"api_key_file"`
	APIURL       string `yaml:"api_url"`     // DefaultOpsgenieURL when empty
	Message      string `yaml:"message"`     // template
	Description  string `yaml:"description"` // template
	Source       string `yaml:"source"`      // "vigil" when empty
	// Priority is P1 to P5; empty maps the alerts' severity.
	Priority string `yaml:"priority"`
	// Tags are separated by commas, as in Alertmanager.
	Tags       string     `yaml:"tags"`
	HTTPConfig HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *OpsgenieConfig) Resolved() bool { return or(c.SendResolved, true) }

// ChatConfig is a chat robot's webhook: DingTalk, WeCom or Feishu. The
// URL holds the robot's token; Secret signs requests where the service
// does.
type ChatConfig struct {
	SendResolved *bool      `yaml:"send_resolved"`
	URL          Secret     `yaml:"url"`
	URLFile      string     `yaml:"url_file"`
	Title        string     `yaml:"title"` // template
	Text         string     `yaml:"text"`  // template, Markdown
	HTTPConfig   HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *ChatConfig) Resolved() bool { return or(c.SendResolved, true) }

// DingtalkConfig posts to a DingTalk group robot; Secret is the robot's
// signing secret ("加签").
type DingtalkConfig struct {
	ChatConfig `yaml:",inline"`
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
}

// WecomConfig posts to a WeCom group robot, whose URL holds its key.
type WecomConfig struct {
	ChatConfig `yaml:",inline"`
}

// FeishuConfig posts to a Feishu (Lark) custom bot; Secret is its
// signing secret.
type FeishuConfig struct {
	ChatConfig `yaml:",inline"`
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
}

// SyslogConfig sends one syslog message per alert.
type SyslogConfig struct {
	SendResolved *bool     `yaml:"send_resolved"`
	Network      string    `yaml:"network"` // udp, tcp or tls
	Address      string    `yaml:"address"` // host:port
	Format       string    `yaml:"format"`  // rfc5424 or cef
	Facility     string    `yaml:"facility"`
	AppName      string    `yaml:"app_name"`
	Hostname     string    `yaml:"hostname"` // this host's name when empty
	TLSConfig    TLSConfig `yaml:"tls_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *SyslogConfig) Resolved() bool { return or(c.SendResolved, true) }

// FileConfig appends alerts to an NDJSON file. A relative path is in the
// data directory; empty is DefaultFile there.
type FileConfig struct {
	SendResolved *bool  `yaml:"send_resolved"`
	Path         string `yaml:"path"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *FileConfig) Resolved() bool { return or(c.SendResolved, true) }

// NATSConfig publishes notifications to a NATS subject: on vigil's own
// connection, or on another NATS when URL is set.
type NATSConfig struct {
	SendResolved *bool     `yaml:"send_resolved"`
	Subject      string    `yaml:"subject"`
	URL          string    `yaml:"url"`
	CredsFile    string    `yaml:"creds_file"`
	TLSConfig    TLSConfig `yaml:"tls_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *NATSConfig) Resolved() bool { return or(c.SendResolved, true) }

// AlertmanagerConfig posts alerts to an Alertmanager's API v2.
type AlertmanagerConfig struct {
	SendResolved *bool  `yaml:"send_resolved"`
	URL          string `yaml:"url"`
	// ResolveTimeout is the endsAt of firing alerts, from the time they
	// are sent: Alertmanager resolves those vigil does not send again
	// within it. DefaultResolveTimeout when 0.
	ResolveTimeout Duration   `yaml:"resolve_timeout"`
	HTTPConfig     HTTPConfig `yaml:"http_config"`
}

// Resolved reports whether resolved alerts are sent (by default, yes).
func (c *AlertmanagerConfig) Resolved() bool { return or(c.SendResolved, true) }

// Timeout returns ResolveTimeout or its default.
func (c *AlertmanagerConfig) Timeout() time.Duration {
	if c.ResolveTimeout == 0 {
		return time.Duration(DefaultResolveTimeout)
	}
	return time.Duration(c.ResolveTimeout)
}

// resolve makes the relative paths of files to read relative to dir. The
// path of file_configs is left alone: it is relative to the data
// directory.
func (r *Receiver) resolve(dir string) {
	for i := range r.WebhookConfigs {
		c := &r.WebhookConfigs[i]
		absPath(dir, &c.URLFile, &c.SecretFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.SlackConfigs {
		c := &r.SlackConfigs[i]
		absPath(dir, &c.APIURLFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.EmailConfigs {
		c := &r.EmailConfigs[i]
		absPath(dir, &c.AuthPasswordFile)
		c.TLSConfig.resolve(dir)
	}
	for i := range r.PagerdutyConfigs {
		c := &r.PagerdutyConfigs[i]
		absPath(dir, &c.RoutingKeyFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.OpsgenieConfigs {
		c := &r.OpsgenieConfigs[i]
		absPath(dir, &c.APIKeyFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.DingtalkConfigs {
		c := &r.DingtalkConfigs[i]
		absPath(dir, &c.URLFile, &c.SecretFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.WecomConfigs {
		c := &r.WecomConfigs[i]
		absPath(dir, &c.URLFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.FeishuConfigs {
		c := &r.FeishuConfigs[i]
		absPath(dir, &c.URLFile, &c.SecretFile)
		c.HTTPConfig.resolve(dir)
	}
	for i := range r.SyslogConfigs {
		r.SyslogConfigs[i].TLSConfig.resolve(dir)
	}
	for i := range r.NATSConfigs {
		c := &r.NATSConfigs[i]
		absPath(dir, &c.CredsFile)
		c.TLSConfig.resolve(dir)
	}
	for i := range r.AlertmanagerConfigs {
		r.AlertmanagerConfigs[i].HTTPConfig.resolve(dir)
	}
}

// resolve makes the paths of c's files relative to dir.
func (c *HTTPConfig) resolve(dir string) {
	if c.BasicAuth != nil {
		absPath(dir, &c.BasicAuth.PasswordFile)
	}
	if c.Authorization != nil {
		absPath(dir, &c.Authorization.CredentialsFile)
	}
	c.TLSConfig.resolve(dir)
}

// resolve makes the paths of c's files relative to dir.
func (c *TLSConfig) resolve(dir string) { absPath(dir, &c.CAFile, &c.CertFile, &c.KeyFile) }

// check returns the first thing wrong in the receiver, with key, such
// as "alerting.receivers[1]", before the keys of its fields.
func (r *Receiver) check(key string) error {
	if strings.TrimSpace(r.Name) == "" {
		return errorf(key+".name", "empty")
	}
	return first(
		each(key+".webhook_configs", r.WebhookConfigs, (*WebhookConfig).check),
		each(key+".slack_configs", r.SlackConfigs, (*SlackConfig).check),
		each(key+".email_configs", r.EmailConfigs, (*EmailConfig).check),
		each(key+".pagerduty_configs", r.PagerdutyConfigs, (*PagerdutyConfig).check),
		each(key+".opsgenie_configs", r.OpsgenieConfigs, (*OpsgenieConfig).check),
		each(key+".dingtalk_configs", r.DingtalkConfigs, (*DingtalkConfig).check),
		each(key+".wecom_configs", r.WecomConfigs, (*WecomConfig).check),
		each(key+".feishu_configs", r.FeishuConfigs, (*FeishuConfig).check),
		each(key+".syslog_configs", r.SyslogConfigs, (*SyslogConfig).check),
		each(key+".file_configs", r.FileConfigs, (*FileConfig).check),
		each(key+".nats_configs", r.NATSConfigs, (*NATSConfig).check),
		each(key+".alertmanager_configs", r.AlertmanagerConfigs, (*AlertmanagerConfig).check),
	)
}

// templates checks that the templates of fields parse.
func templates(key string, m tmpl.Markup, fields map[string]string) func() error {
	return func() error {
		names := make([]string, 0, len(fields))
		for n := range fields {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if _, err := tmpl.Parse(n, fields[n], m); err != nil {
				return errorf(key+"."+n, "%v", err)
			}
		}
		return nil
	}
}

// hostPort checks an address host:port.
func hostPort(key, s string) func() error {
	return func() error {
		if s == "" {
			return errorf(key, "missing: want host:port")
		}
		host, port, err := net.SplitHostPort(s)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			return errorf(key, "%q: want host:port", s)
		}
		return nil
	}
}

func (c *TLSConfig) check(key string) error {
	if (c.CertFile == "") != (c.KeyFile == "") {
		return errorf(key+".tls_config", "give both cert_file and key_file, or neither")
	}
	return nil
}

func (c *HTTPConfig) check(key string) error {
	key += ".http_config"
	if b := c.BasicAuth; b != nil {
		if b.Username == "" {
			return errorf(key+".basic_auth.username", "missing")
		}
		if err := oneOf(key+".basic_auth", "password", b.Password, b.PasswordFile, false)(); err != nil {
			return err
		}
	}
	if a := c.Authorization; a != nil {
		if c.BasicAuth != nil {
			return errorf(key, "give basic_auth or authorization, not both")
		}
		if strings.ContainsAny(a.Type, " \t\r\n") || strings.EqualFold(a.Type, "basic") {
			return errorf(key+".authorization.type", "%q: want one word, other than Basic (use basic_auth)", a.Type)
		}
		if err := oneOf(key+".authorization", "credentials", a.Credentials, a.CredentialsFile, true)(); err != nil {
			return err
		}
	}
	return c.TLSConfig.check(key)
}

func (c *WebhookConfig) check(key string) error {
	return first(
		oneOf(key, "url", c.URL, c.URLFile, true),
		httpURL(key+".url", string(c.URL)),
		func() error {
			if c.MaxAlerts < 0 {
				return errorf(key+".max_alerts", "%d: want 0 (all) or more", c.MaxAlerts)
			}
			return nil
		},
		oneOf(key, "secret", c.Secret, c.SecretFile, false),
		func() error { return c.HTTPConfig.check(key) },
	)
}

func (c *SlackConfig) check(key string) error {
	return first(
		oneOf(key, "api_url", c.APIURL, c.APIURLFile, true),
		httpURL(key+".api_url", string(c.APIURL)),
		httpURL(key+".icon_url", c.IconURL),
		templates(key, tmpl.Slack, map[string]string{"title": c.Title, "text": c.Text}),
		func() error { return c.HTTPConfig.check(key) },
	)
}

// Headers the message's MIME structure sets, which headers cannot.
var mimeHeaders = []string{"Content-Type", "Content-Transfer-Encoding", "Mime-Version"}

func (c *EmailConfig) check(key string) error {
	return first(
		required(key+".to", c.To),
		func() error {
			if _, err := mail.ParseAddressList(c.To); err != nil {
				return errorf(key+".to", "%q: %v", c.To, err)
			}
			return nil
		},
		required(key+".from", c.From),
		func() error {
			if _, err := mail.ParseAddress(c.From); err != nil {
				return errorf(key+".from", "%q: %v", c.From, err)
			}
			return nil
		},
		hostPort(key+".smarthost", c.Smarthost),
		func() error {
			if strings.ContainsAny(c.Hello, " \t\r\n") {
				return errorf(key+".hello", "%q: want a host name", c.Hello)
			}
			if c.AuthUsername == "" && (c.AuthPassword != "" || c.AuthPasswordFile != "") {
				return errorf(key+".auth_username", "missing: auth_password needs it")
			}
			return nil
		},
		oneOf(key, "auth_password", c.AuthPassword, c.AuthPasswordFile, false),
		func() error { return c.TLSConfig.check(key) },
		func() error { return c.checkHeaders(key + ".headers") },
		templates(key, tmpl.Plain, map[string]string{"text": c.Text}),
		templates(key, tmpl.HTML, map[string]string{"html": c.HTML}),
	)
}

func (c *EmailConfig) checkHeaders(key string) error {
	seen := map[string]bool{}
	names := make([]string, 0, len(c.Headers))
	for n := range c.Headers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		canon := textproto.CanonicalMIMEHeaderKey(n)
		switch {
		case n == "" || strings.ContainsFunc(n, func(r rune) bool { return r <= ' ' || r > '~' || r == ':' }):
			return errorf(key, "%q is not a header name", n)
		case seen[canon]:
			return errorf(key+"."+n, "given twice")
		case slices.Contains(mimeHeaders, canon):
			return errorf(key+"."+n, "set by vigil for the message's parts")
		}
		seen[canon] = true
		if _, err := tmpl.Parse(n, c.Headers[n], tmpl.Plain); err != nil {
			return errorf(key+"."+n, "%v", err)
		}
	}
	return nil
}

// PagerDuty's severities.
var pdSeverities = []string{"critical", "error", "warning", "info"}

func (c *PagerdutyConfig) check(key string) error {
	return first(
		oneOf(key, "routing_key", c.RoutingKey, c.RoutingKeyFile, true),
		httpURL(key+".url", c.URL),
		httpURL(key+".client_url", c.ClientURL),
		func() error {
			if c.Severity != "" && !slices.Contains(pdSeverities, c.Severity) {
				return errorf(key+".severity", "%q: want one of %s", c.Severity, strings.Join(pdSeverities, ", "))
			}
			return nil
		},
		templates(key, tmpl.Plain, map[string]string{"description": c.Description}),
		func() error { return c.HTTPConfig.check(key) },
	)
}

// Opsgenie's limits on tags and sources.
const (
	maxOpsgenieTags   = 20
	maxOpsgenieTag    = 50
	maxOpsgenieSource = 100
)

func (c *OpsgenieConfig) check(key string) error {
	return first(
		oneOf(key, "api_key", c.APIKey, c.APIKeyFile, true),
		httpURL(key+".api_url", c.APIURL),
		func() error {
			if c.Priority != "" && !slices.Contains([]string{"P1", "P2", "P3", "P4", "P5"}, c.Priority) {
				return errorf(key+".priority", "%q: want P1, P2, P3, P4 or P5", c.Priority)
			}
			if utf8.RuneCountInString(c.Source) > maxOpsgenieSource {
				return errorf(key+".source", "longer than %d characters", maxOpsgenieSource)
			}
			tags := SplitTags(c.Tags)
			if len(tags) > maxOpsgenieTags {
				return errorf(key+".tags", "%d tags: Opsgenie takes %d", len(tags), maxOpsgenieTags)
			}
			for _, t := range tags {
				if utf8.RuneCountInString(t) > maxOpsgenieTag {
					return errorf(key+".tags", "%q: longer than %d characters", t, maxOpsgenieTag)
				}
			}
			return nil
		},
		templates(key, tmpl.Plain, map[string]string{"message": c.Message, "description": c.Description}),
		func() error { return c.HTTPConfig.check(key) },
	)
}

// SplitTags splits Opsgenie's comma-separated tags, without empty ones.
func SplitTags(s string) []string {
	var tags []string
	for t := range strings.SplitSeq(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

func (c *ChatConfig) check(key string) error {
	return first(
		oneOf(key, "url", c.URL, c.URLFile, true),
		httpURL(key+".url", string(c.URL)),
		templates(key, tmpl.Markdown, map[string]string{"title": c.Title, "text": c.Text}),
		func() error { return c.HTTPConfig.check(key) },
	)
}

func (c *DingtalkConfig) check(key string) error {
	return first(
		func() error { return c.ChatConfig.check(key) },
		oneOf(key, "secret", c.Secret, c.SecretFile, false),
	)
}

func (c *WecomConfig) check(key string) error { return c.ChatConfig.check(key) }

func (c *FeishuConfig) check(key string) error {
	return first(
		func() error { return c.ChatConfig.check(key) },
		oneOf(key, "secret", c.Secret, c.SecretFile, false),
	)
}

// Facilities are the syslog facilities by name, with their codes.
var Facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// SyslogNet returns the network, or its default.
func (c *SyslogConfig) SyslogNet() string { return cmp.Or(c.Network, DefaultSyslogNetwork) }

func (c *SyslogConfig) check(key string) error {
	printable := func(s string, n int) bool {
		return len(s) <= n && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' })
	}
	return first(
		func() error {
			if n := c.SyslogNet(); n != "udp" && n != "tcp" && n != "tls" {
				return errorf(key+".network", "%q: want udp, tcp or tls", n)
			}
			if c.SyslogNet() != "tls" && c.TLSConfig != (TLSConfig{}) {
				return errorf(key+".tls_config", "only for network tls")
			}
			return nil
		},
		hostPort(key+".address", c.Address),
		func() error {
			if f := cmp.Or(c.Format, DefaultSyslogFormat); f != "rfc5424" && f != "cef" {
				return errorf(key+".format", "%q: want rfc5424 or cef", f)
			}
			if _, ok := Facilities[cmp.Or(c.Facility, DefaultFacility)]; !ok {
				return errorf(key+".facility", "%q: want kern, user, ..., local0 to local7", c.Facility)
			}
			// RFC 5424 bounds these fields and allows printable ASCII only.
			if !printable(c.AppName, 48) {
				return errorf(key+".app_name", "%q: want at most 48 printable ASCII characters", c.AppName)
			}
			if !printable(c.Hostname, 255) {
				return errorf(key+".hostname", "%q: want at most 255 printable ASCII characters", c.Hostname)
			}
			return nil
		},
		func() error { return c.TLSConfig.check(key) },
	)
}

func (c *FileConfig) check(key string) error {
	if strings.ContainsRune(c.Path, 0) {
		return errorf(key+".path", "holds a NUL byte")
	}
	return nil
}

func (c *NATSConfig) check(key string) error {
	return first(
		required(key+".subject", c.Subject),
		func() error {
			for t := range strings.SplitSeq(c.Subject, ".") {
				if t == "" || t == "*" || t == ">" || strings.ContainsFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
					return errorf(key+".subject", "%q: want tokens separated by dots, without spaces or wildcards", c.Subject)
				}
			}
			// vigil's own streams take vigil.*: a notification published
			// there would be read as events or hits.
			if c.URL == "" && (c.Subject == "vigil" || strings.HasPrefix(c.Subject, "vigil.")) {
				return errorf(key+".subject", "%q: vigil.* are vigil's own subjects; choose another", c.Subject)
			}
			return nil
		},
		func() error {
			for u := range strings.SplitSeq(c.URL, ",") {
				if c.URL == "" {
					break
				}
				p, err := url.Parse(strings.TrimSpace(u))
				if err != nil || p.Host == "" || !slices.Contains([]string{"nats", "tls", "ws", "wss"}, p.Scheme) {
					return errorf(key+".url", "want nats://host:port, or several separated by commas")
				}
			}
			if c.URL == "" && (c.CredsFile != "" || c.TLSConfig != (TLSConfig{})) {
				return errorf(key+".url", "missing: creds_file and tls_config are for another NATS")
			}
			return nil
		},
		func() error { return c.TLSConfig.check(key) },
	)
}

func (c *AlertmanagerConfig) check(key string) error {
	return first(
		required(key+".url", c.URL),
		httpURL(key+".url", c.URL),
		func() error {
			if c.ResolveTimeout != 0 && c.ResolveTimeout < Duration(time.Minute) {
				return errorf(key+".resolve_timeout", "%s: want at least 1m", c.ResolveTimeout)
			}
			return nil
		},
		func() error { return c.HTTPConfig.check(key) },
	)
}
