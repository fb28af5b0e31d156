package notifytest

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// SyslogMessage is an RFC 5424 message, parsed.
type SyslogMessage struct {
	Facility, Severity int
	Version            int
	Timestamp          time.Time // zero for the NILVALUE
	// Hostname, AppName, ProcID and MsgID are "" for the NILVALUE.
	Hostname, AppName, ProcID, MsgID string
	SD                               []SDElement
	// Msg is the MSG, without its BOM; BOM says whether it had one.
	Msg string
	BOM bool
	// CEF is the MSG parsed, when it is a CEF line.
	CEF *CEF
}

// SDElement is an SD-ELEMENT: an SD-ID and its parameters, in order.
type SDElement struct {
	ID     string
	Params []SDParam
}

// SDParam is an SD-PARAM, its value unescaped.
type SDParam struct{ Name, Value string }

// Param returns the first value of parameter name of element id.
func (m SyslogMessage) Param(id, name string) (string, bool) {
	for _, e := range m.SD {
		if e.ID != id {
			continue
		}
		for _, p := range e.Params {
			if p.Name == name {
				return p.Value, true
			}
		}
	}
	return "", false
}

// Params returns every value of parameter name of element id.
func (m SyslogMessage) Params(id, name string) []string {
	var out []string
	for _, e := range m.SD {
		for _, p := range e.Params {
			if e.ID == id && p.Name == name {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

// Syslog is a syslog server: RFC 5424 messages over UDP (RFC 5426), or
// over TCP or TLS with octet counting (RFC 6587, RFC 5425).
type Syslog struct {
	recorder[SyslogMessage]
	// Addr is the server's host:port.
	Addr    string
	network string

	mu      sync.Mutex
	down    bool
	invalid []string
	l       net.Listener
	conns   map[net.Conn]bool
	wg      sync.WaitGroup
}

// NewSyslog starts a syslog server on a loopback port; network is udp,
// tcp or tls (with the certificate of CertPEM).
func NewSyslog(t testing.TB, network string) *Syslog {
	t.Helper()
	s := &Syslog{network: network, conns: map[net.Conn]bool{}}
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.Addr = pc.LocalAddr().String()
		t.Cleanup(func() { pc.Close(); s.wg.Wait() })
		s.wg.Go(func() { s.readUDP(pc) })
		return s
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.SetDown(true); s.wg.Wait() })
	return s
}

// Invalid returns the messages the server could not parse, and why.
func (s *Syslog) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.invalid...)
}

func (s *Syslog) reject(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid = append(s.invalid, fmt.Sprintf(format, args...))
}

// Message sizes every receiver must take, and the stand-in's limits:
// larger ones may be dropped by a real server.
const (
	SyslogUDPMax = 2048 // RFC 5426
	SyslogTCPMax = 8192 // RFC 5425
)

func (s *Syslog) record(b []byte) {
	if max := map[bool]int{true: SyslogUDPMax, false: SyslogTCPMax}[s.network == "udp"]; len(b) > max {
		s.reject("a message of %d bytes, over %d", len(b), max)
		return
	}
	m, err := ParseRFC5424(b)
	if err != nil {
		s.reject("%q: %v", b, err)
		return
	}
	s.add(m)
}

func (s *Syslog) readUDP(pc net.PacketConn) {
	buf := make([]byte, 64<<10)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		s.mu.Lock()
		down := s.down
		s.mu.Unlock()
		if !down {
			s.record(buf[:n])
		}
	}
}

// SetDown stops the server while down: a TCP or TLS server closes its
// port, so that connections are refused; a UDP one drops what it gets.
func (s *Syslog) SetDown(down bool) {
	s.mu.Lock()
	if s.down == down {
		s.mu.Unlock()
		return
	}
	s.down = down
	l := s.l
	if down && l != nil {
		s.l = nil
		l.Close()
		for c := range s.conns {
			c.Close()
		}
	}
	s.mu.Unlock()
	if !down && s.network != "udp" {
		// The same port again: the configuration names it.
		if err := s.listen(s.Addr); err != nil {
			s.reject("listening again on %s: %v", s.Addr, err)
		}
	}
}

func (s *Syslog) listen(addr string) error {
	var l net.Listener
	var err error
	if s.network == "tls" {
		l, err = tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert()}})
	} else {
		l, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.l, s.Addr = l, l.Addr().String()
	s.mu.Unlock()
	s.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Go(func() { s.readStream(c) })
		}
	})
	return nil
}

// readStream reads octet-counted messages: the length in decimal, a
// space, the message.
func (s *Syslog) readStream(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	r := bufio.NewReader(c)
	for {
		n, err := frameLen(r)
		if err == io.EOF {
			return
		}
		if err != nil {
			s.reject("framing: %v", err)
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			s.reject("framing: a message of %d bytes cut short: %v", n, err)
			return
		}
		s.record(b)
	}
}

// frameLen reads MSG-LEN SP of RFC 6587's octet counting.
func frameLen(r *bufio.Reader) (int, error) {
	var digits []byte
	for {
		c, err := r.ReadByte()
		if err == io.EOF && len(digits) > 0 {
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, err
		}
		if c == ' ' {
			break
		}
		if c < '0' || c > '9' || len(digits) == 0 && c == '0' || len(digits) > 8 {
			return 0, fmt.Errorf("want a message length, not %q", append(digits, c))
		}
		digits = append(digits, c)
	}
	if len(digits) == 0 {
		return 0, errors.New("no message length")
	}
	return strconv.Atoi(string(digits))
}

// ParseRFC5424 parses a syslog message as RFC 5424 defines it, strictly:
// the header's fields with their lengths and characters, structured data
// with its escapes, and a MSG that is UTF-8 when it starts with a BOM.
func ParseRFC5424(b []byte) (SyslogMessage, error) {
	p := &parser{s: string(b)}
	var m SyslogMessage
	pri, err := p.pri()
	if err != nil {
		return m, err
	}
	m.Facility, m.Severity = pri/8, pri%8
	if m.Version, err = p.version(); err != nil {
		return m, err
	}
	ts, err := p.field("TIMESTAMP", 64)
	if err != nil {
		return m, err
	}
	if m.Timestamp, err = timestamp(ts); err != nil {
		return m, err
	}
	for _, f := range []struct {
		name string
		max  int
		v    *string
	}{{"HOSTNAME", 255, &m.Hostname}, {"APP-NAME", 48, &m.AppName}, {"PROCID", 128, &m.ProcID}, {"MSGID", 32, &m.MsgID}} {
		if *f.v, err = p.field(f.name, f.max); err != nil {
			return m, err
		}
		if *f.v == "-" {
			*f.v = ""
		}
	}
	if m.SD, err = p.structured(); err != nil {
		return m, err
	}
	if p.i == len(p.s) {
		return m, nil
	}
	if p.s[p.i] != ' ' {
		return m, fmt.Errorf("at %d: want a space before MSG", p.i)
	}
	m.Msg = p.s[p.i+1:]
	if rest, ok := strings.CutPrefix(m.Msg, "\uFEFF"); ok {
		if !utf8.ValidString(rest) {
			return m, errors.New("MSG starts with a BOM but is not UTF-8")
		}
		m.Msg, m.BOM = rest, true
	}
	if strings.HasPrefix(m.Msg, "CEF:") {
		if m.CEF, err = ParseCEF(m.Msg); err != nil {
			return m, err
		}
	}
	return m, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) pri() (int, error) {
	end := strings.IndexByte(p.s, '>')
	if !strings.HasPrefix(p.s, "<") || end < 2 || end > 4 {
		return 0, errors.New("no PRI")
	}
	d := p.s[1:end]
	n, err := strconv.Atoi(d)
	if err != nil || n > 191 || len(d) > 1 && d[0] == '0' || strings.ContainsAny(d, "+-") {
		return 0, fmt.Errorf("PRI %q", d)
	}
	p.i = end + 1
	return n, nil
}

func (p *parser) version() (int, error) {
	j := p.i
	for j < len(p.s) && j-p.i < 3 && '0' <= p.s[j] && p.s[j] <= '9' {
		j++
	}
	v, err := strconv.Atoi(p.s[p.i:j])
	if err != nil || v == 0 || p.s[p.i] == '0' || j == len(p.s) || p.s[j] != ' ' {
		return 0, fmt.Errorf("VERSION at %d", p.i)
	}
	p.i = j + 1
	return v, nil
}

// field reads a header field of 1 to max printable ASCII characters and
// the space after it.
func (p *parser) field(name string, max int) (string, error) {
	j := strings.IndexByte(p.s[p.i:], ' ')
	if j < 0 {
		return "", fmt.Errorf("%s at %d: no space after it", name, p.i)
	}
	f := p.s[p.i : p.i+j]
	if f == "" || len(f) > max || strings.ContainsFunc(f, func(r rune) bool { return r < 33 || r > 126 }) {
		return "", fmt.Errorf("%s %q: want 1 to %d printable ASCII characters", name, f, max)
	}
	p.i += j + 1
	return f, nil
}

// timestamp reads an RFC 5424 TIMESTAMP: RFC 3339 with an upper-case T
// and Z, and at most six digits of fraction.
func timestamp(s string) (time.Time, error) {
	if s == "-" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || strings.ContainsAny(s, "tz") {
		return time.Time{}, fmt.Errorf("TIMESTAMP %q", s)
	}
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		frac := strings.IndexFunc(s[dot+1:], func(r rune) bool { return r < '0' || r > '9' })
		if frac < 1 || frac > 6 {
			return time.Time{}, fmt.Errorf("TIMESTAMP %q: 1 to 6 digits of fraction", s)
		}
	}
	return t, nil
}

func (p *parser) structured() ([]SDElement, error) {
	if strings.HasPrefix(p.s[p.i:], "-") {
		p.i++
		return nil, nil
	}
	var out []SDElement
	seen := map[string]bool{}
	for p.i < len(p.s) && p.s[p.i] == '[' {
		p.i++
		id, err := p.name("SD-ID")
		if err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, fmt.Errorf("SD-ID %q twice", id)
		}
		seen[id] = true
		e := SDElement{ID: id}
		for p.i < len(p.s) && p.s[p.i] == ' ' {
			p.i++
			prm, err := p.param()
			if err != nil {
				return nil, err
			}
			e.Params = append(e.Params, prm)
		}
		if p.i >= len(p.s) || p.s[p.i] != ']' {
			return nil, fmt.Errorf("SD-ELEMENT %q at %d: no ']'", id, p.i)
		}
		p.i++
		out = append(out, e)
	}
	if out == nil {
		return nil, fmt.Errorf("at %d: want STRUCTURED-DATA", p.i)
	}
	return out, nil
}

// name reads an SD-NAME: 1 to 32 printable ASCII characters but '=',
// space, ']' and '"'.
func (p *parser) name(what string) (string, error) {
	j := p.i
	for j < len(p.s) && j-p.i < 33 {
		c := p.s[j]
		if c < 33 || c > 126 || c == '=' || c == ']' || c == '"' {
			break
		}
		j++
	}
	if j == p.i || j-p.i > 32 {
		return "", fmt.Errorf("%s at %d", what, p.i)
	}
	n := p.s[p.i:j]
	p.i = j
	return n, nil
}

func (p *parser) param() (SDParam, error) {
	n, err := p.name("PARAM-NAME")
	if err != nil {
		return SDParam{}, err
	}
	if !strings.HasPrefix(p.s[p.i:], `="`) {
		return SDParam{}, fmt.Errorf("PARAM-NAME %q at %d: want =\"", n, p.i)
	}
	p.i += 2
	var v strings.Builder
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			if !utf8.ValidString(v.String()) {
				return SDParam{}, fmt.Errorf("PARAM-VALUE of %q is not UTF-8", n)
			}
			return SDParam{n, v.String()}, nil
		case ']':
			return SDParam{}, fmt.Errorf("PARAM-VALUE of %q: ']' not escaped", n)
		case '\\':
			// Only '"', '\' and ']' are escaped; any other backslash is
			// itself.
			if p.i+1 < len(p.s) && strings.IndexByte(`"\]`, p.s[p.i+1]) >= 0 {
				p.i++
				c = p.s[p.i]
			}
			v.WriteByte(c)
		default:
			v.WriteByte(c)
		}
	}
	return SDParam{}, fmt.Errorf("PARAM-VALUE of %q: no closing '\"'", n)
}

// CEF is an event in ArcSight's Common Event Format.
type CEF struct {
	Version                                                     int
	Vendor, Product, DeviceVersion, SignatureID, Name, Severity string
	// Ext holds the extension's pairs, their values unescaped; Keys
	// their keys in order.
	Ext  map[string]string
	Keys []string
}

// ParseCEF parses a CEF line: "CEF:Version|Vendor|Product|Version|
// Signature ID|Name|Severity|Extension", with the header's escapes (\|
// and \\) and the extension's (\=, \\, \n, \r).
func ParseCEF(s string) (*CEF, error) {
	rest, ok := strings.CutPrefix(s, "CEF:")
	if !ok {
		return nil, errors.New("no CEF: prefix")
	}
	var fields []string
	var f strings.Builder
	i := 0
	for ; i < len(rest) && len(fields) < 7; i++ {
		switch c := rest[i]; {
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == '|' || rest[i+1] == '\\'):
			i++
			f.WriteByte(rest[i])
		case c == '|':
			fields = append(fields, f.String())
			f.Reset()
		case c == '\r' || c == '\n':
			return nil, errors.New("a line break in the CEF header")
		default:
			f.WriteByte(c)
		}
	}
	if len(fields) < 7 {
		return nil, fmt.Errorf("a CEF header of %d fields, not 7", len(fields))
	}
	v, err := strconv.Atoi(fields[0])
	if err != nil {
		return nil, fmt.Errorf("CEF version %q", fields[0])
	}
	sev, err := strconv.Atoi(fields[6])
	if err != nil || sev < 0 || sev > 10 {
		return nil, fmt.Errorf("CEF severity %q: want 0 to 10", fields[6])
	}
	c := &CEF{Version: v, Vendor: fields[1], Product: fields[2], DeviceVersion: fields[3],
		SignatureID: fields[4], Name: fields[5], Severity: fields[6], Ext: map[string]string{}}
	return c, c.extension(rest[i:])
}

// extension reads the pairs key=value: a value runs to the space before
// the next key, a key being the word before an unescaped '='.
func (c *CEF) extension(s string) error {
	if s == "" {
		return nil
	}
	var eqs []int // unescaped '='
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '=':
			eqs = append(eqs, i)
		}
	}
	start := 0
	for n, eq := range eqs {
		key := s[start:eq]
		if key == "" || strings.ContainsFunc(key, func(r rune) bool {
			return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '.')
		}) {
			return fmt.Errorf("CEF extension key %q", key)
		}
		end := len(s)
		if n+1 < len(eqs) {
			end = strings.LastIndexByte(s[:eqs[n+1]], ' ')
			if end <= eq {
				return fmt.Errorf("CEF extension: no space before the key after %q", key)
			}
		}
		if _, dup := c.Ext[key]; dup {
			return fmt.Errorf("CEF extension key %q twice", key)
		}
		c.Ext[key] = cefUnescape(s[eq+1 : end])
		c.Keys = append(c.Keys, key)
		start = end + 1
	}
	if start < len(s) && len(eqs) == 0 {
		return fmt.Errorf("CEF extension %q: no key=value", s)
	}
	return nil
}

var cefUnescaper = strings.NewReplacer(`\\`, `\`, `\=`, "=", `\n`, "\n", `\r`, "\r")

func cefUnescape(s string) string { return cefUnescaper.Replace(s) }
