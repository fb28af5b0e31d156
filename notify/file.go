package notify

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"vigil/config"
)

// FileLine is a line of a file_configs archive: an alert as one
// notification carried it. A retry of a notification writes its lines
// again; readers drop the lines whose NotificationID and alert ID they
// have seen.
type FileLine struct {
	NotificationID string    `json:"notification_id"`
	Receiver       string    `json:"receiver"`
	GroupKey       string    `json:"group_key"`
	Notified       time.Time `json:"notified"`
	Alert
}

type file struct {
	base
	path string
}

// fileLocks serializes the writers of each file within the process, so
// that the lines of two notifications never interleave.
var fileLocks sync.Map // path → *sync.Mutex

func newFile(b base, c *config.FileConfig, o Options) (*file, error) {
	b.resolved = c.Resolved()
	p := cmp.Or(c.Path, config.DefaultFile)
	if !filepath.IsAbs(p) {
		if o.DataDir == "" {
			return nil, fmt.Errorf("path %q is relative, and there is no data directory", p)
		}
		p = filepath.Join(o.DataDir, p)
	}
	return &file{base: b, path: p}, nil
}

func (f *file) Notify(ctx context.Context, n *Notification) error {
	if n = f.pick(n); n == nil {
		return nil
	}
	var buf bytes.Buffer
	for _, a := range n.Alerts {
		b, err := marshal(FileLine{n.ID, n.Receiver, n.GroupKey, n.Created, a})
		if err != nil {
			return Permanent(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	mu, _ := fileLocks.LoadOrStore(f.path, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	return f.append(buf.Bytes())
}

// append writes b at the end of the file in one write, and syncs it to
// disk before it returns: a notification is delivered once it is stored.
func (f *file) append(b []byte) error {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	// Alerts name people and systems under attack: only vigil reads them.
	fd, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := fd.Write(b); err != nil {
		fd.Close()
		return fmt.Errorf("append to %s: %w", f.path, err)
	}
	if err := fd.Sync(); err != nil {
		fd.Close()
		return fmt.Errorf("sync %s: %w", f.path, err)
	}
	return fd.Close()
}
