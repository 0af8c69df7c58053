package e2e

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/sources/sshtest"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/workflows"
)

// startPullServer runs a real OpenSSH sshd on 127.0.0.1 that logs the current user in with
// a key and serves files over internal-sftp.
func startPullServer(t *testing.T) *pullServer {
	t.Helper()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return &pullServer{sshtest.Start(t, sshtest.Options{User: me.Username})}
}

type pullServer struct{ *sshtest.Server }

func (p *pullServer) put(t *testing.T, name string, content []byte, mtime time.Time) {
	t.Helper()
	path := filepath.Join(p.Dir, name)
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
		Settings: map[string]string{"host": "127.0.0.1", "port": strconv.Itoa(srv.Port), "user": srv.User,
			"dir": srv.Dir, "glob": "people-*.csv", "host_key": srv.Fingerprint},
		Secrets: map[string]string{"private_key": srv.UserKeyPEM},
	}))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := tn.enableAutomaticRuns(t, created.Msg.Integration.Id).Id

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
	keyLine := strings.Split(srv.UserKeyPEM, "\n")[1]
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
