package notify

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/nats-io/nats.go"

	"vigil/config"
)

// Options are what integrations take from the process rather than from
// their configuration.
type Options struct {
	// NATS is vigil's own connection, which nats_configs without a url
	// publish on.
	NATS *nats.Conn
	// DataDir is where relative file_configs paths are.
	DataDir string
	// Log is told of templates that fail and of messages cut to size;
	// nil discards.
	Log *slog.Logger
	// Client sends HTTP requests; nil uses one with timeouts that does
	// not follow redirects. Integrations with a tls_config use a copy
	// with their TLS settings.
	Client *http.Client
}

// New builds the integrations of a receiver, reading the secrets that
// its configuration names in files. The configuration must have been
// checked.
func New(r config.Receiver, o Options) ([]Integration, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Client == nil {
		o.Client = defaultClient()
	}
	var out []Integration
	var errs []error
	add := func(kind string, n int, build func(base, int) (Integration, error)) {
		for i := range n {
			b := base{name: fmt.Sprintf("%s[%d]", kind, i), log: o.Log}
			in, err := build(b, i)
			if err != nil {
				errs = append(errs, fmt.Errorf("receiver %q: %s: %w", r.Name, b.name, err))
				continue
			}
			out = append(out, in)
		}
	}
	add("webhook", len(r.WebhookConfigs), func(b base, i int) (Integration, error) { return newWebhook(b, &r.WebhookConfigs[i], o) })
	add("slack", len(r.SlackConfigs), func(b base, i int) (Integration, error) { return newSlack(b, &r.SlackConfigs[i], o) })
	add("email", len(r.EmailConfigs), func(b base, i int) (Integration, error) { return newEmail(b, &r.EmailConfigs[i]) })
	add("pagerduty", len(r.PagerdutyConfigs), func(b base, i int) (Integration, error) { return newPagerduty(b, &r.PagerdutyConfigs[i], o) })
	add("opsgenie", len(r.OpsgenieConfigs), func(b base, i int) (Integration, error) { return newOpsgenie(b, &r.OpsgenieConfigs[i], o) })
	add("dingtalk", len(r.DingtalkConfigs), func(b base, i int) (Integration, error) { return newDingtalk(b, &r.DingtalkConfigs[i], o) })
	add("wecom", len(r.WecomConfigs), func(b base, i int) (Integration, error) { return newWecom(b, &r.WecomConfigs[i], o) })
	add("feishu", len(r.FeishuConfigs), func(b base, i int) (Integration, error) { return newFeishu(b, &r.FeishuConfigs[i], o) })
	add("syslog", len(r.SyslogConfigs), func(b base, i int) (Integration, error) { return newSyslog(b, &r.SyslogConfigs[i]) })
	add("file", len(r.FileConfigs), func(b base, i int) (Integration, error) { return newFile(b, &r.FileConfigs[i], o) })
	add("nats", len(r.NATSConfigs), func(b base, i int) (Integration, error) { return newNATS(b, &r.NATSConfigs[i], o) })
	add("alertmanager", len(r.AlertmanagerConfigs), func(b base, i int) (Integration, error) {
		return newAlertmanager(b, &r.AlertmanagerConfigs[i], o)
	})
	return out, errors.Join(errs...)
}

// base is what every integration has: its name, whether it is told of
// resolved alerts, and where it logs.
type base struct {
	name     string
	resolved bool
	log      *slog.Logger
}

func (b *base) String() string     { return b.name }
func (b *base) SendResolved() bool { return b.resolved }

// pick returns the notification the integration sends.
func (b *base) pick(n *Notification) *Notification { return n.For(b.resolved) }

// tlsConfig returns the TLS settings of a client, or nil for the
// defaults.
func tlsConfig(c config.TLSConfig, serverName string) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName, InsecureSkipVerify: c.InsecureSkipVerify}
	if c.ServerName != "" {
		t.ServerName = c.ServerName
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, err
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", c.CAFile)
		}
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, err
		}
		t.Certificates = []tls.Certificate{cert}
	}
	return t, nil
}

// hash returns the SHA-256 of s in hex: a stable key of a group that
// does not show its labels and fits the limits of the services (64
// characters).
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
