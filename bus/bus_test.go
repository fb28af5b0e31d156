package bus

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func open(t *testing.T, maxBytes int64) *Bus {
	t.Helper()
	b, err := Open(context.Background(), Config{Dir: t.TempDir(), Name: "test", MaxBytes: maxBytes, Duplicates: time.Minute, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func TestBatchRoundTrip(t *testing.T) {
	b := open(t, 1<<20)
	ctx := context.Background()
	in := &Batch{Source: "cloudtrail", ID: "b-1", Received: time.Unix(1763800000, 123), Events: [][]byte{[]byte(`{"a":1}`), []byte(`{"b":[1,2]}`)}}
	for range 2 { // the second is a duplicate, stored once
		if err := b.Publish(ctx, []*nats.Msg{in.Msg()}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.JS.CreateOrUpdateConsumer(ctx, EventStream, jetstream.ConsumerConfig{Durable: "t", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(10, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var got []*Batch
	for m := range msgs.Messages() {
		out, err := ReadBatch(m.Headers(), m.Data())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out)
		m.Ack()
	}
	if len(got) != 1 {
		t.Fatalf("%d batches, want 1", len(got))
	}
	out := got[0]
	if out.Source != in.Source || out.ID != in.ID || !out.Received.Equal(in.Received) || len(out.Events) != 2 || string(out.Events[1]) != `{"b":[1,2]}` {
		t.Errorf("got %+v", out)
	}
}

func TestFull(t *testing.T) {
	b := open(t, 64<<10)
	ctx := context.Background()
	ev := []byte(`{"x":"` + strings.Repeat("y", 1000) + `"}`)
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		err = b.Publish(ctx, []*nats.Msg{(&Batch{Source: "s", ID: fmt.Sprint(i), Received: time.Now(), Events: [][]byte{ev}}).Msg()})
	}
	if !Full(err) {
		t.Fatalf("err %v: want the stream full", err)
	}
}

func TestReadBatchErrors(t *testing.T) {
	h := nats.Header{}
	h.Set(hdrReceived, "12")
	for _, data := range []string{`{"a":1}`, `[{"a":1},`} {
		if _, err := ReadBatch(h, []byte(data)); err == nil {
			t.Errorf("%s: no error", data)
		}
	}
	if _, err := ReadBatch(nats.Header{}, []byte(`[]`)); err == nil || !strings.Contains(err.Error(), "Vigil-Received") {
		t.Errorf("no received header: %v", err)
	}
}

func TestPartitionsAgree(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(context.Background(), Config{Dir: dir, Name: "a", MaxBytes: 1 << 20, Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	_, err = Open(context.Background(), Config{Dir: dir, Name: "a", MaxBytes: 1 << 20, Partitions: 8})
	if err == nil || !strings.Contains(err.Error(), "runs 4 correlation partitions, this node 8") {
		t.Fatalf("err %v", err)
	}
}

// TestPublishMany publishes more messages than the client lets be
// outstanding at once.
func TestPublishMany(t *testing.T) {
	b := open(t, 64<<20)
	var msgs []*nats.Msg
	for i := range 10_000 {
		m := nats.NewMsg(HitSubject(i % 4))
		m.Data = []byte(fmt.Sprintf(`{"i":%d}`, i))
		msgs = append(msgs, m)
	}
	if err := b.Publish(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	s, err := b.JS.Stream(context.Background(), HitStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 10_000 {
		t.Errorf("%d messages stored", n)
	}
}
