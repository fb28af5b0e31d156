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
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"

	"vigil/jsonscan"
)

// Stdin is the path that names standard input.
const Stdin = "-"

// scanExts are the names of files a directory walk reads, each also with
// ".gz" appended. Files named on the command line are read whatever their
// name.
var scanExts = []string{".json", ".jsonl", ".ndjson"}

// wanted reports whether a directory walk reads the file.
func wanted(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	return slices.Contains(scanExts, filepath.Ext(name)) && !strings.HasPrefix(filepath.Base(name), ".")
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

// open returns the contents of a file, decompressed when it is gzip.
func open(name string, stdin io.Reader) (io.ReadCloser, error) {
	var f io.ReadCloser
	if name == Stdin {
		f = io.NopCloser(stdin)
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, err
		}
	}
	br := bufio.NewReaderSize(f, 64<<10)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		if strings.HasSuffix(strings.ToLower(name), ".gz") {
			f.Close()
			return nil, errors.New("gzip: not in gzip format")
		}
		return readCloser{br, f}, nil
	}
	z, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return readCloser{z, multiCloser{z, f}}, nil
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
// of whole lines of newline-delimited JSON.
type chunk struct {
	file  string
	data  []byte
	lines bool // data is whole lines of a file of one event per line
	line  int  // line number of data's first byte
	pool  *[]byte
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

// read sends the chunks of one file to out. A file whose first line is
// followed by another that starts an event is streamed in runs of lines,
// so that a large NDJSON file is never held in memory at once; any other
// file is read whole.
func (r *reader) read(name string, out chan<- chunk) error {
	f, err := open(name, r.stdin)
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
	if i := jsonscan.Space(head, 0); i < len(head) && head[i] != '{' && head[i] != '[' {
		return fmt.Errorf("not JSON: starts with %q", head[i])
	}
	if !isLines(head) {
		return r.whole(name, head, br, out)
	}
	return r.lines(name, head, br, out)
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

func (r *reader) whole(name string, head []byte, f io.Reader, out chan<- chunk) error {
	rest, err := io.ReadAll(io.LimitReader(f, r.maxWhole-int64(len(head))+1))
	if err != nil {
		return err
	}
	data := append(head, rest...)
	if int64(len(data)) > r.maxWhole {
		return fmt.Errorf("file is one JSON value of more than %d bytes: convert it to newline-delimited JSON to scan it", r.maxWhole)
	}
	out <- chunk{file: name, data: data, line: 1}
	return nil
}

func (r *reader) lines(name string, head []byte, f io.Reader, out chan<- chunk) error {
	line := 1
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
		}
		carry = append(carry[:0:0], data[cut:]...)
		if cut == 0 {
			r.recycle(buf)
			if eof {
				return nil
			}
			continue
		}
		out <- chunk{file: name, data: data[:cut], lines: true, line: line, pool: buf}
		line += bytes.Count(data[:cut], []byte{'\n'})
		if eof {
			return nil
		}
	}
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
