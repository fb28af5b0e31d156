package server

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
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// renewBefore is how long before it expires a self-signed certificate is
// replaced.
const renewBefore = 30 * 24 * time.Hour

// TLSConfig returns the TLS configuration of the listener: TLS 1.2 at
// least, with the certificate and key files given (both or neither), or
// else with a self-signed certificate kept in dir as cert.pem and
// key.pem, made on first use for localhost, 127.0.0.1, ::1 and the
// machine's name, and made again when it is about to expire. It also
// returns the SHA-256 fingerprint of the certificate, for clients to
// check.
func TLSConfig(certFile, keyFile, dir string) (*tls.Config, string, error) {
	switch {
	case certFile == "" && keyFile != "":
		return nil, "", fmt.Errorf("server: TLS key %s without a certificate file", keyFile)
	case certFile != "" && keyFile == "":
		return nil, "", fmt.Errorf("server: TLS certificate %s without a key file", certFile)
	case certFile == "":
		certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		if err := ensureSelfSigned(certFile, keyFile, time.Now()); err != nil {
			return nil, "", err
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, "", fmt.Errorf("server: TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, hex.EncodeToString(sum[:]), nil
}

// ensureSelfSigned makes a self-signed certificate and its key when
// certFile does not exist, or holds a certificate that expires within
// renewBefore of now.
func ensureSelfSigned(certFile, keyFile string, now time.Time) error {
	b, err := os.ReadFile(certFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return selfSigned(certFile, keyFile)
	case err != nil:
		return fmt.Errorf("server: TLS certificate: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil // LoadX509KeyPair tells what is wrong
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil || now.Add(renewBefore).Before(c.NotAfter) {
		return nil
	}
	return selfSigned(certFile, keyFile)
}

// selfSigned writes a new self-signed certificate and its key.
func selfSigned(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return err
	}
	hosts := []string{"localhost"}
	if h, err := os.Hostname(); err == nil && h != "localhost" {
		hosts = append(hosts, h)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vigil", Organization: []string{"vigil (self-signed)"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              hosts,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("server: self-signed certificate: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("server: self-signed certificate: %w", err)
	}
	if err := writeFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return fmt.Errorf("server: self-signed certificate: %w", err)
	}
	if err := writeFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("server: self-signed certificate: %w", err)
	}
	return nil
}

// writeFile replaces the file at name with one holding data, with the
// permissions perm whether or not the file existed, so that no reader
// ever sees it half written and a key is never readable by others.
func writeFile(name string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
