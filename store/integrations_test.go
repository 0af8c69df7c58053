package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

func TestIntegrationLifecycleAndOwnedFields(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	company, _, err := st.CreateCompany(ctx, "Acme", "admin")
	if err != nil {
		t.Fatal(err)
	}
	owned, err := st.OwnedFields(ctx, company)
	if err != nil || len(owned) != 0 {
		t.Fatalf("no integration: %v %v", owned, err)
	}
	cfg := IntegrationConfig{Kind: KindBambooHR, Name: "BambooHR", Settings: map[string]string{"subdomain": "acme"},
		SecretHints: map[string]string{"api_key": "set"}, Interval: 3 * time.Hour, Options: directory.DefaultOptions()}
	cfg.Options.MaxDeactivations = 7
	id, err := st.CreateIntegration(ctx, company, cfg, func(id int64) ([]byte, error) { return []byte("sealed"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateIntegration(ctx, company, cfg, nil); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("duplicate name: err = %v", err)
	}
	in, err := st.GetIntegration(ctx, company, id)
	if err != nil {
		t.Fatal(err)
	}
	if in.State != StateActive || string(in.SealedSecrets) != "sealed" || in.Interval != 3*time.Hour || in.Options.MaxDeactivations != 7 || in.NextRunAt == nil {
		t.Fatalf("stored %+v", in)
	}
	if _, err := st.GetIntegration(ctx, company+1000, id); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("other company: err = %v", err)
	}

	owned, _ = st.OwnedFields(ctx, company)
	if len(owned) != 8 || owned[directory.Email] != "BambooHR" || owned[directory.ManagerEmail] != "BambooHR" {
		t.Fatalf("owned %v", owned)
	}
	if err := st.SetIntegrationPaused(ctx, company, id, true, "review season"); err != nil {
		t.Fatal(err)
	}
	if owned, _ = st.OwnedFields(ctx, company); len(owned) != 8 {
		t.Fatalf("pausing released the fields: %v", owned)
	}

	// Three failed runs in a row make it failing (a paused one stays paused).
	if err := st.SetIntegrationPaused(ctx, company, id, false, ""); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		n, err := st.FinishIntegrationRun(ctx, RunOutcome{CompanyID: company, IntegrationID: id, Result: "failed", Failed: true, Error: "answered 500", NextRunAt: time.Now()})
		if err != nil || n != i {
			t.Fatalf("run %d: %d %v", i, n, err)
		}
	}
	in, _ = st.GetIntegration(ctx, company, id)
	if in.State != StateFailing || in.LastError != "answered 500" || in.ConsecutiveFailures != 3 {
		t.Fatalf("after 3 failures %+v", in)
	}
	if _, err := st.FinishIntegrationRun(ctx, RunOutcome{CompanyID: company, IntegrationID: id, Result: "unchanged", NextRunAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	in, _ = st.GetIntegration(ctx, company, id)
	if in.State != StateActive || in.LastError != "" || in.ConsecutiveFailures != 0 || in.LastResult != "unchanged" {
		t.Fatalf("after a good run %+v", in)
	}

	if err := st.DeleteIntegration(ctx, company, id); err != nil {
		t.Fatal(err)
	}
	if owned, _ = st.OwnedFields(ctx, company); len(owned) != 0 {
		t.Fatalf("deleting kept the fields: %v", owned)
	}
}

func TestRunImportIsCreatedOncePerRunAndDropFiles(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	company, _, _ := st.CreateCompany(ctx, "Drop", "admin")
	id, err := st.CreateIntegration(ctx, company, IntegrationConfig{Kind: KindSFTPDrop, Name: "drop",
		Settings: map[string]string{"user": "acme-drop"}, Interval: time.Hour, Options: directory.DefaultOptions()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateIntegration(ctx, company, IntegrationConfig{Kind: KindSFTPDrop, Name: "drop 2",
		Settings: map[string]string{"user": "acme-drop"}, Interval: time.Hour, Options: directory.DefaultOptions()}, nil); !errors.Is(err, directory.ErrConflict) {
		t.Fatalf("same drop user: err = %v", err)
	}
	acc, err := st.FindDropAccount(ctx, "acme-drop")
	if err != nil || acc.ID != id {
		t.Fatalf("account %v %v", acc.ID, err)
	}
	if err := st.SaveDropFile(ctx, id, "people.csv", []byte("a,b\n")); err != nil {
		t.Fatal(err)
	}
	name, content, ok, err := st.NextDropFile(ctx, id)
	if err != nil || !ok || name != "people.csv" || string(content) != "a,b\n" {
		t.Fatalf("next %q %q %v %v", name, content, ok, err)
	}
	run := RunImport{CompanyID: company, IntegrationID: id, RunKey: "run/1", Source: KindSFTPDrop, FileName: name, Content: content,
		Options: directory.DefaultOptions(), DropFile: name}
	importID, err := st.CreateRunImport(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.RunImportFor(ctx, company, id, "run/1")
	if err != nil || again != importID {
		t.Fatalf("retried fetch found %d, want %d (%v)", again, importID, err)
	}
	if _, _, ok, _ := st.NextDropFile(ctx, id); ok {
		t.Fatal("an imported file is offered again")
	}
	files, _ := st.ListDropFiles(ctx, id)
	if len(files) != 1 || files[0].ImportID != importID {
		t.Fatalf("files %+v", files)
	}
	if err := st.RemoveDropFile(ctx, id, "people.csv"); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveDropFile(ctx, id, "people.csv"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
}
