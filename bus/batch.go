package bus

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"vigil/batch"
	"vigil/event"
)

// Batch is a batch of events of one source, as ingest publishes them: a
// JSON array of the events, each a JSON object as received.
type Batch struct {
	Source string
	// ID identifies the batch: publishing it again within the duplicate
	// window stores it once.
	ID       string
	Received time.Time
	Events   [][]byte
}

// Headers of a batch message.
const (
	hdrSource   = "Vigil-Source"
	hdrReceived = "Vigil-Received"
)

// Msg returns the message that carries the batch.
func (b *Batch) Msg() *nats.Msg {
	n := 2
	for _, e := range b.Events {
		n += len(e) + 1
	}
	body := make([]byte, 0, n)
	body = append(body, '[')
	for i, e := range b.Events {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, e...)
	}
	body = append(body, ']')
	m := nats.NewMsg(EventSubject(b.Source))
	m.Data = body
	m.Header.Set(nats.MsgIdHdr, b.ID)
	m.Header.Set(hdrSource, b.Source)
	m.Header.Set(hdrReceived, strconv.FormatInt(b.Received.UnixNano(), 10))
	return m
}

// ReadBatch reads a batch message, its events slices of data.
func ReadBatch(header nats.Header, data []byte) (*Batch, error) {
	b := &Batch{Source: header.Get(hdrSource), ID: header.Get(nats.MsgIdHdr)}
	ns, err := strconv.ParseInt(header.Get(hdrReceived), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("bus: batch %s: bad %s header %q", b.ID, hdrReceived, header.Get(hdrReceived))
	}
	b.Received = time.Unix(0, ns)
	if !bytes.HasPrefix(data, []byte{'['}) {
		return nil, fmt.Errorf("bus: batch %s: not a JSON array", b.ID)
	}
	_, err = batch.Split(data, func(_ int, raw []byte, _ event.Kind) error {
		b.Events = append(b.Events, raw)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bus: batch %s: %w", b.ID, err)
	}
	return b, nil
}
