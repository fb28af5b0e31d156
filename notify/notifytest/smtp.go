package notifytest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// SMTPConfig says what an SMTP stand-in requires.
type SMTPConfig struct {
	// User and Password are the credentials AUTH PLAIN takes, offered
	// only once the session is encrypted. Without User the server offers
	// no AUTH and takes mail from anyone.
	User, Password string
	// NoTLS makes the server offer no STARTTLS.
	NoTLS bool
}

// Mail is a message an SMTP stand-in accepted.
type Mail struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	TLS  bool     // sent after STARTTLS
	User string   // authenticated as
	Data []byte   // as sent, dot-unstuffed
	// Header, Subject (decoded), and the text and HTML parts, decoded.
	Header     mail.Header
	Subject    string
	Text, HTML string
}

// SMTP is an SMTP server (RFC 5321) with STARTTLS (RFC 3207) and AUTH
// PLAIN (RFC 4954). It checks messages as a strict server does: lines
// end with CRLF and are at most 998 characters, 8-bit data is refused (it
// does not offer 8BITMIME), and a message has Date and From headers.
type SMTP struct {
	recorder[Mail]
	// Addr is the server's host:port.
	Addr string
	cfg  SMTPConfig
	l    net.Listener

	mu   sync.Mutex
	down bool
}

// NewSMTP starts an SMTP server on a loopback port.
func NewSMTP(t testing.TB, c SMTPConfig) *SMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{Addr: l.Addr().String(), cfg: c, l: l}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.session(conn) })
		}
	})
	return s
}

// SetDown makes the server answer every connection with 421 (service
// not available) while down.
func (s *SMTP) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// smtpSession is the state of one connection.
type smtpSession struct {
	conn  net.Conn
	r     *bufio.Reader
	hello bool
	tls   bool
	user  string
	from  *string
	to    []string
}

func (ss *smtpSession) reply(lines ...string) {
	io.WriteString(ss.conn, strings.Join(lines, "\r\n")+"\r\n")
}

func (s *SMTP) session(conn net.Conn) {
	defer conn.Close()
	ss := &smtpSession{conn: conn, r: bufio.NewReader(conn)}
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		ss.reply("421 4.3.2 Service not available")
		return
	}
	ss.reply("220 localhost ESMTP notifytest")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		if s.command(ss, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// command answers one command, and reports whether the session ends.
func (s *SMTP) command(ss *smtpSession, verb, arg string) bool {
	switch {
	case verb == "QUIT":
		ss.reply("221 2.0.0 Bye")
		return true
	case verb == "EHLO" || verb == "HELO":
		ss.hello, ss.from, ss.to = true, nil, nil
		if verb == "HELO" {
			ss.reply("250 localhost")
			return false
		}
		ext := []string{"250-localhost", "250-SIZE 10485760"}
		if !ss.tls && !s.cfg.NoTLS {
			ext = append(ext, "250-STARTTLS")
		}
		if ss.tls && s.cfg.User != "" {
			ext = append(ext, "250-AUTH PLAIN")
		}
		ss.reply(append(ext, "250 HELP")...)
	case verb == "NOOP":
		ss.reply("250 2.0.0 OK")
	case verb == "RSET":
		ss.from, ss.to = nil, nil
		ss.reply("250 2.0.0 OK")
	case !ss.hello:
		ss.reply("503 5.5.1 EHLO first")
	case verb == "STARTTLS":
		return s.startTLS(ss)
	case verb == "AUTH":
		s.auth(ss, arg)
	case verb == "MAIL":
		s.mail(ss, arg)
	case verb == "RCPT":
		addr, ok := path(arg, "TO:")
		switch {
		case ss.from == nil:
			ss.reply("503 5.5.1 MAIL first")
		case !ok || addr == "":
			ss.reply("501 5.1.3 Bad recipient address syntax")
		default:
			ss.to = append(ss.to, addr)
			ss.reply("250 2.1.5 OK")
		}
	case verb == "DATA":
		if len(ss.to) == 0 {
			ss.reply("503 5.5.1 RCPT first")
			return false
		}
		ss.reply("354 End data with <CR><LF>.<CR><LF>")
		return s.data(ss)
	default:
		ss.reply("500 5.5.2 Command not recognized")
	}
	return false
}

func (s *SMTP) startTLS(ss *smtpSession) bool {
	if ss.tls || s.cfg.NoTLS {
		ss.reply("502 5.5.1 STARTTLS not available")
		return false
	}
	ss.reply("220 2.0.0 Ready to start TLS")
	tc := tls.Server(ss.conn, &tls.Config{Certificates: []tls.Certificate{cert()}})
	if err := tc.Handshake(); err != nil {
		return true
	}
	// RFC 3207: the session starts again, forgetting what was said.
	*ss = smtpSession{conn: tc, r: bufio.NewReader(tc), tls: true}
	return false
}

func (s *SMTP) auth(ss *smtpSession, arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	switch {
	case s.cfg.User == "" || !strings.EqualFold(mech, "PLAIN"):
		ss.reply("504 5.5.4 Unrecognized authentication type")
		return
	case !ss.tls:
		ss.reply("538 5.7.11 Encryption required for requested authentication mechanism")
		return
	case ss.user != "":
		ss.reply("503 5.5.1 Already authenticated")
		return
	}
	if initial == "" {
		ss.reply("334 ")
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		initial = strings.TrimRight(line, "\r\n")
	}
	b, err := base64.StdEncoding.DecodeString(initial)
	parts := strings.Split(string(b), "\x00")
	if err != nil || len(parts) != 3 {
		ss.reply("501 5.5.2 Cannot decode response")
		return
	}
	if parts[1] != s.cfg.User || parts[2] != s.cfg.Password {
		ss.reply("535 5.7.8 Authentication credentials invalid")
		return
	}
	ss.user = parts[1]
	ss.reply("235 2.7.0 Authentication successful")
}

func (s *SMTP) mail(ss *smtpSession, arg string) {
	addr, ok := path(arg, "FROM:")
	switch {
	case s.cfg.User != "" && ss.user == "":
		ss.reply("530 5.7.0 Authentication required")
	case ss.from != nil:
		ss.reply("503 5.5.1 Sender already given")
	case !ok:
		ss.reply("501 5.1.7 Bad sender address syntax")
	case strings.Contains(strings.ToUpper(arg), "BODY=8BITMIME"):
		ss.reply("555 5.5.4 BODY=8BITMIME not offered")
	default:
		ss.from = &addr
		ss.reply("250 2.1.0 OK")
	}
}

// path reads the reverse- or forward-path of MAIL FROM:<a> or RCPT
// TO:<a>.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	p, _, _ := strings.Cut(strings.TrimSpace(arg[len(prefix):]), " ")
	if !strings.HasPrefix(p, "<") || !strings.HasSuffix(p, ">") {
		return "", false
	}
	return p[1 : len(p)-1], true
}

// maxMail bounds a message.
const maxMail = 10 << 20

// data reads a message up to the line with a single dot, checking its
// lines, and accepts or refuses it.
func (s *SMTP) data(ss *smtpSession) bool {
	var buf bytes.Buffer
	var bad string
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return true
		}
		if line == ".\r\n" {
			break
		}
		switch {
		case !strings.HasSuffix(line, "\r\n"):
			bad = "554 5.6.11 Bare LF in the message"
		case len(line)-2 > 998:
			bad = "554 5.5.2 Line longer than 998 characters"
		case strings.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }):
			bad = "554 5.6.1 8-bit data without BODY=8BITMIME"
		case buf.Len()+len(line) > maxMail:
			bad = "552 5.3.4 Message too big"
		}
		if bad == "" {
			buf.WriteString(strings.TrimPrefix(line, "."))
		}
	}
	if bad != "" {
		ss.reply(bad)
		return false
	}
	m, err := parseMail(buf.Bytes())
	if err != nil {
		ss.reply("554 5.6.0 " + err.Error())
		return false
	}
	m.From, m.To, m.TLS, m.User = *ss.from, ss.to, ss.tls, ss.user
	ss.from, ss.to = nil, nil
	s.add(m)
	ss.reply("250 2.0.0 OK queued")
	return false
}

// parseMail reads a message and decodes its text and HTML parts.
func parseMail(data []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Mail{}, err
	}
	m := Mail{Data: data, Header: msg.Header}
	if msg.Header.Get("Date") == "" || msg.Header.Get("From") == "" {
		return m, errors.New("a message needs Date and From headers (RFC 5322)")
	}
	if _, err := msg.Header.Date(); err != nil {
		return m, err
	}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return m, err
	}
	return m, m.part(textproto.MIMEHeader(msg.Header), msg.Body)
}

// part decodes a part into Text or HTML, or the parts of a multipart.
func (m *Mail) part(h textproto.MIMEHeader, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.part(p.Header, p); err != nil {
				return err
			}
		}
	}
	// multipart.Reader decodes quoted-printable parts itself, and drops
	// their Content-Transfer-Encoding; a single part is decoded here.
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}
