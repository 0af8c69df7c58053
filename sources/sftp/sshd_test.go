package sftp

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/sources/sshtest"
)

// testUser is the account the test sshd logs in: password login needs a real account, so
// the tests (which run as root in CI) create it once with a fresh random password.
const testUser = "staffsync-sftptest"

// sshd is a real OpenSSH server on 127.0.0.1 serving files from Dir.
type sshd struct {
	Port       int
	Dir        string
	HostKey    string // SHA256 fingerprint
	UserKeyPEM string
	Password   string
	User       string
}

func requireTool(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: run scripts/install-system-packages.sh (make test does)", path)
		}
		t.Skipf("%s is missing: run scripts/install-system-packages.sh", path)
	}
}

func ensureTestUser(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the SFTP tests need root to run sshd for a test account")
		}
		t.Skip("the SFTP tests need root (to run sshd for a test account)")
	}
	if _, err := user.Lookup(testUser); err != nil {
		out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", testUser).CombinedOutput()
		if err != nil {
			t.Fatalf("useradd: %v: %s", err, out)
		}
	}
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	password := fmt.Sprintf("pw-%x", pw)
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(testUser + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd: %v: %s", err, out)
	}
	return password
}

func startSSHD(t *testing.T) *sshd {
	t.Helper()
	requireTool(t, "/usr/sbin/sshd")
	password := ensureTestUser(t)
	// Not t.TempDir: its parent is private to root and the test account must reach the files.
	root, err := os.MkdirTemp("", "staffsync-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(root, "files")
	if err := os.Mkdir(files, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(files, 0o777)
	_ = os.MkdirAll("/run/sshd", 0o755)

	hostPEM, hostSigner := sshtest.NewKey(t)
	userPEM, userSigner := sshtest.NewKey(t)
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hostKeyPath := write("host_key", hostPEM, 0o600)
	authKeys := write("authorized_keys", string(ssh.MarshalAuthorizedKey(userSigner.PublicKey())), 0o644)
	port := freePort(t)
	config := write("sshd_config", fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers %s
Subsystem sftp internal-sftp
ForceCommand internal-sftp
LogLevel ERROR
`, port, hostKeyPath, filepath.Join(root, "sshd.pid"), authKeys, testUser), 0o644)
	cmd := exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", config)
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
	deadline := time.Now().Add(10 * time.Second)
	for {
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
	return &sshd{Port: port, Dir: files, HostKey: ssh.FingerprintSHA256(hostSigner.PublicKey()), UserKeyPEM: userPEM, Password: password, User: testUser}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
