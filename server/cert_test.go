package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/server"
)

// selfSigned returns a TLS configuration with a new self-signed
// certificate in a new directory, its fingerprint and the paths of its
// files.
func selfSigned(t *testing.T) (cfg *tls.Config, fingerprint, certFile, keyFile string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tls")
	cfg, fingerprint, err := server.TLSConfig("", "", dir)
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	return cfg, fingerprint, filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
}

// readCert returns the certificate of a PEM file.
func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s: no PEM certificate", file)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fingerprintOf(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

func mode(t *testing.T, file string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestTLSConfigSelfSigned(t *testing.T) {
	t.Parallel()
	cfg, fp, certFile, keyFile := selfSigned(t)
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", cfg.MinVersion)
	}
	if len(cfg.Certificates) != 1 {
		t.Fatalf("%d certificates, want 1", len(cfg.Certificates))
	}
	if m := mode(t, keyFile); m != 0o600 {
		t.Errorf("key file mode %v, want 0600", m)
	}
	if m := mode(t, filepath.Dir(keyFile)); m != 0o700 {
		t.Errorf("directory mode %v, want 0700", m)
	}
	if m := mode(t, certFile); m&0o077 != 0o044 || m&0o022 != 0 {
		t.Errorf("certificate file mode %v, want 0644", m)
	}
	c := readCert(t, certFile)
	if got := fingerprintOf(c); got != fp {
		t.Errorf("fingerprint %s, but the certificate's SHA-256 is %s", fp, got)
	}
	if got := hex.EncodeToString(sha256Sum(cfg.Certificates[0].Certificate[0])); got != fp {
		t.Errorf("fingerprint %s, but the configuration's certificate's is %s", fp, got)
	}
	if len(fp) != 64 {
		t.Errorf("fingerprint %q: want 64 hex digits", fp)
	}
	entries, err := os.ReadDir(filepath.Dir(certFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("the directory holds %v, want cert.pem and key.pem only", entries)
	}

	// The next call reuses it.
	_, again, err := server.TLSConfig("", "", filepath.Dir(certFile))
	if err != nil {
		t.Fatal(err)
	}
	if again != fp {
		t.Errorf("second call: fingerprint %s, want the first's %s", again, fp)
	}
	// The files can also be given.
	cfg2, given, err := server.TLSConfig(certFile, keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	if given != fp || cfg2.MinVersion != tls.VersionTLS12 {
		t.Errorf("given files: fingerprint %s, MinVersion %x; want %s, TLS 1.2", given, cfg2.MinVersion, fp)
	}
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func TestSelfSignedCertificate(t *testing.T) {
	t.Parallel()
	_, _, certFile, _ := selfSigned(t)
	c := readCert(t, certFile)
	roots := x509.NewCertPool()
	roots.AddCert(c)
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	for _, h := range hosts {
		_, err := c.Verify(x509.VerifyOptions{DNSName: h, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		if err != nil {
			t.Errorf("not valid for %s: %v", h, err)
		}
	}
	for _, h := range []string{"vigil.example.com", "10.0.0.1", "127.0.0.2"} {
		if _, err := c.Verify(x509.VerifyOptions{DNSName: h, Roots: roots}); err == nil {
			t.Errorf("valid for %s", h)
		}
	}
	if _, err := c.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("valid for client authentication")
	}
	now := time.Now()
	if c.NotBefore.After(now) || c.NotAfter.Before(now.AddDate(1, 0, 0)) {
		t.Errorf("valid from %v to %v: want from before now to more than a year ahead", c.NotBefore, c.NotAfter)
	}
	if c.IsCA {
		t.Error("the certificate is a CA")
	}
	if _, ok := c.PublicKey.(*ecdsa.PublicKey); !ok {
		t.Errorf("public key %T, want ECDSA", c.PublicKey)
	}
}

func TestTLSConfigErrors(t *testing.T) {
	t.Parallel()
	_, _, certA, keyA := selfSigned(t)
	_, _, _, keyB := selfSigned(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		cert, key  string
		wantInErrs []string
	}{
		{"mismatched pair", certA, keyB, []string{certA, keyB, "private key does not match public key"}},
		{"key for a certificate", keyA, certA, []string{keyA, certA}},
		{"certificate without key", certA, "", []string{certA, "without a key"}},
		{"key without certificate", "", keyA, []string{keyA, "without a certificate"}},
		{"missing certificate", missing, keyA, []string{missing, "no such file"}},
		{"missing key", certA, missing, []string{missing, "no such file"}},
		{"garbage certificate", garbage, keyA, []string{garbage}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fp, err := server.TLSConfig(tc.cert, tc.key, t.TempDir())
			if err == nil {
				t.Fatalf("TLSConfig(%q, %q): certificate %s, want an error", tc.cert, tc.key, fp)
			}
			for _, s := range tc.wantInErrs {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestTLSConfigGarbageInDir(t *testing.T) {
	t.Parallel()
	// What is in the directory is the operator's: an unreadable
	// certificate is an error, not replaced silently.
	dir := t.TempDir()
	cert := []byte("garbage\n")
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), cert, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := server.TLSConfig("", "", dir); err == nil {
		t.Fatal("TLSConfig accepted a garbage cert.pem")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "cert.pem")); string(b) != string(cert) {
		t.Errorf("cert.pem was replaced with %q", b)
	}
}

func TestTLSConfigKeyModeOnRewrite(t *testing.T) {
	t.Parallel()
	// A key.pem left readable by others, without its certificate, is
	// replaced by a key readable by its owner only.
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if _, _, err := server.TLSConfig("", "", dir); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, key); m != 0o600 {
		t.Errorf("key file mode %v, want 0600", m)
	}
}

// writeCert writes a self-signed certificate for localhost valid from
// notBefore to notAfter, and its key.
func writeCert(t *testing.T, dir string, notBefore, notAfter time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "old"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTLSConfigRenewsExpiring(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name     string
		notAfter time.Time
		renewed  bool
	}{
		{"expired", now.Add(-time.Hour), true},
		{"expires in a week", now.Add(7 * 24 * time.Hour), true},
		{"expires in a year", now.AddDate(1, 0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeCert(t, dir, now.AddDate(-2, 0, 0), tc.notAfter)
			old := fingerprintOf(readCert(t, filepath.Join(dir, "cert.pem")))
			_, fp, err := server.TLSConfig("", "", dir)
			if err != nil {
				t.Fatal(err)
			}
			c := readCert(t, filepath.Join(dir, "cert.pem"))
			if renewed := fp != old; renewed != tc.renewed {
				t.Fatalf("renewed = %v, want %v", renewed, tc.renewed)
			}
			if fp != fingerprintOf(c) {
				t.Errorf("fingerprint %s is not that of cert.pem", fp)
			}
			if tc.renewed && c.NotAfter.Before(now.AddDate(1, 0, 0)) {
				t.Errorf("renewed certificate expires %v", c.NotAfter)
			}
		})
	}
}
