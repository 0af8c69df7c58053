package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/staffsync/staffsync/api"
	"github.com/staffsync/staffsync/store"
)

func TestAPISettingsFromEnv(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		s, err := apiSettingsFromEnv()
		if err != nil {
			t.Fatal(err)
		}
		if s.limits != api.DefaultLimits || s.timeouts != api.DefaultServerTimeouts || s.database != store.DefaultAPITimeouts {
			t.Fatalf("settings without environment = %+v, want the defaults", s)
		}
	})
	t.Run("set", func(t *testing.T) {
		t.Setenv("STAFFSYNC_HTTP_READ_TIMEOUT", "5s")
		t.Setenv("STAFFSYNC_UPLOAD_SLOTS_PER_COMPANY", "2")
		t.Setenv("STAFFSYNC_API_LOCK_TIMEOUT", "1s")
		s, err := apiSettingsFromEnv()
		if err != nil {
			t.Fatal(err)
		}
		if s.timeouts.Read != 5*time.Second || s.limits.UploadSlotsPerCompany != 2 || s.database.Lock != time.Second {
			t.Fatalf("settings = %+v", s)
		}
	})
	for name, value := range map[string]string{
		"STAFFSYNC_HTTP_WRITE_TIMEOUT":    "soon",
		"STAFFSYNC_WATCH_LIFETIME":        "-1m",
		"STAFFSYNC_MAX_MESSAGE_BYTES":     "1MiB",
		"STAFFSYNC_UPLOAD_SLOTS":          "0",
		"STAFFSYNC_API_STATEMENT_TIMEOUT": "30",
	} {
		t.Run("bad "+name, func(t *testing.T) {
			t.Setenv(name, value)
			if _, err := apiSettingsFromEnv(); err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("%s=%s: error %v, want one naming the variable", name, value, err)
			}
		})
	}
}

// writeCertificate writes a self-signed certificate and its key as PEM files.
func writeCertificate(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "staffsync-worker"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTemporalSecurityFromEnv(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCertificate(t, dir)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		env        map[string]string
		wantTLS    bool
		wantClient bool
		wantAPIKey bool
		wantErr    string
	}{
		{name: "nothing set: plaintext"},
		{name: "API key alone turns TLS on", env: map[string]string{"TEMPORAL_API_KEY": "k"}, wantTLS: true, wantAPIKey: true},
		{name: "mTLS", env: map[string]string{"TEMPORAL_TLS_CA": cert, "TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": key}, wantTLS: true, wantClient: true},
		{name: "certificate without key", env: map[string]string{"TEMPORAL_TLS_CERT": cert}, wantErr: "both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY"},
		{name: "CA not PEM", env: map[string]string{"TEMPORAL_TLS_CA": notPEM}, wantErr: "no PEM certificate"},
		{name: "CA missing", env: map[string]string{"TEMPORAL_TLS_CA": filepath.Join(dir, "nope.pem")}, wantErr: "TEMPORAL_TLS_CA"},
		{name: "key does not match", env: map[string]string{"TEMPORAL_TLS_CERT": cert, "TEMPORAL_TLS_KEY": notPEM}, wantErr: "TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"TEMPORAL_TLS_CA", "TEMPORAL_TLS_CERT", "TEMPORAL_TLS_KEY", "TEMPORAL_API_KEY", "TEMPORAL_TLS_SERVER_NAME"} {
				t.Setenv(name, tt.env[name])
			}
			got, err := temporalSecurityFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var opts client.Options
			got.apply(&opts)
			if (opts.ConnectionOptions.TLS != nil) != tt.wantTLS || (opts.Credentials != nil) != tt.wantAPIKey {
				t.Fatalf("TLS %v, credentials %v; want TLS %v, API key %v", opts.ConnectionOptions.TLS != nil, opts.Credentials != nil, tt.wantTLS, tt.wantAPIKey)
			}
			if tt.wantClient && (len(opts.ConnectionOptions.TLS.Certificates) != 1 || opts.ConnectionOptions.TLS.RootCAs == nil) {
				t.Fatal("mTLS without the client certificate or the CA")
			}
		})
	}
}
