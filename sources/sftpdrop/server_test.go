package sftpdrop

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	pkgsftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/sources/sshtest"
)

// memBackend keeps drops in memory.
type memBackend struct {
	mu       sync.Mutex
	accounts map[string]Account
	files    map[int64]map[string][]byte
	saved    []string
	lookups  int
}

func (b *memBackend) Account(_ context.Context, user string) (Account, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lookups++
	acc, ok := b.accounts[user]
	if !ok {
		return Account{}, ErrNoAccount
	}
	return acc, nil
}

func (b *memBackend) List(_ context.Context, acc Account) ([]FileInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []FileInfo
	for name, c := range b.files[acc.IntegrationID] {
		out = append(out, FileInfo{Name: name, Size: int64(len(c)), UploadedAt: time.Now()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (b *memBackend) Save(_ context.Context, acc Account, name string, content []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.files[acc.IntegrationID] == nil {
		b.files[acc.IntegrationID] = map[string][]byte{}
	}
	b.files[acc.IntegrationID][name] = append([]byte(nil), content...)
	b.saved = append(b.saved, fmt.Sprintf("%d/%s", acc.IntegrationID, name))
	return nil
}

func (b *memBackend) Remove(_ context.Context, acc Account, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[acc.IntegrationID][name]; !ok {
		return os.ErrNotExist
	}
	delete(b.files[acc.IntegrationID], name)
	return nil
}

// Usage counts every stored file as waiting: the memory backend imports nothing.
func (b *memBackend) Usage(_ context.Context, acc Account, replacing string) (Usage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var u Usage
	for name, c := range b.files[acc.IntegrationID] {
		if name != replacing {
			u.Files++
			u.Waiting++
			u.Bytes += int64(len(c))
		}
	}
	return u, nil
}

type dropFixture struct {
	srv     *Server
	backend *memBackend
	port    int
	dir     string
	keys    map[string]string // user -> private key file
	signers map[string]ssh.Signer
	known   string
}

func startDrop(t *testing.T, maxBytes int64) *dropFixture {
	t.Helper()
	return startDropWith(t, func(s *Server) { s.MaxBytes = maxBytes })
}

// startDropWith starts a drop server configured by configure.
func startDropWith(t *testing.T, configure func(*Server)) *dropFixture {
	t.Helper()
	if _, err := exec.LookPath("sftp"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the OpenSSH sftp client is missing: run scripts/install-system-packages.sh")
		}
		t.Skip("the OpenSSH sftp client is missing: run scripts/install-system-packages.sh")
	}
	dir := t.TempDir()
	hostKey, err := LoadOrCreateHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateHostKey(filepath.Join(dir, "host_key"))
	if err != nil || string(again.PublicKey().Marshal()) != string(hostKey.PublicKey().Marshal()) {
		t.Fatalf("host key not persistent: %v", err)
	}
	f := &dropFixture{backend: &memBackend{accounts: map[string]Account{}, files: map[int64]map[string][]byte{}}, dir: dir, keys: map[string]string{}, signers: map[string]ssh.Signer{}}
	for i, user := range []string{"acme-hr", "globex-hr"} {
		pemKey, signer := sshtest.NewKey(t)
		path := filepath.Join(dir, user+".key")
		if err := os.WriteFile(path, []byte(pemKey), 0o600); err != nil {
			t.Fatal(err)
		}
		f.keys[user] = path
		f.signers[user] = signer
		f.backend.accounts[user] = Account{CompanyID: int64(i + 1), IntegrationID: int64(10 + i), AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.port = l.Addr().(*net.TCPAddr).Port
	f.known = filepath.Join(dir, "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%d %s", f.port, ssh.MarshalAuthorizedKey(hostKey.PublicKey()))
	if err := os.WriteFile(f.known, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &Server{Backend: f.backend, HostKey: hostKey}
	configure(srv)
	srv.init()
	f.srv = srv
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return f
}

func (f *dropFixture) signer(t *testing.T, user string) ssh.Signer {
	t.Helper()
	return f.signers[user]
}

// sftp runs the OpenSSH client in batch mode as user with key, in dir.
func (f *dropFixture) sftp(t *testing.T, user, key, batch string) (string, error) {
	t.Helper()
	batchFile := filepath.Join(f.dir, "batch")
	if err := os.WriteFile(batchFile, []byte(batch), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sftp", "-b", batchFile, "-i", key, "-P", fmt.Sprint(f.port),
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+f.known,
		"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", user+"@127.0.0.1")
	cmd.Dir = f.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDropWithOpenSSHClient(t *testing.T) {
	f := startDrop(t, 1<<20)
	csv := filepath.Join(f.dir, "people.csv")
	if err := os.WriteFile(csv, []byte("First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("key login and upload stores the file", func(t *testing.T) {
		out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put people.csv\nls -l\n")
		if err != nil {
			t.Fatalf("sftp: %v\n%s", err, out)
		}
		if !strings.Contains(out, "people.csv") {
			t.Fatalf("ls does not show the upload:\n%s", out)
		}
		if got := strings.Join(f.backend.saved, ","); got != "10/people.csv" {
			t.Fatalf("saved %s", got)
		}
	})

	t.Run("escapes and other folders are unreachable", func(t *testing.T) {
		for _, batch := range []string{
			"put people.csv /globex-hr/people.csv\n",
			"put people.csv sub/people.csv\n",
			"get people.csv downloaded.csv\n",
			"mkdir sub\n",
			"rename people.csv other.csv\n",
			"ls ../globex-hr\n",
		} {
			out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], batch)
			if err == nil {
				t.Errorf("%q succeeded:\n%s", batch, out)
			}
		}
		// ../ resolves inside the folder, like a chroot: /.. is / for the user.
		out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put people.csv ../escaped.csv\nrm escaped.csv\n")
		if err != nil {
			t.Fatalf("put ../: %v\n%s", err, out)
		}
		if got := strings.Join(f.backend.saved, ","); got != "10/people.csv,10/escaped.csv" {
			t.Fatalf("saved %s", got)
		}
		f.backend.saved = f.backend.saved[:1]
		// cd .. stays in the folder: it is the root of what the user sees.
		out, err = f.sftp(t, "acme-hr", f.keys["acme-hr"], "cd ..\nls\n")
		if err != nil || !strings.Contains(out, "people.csv") {
			t.Fatalf("cd ..: %v\n%s", err, out)
		}
		if got := strings.Join(f.backend.saved, ","); got != "10/people.csv" {
			t.Fatalf("saved %s", got)
		}
		// The other drop sees only its own (empty) folder.
		out, err = f.sftp(t, "globex-hr", f.keys["globex-hr"], "ls\n")
		if err != nil || strings.Contains(out, "people.csv") {
			t.Fatalf("globex sees acme's file: %v\n%s", err, out)
		}
	})

	t.Run("wrong key is refused", func(t *testing.T) {
		out, err := f.sftp(t, "acme-hr", f.keys["globex-hr"], "ls\n")
		if err == nil || !strings.Contains(out, "Permission denied") {
			t.Fatalf("login with another drop's key: %v\n%s", err, out)
		}
		out, err = f.sftp(t, "nobody", f.keys["acme-hr"], "ls\n")
		if err == nil || !strings.Contains(out, "Permission denied") {
			t.Fatalf("unknown user: %v\n%s", err, out)
		}
	})

	t.Run("remove", func(t *testing.T) {
		out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "rm people.csv\n")
		if err != nil {
			t.Fatalf("rm: %v\n%s", err, out)
		}
		if len(f.backend.files[10]) != 0 {
			t.Fatalf("files %v", f.backend.files[10])
		}
	})

	t.Run("upload over the limit is not stored", func(t *testing.T) {
		big := filepath.Join(f.dir, "big.csv")
		if err := os.WriteFile(big, make([]byte, 2<<20), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := f.sftp(t, "acme-hr", f.keys["acme-hr"], "put big.csv\n")
		if err == nil {
			t.Fatalf("big upload succeeded:\n%s", out)
		}
		if _, ok := f.backend.files[10]["big.csv"]; ok {
			t.Fatal("big upload was stored")
		}
	})
}

func TestPartialUploadIsNotStored(t *testing.T) {
	b := &memBackend{accounts: map[string]Account{}, files: map[int64]map[string][]byte{}}
	h := &handlers{ctx: context.Background(), s: &Server{Backend: b, MaxBytes: 1 << 20}, acc: Account{IntegrationID: 1}}
	u := &upload{h: h, name: "people.csv"}
	if _, err := u.WriteAt([]byte("First Name,"), 0); err != nil {
		t.Fatal(err)
	}
	u.TransferError(fmt.Errorf("connection lost"))
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if len(b.saved) != 0 {
		t.Fatalf("partial upload stored: %v", b.saved)
	}
	for _, p := range []string{"/a/b", "../a/b", "", "/"} {
		if _, err := fileName(p); err == nil {
			t.Errorf("fileName(%q) accepted", p)
		}
	}
	if n, err := fileName("/../people.csv"); err != nil || n != "people.csv" {
		t.Errorf("fileName(/../people.csv) = %q, %v", n, err)
	}
}

// TestDropPasswordLogin checks the optional password: it logs in to its own drop only, and a
// drop without a password never accepts one.
func TestDropPasswordLogin(t *testing.T) {
	f := startDrop(t, 1<<20)
	f.backend.mu.Lock()
	f.backend.accounts["initech-hr"] = Account{CompanyID: 3, IntegrationID: 12, Password: "correct horse battery"}
	f.backend.mu.Unlock()
	dial := func(user, password string) (*ssh.Client, error) {
		return ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", f.port), &ssh.ClientConfig{
			User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
			HostKeyCallback: func(string, net.Addr, ssh.PublicKey) error { return nil }, // the host key is tested with OpenSSH above
		})
	}
	tests := []struct {
		name, user, password string
		wantLogin            bool
	}{
		{"right password", "initech-hr", "correct horse battery", true},
		{"wrong password", "initech-hr", "correct horse", false},
		{"a key-only drop refuses passwords", "acme-hr", "", false},
		{"unknown user", "nobody", "correct horse battery", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := dial(tc.user, tc.password)
			if !tc.wantLogin {
				if err == nil {
					conn.Close()
					t.Fatal("login accepted")
				}
				return
			}
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			defer conn.Close()
			client, err := pkgsftp.NewClient(conn)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			w, err := client.Create("/people.csv")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("First Name,Last Name\n")); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f.backend.mu.Lock()
			defer f.backend.mu.Unlock()
			if got := f.backend.files[12]["people.csv"]; string(got) != "First Name,Last Name\n" {
				t.Fatalf("stored %q in drop 12 (files %v)", got, f.backend.files)
			}
		})
	}
}
