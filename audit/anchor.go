package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vigil/store"
)

// Seals kept outside the database. Whoever can write the database can
// delete the end of the trail with its seals, and the trail left is
// whole; not so a copy of the last seal kept elsewhere. Each seal is
// written to vigil's log, as a line "audit trail sealed" with the fields
// of sealRecord; and the last seal a trail made or found good is kept in
// its anchor file, beside its key, as the same JSON object. Verify checks
// the trail against such seals (Options.Anchors).

// sealLine is the message of the log line of a seal.
const sealLine = "audit trail sealed"

// sealRecord is a seal as vigil writes it outside the database.
type sealRecord struct {
	N        int64     `json:"n"`
	Seq      int64     `json:"seq"`
	Hash     hexBytes  `json:"hash"`
	Time     time.Time `json:"sealed_at"`
	KeyID    string    `json:"key"`
	Sig      hexBytes  `json:"sig"`
	PrevSeq  int64     `json:"prev_seq"`
	PrevHash hexBytes  `json:"prev_hash"`
	PrevSig  hexBytes  `json:"prev_sig"`
}

// hexBytes are bytes written in hexadecimal.
type hexBytes []byte

func (h hexBytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

func (h *hexBytes) UnmarshalText(b []byte) error {
	d, err := hex.DecodeString(string(b))
	if len(d) == 0 {
		d = nil
	}
	*h = d
	return err
}

func newSealRecord(s store.AuditSeal) sealRecord {
	return sealRecord{N: s.N, Seq: s.Seq, Hash: s.Hash, Time: s.Time, KeyID: s.KeyID, Sig: s.Sig,
		PrevSeq: s.PrevSeq, PrevHash: s.PrevHash, PrevSig: s.PrevSig}
}

func (r sealRecord) seal() store.AuditSeal {
	return store.AuditSeal{N: r.N, Seq: r.Seq, Hash: r.Hash, Time: r.Time.UTC(), KeyID: r.KeyID, Sig: r.Sig,
		PrevSeq: r.PrevSeq, PrevHash: r.PrevHash, PrevSig: r.PrevSig}
}

// sealAttrs are the attributes of the log line of a seal: the fields of
// sealRecord.
func sealAttrs(s store.AuditSeal) []any {
	return []any{"n", s.N, "seq", s.Seq, "hash", hex.EncodeToString(s.Hash), "sealed_at", s.Time, "key", s.KeyID,
		"sig", hex.EncodeToString(s.Sig), "prev_seq", s.PrevSeq, "prev_hash", hex.EncodeToString(s.PrevHash),
		"prev_sig", hex.EncodeToString(s.PrevSig)}
}

// AnchorFile returns the file where a trail whose private key is in
// keyFile keeps its last seal: audit.key → audit.anchor.
func AnchorFile(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".key") + ".anchor"
}

// ReadAnchor reads the seal kept in an anchor file; ok is false when the
// file does not exist.
func ReadAnchor(file string) (s store.AuditSeal, ok bool, err error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("audit: anchor: %w", err)
	}
	var r sealRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return s, false, fmt.Errorf("audit: anchor %s: %w", file, err)
	}
	if r.Seq <= 0 || len(r.Hash) == 0 || len(r.Sig) == 0 {
		return s, false, fmt.Errorf("audit: anchor %s: not a seal", file)
	}
	return r.seal(), true, nil
}

// loadAnchor reads the trail's anchor file, whose seal must verify with
// a key the trail accepts: the zero seal when there is none.
func (t *Trail) loadAnchor() (store.AuditSeal, error) {
	s, ok, err := ReadAnchor(t.anchorFile)
	if err != nil || !ok {
		return s, err
	}
	if !verifySeal(s, t.keys()) {
		return s, fmt.Errorf("audit: anchor %s: seal %d of entry %d does not verify with the key or the trusted keys", t.anchorFile, s.N, s.Seq)
	}
	return s, nil
}

// verifySeal reports whether the signature of s verifies with one of
// keys.
func verifySeal(s store.AuditSeal, keys []ed25519.PublicKey) bool {
	for _, k := range keys {
		if KeyID(k) == s.KeyID && ed25519.Verify(k, sealMessage(s), s.Sig) {
			return true
		}
	}
	return false
}

// writeAnchor keeps s in file, readable and writable by its owner only,
// replacing the file whole.
func writeAnchor(file string, s store.AuditSeal) error {
	b, err := json.Marshal(newSealRecord(s))
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*") // mode 0600
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if err = errors.Join(err, f.Sync(), f.Close()); err == nil {
		err = os.Rename(f.Name(), file)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// ReadSealLog reads the seals in vigil's log, as the JSON handler of
// log/slog writes it: the lines whose "msg" is "audit trail sealed".
// Other lines are skipped. It returns an error for a seal line it cannot
// read, or when there is no seal line.
func ReadSealLog(r io.Reader) ([]store.AuditSeal, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var seals []store.AuditSeal
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(sealLine)) {
			continue
		}
		var rec struct {
			Msg string `json:"msg"`
			sealRecord
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			if bytes.Contains(line, []byte(`"msg":"`+sealLine+`"`)) {
				return nil, fmt.Errorf("audit: seal log: line %d: %w", n, err)
			}
			continue
		}
		if rec.Msg != sealLine {
			continue
		}
		if rec.Seq <= 0 || len(rec.Hash) == 0 {
			return nil, fmt.Errorf("audit: seal log: line %d: a seal without its entry or hash", n)
		}
		seals = append(seals, rec.seal())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("audit: seal log: %w", err)
	}
	if len(seals) == 0 {
		return nil, errors.New(`audit: seal log: no line "` + sealLine + `"`)
	}
	return seals, nil
}

// ParseAnchor reads an entry known from elsewhere, written SEQ:HASH (the
// hash in hexadecimal), as an anchor without a seal.
func ParseAnchor(text string) (store.AuditSeal, error) {
	seqText, hashText, _ := strings.Cut(text, ":")
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq <= 0 {
		return store.AuditSeal{}, fmt.Errorf("audit: anchor %q: want SEQ:HASH, SEQ an entry's number", text)
	}
	hash, err := hex.DecodeString(hashText)
	if err != nil || len(hash) != 32 {
		return store.AuditSeal{}, fmt.Errorf("audit: anchor %q: want SEQ:HASH, HASH 64 hexadecimal digits", text)
	}
	return store.AuditSeal{Seq: seq, Hash: hash}, nil
}
