package sftp

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"testing"

	"github.com/staffsync/staffsync/sources/sshtest"
)

// testUser is the account the test sshd logs in: password login needs a real account, so
// the tests (which run as root in CI) create it once with a fresh random password.
const testUser = "staffsync-sftptest"

// sshd is a real OpenSSH server on 127.0.0.1 serving files from Dir, with the test
// account's password.
type sshd struct {
	*sshtest.Server
	Password string
}

// HostKey is the server's host key fingerprint, as Config.HostKey pins it.
func (d *sshd) HostKey() string { return d.Fingerprint }

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
	password := ensureTestUser(t)
	return &sshd{Server: sshtest.Start(t, sshtest.Options{User: testUser, Passwords: true}), Password: password}
}
