package logline

import (
	"bytes"
	"slices"
	"strconv"
	"time"
)

// AuditEvent returns what the records of one audit event share: the node
// name, if the line has one, and the stamp of msg=audit(STAMP), seconds,
// milliseconds and serial. ok is false if the line is not an audit record.
func AuditEvent(line []byte) (node, stamp []byte, ok bool) {
	h, err := auditHeader(line)
	if err != nil {
		return nil, nil, false
	}
	stamp = line[:h.body-2] // up to "):"
	return h.node, stamp[bytes.LastIndexByte(stamp, '(')+1:], true
}

// Process appends to dst the JSON object of the process that an audit
// event started, from the records of the event (the lines that share an
// AuditEvent), named as Sigma's process_creation rules name them:
//
//   - "time" and "serial": the event's, as in the records.
//   - "Computer": the node name, if the records have one.
//   - "Image": the exe of the SYSCALL record.
//   - "CommandLine": the arguments of the EXECVE records, joined by
//     spaces (an argument in pieces, a1[0] a1[1]..., joined first).
//   - "CurrentDirectory": the cwd of the CWD record.
//   - "ProcessId", "ParentProcessId": the pid and ppid of the SYSCALL.
//   - "User": the name of the uid if the record is enriched, else the uid.
//   - "auid": likewise of the login uid, which stays the same across su
//     and sudo.
//   - "comm", "key", "success", "exit": those of the SYSCALL record.
//
// Each member is there only when a record gives it. ok is false, and dst
// is returned unchanged, when no record is an EXECVE record or one record
// is broken.
func Process(dst []byte, records [][]byte) (_ []byte, ok bool) {
	var p process
	for _, r := range records {
		for len(r) > 0 && (r[len(r)-1] == '\n' || r[len(r)-1] == '\r') {
			r = r[:len(r)-1]
		}
		if !p.add(r) {
			return dst, false
		}
	}
	if !p.execve {
		return dst, false
	}
	return p.append(dst), true
}

// process gathers the fields of a process from audit records.
type process struct {
	head   auditHead
	execve bool
	args   [][]byte // the arguments by index, decoded
	fields map[string][]byte
}

// processFields are the fields a process takes from records, by record
// type, with the names they are given.
var processFields = map[string]map[string]string{
	"SYSCALL": {
		"exe": "Image", "pid": "ProcessId", "ppid": "ParentProcessId", "uid": "User", "UID": "User",
		"auid": "auid", "AUID": "auid", "comm": "comm", "key": "key", "success": "success", "exit": "exit",
	},
	"CWD": {"cwd": "CurrentDirectory"},
}

// add reads one record; ok is false if it is broken.
func (p *process) add(line []byte) (ok bool) {
	h, err := auditHeader(line)
	if err != nil {
		return false
	}
	if p.head.typ == nil {
		p.head = h
	}
	typ := string(h.typ)
	names := processFields[typ]
	if names == nil && typ != "EXECVE" {
		return true
	}
	p.execve = p.execve || typ == "EXECVE"
	lx := auditLexer{b: line[h.body:]}
	for {
		more, err := lx.next()
		if err != nil {
			return false
		}
		if !more {
			return true
		}
		t := &lx.t
		if t.key == nil {
			continue
		}
		val := t.val
		if t.hex(typ == "EXECVE") {
			val = appendHexDecoded(nil, t.val, false)
		}
		if typ == "EXECVE" {
			p.arg(t.key, val)
			continue
		}
		name := names[string(t.key)]
		if _, seen := p.fields[name]; name == "" || seen && t.key[0] >= 'a' {
			continue // an enriched name (UID) wins over the number (uid)
		}
		if p.fields == nil {
			p.fields = make(map[string][]byte)
		}
		p.fields[name] = val
	}
}

// arg records an argument of an EXECVE record: aN, or aN[I], a piece of
// a long one. Other fields (argc, aN_len) are left out.
func (p *process) arg(key, val []byte) {
	if len(key) < 2 || key[0] != 'a' {
		return
	}
	digits := key[1:]
	if i := bytes.IndexByte(digits, '['); i >= 0 {
		digits = digits[:i]
	}
	n, ok := number(digits)
	if !ok || n > 1<<16 {
		return
	}
	if n >= len(p.args) {
		p.args = slices.Grow(p.args, n+1-len(p.args))[:n+1]
	}
	p.args[n] = append(p.args[n], val...)
}

// append writes the process's object.
func (p *process) append(dst []byte) []byte {
	h := p.head
	dst = append(dst, `{"time":`...)
	dst = appendTime(dst, time.Unix(int64(h.sec), 0), h.millis[:])
	dst = appendField(dst, `"serial":`, h.serial)
	if h.node != nil {
		dst = appendField(dst, `"Computer":`, h.node)
	}
	dst = p.member(dst, "Image")
	dst = append(dst, `,"CommandLine":"`...)
	for i, a := range p.args {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendEscaped(dst, a)
	}
	dst = append(dst, '"')
	for _, name := range [...]string{"CurrentDirectory", "ProcessId", "ParentProcessId", "User", "auid", "comm", "key", "success", "exit"} {
		dst = p.member(dst, name)
	}
	return append(dst, '}')
}

// member appends the named field if the records gave it.
func (p *process) member(dst []byte, name string) []byte {
	v, ok := p.fields[name]
	if !ok {
		return dst
	}
	return appendField(dst, strconv.Quote(name)+":", v)
}
