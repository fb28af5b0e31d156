package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"vigil/store"
)

// The texts that start what seals sign, so that a seal's signature is
// never that of anything else vigil signs: sealDomain for chained seals,
// sealDomainV1 for seals of the first format (N = 0).
const (
	sealDomain   = "vigil audit seal v2\x00"
	sealDomainV1 = "vigil audit seal v1\x00"
)

// sealMessage is what a seal signs: the text sealDomain; the seal's
// number N and the sequence number of the last entry it covers (8-byte
// big-endian integers); that entry's hash, preceded by its length (an
// unsigned varint); the seal's time in nanoseconds since the Unix epoch
// (8 bytes, big endian); then the sequence number (8 bytes), hash and
// signature (each preceded by its length) of the seal before, 0 and
// empty for the first. A seal of the first format signed sealDomainV1,
// the sequence number, the length and hash, and the time.
func sealMessage(s store.AuditSeal) []byte {
	if s.N == 0 {
		b := binary.BigEndian.AppendUint64([]byte(sealDomainV1), uint64(s.Seq))
		b = appendField(b, s.Hash)
		return binary.BigEndian.AppendUint64(b, uint64(s.Time.UnixNano()))
	}
	b := binary.BigEndian.AppendUint64([]byte(sealDomain), uint64(s.N))
	b = binary.BigEndian.AppendUint64(b, uint64(s.Seq))
	b = appendField(b, s.Hash)
	b = binary.BigEndian.AppendUint64(b, uint64(s.Time.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(s.PrevSeq))
	b = appendField(b, s.PrevHash)
	return appendField(b, s.PrevSig)
}

// ErrBroken is the error of sealing a trail that verification finds
// broken: vigil does not sign a chain it cannot vouch for.
var ErrBroken = errors.New("the audit trail is broken")

// sealTries is how many times a seal is tried when other processes seal
// the trail meanwhile.
const sealTries = 3

// Seal signs the trail up to its last entry, unless a seal covers it
// already. It first verifies the trail from its anchor, the last seal
// this process made or found good, to its head: when the trail no longer
// extends the anchor (entries or seals deleted, entries changed, seals
// not signed with a key the trail accepts), it refuses, logs why, and
// returns an error that wraps ErrBroken.
func (t *Trail) Seal(ctx context.Context) error {
	return t.seal(ctx, 1)
}

// seal seals the trail when at least min entries follow its last seal.
func (t *Trail) seal(ctx context.Context, min int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for range sealTries {
		r, err := t.check(ctx)
		if err != nil {
			return fmt.Errorf("audit: seal: %w", err)
		}
		if r.Entries-r.last.Seq < min {
			return nil
		}
		s := t.sign(r)
		err = t.st.AddAuditSeal(ctx, s)
		if errors.Is(err, store.ErrConflict) {
			continue // another process sealed meanwhile: check again
		}
		if err != nil {
			return fmt.Errorf("audit: seal entry %d: %w", s.Seq, err)
		}
		t.sealed(s)
		return nil
	}
	return fmt.Errorf("audit: seal: other processes sealed the trail meanwhile, %d times", sealTries)
}

// check verifies the trail from the anchor to its head, for a seal, and
// moves the anchor to the last seal it finds. It returns an error that
// wraps ErrBroken when the trail is broken. t.mu is held.
func (t *Trail) check(ctx context.Context) (*Report, error) {
	r, err := verifyFrom(ctx, t.st, t.options(), t.anchor)
	if err != nil {
		return nil, err
	}
	t.tried = r.Entries
	// That the last seal is too old is what a seal mends.
	if p := r.Problem; p != nil && p.Kind != Unsealed {
		t.log.Error("audit: refusing to seal the trail: it is broken", "problem", p.String())
		return nil, fmt.Errorf("%w: %s", ErrBroken, p)
	}
	t.advance(r.last)
	return r, nil
}

// sign returns the seal of the trail r verified, after its last seal.
func (t *Trail) sign(r *Report) store.AuditSeal {
	s := store.AuditSeal{N: r.last.N + 1, Seq: r.Entries, Hash: r.end, Time: t.now().Round(0).UTC(), KeyID: t.keyID,
		PrevSeq: r.last.Seq, PrevHash: r.last.Hash, PrevSig: r.last.Sig}
	s.Sig = ed25519.Sign(t.key, sealMessage(s))
	return s
}

// sealed takes note of a seal made: the new anchor, a line in the log
// (a copy of the seal outside the database: whoever can rewrite the
// database cannot rewrite the log shipped elsewhere), and the outcome of
// the last verification out of date. t.mu is held.
func (t *Trail) sealed(s store.AuditSeal) {
	t.advance(s)
	t.log.Info(sealLine, sealAttrs(s)...)
	t.cache.invalidate()
}

// advance makes s the anchor, when it comes after it, and keeps it in
// the anchor file. t.mu is held.
func (t *Trail) advance(s store.AuditSeal) {
	if s.Seq <= t.anchor.Seq {
		return
	}
	t.anchor = s
	if err := writeAnchor(t.anchorFile, s); err != nil {
		// The anchor in memory stands; the file's is older, still true.
		t.log.Error("audit: keeping the last seal outside the database", "file", t.anchorFile, "err", err)
	}
}

// anchorNow returns the anchor.
func (t *Trail) anchorNow() store.AuditSeal {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.anchor
}

// options are the options of verifying the trail.
func (t *Trail) options() Options {
	return Options{Keys: t.keys(), SealEvery: int(t.every), SealInterval: t.interval, Now: t.now}
}

// Run seals the trail every SealInterval until ctx is done, then once
// more (the seal at shutdown), and returns that seal's error.
func (t *Trail) Run(ctx context.Context) error {
	tick := time.NewTicker(t.interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := t.Seal(ctx); err != nil {
				t.log.Error("audit: seal failed", "err", err)
			}
		case <-ctx.Done():
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			return t.Seal(ctx)
		}
	}
}

// KeyID names a public key: the first 16 hexadecimal digits of its
// SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKeyFile returns the file of the public key that goes with the
// private key in keyFile: audit.key → audit.pub.
func PublicKeyFile(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".key") + ".pub"
}

// loadKey reads the private key in file, making it and its public key
// file when it does not exist. Both are PEM: PKCS #8 and PKIX, as
// OpenSSL writes them.
func loadKey(file string) (ed25519.PrivateKey, error) {
	if file == "" {
		return nil, errors.New("audit: no key file")
	}
	key, err := readKey(file)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(file)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: key %s: %w", file, err)
	}
	pubFile := PublicKeyFile(file)
	if _, err := os.Stat(pubFile); errors.Is(err, fs.ErrNotExist) {
		err = writePublicKey(pubFile, key.Public().(ed25519.PublicKey))
		if err != nil {
			return nil, fmt.Errorf("audit: public key %s: %w", pubFile, err)
		}
	}
	return key, nil
}

// readKey reads a private key, refusing a file others may read.
func readKey(file string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("others may read it (mode %04o): make it readable by its owner only", fi.Mode().Perm())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", k)
	}
	return key, nil
}

func createKey(file string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	// O_EXCL: of two processes making the key at once, one wins and the
	// other reads its key.
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKey(file)
	}
	if err != nil {
		return nil, err
	}
	if err := errors.Join(pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}), f.Sync(), f.Close()); err != nil {
		return nil, err
	}
	return key, writePublicKey(PublicKeyFile(file), key.Public().(ed25519.PublicKey))
}

func writePublicKey(file string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	return os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

// LoadPublicKey reads a public key that verifies seals, as Open writes
// it beside the private key.
func LoadPublicKey(file string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("audit: public key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("audit: public key %s: not a PEM public key", file)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit: public key %s: %w", file, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("audit: public key %s: a %T, not an Ed25519 key", file, k)
	}
	return pub, nil
}
