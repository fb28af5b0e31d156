package main

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"vigil/bench/corpus"
)

// template is a CloudTrail file body, {"Records":[...]}, of generated
// records, and where the value of each record's eventID starts in it.
type template struct {
	body []byte
	ids  []int
}

// idLen is the length of an eventID: a UUID, 8-4-4-4-12 hex digits.
const idLen = 36

var idKey = []byte(`"eventID":"`)

// bodies hands out request bodies, every one distinct: the n-th body is
// template n mod len(templates) with fresh eventIDs, made of the run's
// nonce, n and the record's index, so that neither JetStream's duplicate
// window (keyed by the batch's content) nor the store's one event per
// rule (keyed by eventID) drops or folds any of them, within a run or
// across runs against the same server.
type bodies struct {
	templates []template
	nonce     uint32
	gzip      bool
	// pre are the first bodies, compressed before the clock starts; the
	// later ones are compressed as they are sent.
	pre [][]byte
}

// newTemplates generates records with the corpus generator of seed into
// n batch bodies of size records each. The records' eventTimes end at
// now, with the generator's mean gap between them.
func newTemplates(seed uint64, n, size int, now time.Time) ([]template, error) {
	g := corpus.New(seed)
	g.Clock = now.Add(-time.Duration(n*size) * g.Step)
	var rec []byte
	out := make([]template, n)
	for i := range out {
		body := make([]byte, 0, size*1600)
		body = append(body, `{"Records":[`...)
		ids := make([]int, 0, size)
		for j := range size {
			if j > 0 {
				body = append(body, ',')
			}
			rec = g.Record(rec[:0])
			k := bytes.Index(rec, idKey)
			if k < 0 || k+len(idKey)+idLen >= len(rec) || rec[k+len(idKey)+idLen] != '"' {
				return nil, errors.New("a generated record has no eventID of 36 characters")
			}
			ids = append(ids, len(body)+k+len(idKey))
			body = append(body, rec...)
		}
		body = append(body, "]}"...)
		out[i] = template{body: body, ids: ids}
	}
	return out, nil
}

// plain returns the n-th body, uncompressed, in buf.
func (b *bodies) plain(n uint64, buf []byte) []byte {
	t := &b.templates[n%uint64(len(b.templates))]
	buf = append(buf[:0], t.body...)
	for i, at := range t.ids {
		stamp(buf[at:at+idLen], b.nonce, n, uint64(i))
	}
	return buf
}

// compressor compresses bodies; each goroutine has its own.
type compressor struct {
	plain []byte
	out   bytes.Buffer
	zw    *gzip.Writer
}

func newCompressor() *compressor {
	c := &compressor{}
	c.zw, _ = gzip.NewWriterLevel(&c.out, gzip.BestSpeed)
	return c
}

// body returns the n-th body as sent: the pre-compressed one, or one made
// now, in c's buffers.
func (b *bodies) body(n uint64, c *compressor) []byte {
	if !b.gzip {
		c.plain = b.plain(n, c.plain)
		return c.plain
	}
	if n < uint64(len(b.pre)) {
		return b.pre[n]
	}
	return b.compress(n, c)
}

func (b *bodies) compress(n uint64, c *compressor) []byte {
	c.plain = b.plain(n, c.plain)
	c.out.Reset()
	c.zw.Reset(&c.out)
	c.zw.Write(c.plain)
	c.zw.Close()
	return c.out.Bytes()
}

// precompress compresses the first n bodies, on all cores.
func (b *bodies) precompress(n int) {
	b.pre = make([][]byte, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			c := newCompressor()
			for i := w; i < n; i += workers {
				b.pre[i] = bytes.Clone(b.compress(uint64(i), c))
			}
		})
	}
	wg.Wait()
}

const hexDigits = "0123456789abcdef"

// stamp writes an eventID for record i of body n of the run of nonce
// into dst, 36 bytes: 8 hex digits of the nonce, 12 of n and 12 of i,
// laid out as a UUID.
func stamp(dst []byte, nonce uint32, n, i uint64) {
	var digits [32]byte
	put := func(at int, v uint64, width int) {
		for k := width - 1; k >= 0; k-- {
			digits[at+k] = hexDigits[v&15]
			v >>= 4
		}
	}
	put(0, uint64(nonce), 8)
	put(8, n, 12)
	put(20, i, 12)
	d := 0
	for k := range idLen {
		if k == 8 || k == 13 || k == 18 || k == 23 {
			dst[k] = '-'
			continue
		}
		dst[k] = digits[d]
		d++
	}
}

// describe says what the templates hold.
func describe(ts []template) string {
	size := 0
	for _, t := range ts {
		size += len(t.body)
	}
	return fmt.Sprintf("%d distinct batches of %d records, %s (%.0f bytes per record)",
		len(ts), len(ts[0].ids), mib(size), float64(size)/float64(len(ts)*len(ts[0].ids)))
}

func mib(n int) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
