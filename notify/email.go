package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"vigil/config"
	"vigil/notify/tmpl"
)

// Limits of a mail: the subject and other headers in characters (well
// within a line of RFC 5322 once encoded and folded), each body in
// bytes.
const (
	mailSubjectMax = 250
	mailHeaderMax  = 500
	mailBodyMax    = 512 << 10
	smtpTimeout    = 2 * time.Minute
)

// Headers whose values are addresses, which are not encoded as text.
var addressHeaders = []string{"From", "To", "Cc", "Reply-To", "Sender"}

type email struct {
	base
	cfg        *config.EmailConfig
	from       *mail.Address
	to         []*mail.Address
	host       string
	password   string
	tls        *tls.Config
	subject    *text
	text, html *text
	headers    map[string]*text // the configured ones but Subject
}

func newEmail(b base, c *config.EmailConfig) (*email, error) {
	b.resolved = c.Resolved()
	e := &email{base: b, cfg: c, headers: map[string]*text{}}
	var err error
	if e.from, err = mail.ParseAddress(c.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", c.From, err)
	}
	if e.to, err = mail.ParseAddressList(c.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", c.To, err)
	}
	if e.host, _, err = net.SplitHostPort(c.Smarthost); err != nil {
		return nil, fmt.Errorf("smarthost %q: %w", c.Smarthost, err)
	}
	if e.password, err = config.ReadSecret(c.AuthPassword, c.AuthPasswordFile); err != nil {
		return nil, err
	}
	if e.tls, err = tlsConfig(c.TLSConfig, e.host); err != nil {
		return nil, err
	}
	subject := ""
	for k, v := range c.Headers {
		k = textproto.CanonicalMIMEHeaderKey(k)
		if k == "Subject" {
			subject = v
			continue
		}
		if e.headers[k], err = newText(&b, "headers."+k, v, emptyTmpl, tmpl.Plain, mailHeaderMax, inChars); err != nil {
			return nil, err
		}
	}
	if e.subject, err = newText(&b, "headers.Subject", subject, titleTmpl, tmpl.Plain, mailSubjectMax, inChars); err != nil {
		return nil, err
	}
	if e.text, err = newText(&b, "text", c.Text, plainBody, tmpl.Plain, mailBodyMax, inBytes); err != nil {
		return nil, err
	}
	e.html, err = newText(&b, "html", c.HTML, htmlBody, tmpl.HTML, mailBodyMax, inBytes)
	return e, err
}

var emptyTmpl = tmpl.Must(tmpl.Parse("empty", "", tmpl.Plain))

func (e *email) Notify(ctx context.Context, n *Notification) error {
	if n = e.pick(n); n == nil {
		return nil
	}
	msg, err := e.message(n, time.Now())
	if err != nil {
		return Permanent(err)
	}
	return e.send(ctx, msg)
}

// message writes the mail: headers, and the text and HTML bodies as
// alternatives, quoted-printable so that every line is short ASCII.
func (e *email) message(n *Notification, now time.Time) ([]byte, error) {
	to := make([]string, len(e.to))
	for i, a := range e.to {
		to[i] = a.String()
	}
	h := map[string]string{
		"Date":       now.Format(time.RFC1123Z),
		"From":       e.from.String(),
		"To":         strings.Join(to, ", "),
		"Subject":    mime.QEncoding.Encode("utf-8", oneLine(e.subject.render(n))),
		"Message-Id": e.messageID(n),
	}
	for k, t := range e.headers {
		if v, ok := e.header(k, t.render(n)); ok {
			h[k] = v
		}
	}
	var b bytes.Buffer
	parts := multipart.NewWriter(&b)
	names := []string{"Date", "From", "To", "Subject", "Message-Id"}
	for k := range e.headers {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names[5:])
	for _, k := range names {
		writeHeader(&b, k, h[k])
	}
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", `multipart/alternative; boundary="`+parts.Boundary()+`"`)
	b.WriteString("\r\n")
	for _, p := range []struct{ typ, body string }{{"text/plain", e.text.render(n)}, {"text/html", e.html.render(n)}} {
		w, err := parts.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := parts.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// header returns the value of a configured header as it is written, or
// false to leave it out when it is an address header whose addresses do
// not parse.
func (e *email) header(k, v string) (string, bool) {
	v = oneLine(v)
	if !slices.Contains(addressHeaders, k) {
		return mime.QEncoding.Encode("utf-8", v), true
	}
	list, err := mail.ParseAddressList(v)
	if err != nil {
		e.log.Warn("header left out: its addresses do not parse", "integration", e.name, "header", k, "err", err)
		return "", false
	}
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", "), true
}

// oneLine keeps a header on its line: a line break in a value would
// start another header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// messageID derives the Message-Id from the notification's id, so that
// a retry that reaches a mailbox twice is shown once.
func (e *email) messageID(n *Notification) string {
	id := strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '.' || r == '-' || r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return r
		}
		return -1
	}, n.ID)
	if id == "" {
		r := make([]byte, 16)
		rand.Read(r)
		id = hex.EncodeToString(r)
	}
	_, domain, _ := strings.Cut(e.from.Address, "@")
	return "<" + strings.Trim(id, ".") + "@" + cmp.Or(domain, "vigil.invalid") + ">"
}

// writeHeader writes a header, folded at spaces so that lines stay short.
func writeHeader(b *bytes.Buffer, name, value string) {
	b.WriteString(name + ":")
	col := len(name) + 1
	for i, w := range strings.Split(value, " ") {
		if i > 0 && col+1+len(w) > 76 {
			b.WriteString("\r\n")
			col = 0
		}
		b.WriteString(" " + w)
		col += 1 + len(w)
	}
	b.WriteString("\r\n")
}

// send sends msg through the smarthost.
func (e *email) send(ctx context.Context, msg []byte) error {
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", e.cfg.Smarthost)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", e.cfg.Smarthost, err)
	}
	// Port 465 speaks TLS from the start (RFC 8314); others upgrade
	// with STARTTLS.
	_, port, _ := net.SplitHostPort(e.cfg.Smarthost)
	implicit := port == "465"
	if implicit {
		conn = tls.Client(conn, e.tls)
	}
	defer context.AfterFunc(ctx, func() { conn.Close() })()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(smtpTimeout)
	}
	conn.SetDeadline(deadline)
	if err := e.session(conn, implicit, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", e.cfg.Smarthost, err)
	}
	return nil
}

func (e *email) session(conn net.Conn, implicit bool, msg []byte) error {
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		conn.Close()
		return smtpError(err)
	}
	defer c.Close()
	if err := c.Hello(cmp.Or(e.cfg.Hello, config.DefaultHello)); err != nil {
		return smtpError(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !implicit {
		if err := c.StartTLS(e.tls); err != nil {
			return smtpError(err)
		}
	} else if !implicit && e.cfg.TLSRequired() {
		return Permanent(errors.New("the server does not offer STARTTLS, and require_tls is true"))
	}
	if e.cfg.AuthUsername != "" {
		if err := e.auth(c); err != nil {
			return err
		}
	}
	if err := c.Mail(e.from.Address); err != nil {
		return smtpError(err)
	}
	for _, a := range e.to {
		if err := c.Rcpt(a.Address); err != nil {
			return smtpError(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if _, err := w.Write(msg); err != nil {
		return smtpError(err)
	}
	if err := w.Close(); err != nil {
		return smtpError(err)
	}
	// The server took the message: a failure to say goodbye must not
	// have it sent again.
	c.Quit()
	return nil
}

// auth authenticates with AUTH PLAIN, which net/smtp sends only over TLS
// (or to localhost).
func (e *email) auth(c *smtp.Client) error {
	ok, mechs := c.Extension("AUTH")
	if !ok || !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
		return Permanent(fmt.Errorf("the server does not offer AUTH PLAIN (it offers %q)", mechs))
	}
	err := c.Auth(smtp.PlainAuth(e.cfg.AuthIdentity, e.cfg.AuthUsername, e.password, e.host))
	var te *textproto.Error
	if err != nil && !(errors.As(err, &te) && te.Code/100 == 4) {
		return Permanent(fmt.Errorf("AUTH PLAIN as %q: %w", e.cfg.AuthUsername, err))
	}
	return smtpError(err)
}

// smtpError classifies an SMTP error: a 5xx reply is permanent, a 4xx
// one (and a broken connection) worth a retry.
func smtpError(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code/100 == 5 {
		return Permanent(err)
	}
	return err
}
