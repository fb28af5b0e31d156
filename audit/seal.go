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

// sealDomain starts what a seal signs.
const sealDomain = "vigil audit seal v1\x00"

// sealMessage is what a seal signs: the sequence number and hash of the
// last entry it covers, and its time.
func sealMessage(seq int64, hash []byte, at time.Time) []byte {
	b := append([]byte(sealDomain), binary.BigEndian.AppendUint64(nil, uint64(seq))...)
	b = appendField(b, hash)
	return binary.BigEndian.AppendUint64(b, uint64(at.UnixNano()))
}

// Seal signs the trail up to its last entry, unless this process knows
// it is sealed there already.
func (t *Trail) Seal(ctx context.Context) error {
	seq, hash, err := t.st.AuditHead(ctx)
	if err != nil {
		return fmt.Errorf("audit: seal: %w", err)
	}
	return t.seal(ctx, seq, hash)
}

// seal signs the trail up to entry seq, whose hash is hash.
func (t *Trail) seal(ctx context.Context, seq int64, hash []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq <= t.sealed {
		return nil
	}
	at := t.now().Round(0).UTC()
	s := store.AuditSeal{Seq: seq, Hash: hash, Time: at, KeyID: t.keyID, Sig: ed25519.Sign(t.key, sealMessage(seq, hash, at))}
	if err := t.st.AddAuditSeal(ctx, s); err != nil {
		return fmt.Errorf("audit: seal entry %d: %w", seq, err)
	}
	t.sealed = seq
	// A copy of the seal outside the database: whoever can rewrite the
	// database, seals included, cannot rewrite the log shipped elsewhere.
	t.log.Info("audit trail sealed", "seq", seq, "hash", hex.EncodeToString(hash), "key", t.keyID,
		"time", at, "sig", hex.EncodeToString(s.Sig))
	return nil
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
