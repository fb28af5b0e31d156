//go:generate go run syscalls_gen.go

package logline

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// parseAuditd appends the object of an audit record.
func parseAuditd(dst, line []byte) ([]byte, error) {
	h, err := auditHeader(line)
	if err != nil {
		return dst, err
	}
	p := auditParser{dst: append(dst, '{'), execve: string(h.typ) == "EXECVE", syscall: string(h.typ) == "SYSCALL"}
	p.field("type", h.typ)
	p.dst, _ = p.keys.member(p.dst, []byte("time"))
	p.dst = appendTime(p.dst, time.Unix(int64(h.sec), 0), h.millis[:])
	p.field("serial", h.serial)
	if h.node != nil {
		p.field("node", h.node)
	}
	if err := p.fields(line[h.body:], h.body, false, false); err != nil {
		return dst, err
	}
	if p.syscall {
		p.syscallName()
	}
	if p.hasWords {
		p.fields(line[h.body:], h.body, true, false) // the same bytes again: no error
	}
	if p.text > 0 {
		p.dst = append(p.dst, '"')
	}
	return append(p.dst, '}'), nil
}

// auditHead is the header of an audit record.
type auditHead struct {
	node, typ, serial []byte
	sec               int
	millis            [3]byte
	body              int // offset of the fields after the header
}

// auditHeader reads the header of an audit record:
//
//	[node=NODE ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL):
func auditHeader(line []byte) (h auditHead, err error) {
	i := 0
	if bytes.HasPrefix(line, []byte("node=")) {
		end := 5 + bytes.IndexByte(line[5:], ' ')
		if end < 5 {
			return h, auditdError(len(line), "missing type= after node=")
		}
		h.node, i = line[5:end], end+1
	}
	if !bytes.HasPrefix(line[i:], []byte("type=")) {
		return h, auditdError(i, "missing type=")
	}
	i += 5
	end := i + bytes.IndexByte(line[i:], ' ')
	if end < i {
		return h, auditdError(len(line), "missing msg=audit(...)")
	}
	if h.typ = line[i:end]; len(h.typ) == 0 {
		return h, auditdError(i, "empty type=")
	}
	i = end + 1
	if !bytes.HasPrefix(line[i:], []byte("msg=audit(")) {
		return h, auditdError(i, "missing msg=audit(...)")
	}
	i += len("msg=audit(")
	var n int
	if h.sec, h.millis, h.serial, n, err = auditStamp(line[i:]); err != nil {
		return h, &SyntaxError{Format: Auditd, Offset: i, Msg: err.Error()}
	}
	h.body = i + n
	return h, nil
}

// maxUnix is the last second of the year 9999.
const maxUnix = 253402300799

// auditStamp reads "SECONDS.MILLIS:SERIAL):", the rest of msg=audit(, and
// returns the time, the milliseconds as three digits, the serial and the
// length it read.
func auditStamp(b []byte) (sec int, millis [3]byte, serial []byte, n int, err error) {
	end := bytes.IndexByte(b, ')')
	if end < 0 || end+1 == len(b) || b[end+1] != ':' {
		return 0, millis, nil, 0, fmt.Errorf("unterminated msg=audit(...): %s", excerpt(b))
	}
	stamp := b[:end]
	colon := bytes.IndexByte(stamp, ':')
	if colon < 0 {
		return 0, millis, nil, 0, fmt.Errorf("missing serial in msg=audit(%s)", stamp)
	}
	secs, frac, _ := bytes.Cut(stamp[:colon], []byte("."))
	sec, ok := number(secs)
	if _, fracOK := number(frac); !ok || sec > maxUnix || len(frac) > 0 && !fracOK {
		return 0, millis, nil, 0, fmt.Errorf("bad time %q in msg=audit(...)", stamp[:colon])
	}
	serial = stamp[colon+1:]
	if _, ok := number(serial); !ok {
		return 0, millis, nil, 0, fmt.Errorf("bad serial %q in msg=audit(...)", serial)
	}
	millis = [3]byte{'0', '0', '0'}
	copy(millis[:], frac)
	return sec, millis, serial, end + 2, nil
}

// auditdError returns a *SyntaxError of an audit record.
func auditdError(off int, format string, args ...any) error {
	return &SyntaxError{Format: Auditd, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// auditParser writes the fields of an audit record.
type auditParser struct {
	dst      []byte
	keys     keySet
	execve   bool // an EXECVE record, whose a0, a1... are encoded
	text     int  // the "text" member: 0 not begun, 1 open, -1 left out
	hasWords bool // whether the record has words that are not pairs
	// syscall is set for a SYSCALL record, whose arch and number are
	// kept to name the call.
	syscall   bool
	arch, num []byte
}

// syscallName adds the ARCH and SYSCALL members of a record that is not
// enriched, the names of its arch and syscall numbers, as an enriched
// record has them.
func (p *auditParser) syscallName() {
	table, ok := syscallTables[string(p.arch)]
	n, isNum := number(p.num)
	if !ok || !isNum || n >= len(table.names) || table.names[n] == "" {
		return
	}
	if p.dst, ok = p.keys.member(p.dst, []byte("ARCH")); ok {
		p.dst = appendString(p.dst, []byte(table.arch))
	}
	if p.dst, ok = p.keys.member(p.dst, []byte("SYSCALL")); ok {
		p.dst = appendString(p.dst, []byte(table.names[n]))
	}
}

// syscallTable names the system calls of an architecture by number.
type syscallTable struct {
	arch  string
	names []string
}

// field writes a member whose key is new.
func (p *auditParser) field(key string, v []byte) {
	p.dst, _ = p.keys.member(p.dst, []byte(key))
	p.dst = appendString(p.dst, v)
}

// fields writes the key=value pairs of b, which starts at offset base of
// the line, or, if words is set, the words of b that are not key=value
// pairs, into the "text" member. The pairs inside a single-quoted msg
// value are written as if they were outside it, unless nested is set.
func (p *auditParser) fields(b []byte, base int, words, nested bool) error {
	lx := auditLexer{b: b}
	t := &lx.t
	for {
		ok, err := lx.next()
		switch {
		case err != nil:
			err.Offset += base
			return err
		case !ok:
			return nil
		case t.key == nil:
			p.hasWords = true
			if words {
				p.word(t.val)
			}
		case !nested && t.quote == '\'' && string(t.key) == "msg":
			if err := p.fields(t.val, base+t.off, words, true); err != nil {
				return err
			}
		case !words:
			p.pair(t)
		}
	}
}

// pair writes a key=value pair, unless the object has the key already.
func (p *auditParser) pair(t *auditToken) {
	var ok bool
	if p.dst, ok = p.keys.member(p.dst, t.key); !ok {
		return
	}
	if p.syscall {
		switch string(t.key) {
		case "arch":
			p.arch = t.val
		case "syscall":
			p.num = t.val
		}
	}
	if t.hex(p.execve) {
		from := len(p.dst)
		p.dst = appendHexDecoded(p.dst, t.val, string(t.key) == "proctitle")
		p.dst = quoteTail(p.dst, from)
		return
	}
	p.dst = appendString(p.dst, t.val)
}

// word adds a word to the "text" member.
func (p *auditParser) word(w []byte) {
	switch p.text {
	case 0:
		var ok bool
		if p.dst, ok = p.keys.member(p.dst, []byte("text")); !ok {
			p.text = -1
			return
		}
		p.dst = append(p.dst, '"')
		p.text = 1
	case 1:
		p.dst = append(p.dst, ' ')
	default:
		return
	}
	p.dst = appendEscaped(p.dst, w)
}

// auditEncoded reports whether auditd writes the values of a field, when
// they hold a space, a quote or a byte outside printable ASCII, in
// hexadecimal: file names, commands, keys, the arguments of an EXECVE
// record (a0, a1..., and a0[0], a0[1]... when an argument is long).
func auditEncoded(key []byte, execve bool) bool {
	switch string(key) {
	case "acct", "cgroup", "cmd", "comm", "cwd", "data", "device", "dir", "exe", "key", "name",
		"ocomm", "path", "proctitle", "vm", "watch",
		"old-chardev", "new-chardev", "old-disk", "new-disk", "old-fs", "new-fs", "old-rng", "new-rng":
		return true
	}
	if !execve || len(key) < 2 || key[0] != 'a' {
		return false
	}
	i := 1
	for i < len(key) && isDigit(key[i]) {
		i++
	}
	if i == 1 {
		return false
	}
	piece := key[i:]
	if len(piece) == 0 {
		return true
	}
	if len(piece) < 3 || piece[0] != '[' || piece[len(piece)-1] != ']' {
		return false
	}
	_, ok := number(piece[1 : len(piece)-1])
	return ok
}

// isUpperHex reports whether b is a non-empty, even number of hexadecimal
// digits in upper case, as auditd encodes.
func isUpperHex(b []byte) bool {
	if len(b) == 0 || len(b)%2 != 0 {
		return false
	}
	for _, c := range b {
		if !isDigit(c) && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// appendHexDecoded appends the bytes that the hexadecimal h encodes. For
// a proctitle, the NULs between arguments become spaces, and NULs at the
// end are left out.
func appendHexDecoded(dst, h []byte, proctitle bool) []byte {
	if proctitle {
		for len(h) >= 2 && h[len(h)-2] == '0' && h[len(h)-1] == '0' {
			h = h[:len(h)-2]
		}
	}
	for i := 0; i < len(h); i += 2 {
		c := fromHex(h[i])<<4 | fromHex(h[i+1])
		if c == 0 && proctitle {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// auditToken is a key=value pair of an audit record, or, with a nil key,
// a word that is not one.
type auditToken struct {
	key, val []byte
	quote    byte // the quote the value was in: '"', '\'' or 0
	off      int  // offset of the value
}

// hex reports whether the token's value is in hexadecimal, to be decoded.
func (t *auditToken) hex(execve bool) bool {
	return t.quote == 0 && isUpperHex(t.val) && auditEncoded(t.key, execve)
}

// auditLexer splits the fields of an audit record. They are separated by
// spaces, and the enriched part by a GS (0x1D); values are in double
// quotes, in single quotes (the msg of a record from user space), or bare.
// In the enriched part, a value in braces, such as SADDR={ ... }, is
// one value.
type auditLexer struct {
	b        []byte
	i        int
	enriched bool
	t        auditToken // the token last read
}

func isAuditSep(c byte) bool { return c == ' ' || c == 0x1D }

// keyBytes tells the bytes that may be in a key: letters, digits and
// "_-.[]". None needs escaping in JSON.
var keyBytes = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(byte(c)) || strings.IndexByte("_-.[]", byte(c)) >= 0
	}
	return t
}()

// next reads the next token into l.t; ok is false at the end.
func (l *auditLexer) next() (ok bool, err *SyntaxError) {
	b, i, t := l.b, l.i, &l.t
	for i < len(b) && isAuditSep(b[i]) {
		l.enriched = l.enriched || b[i] == 0x1D
		i++
	}
	if l.i = i; i == len(b) {
		return false, nil
	}
	start := i
	for i < len(b) && keyBytes[b[i]] {
		i++
	}
	if i == start || i == len(b) || b[i] != '=' {
		for i < len(b) && !isAuditSep(b[i]) {
			i++
		}
		*t = auditToken{val: b[start:i], off: start}
		l.i = i
		return true, nil
	}
	*t = auditToken{key: b[start:i], off: i + 1}
	i++
	end := -1
	if i < len(b) {
		switch b[i] {
		case '"':
			end = bytes.IndexByte(b[i+1:], '"')
		case '\'':
			end = singleQuoteEnd(b[i+1:])
		case '{':
			if brace := bytes.IndexByte(b[i:], '}'); l.enriched && brace >= 0 {
				t.val, l.i = b[i:i+brace+1], i+brace+1
				return true, nil
			}
		}
	}
	switch {
	case t.off == len(b) || b[i] != '"' && b[i] != '\'':
		for i < len(b) && !isAuditSep(b[i]) {
			i++
		}
		t.val, l.i = b[t.off:i], i
	case end < 0:
		return false, &SyntaxError{Format: Auditd, Offset: i, Msg: fmt.Sprintf("unterminated quoted value of %s=", t.key)}
	default:
		t.quote, t.val, t.off, l.i = b[i], b[i+1:i+1+end], i+1, i+2+end
	}
	return true, nil
}

// singleQuoteEnd returns the index of the single quote that ends a value,
// the first followed by a separator or the end of b, or -1.
func singleQuoteEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] == '\'' && (i+1 == len(b) || isAuditSep(b[i+1])) {
			return i
		}
	}
	return -1
}
