package scan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"vigil/jsonscan"
	"vigil/logline"
)

// Stdin is the path that names standard input.
const Stdin = "-"

// scanExts and scanNames are the names of files a directory walk reads:
// JSON, and text logs as Linux and web servers name them, each also
// rotated (".1", "-20261122") and compressed (".gz"). Files named on the
// command line are read whatever their name.
var (
	scanExts  = []string{".json", ".jsonl", ".ndjson", ".log"}
	scanNames = []string{"syslog", "messages", "secure", "access_log"}
)

// rotated matches the suffix logrotate adds to a rotated file.
var rotated = regexp.MustCompile(`(\.[0-9]+|-[0-9]{8})$`)

// wanted reports whether a directory walk reads the file.
func wanted(name string) bool {
	base := filepath.Base(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	base = rotated.ReplaceAllString(base, "")
	return !strings.HasPrefix(base, ".") && (slices.Contains(scanExts, filepath.Ext(base)) || slices.Contains(scanNames, base))
}

// expand turns the paths given into files: directories recursively, in
// lexical order. A path that cannot be read is reported to bad.
func expand(paths []string, bad func(path string, err error)) []string {
	var files []string
	for _, p := range paths {
		if p == Stdin {
			files = append(files, p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			bad(p, err)
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				bad(name, err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() && name != p && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if d.Type().IsRegular() && wanted(name) {
				files = append(files, name)
			}
			return nil
		})
		if err != nil {
			bad(p, err)
		}
	}
	return files
}

// open returns the contents of a file, decompressed when it is gzip, and
// when it was last written (now for standard input).
func open(name string, stdin io.Reader) (_ io.ReadCloser, modified time.Time, err error) {
	var f io.ReadCloser
	modified = time.Now()
	if name == Stdin {
		f = io.NopCloser(stdin)
	} else {
		file, err := os.Open(name)
		if err != nil {
			return nil, modified, err
		}
		if info, err := file.Stat(); err == nil {
			modified = info.ModTime()
		}
		f = file
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		if strings.HasSuffix(strings.ToLower(name), ".gz") {
			f.Close()
			return nil, modified, errors.New("gzip: not in gzip format")
		}
		return readCloser{br, f}, modified, nil
	}
	z, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, modified, fmt.Errorf("gzip: %w", err)
	}
	return readCloser{z, multiCloser{z, f}}, modified, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type multiCloser []io.Closer

func (m multiCloser) Close() error {
	var errs []error
	for _, c := range m {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// chunk is a piece of a file handed to a worker: the whole file, or a run
// of whole lines of newline-delimited JSON or of a text log.
type chunk struct {
	file  string
	data  []byte
	lines bool // data is whole lines of a file of one event per line
	text  bool // the lines are of a text log (see logline)
	line  int  // line number of data's first byte
	pool  *[]byte
	// read is when the file was last written, which places the syslog
	// timestamps that have no year.
	read time.Time
}

// reader cuts files into chunks.
type reader struct {
	chunkSize int
	maxWhole  int64
	stdin     io.Reader
	free      chan *[]byte // buffers workers are done with
}

// maxLine bounds the first line of a file, read whole to tell whether
// the file holds one event per line.
const maxLine = 256 << 20

// bom is the UTF-8 byte order mark some tools write first.
var bom = []byte{0xEF, 0xBB, 0xBF}

// read sends the chunks of one file to out. A text log, and a file whose
// first line is followed by another that starts an event, are streamed in
// runs of lines, so that a large file is never held in memory at once; any
// other file is read whole.
func (r *reader) read(name string, out chan<- chunk) error {
	f, modified, err := open(name, r.stdin)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if b, _ := br.Peek(len(bom)); bytes.Equal(b, bom) {
		br.Discard(len(bom))
	}
	head, err := firstLines(br)
	if err != nil {
		return err
	}
	first := chunk{file: name, line: 1, read: modified}
	if i := jsonscan.Space(head, 0); i < len(head) && !isJSON(head[i:]) {
		line, _, _ := bytes.Cut(head[i:], []byte{'\n'})
		if logline.Detect(line) == logline.Unknown {
			return fmt.Errorf("neither JSON nor a text log vigil reads (auditd, syslog, web access or error log): starts with %s", excerpt(line))
		}
		first.lines, first.text = true, true
		return r.lines(first, head, br, out)
	}
	if !isLines(head) {
		return r.whole(first, head, br, out)
	}
	first.lines = true
	return r.lines(first, head, br, out)
}

// excerpt quotes the start of b for a message.
func excerpt(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}

// firstLines reads up to and including the first non-empty line after the
// first one, so that isLines can see both.
func firstLines(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for seen := 0; seen < 2; {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			err = nil
		}
		head = append(head, line...)
		if len(head) > maxLine {
			return nil, fmt.Errorf("a first line longer than %d bytes", maxLine)
		}
		if err == io.EOF {
			return head, nil
		}
		if err != nil {
			return nil, err
		}
		if len(line) > 0 && line[len(line)-1] == '\n' && len(bytes.TrimSpace(head)) > 0 {
			seen++
		}
	}
	return head, nil
}

// isLines reports whether data starts with a line followed by another
// that starts an event.
func isLines(data []byte) bool {
	i := jsonscan.Space(data, 0)
	nl := bytes.IndexByte(data[i:], '\n')
	if nl < 0 {
		return false
	}
	j := jsonscan.Space(data, i+nl)
	return j < len(data) && (data[j] == '{' || data[j] == '[')
}

func (r *reader) whole(c chunk, head []byte, f io.Reader, out chan<- chunk) error {
	rest, err := io.ReadAll(io.LimitReader(f, r.maxWhole-int64(len(head))+1))
	if err != nil {
		return err
	}
	data := append(head, rest...)
	if int64(len(data)) > r.maxWhole {
		return fmt.Errorf("file is one JSON value of more than %d bytes: convert it to newline-delimited JSON to scan it", r.maxWhole)
	}
	c.data = data
	out <- c
	return nil
}

// lines sends the lines of a file in chunks like c.
func (r *reader) lines(c chunk, head []byte, f io.Reader, out chan<- chunk) error {
	carry := head
	for {
		buf := r.buffer()
		if cap(*buf) < 2*len(carry) { // a line longer than a chunk
			*buf = make([]byte, 0, 2*len(carry))
		}
		data := append((*buf)[:0], carry...)
		n, err := io.ReadFull(f, data[len(data):cap(data)])
		data = data[:len(data)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		cut := len(data)
		if !eof {
			cut = bytes.LastIndexByte(data, '\n') + 1
			if c.text {
				cut = auditCut(data, cut)
			}
		}
		carry = append(carry[:0:0], data[cut:]...)
		if cut == 0 {
			r.recycle(buf)
			if eof {
				return nil
			}
			continue
		}
		c.data, c.pool = data[:cut], buf
		out <- c
		c.line += bytes.Count(data[:cut], []byte{'\n'})
		if eof {
			return nil
		}
	}
}

// auditCut moves the end of a chunk of text lines, data[:cut], back to
// before the audit records at its end that belong to one event, so that
// the records of an event are read together. When the chunk holds nothing
// but one event, it returns 0, to read on, unless the event is already
// longer than maxAuditEvent.
func auditCut(data []byte, cut int) int {
	start := lineStart(data, cut)
	node, stamp, ok := logline.AuditEvent(data[start:cut])
	if !ok {
		return cut
	}
	for start > 0 {
		prev := lineStart(data, start)
		n, s, same := logline.AuditEvent(data[prev:start])
		if !same || !bytes.Equal(n, node) || !bytes.Equal(s, stamp) {
			return start
		}
		start = prev
	}
	if cut > maxAuditEvent {
		return cut
	}
	return 0
}

// maxAuditEvent bounds the records of an audit event read together.
const maxAuditEvent = 16 << 20

// lineStart returns where the line that ends at end (after its newline)
// starts.
func lineStart(data []byte, end int) int {
	return bytes.LastIndexByte(data[:max(end-1, 0)], '\n') + 1
}

// recycle returns a buffer for reuse, or drops it when enough are free.
func (r *reader) recycle(b *[]byte) {
	select {
	case r.free <- b:
	default:
	}
}

func (r *reader) buffer() *[]byte {
	select {
	case b := <-r.free:
		return b
	default:
		b := make([]byte, 0, r.chunkSize)
		return &b
	}
}
