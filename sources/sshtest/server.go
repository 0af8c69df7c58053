package sshtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/devstack"
)

// sshdPath is OpenSSH's server, from the openssh-server package.
const sshdPath = "/usr/sbin/sshd"

// Server is a real OpenSSH sshd on 127.0.0.1 that serves Dir over internal-sftp only.
type Server struct {
	Port        int
	Dir         string // where the tests put the files the server serves
	User        string
	Fingerprint string // SHA256 of the host key, for pinning
	UserKeyPEM  string // a private key the server accepts for User
}

// Options say who may log in.
type Options struct {
	User string // the only account let in; it must exist
	// Passwords also lets User in with its password (the account must have one).
	Passwords bool
}

// Start runs a server until the test ends. Without sshd it skips the test, or fails it in
// CI (CI=true), where a missing server must not pass unnoticed.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: run scripts/install-system-packages.sh (make test does)", sshdPath)
		}
		t.Skipf("%s is missing: run scripts/install-system-packages.sh", sshdPath)
	}
	// Not t.TempDir: its parent is private to root, and the account must reach the files.
	root, err := os.MkdirTemp("", "staffsync-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	files := filepath.Join(root, "files")
	if err := os.Mkdir(files, 0o777); err != nil {
		t.Fatal(err)
	}
	// Past the umask: the account reads the root and writes the files.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(files, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory, when run as root

	hostPEM, hostSigner := NewKey(t)
	userPEM, userSigner := NewKey(t)
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	passwords := "no"
	if o.Passwords {
		passwords = "yes"
	}
	port, err := devstack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// StrictModes no: the key files live in a test directory, not in a home directory.
	config := write("sshd_config", fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication %s
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers %s
Subsystem sftp internal-sftp
ForceCommand internal-sftp
LogLevel ERROR
`, port, write("host_key", hostPEM, 0o600), filepath.Join(root, "sshd.pid"),
		write("authorized_keys", string(ssh.MarshalAuthorizedKey(userSigner.PublicKey())), 0o644), passwords, o.User), 0o644)
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", config)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not listen: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{Port: port, Dir: files, User: o.User, Fingerprint: ssh.FingerprintSHA256(hostSigner.PublicKey()), UserKeyPEM: userPEM}
}
