// Package bus is vigil's message bus: NATS JetStream, embedded in the
// process by default or an external cluster shared by several nodes.
//
// Two streams carry the work. EVENTS holds the batches of events that
// ingest accepted, until detection has stored what they caused; HITS holds
// the matches that feed stateful rules, on one subject per partition, so
// that each group's state lives on one node. Both are work queues: a
// message leaves the stream once processed, and the streams' byte limits
// bound the backlog, so that ingest answers "try later" instead of
// dropping events when detection falls behind. Key-value buckets hold the
// nodes' heartbeats and the leases on partitions.
package bus

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says which NATS to use and how large its streams may grow.
type Config struct {
	// URL is the NATS cluster to connect to; empty runs an embedded
	// server storing in Dir.
	URL string
	Dir string
	// Name identifies this node to NATS.
	Name string
	// Replicas is how many servers keep each stream (1 when embedded).
	Replicas int
	// MaxBytes bounds the backlog of each stream.
	MaxBytes int64
	// Duplicates is the window within which a message published again
	// with the same id is stored once.
	Duplicates time.Duration
	// Partitions is the number of partitions of stateful detection.
	Partitions int
}

// Names of the streams, subjects and buckets.
const (
	EventStream   = "VIGIL_EVENTS"
	HitStream     = "VIGIL_HITS"
	eventSubjects = "vigil.events.>"
	hitSubjects   = "vigil.hits.>"
	leaseBucket   = "vigil_leases"
	memberBucket  = "vigil_members"
)

// EventSubject returns the subject of the events of a source.
func EventSubject(source string) string { return "vigil.events." + source }

// HitSubject returns the subject of a partition of hits.
func HitSubject(partition int) string { return fmt.Sprintf("vigil.hits.%d", partition) }

// Bus is a connection to JetStream with vigil's streams in place.
type Bus struct {
	Config
	NC      *nats.Conn
	JS      jetstream.JetStream
	Leases  jetstream.KeyValue
	Members jetstream.KeyValue
	srv     *server.Server // the embedded server, if any
}

// LeaseTTL is how long a node keeps a partition, or counts as alive,
// without renewing.
const LeaseTTL = 10 * time.Second

// Open connects to NATS, or starts the embedded server, and creates or
// updates the streams and buckets.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	b := &Bus{Config: cfg}
	opts := []nats.Option{nats.Name(cfg.Name), nats.MaxReconnects(-1)}
	url := cfg.URL
	if url == "" {
		srv, err := embedded(cfg.Dir)
		if err != nil {
			return nil, err
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
		b.Replicas = 1
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("bus: connect to NATS %s: %w", url, err)
	}
	b.NC = nc
	if b.JS, err = jetstream.New(nc); err != nil {
		b.Close()
		return nil, fmt.Errorf("bus: %w", err)
	}
	if err := b.setup(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// embedded starts a NATS server inside the process, with JetStream
// storing in dir. It listens on no port: only this process uses it.
func embedded(dir string) (*server.Server, error) {
	srv, err := server.NewServer(&server.Options{
		ServerName: "vigil",
		JetStream:  true,
		StoreDir:   filepath.Join(dir, "jetstream"),
		DontListen: true,
		NoSigs:     true,
		NoLog:      true,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: embedded NATS: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("bus: embedded NATS did not start within 30s")
	}
	return srv, nil
}

// partitionsKey is the metadata of the hit stream that records the
// number of partitions: every node must route hits the same way.
const partitionsKey = "vigil_partitions"

func (b *Bus) setup(ctx context.Context) error {
	if s, err := b.JS.Stream(ctx, HitStream); err == nil {
		if n := s.CachedInfo().Config.Metadata[partitionsKey]; n != "" && n != strconv.Itoa(b.Partitions) {
			return fmt.Errorf("bus: the cluster runs %s correlation partitions, this node %d: give every node the same detect.partitions", n, b.Partitions)
		}
	}
	for _, s := range []jetstream.StreamConfig{
		{Name: EventStream, Subjects: []string{eventSubjects}},
		{Name: HitStream, Subjects: []string{hitSubjects}, Metadata: map[string]string{partitionsKey: strconv.Itoa(b.Partitions)}},
	} {
		s.Retention = jetstream.WorkQueuePolicy
		s.Discard = jetstream.DiscardNew
		s.MaxBytes = b.MaxBytes
		s.Storage = jetstream.FileStorage
		s.Replicas = b.Replicas
		s.Duplicates = b.Duplicates
		if _, err := b.JS.CreateOrUpdateStream(ctx, s); err != nil {
			return fmt.Errorf("bus: stream %s: %w", s.Name, err)
		}
	}
	var err error
	b.Leases, err = b.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: leaseBucket, TTL: LeaseTTL, Replicas: b.Replicas, Storage: jetstream.FileStorage})
	if err != nil {
		return fmt.Errorf("bus: bucket %s: %w", leaseBucket, err)
	}
	b.Members, err = b.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: memberBucket, TTL: LeaseTTL, Replicas: b.Replicas, Storage: jetstream.MemoryStorage})
	if err != nil {
		return fmt.Errorf("bus: bucket %s: %w", memberBucket, err)
	}
	return nil
}

// Full reports whether err is JetStream refusing a message because a
// stream reached its limit: the caller should try again later.
func Full(err error) bool {
	var api *jetstream.APIError
	return errors.As(err, &api) && api.Code == 503
}

// Close closes the connection, after its pending messages are sent, and
// shuts the embedded server down.
func (b *Bus) Close() {
	if b.NC != nil {
		b.NC.Drain()
		for b.NC.IsDraining() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
}

// Publish stores messages in their streams and returns once JetStream has
// stored every one, or the first error. Messages go out asynchronously, a
// window at a time, within what the client lets be outstanding.
func (b *Bus) Publish(ctx context.Context, msgs []*nats.Msg) error {
	for len(msgs) > 0 {
		n := min(len(msgs), publishWindow)
		if err := b.publish(ctx, msgs[:n]); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// publishWindow bounds the messages awaiting acknowledgement at once.
const publishWindow = 1024

func (b *Bus) publish(ctx context.Context, msgs []*nats.Msg) error {
	acks := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := b.JS.PublishMsgAsync(m)
		if err != nil {
			return fmt.Errorf("bus: publish to %s: %w", m.Subject, err)
		}
		acks = append(acks, f)
	}
	for _, f := range acks {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("bus: publish to %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
