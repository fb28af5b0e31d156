package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"vigil/config"
)

// natsTimeout bounds a publication when the caller's context has no
// deadline (a flush needs one).
const natsTimeout = 30 * time.Second

type natsPub struct {
	base
	cfg  *config.NATSConfig
	opts []nats.Option

	mu sync.Mutex
	nc *nats.Conn // vigil's, or this integration's own once connected
}

func newNATS(b base, c *config.NATSConfig, o Options) (*natsPub, error) {
	b.resolved = c.Resolved()
	p := &natsPub{base: b, cfg: c, nc: o.NATS}
	if c.URL == "" {
		if o.NATS == nil {
			return nil, errors.New("no url, and vigil has no NATS connection to share")
		}
		return p, nil
	}
	p.nc = nil
	p.opts = []nats.Option{nats.Name("vigil notify"), nats.MaxReconnects(-1)}
	if c.CredsFile != "" {
		p.opts = append(p.opts, nats.UserCredentials(c.CredsFile))
	}
	if c.TLSConfig != (config.TLSConfig{}) {
		t, err := tlsConfig(c.TLSConfig, "")
		if err != nil {
			return nil, err
		}
		p.opts = append(p.opts, nats.Secure(t))
	}
	return p, nil
}

// conn returns the connection, connecting to the configured NATS the
// first time: a NATS that is down when vigil starts delays its
// notifications, not vigil.
func (p *natsPub) conn() (*nats.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nc != nil {
		return p.nc, nil
	}
	nc, err := nats.Connect(p.cfg.URL, p.opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: connect: %w", err)
	}
	p.nc = nc
	return nc, nil
}

// Close closes the integration's own connection, if it has one.
func (p *natsPub) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg.URL != "" && p.nc != nil {
		p.nc.Close()
		p.nc = nil
	}
	return nil
}

// Notify publishes the notification's JSON. When a JetStream stream
// captures the subject it waits for the stream's ack, and the
// Nats-Msg-Id header (the notification's id) makes the stream store a
// retry once; otherwise it is a plain publication, flushed.
func (p *natsPub) Notify(ctx context.Context, n *Notification) error {
	if n = p.pick(n); n == nil {
		return nil
	}
	nc, err := p.conn()
	if err != nil {
		return err
	}
	data, err := marshal(n)
	if err != nil {
		return Permanent(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, natsTimeout)
		defer cancel()
	}
	msg := &nats.Msg{Subject: p.cfg.Subject, Data: data, Header: nats.Header{jetstream.MsgIDHeader: {n.ID}}}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	_, err = js.StreamNameBySubject(ctx, p.cfg.Subject)
	switch {
	case err == nil:
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			return fmt.Errorf("nats: publish to %s: %w", p.cfg.Subject, err)
		}
		return nil
	case errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, nats.ErrNoResponders):
		// No stream (or no JetStream) captures the subject.
		if err := nc.PublishMsg(msg); err != nil {
			return fmt.Errorf("nats: publish to %s: %w", p.cfg.Subject, err)
		}
		if err := nc.FlushWithContext(ctx); err != nil {
			return fmt.Errorf("nats: publish to %s: %w", p.cfg.Subject, err)
		}
		return nil
	default:
		return fmt.Errorf("nats: looking for the stream of %s: %w", p.cfg.Subject, err)
	}
}
