package sftpdrop

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// queryOnlySigner is what an attacker who knows a drop's public key (not its private key)
// has: the server accepts the key in the query phase, then the signature cannot be made.
type queryOnlySigner struct{ pub ssh.PublicKey }

func (s queryOnlySigner) PublicKey() ssh.PublicKey { return s.pub }
func (s queryOnlySigner) Sign(_ io.Reader, _ []byte) (*ssh.Signature, error) {
	return nil, errors.New("no private key")
}

// TestKeyQueryFloodKeepsNoState queries an account's public key over many connections
// and disconnects before signing, as an attacker who found a public key would. The old
// server stored an account per accepted query; now nothing outlives the connection:
// the limiter holds one address and the heap does not grow with the queries.
func TestKeyQueryFloodKeepsNoState(t *testing.T) {
	f := startDropWith(t, func(s *Server) { s.FailedLoginLimit = 1_000_000 })
	pub := f.backend.accounts["acme-hr"].AuthorizedKeys[0]
	query := func() {
		conn, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", f.port), &ssh.ClientConfig{
			User: "acme-hr", Auth: []ssh.AuthMethod{ssh.PublicKeys(queryOnlySigner{pub})},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second,
		})
		if err == nil {
			conn.Close()
			t.Fatal("logged in without the private key")
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	for range 20 { // warm up: connection pools, crypto tables
		query()
	}
	before := heap()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				query()
			}
		})
	}
	wg.Wait()
	time.Sleep(100 * time.Millisecond) // let the server's connection goroutines end
	grown := int64(heap()) - int64(before)
	t.Logf("4000 key queries: heap %+d KiB, addresses tracked %d", grown>>10, f.srv.limiter.tracked())
	if grown > 512<<10 {
		t.Errorf("the heap grew by %d KiB over 4000 key queries", grown>>10)
	}
	if n := f.srv.limiter.tracked(); n != 1 {
		t.Errorf("the limiter tracks %d addresses, want 1 (127.0.0.1)", n)
	}
	// The key still works for whoever holds the private key.
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "ls\n"); err != nil {
		t.Fatalf("real login after the flood: %v\n%s", err, out)
	}
}

// TestFailedLoginsBlockTheAddress: after the limit of failed logins, even the right key is
// refused from that address (no handshake, no lookup) until the window has passed.
func TestFailedLoginsBlockTheAddress(t *testing.T) {
	f := startDropWith(t, func(s *Server) { s.FailedLoginLimit = 3; s.FailedLoginWindow = time.Minute })
	lookups := func() int {
		f.backend.mu.Lock()
		defer f.backend.mu.Unlock()
		return f.backend.lookups
	}
	for i := range 3 {
		if out, err := f.sftp(t, "acme-hr", f.keys["globex-hr"], "ls\n"); err == nil || !strings.Contains(out, "Permission denied") {
			t.Fatalf("wrong key %d: %v\n%s", i, err, out)
		}
	}
	before := lookups()
	out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "ls\n")
	if err == nil {
		t.Fatalf("the right key logged in from a blocked address:\n%s", out)
	}
	if strings.Contains(out, "Permission denied") {
		t.Fatalf("a blocked address reached authentication:\n%s", out)
	}
	if lookups() != before {
		t.Fatal("a blocked address caused an account lookup")
	}
	f.srv.limiter.mu.Lock()
	f.srv.limiter.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	f.srv.limiter.mu.Unlock()
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "ls\n"); err != nil {
		t.Fatalf("after the window: %v\n%s", err, out)
	}
}

// TestLoginLimiterMemoryIsBounded floods the limiter from more addresses than it tracks.
func TestLoginLimiterMemoryIsBounded(t *testing.T) {
	l := newLoginLimiter(3, time.Minute)
	for i := range 3 * maxTrackedAddresses {
		l.failed(&net.TCPAddr{IP: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i))})
	}
	if n := l.tracked(); n > maxTrackedAddresses {
		t.Fatalf("tracks %d addresses, the bound is %d", n, maxTrackedAddresses)
	}
	// IPv6 addresses of one /64 count together.
	for i := range 5 {
		l.failed(&net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("2001:db8:1:2::%x", i+1))})
	}
	if l.allowed(&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2::ffff")}) {
		t.Fatal("rotating addresses inside one /64 escaped the limit")
	}
	if !l.allowed(&net.TCPAddr{IP: net.ParseIP("2001:db8:1:3::1")}) {
		t.Fatal("another /64 was blocked")
	}
}

// TestDropQuota fills a drop past each quota with the OpenSSH client (and pkg/sftp for open
// handles, which OpenSSH's batch mode opens one at a time).
func TestDropQuota(t *testing.T) {
	f := startDropWith(t, func(s *Server) {
		s.MaxBytes = 1 << 20
		s.Quota = Quota{WaitingFiles: 2, Files: 3, Bytes: 300, OpenUploads: 2}
	})
	write := func(name string, size int) {
		if err := os.WriteFile(filepath.Join(f.dir, name), []byte(strings.Repeat("x", size)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", 100)
	write("b.csv", 100)
	write("c.csv", 100)
	write("big.csv", 250)
	stored := func() int {
		f.backend.mu.Lock()
		defer f.backend.mu.Unlock()
		return len(f.backend.files[10])
	}
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put a.csv\nput b.csv\n"); err != nil {
		t.Fatalf("within the quota: %v\n%s", err, out)
	}
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put c.csv\n"); err == nil || stored() != 2 {
		t.Fatalf("a third waiting file was accepted (%d stored):\n%s", stored(), out)
	}
	// Replacing a waiting file is not a new one.
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put b.csv\n"); err != nil {
		t.Fatalf("replace b.csv: %v\n%s", err, out)
	}
	if out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "rm b.csv\nput big.csv\n"); err == nil || stored() != 1 {
		t.Fatalf("100 + 250 bytes passed a 300-byte quota (%d stored):\n%s", stored(), out)
	}

	// The messages, as an SFTP client that shows them sees them.
	conn, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", f.port), &ssh.ClientConfig{
		User: "acme-hr", Auth: []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) { return []ssh.Signer{f.signer(t, "acme-hr")}, nil })},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client, err := pkgsftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	w, err := client.Create("/big.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(strings.Repeat("y", 250)))
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "more than 300 bytes") {
		t.Fatalf("bytes quota: %v", err)
	}
	first, err := client.Create("/one.csv")
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.Create("/two.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Create("/three.csv"); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("third open upload: %v", err)
	}
	_ = first.Close()
	_ = second.Close()
	if again, err := client.Create("/three.csv"); err != nil {
		t.Fatalf("after closing the others: %v", err)
	} else {
		_ = again.Close()
	}
}
