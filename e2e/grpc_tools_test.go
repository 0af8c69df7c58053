package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/staffsync/staffsync/api"
)

// grpcurlModule is the grpcurl the tests install from its Go module (no other copy needed).
const grpcurlModule = "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4"

// installedGrpcurl installs grpcurl once into the user's cache (the module proxy is the only
// network it needs) and returns its path.
func installedGrpcurl(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "staffsync-tools", strings.ReplaceAll(filepath.Base(grpcurlModule), "@", "-"))
	bin := filepath.Join(dir, "grpcurl")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "install", grpcurlModule)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install %s: %v\n%s", grpcurlModule, err, out)
	}
	return bin
}

// run runs a command and returns its output, failing the test with it when it fails.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// TestGrpcurlAndBufCurl: the tools operators use find the services through reflection (no
// local schema) and call ListPeople over plaintext gRPC with a token; health and reflection
// answer without one, ListPeople does not.
func TestGrpcurlAndBufCurl(t *testing.T) {
	s := getStack(t)
	url := edgeServer(t, s, api.Limits{}, api.ServerTimeouts{})
	addr := strings.TrimPrefix(url, "http://")
	tn := s.newTenant(t, "Grpcurl Ltd")
	tn.importApplied(t, "people.csv", exampleAt(t, "people.csv", "grpcurl.example"))
	grpcurl := installedGrpcurl(t)

	services := runTool(t, grpcurl, "-plaintext", addr, "list")
	for _, want := range []string{"staffsync.v1.ImportService", "staffsync.v1.DirectoryService", "staffsync.v1.CycleService",
		"staffsync.v1.IntegrationService", "grpc.health.v1.Health"} {
		if !strings.Contains(services, want) {
			t.Errorf("grpcurl list: %s missing from\n%s", want, services)
		}
	}
	methods := runTool(t, grpcurl, "-plaintext", "-use-reflection", addr, "describe", "staffsync.v1.DirectoryService")
	if !strings.Contains(methods, "rpc ListPeople") {
		t.Errorf("grpcurl describe: no ListPeople in\n%s", methods)
	}
	people := runTool(t, grpcurl, "-plaintext", "-H", "Authorization: Bearer "+tn.apiToken,
		"-d", `{"search": "ingrid.halvorsen"}`, addr, "staffsync.v1.DirectoryService/ListPeople")
	if !strings.Contains(people, "ingrid.halvorsen@grpcurl.example") {
		t.Errorf("grpcurl ListPeople: no Ingrid in\n%s", people)
	}
	health := runTool(t, grpcurl, "-plaintext", addr, "grpc.health.v1.Health/Check")
	if !strings.Contains(health, "SERVING") {
		t.Errorf("grpcurl health: %s", health)
	}
	refused := exec.Command(grpcurl, "-plaintext", "-d", "{}", addr, "staffsync.v1.DirectoryService/ListPeople")
	out, err := refused.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Unauthenticated") {
		t.Errorf("grpcurl ListPeople without a token: %v\n%s", err, out)
	}

	buf := filepath.Join("..", ".bin", "buf")
	if _, err := os.Stat(buf); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no .bin/buf (make tools installs it): %v", err)
		}
		t.Logf("no .bin/buf; buf curl not checked")
		return
	}
	viaBuf := runTool(t, buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge",
		"-H", "Authorization: Bearer "+tn.apiToken, "-d", `{"search": "ingrid.halvorsen"}`,
		url+"/staffsync.v1.DirectoryService/ListPeople")
	if !strings.Contains(viaBuf, "ingrid.halvorsen@grpcurl.example") {
		t.Errorf("buf curl ListPeople: no Ingrid in\n%s", viaBuf)
	}
}

// selfSignedCertificate is a certificate for localhost and the pool that trusts it.
func selfSignedCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: parsed}, pool
}
