package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/crypto/ssh"

	"github.com/staffsync/staffsync/sources/sshtest"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/workflows"
)

// pullServer is a real OpenSSH sshd on 127.0.0.1 that logs the current user in with a key
// and serves files from dir over internal-sftp.
type pullServer struct {
	port        int
	user        string
	dir         string
	fingerprint string // SHA256 of the host key, for pinning
	userKeyPEM  string
}

func startPullServer(t *testing.T) *pullServer {
	t.Helper()
	const sshd = "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: run scripts/install-system-packages.sh (make test does)", sshd)
		}
		t.Skipf("%s is missing: run scripts/install-system-packages.sh", sshd)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "exports")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory, when run as root

	hostPEM, hostSigner := sshtest.NewKey(t)
	userPEM, userSigner := sshtest.NewKey(t)
	write := func(name, content string) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// StrictModes no: the key files live in a test directory, not in a home directory.
	config := write("sshd_config", fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowUsers %s
Subsystem sftp internal-sftp
ForceCommand internal-sftp
LogLevel ERROR
`, port, write("host_key", hostPEM), filepath.Join(root, "sshd.pid"),
		write("authorized_keys", string(ssh.MarshalAuthorizedKey(userSigner.PublicKey()))), me.Username))
	cmd := exec.Command(sshd, "-D", "-e", "-f", config)
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
	return &pullServer{port: port, user: me.Username, dir: dir,
		fingerprint: ssh.FingerprintSHA256(hostSigner.PublicKey()), userKeyPEM: userPEM}
}

func (p *pullServer) put(t *testing.T, name string, content []byte, mtime time.Time) {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestSFTPPullIntegrationImportsEachNewFileOnce(t *testing.T) {
	captureLogs()
	srv := startPullServer(t)
	s := getStack(t)
	tn := s.newIntegrationTenant(t, "sftp-pull")
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	srv.put(t, "people-1.csv", peopleCSV("sftp-pull.example", "Engineer", "Designer"), base)
	srv.put(t, "notes.txt", []byte("not an export"), base.Add(time.Minute))

	created, err := tn.integrations.CreateIntegration(ctx, connect.NewRequest(&v1.CreateIntegrationRequest{
		Kind: "sftp", Name: "Payroll SFTP", AutoApply: true,
		Settings: map[string]string{"host": "127.0.0.1", "port": strconv.Itoa(srv.port), "user": srv.user,
			"dir": srv.dir, "glob": "people-*.csv", "host_key": srv.fingerprint},
		Secrets: map[string]string{"private_key": srv.userKeyPEM},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := created.Msg.Integration.Id

	first := tn.waitRun(t, id, "", "applied")
	if got := tn.titles(t); len(got) != 2 || got["p1@sftp-pull.example"] != "Designer" {
		t.Fatalf("after the first sync: %v", got)
	}
	tn.assertImportFile(t, first.LastImportId, "people-1.csv")

	// A newer export is the next run's file.
	srv.put(t, "people-2.csv", peopleCSV("sftp-pull.example", "Engineer", "Lead Designer", "Writer"), base.Add(10*time.Minute))
	second := tn.syncNow(t, first)
	if second.LastResult != "applied" || second.LastImportId == first.LastImportId {
		t.Fatalf("second run: result %q import %s", second.LastResult, second.LastImportId)
	}
	tn.assertImportFile(t, second.LastImportId, "people-2.csv")
	if got := tn.titles(t); len(got) != 3 || got["p1@sftp-pull.example"] != "Lead Designer" {
		t.Fatalf("after the second sync: %v", got)
	}

	// The newest file was imported already; an older one showing up late is not newer.
	srv.put(t, "people-0.csv", peopleCSV("sftp-pull.example", "Intern"), base.Add(-time.Hour))
	third := tn.syncNow(t, second)
	if third.LastResult != workflows.ResultUnchanged || third.LastImportId != second.LastImportId {
		t.Fatalf("third run: result %q import %s; want unchanged and no import", third.LastResult, third.LastImportId)
	}
	if got := tn.titles(t); got["p0@sftp-pull.example"] != "Engineer" {
		t.Fatalf("after the third run: %v", got)
	}

	// The private key never leaves the worker: look for its key material.
	keyLine := strings.Split(srv.userKeyPEM, "\n")[1]
	shown, err := tn.integrations.GetIntegration(ctx, connect.NewRequest(&v1.GetIntegrationRequest{Id: id}))
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, s, tn.companyID, keyLine, created.Msg, shown.Msg)
}

func (tn *integrationTenant) assertImportFile(t *testing.T, importID, want string) {
	t.Helper()
	resp, err := tn.imports.GetImport(context.Background(), connect.NewRequest(&v1.GetImportRequest{ImportId: importID}))
	if err != nil {
		t.Fatalf("get import %s: %v", importID, err)
	}
	if resp.Msg.Import.FileName != want || resp.Msg.Import.Source != "sftp" {
		t.Fatalf("import %s: file %q source %q, want %q from sftp", importID, resp.Msg.Import.FileName, resp.Msg.Import.Source, want)
	}
}
