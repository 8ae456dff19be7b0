package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/world"
)

// TLSOptions make the emulator serve HTTPS (docs/emulator.md "HTTPS").
type TLSOptions struct {
	// CertFile and KeyFile name a PEM certificate (chain) and its private
	// key to serve. Empty: the emulator makes a certificate for
	// 127.0.0.1, ::1, localhost, *.localhost and Hosts at every start,
	// signed by a CA of its own that it keeps in the data directory.
	CertFile, KeyFile string
	// Hosts are more DNS names or IP addresses for the generated
	// certificate, e.g. the name of the emulator's container.
	Hosts []string
	// CAFile is where the generated CA's certificate is written as PEM,
	// for clients to trust; empty: DATA/tls/ca.pem.
	CAFile string
}

// TLS files in the data directory: the generated CA is kept so that a
// client's CA bundle stays valid when the emulator restarts on the same
// data.
const (
	tlsDir       = "tls"
	caCertFile   = "ca.pem"
	caKeyFile    = "ca-key.pem"
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 365 * 24 * time.Hour
)

// defaultTLSHosts are the names every generated certificate holds.
var defaultTLSHosts = []string{"127.0.0.1", "::1", "localhost", "*.localhost"}

// serverTLS is the TLS configuration of a Server and the CA file it wrote.
type serverTLS struct {
	config *tls.Config
	caFile string // "" when the certificate was given
}

// newServerTLS loads the given certificate, or makes one signed by the
// data directory's CA (creating the CA on first use) for the default
// names, bucketHosts and opts.Hosts.
func newServerTLS(dataDir string, opts *TLSOptions, bucketHosts []string, now time.Time) (*serverTLS, error) {
	st := &serverTLS{}
	var cert tls.Certificate
	switch {
	case opts.CertFile != "" || opts.KeyFile != "":
		if opts.CertFile == "" || opts.KeyFile == "" {
			return nil, errors.New("tls: a certificate file and a key file must be given together")
		}
		var err error
		if cert, err = tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile); err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
	default:
		for _, h := range opts.Hosts {
			if !validTLSHost(h) {
				return nil, fmt.Errorf("tls: host %q is neither an IP address nor a DNS name", h)
			}
		}
		ca, caKey, caPEM, err := loadOrCreateCA(filepath.Join(dataDir, tlsDir), now)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		st.caFile = filepath.Join(dataDir, tlsDir, caCertFile)
		if opts.CAFile != "" {
			if err := writeFileAtomic(opts.CAFile, caPEM, 0o644); err != nil {
				return nil, fmt.Errorf("tls: CA file: %w", err)
			}
			st.caFile = opts.CAFile
		}
		hosts := append(append(append([]string{}, defaultTLSHosts...), bucketHosts...), opts.Hosts...)
		if cert, err = newLeafCertificate(ca, caKey, hosts, now); err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
	}
	st.config = &tls.Config{
		Certificates: []tls.Certificate{cert},
		// "Amazon S3 supports TLS 1.2 and TLS 1.3 for HTTPS connections"
		// (docs/emulator.md "HTTPS").
		MinVersion: tls.VersionTLS12,
		// S3 speaks HTTP/1.1.
		NextProtos: []string{"http/1.1"},
	}
	return st, nil
}

// loadOrCreateCA returns the CA kept in dir, or makes and keeps a new one
// when there is none or it expires within a day.
func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	ca, key, certPEM, err := loadCA(certPath, keyPath)
	if err == nil && now.Add(24*time.Hour).Before(ca.NotAfter) {
		return ca, key, certPEM, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil, err
	}
	if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, nil, nil, fmt.Errorf("CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"lockstep"}, CommonName: "lockstep local CA " + serial.Text(16)[:8]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("CA certificate: %w", err)
	}
	if ca, err = x509.ParseCertificate(der); err != nil {
		return nil, nil, nil, fmt.Errorf("CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("CA key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, nil, err
	}
	// The key first: a certificate without its key is never kept.
	if err := writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return nil, nil, nil, err
	}
	return ca, key, certPEM, nil
}

// loadCA reads a CA kept by loadOrCreateCA; fs.ErrNotExist when there is
// none.
func loadCA(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, nil, err
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("CA in %s: %w", filepath.Dir(certPath), err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || pair.Leaf == nil || !pair.Leaf.IsCA {
		return nil, nil, nil, fmt.Errorf("CA in %s: not an ECDSA CA certificate and key; remove the directory to make a new CA", filepath.Dir(certPath))
	}
	return pair.Leaf, key, certPEM, nil
}

// newLeafCertificate makes a server certificate for hosts (DNS names or
// IP addresses) signed by the CA.
func newLeafCertificate(ca *x509.Certificate, caKey *ecdsa.PrivateKey, hosts []string, now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"lockstep"}, CommonName: "lockstep serve"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotAfter.After(ca.NotAfter) {
		tmpl.NotAfter = ca.NotAfter
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// bucketHosts are the virtual-hosted names of the world's buckets,
// BUCKET.localhost. The certificate names each: OpenSSL, which the AWS
// CLI, boto3 and curl verify with, does not let *.localhost match them (a
// wildcard needs two labels after it).
func bucketHosts(w *world.World) []string {
	var hosts []string
	for _, a := range w.Accounts {
		for _, b := range a.Buckets {
			if h := b.Name + ".localhost"; validTLSHost(h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// validTLSHost reports whether h can be a name of the certificate: an IP
// address, or a DNS name of letters, digits and hyphens in labels of at
// most 63 characters, optionally starting with a "*." wildcard.
func validTLSHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	name := strings.TrimPrefix(h, "*.")
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// requestScheme is "https" for a request that came over TLS, else "http".
func requestScheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// CAFile is the path of the PEM file of the CA that signed the generated
// certificate, for clients to trust (AWS_CA_BUNDLE, rclone --ca-cert);
// "" without TLS or with a certificate given in TLSOptions.
func (s *Server) CAFile() string {
	if s.tls == nil {
		return ""
	}
	return s.tls.caFile
}
