package corpus

import (
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"
)

// Window is how much time one file of an Archive covers.
const Window = 5 * time.Minute

// Patterns of the account IDs and regions that name an Archive's files.
var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// Archive writes CloudTrail records into gzip files laid out the way
// CloudTrail delivers them to S3:
//
//	AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<id>.json.gz
//
// Each file holds {"Records":[...]}: the records of one account and region
// whose eventTime falls in one Window, named after the end of the window.
// The id is 16 letters and digits, the same for the same seed.
type Archive struct {
	dir     string
	seed    uint64
	batches map[batchKey]*batch
}

type batchKey struct{ account, region string }

// batch holds the records of the file being filled for one account and
// region.
type batch struct {
	start   time.Time
	records []byte // the records, comma separated
}

// NewArchive returns an archive that writes under dir.
func NewArchive(dir string, seed uint64) *Archive {
	return &Archive{dir: dir, seed: seed, batches: map[batchKey]*batch{}}
}

// Add adds a record. The records of each account and region should come in
// time order; one older than the file being filled goes into that file,
// like a late delivery.
func (a *Archive) Add(record []byte) error {
	var head struct {
		EventTime time.Time `json:"eventTime"`
		Region    string    `json:"awsRegion"`
		Account   string    `json:"recipientAccountId"`
	}
	if err := json.Unmarshal(record, &head); err != nil {
		return fmt.Errorf("corpus: not a CloudTrail record: %w", err)
	}
	if !accountPattern.MatchString(head.Account) || !regionPattern.MatchString(head.Region) {
		return fmt.Errorf("corpus: bad account %q or region %q in record", head.Account, head.Region)
	}
	k := batchKey{head.Account, head.Region}
	start := head.EventTime.UTC().Truncate(Window)
	b := a.batches[k]
	if b != nil && start.After(b.start) {
		if err := a.write(k, b); err != nil {
			return err
		}
		b = nil
	}
	if b == nil {
		b = &batch{start: start}
		a.batches[k] = b
	} else {
		b.records = append(b.records, ',')
	}
	b.records = append(b.records, record...)
	return nil
}

// Close writes the files still being filled.
func (a *Archive) Close() error {
	keys := make([]batchKey, 0, len(a.batches))
	for k := range a.batches {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y batchKey) int {
		return cmp.Or(cmp.Compare(x.account, y.account), cmp.Compare(x.region, y.region))
	})
	for _, k := range keys {
		if err := a.write(k, a.batches[k]); err != nil {
			return err
		}
	}
	clear(a.batches)
	return nil
}

// write writes the file of batch b.
func (a *Archive) write(k batchKey, b *batch) error {
	end := b.start.Add(Window)
	stamp := end.Format("20060102T1504Z")
	id := appendChars(nil, mixedAlnum, 16, hashString(hashString(a.seed, k.account+k.region), stamp))
	dir := filepath.Join(a.dir, "AWSLogs", k.account, "CloudTrail", k.region, end.Format("2006/01/02"))
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", k.account, k.region, stamp, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	// A gzip.Writer keeps its first error and returns it from Close.
	zw.Write([]byte(`{"Records":[`))
	zw.Write(b.records)
	zw.Write([]byte(`]}`))
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
