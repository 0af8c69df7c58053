package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
)

// linkToIntegration makes importID the current run of a new integration of the company,
// with auto-apply on or off, as an integration sync does.
func linkToIntegration(t *testing.T, st *Store, companyID, importID int64, autoApply bool) int64 {
	t.Helper()
	ctx := context.Background()
	cfg := IntegrationConfig{Kind: KindBambooHR, Name: "sync " + time.Now().Format(time.RFC3339Nano), Settings: map[string]string{"subdomain": "acme"},
		Interval: time.Hour, Options: directory.DefaultOptions(), AutoApply: autoApply}
	id, err := st.CreateIntegration(ctx, companyID, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.pool.Exec(ctx, `UPDATE integrations SET current_import_id = $2 WHERE id = $1`, id, importID); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAutoApproveOnlyForAutoApplyIntegrations: a forged workflow start with AutoApprove
// for an upload (or another company's import) approves nothing and says why; an
// integration with auto-apply off leaves the import to an admin.
func TestAutoApproveOnlyForAutoApplyIntegrations(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Forged Ltd")
	other := newCompany(t, st, "Other Ltd")
	records := []directory.Record{record(2, "Ann", "Boss", "ann@forged.example", "")}

	upload, saved := previewWith(t, st, p, directory.DefaultOptions(), records)
	ok, err := st.AutoApproveImport(ctx, p.CompanyID, upload, saved.PreviewVersion)
	if ok || !errors.Is(err, directory.ErrPrecondition) {
		t.Errorf("auto-approve of an upload = %v, %v; want a precondition error", ok, err)
	}

	manual, manualSaved := previewWith(t, st, p, directory.DefaultOptions(), records)
	linkToIntegration(t, st, p.CompanyID, manual, false)
	if ok, err := st.AutoApproveImport(ctx, p.CompanyID, manual, manualSaved.PreviewVersion); ok || err != nil {
		t.Errorf("auto-approve with auto-apply off = %v, %v; want false, nil", ok, err)
	}

	// Another company's auto-apply integration does not vouch for this company's import.
	theirs, theirsSaved := previewWith(t, st, p, directory.DefaultOptions(), records)
	linkToIntegration(t, st, other.CompanyID, theirs, true)
	if ok, err := st.AutoApproveImport(ctx, p.CompanyID, theirs, theirsSaved.PreviewVersion); ok || !errors.Is(err, directory.ErrPrecondition) {
		t.Errorf("auto-approve vouched by another company = %v, %v; want a precondition error", ok, err)
	}
	for _, id := range []int64{upload, manual, theirs} {
		if im, _ := st.GetImport(ctx, p.CompanyID, id); im.Status != directory.StatusAwaitingApproval {
			t.Errorf("import %d is %s, want still awaiting approval", id, im.Status)
		}
	}
}

// TestApprovalAndExpiryRace runs an admin's approval and the expiry at the same moment,
// many times: exactly one wins, the loser learns it, and the import's status is the
// winner's.
func TestApprovalAndExpiryRace(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Race Ltd")
	records := []directory.Record{record(2, "Ann", "Boss", "ann@race.example", "")}
	const rounds = 40
	approvals, expiries := 0, 0
	for range rounds {
		id, saved := previewWith(t, st, p, directory.DefaultOptions(), records)
		var wg sync.WaitGroup
		var approveErr, expireErr error
		var afterExpiry directory.ImportStatus
		start := make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); <-start; approveErr = st.ApproveImport(ctx, p, id, saved.PreviewVersion) }()
		go func() { defer wg.Done(); <-start; afterExpiry, expireErr = st.ExpireImport(ctx, p.CompanyID, id) }()
		close(start)
		wg.Wait()
		if expireErr != nil {
			t.Fatalf("expire: %v", expireErr)
		}
		im, err := st.GetImport(ctx, p.CompanyID, id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case approveErr == nil:
			approvals++
			if afterExpiry != directory.StatusApplying || im.Status != directory.StatusApplying {
				t.Fatalf("approval won, but the expiry saw %s and the import is %s; want applying for both", afterExpiry, im.Status)
			}
		case errors.Is(approveErr, directory.ErrPrecondition):
			expiries++
			if afterExpiry != directory.StatusExpired || im.Status != directory.StatusExpired {
				t.Fatalf("expiry won, but it saw %s and the import is %s; want expired", afterExpiry, im.Status)
			}
			if want := "it is expired"; !strings.Contains(approveErr.Error(), want) {
				t.Fatalf("the late approval says %q; want it to say %q", approveErr, want)
			}
		default:
			t.Fatalf("approve: %v", approveErr)
		}
	}
	t.Logf("%d rounds: approval won %d, expiry won %d", rounds, approvals, expiries)
}
