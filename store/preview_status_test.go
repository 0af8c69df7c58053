package store

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

// A preview or parse that runs again after the approval (a late activity retry, a replayed
// step) must not send the approved import back to awaiting approval, where it could be
// decided twice or expire.
func TestRerunPreviewCannotReopenAnApprovedImport(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	p := newCompany(t, st, "Rerun Co")
	opts := directory.DefaultOptions()
	records := []directory.Record{hrRecord(2, "1", "Ann", "ann@rerun.example", "2020-01-01")}
	id, saved := previewOn(t, st, p, opts, records, "2026-12-08")

	// Before the approval a preview may run again (a retried activity): a new version.
	snap, err := st.Snapshot(ctx, p.CompanyID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(directory.Input{Directory: snap, Records: records, Options: opts, Today: "2026-12-08"}), nil)
	if err != nil {
		t.Fatalf("preview again while awaiting approval: %v", err)
	}
	if again.PreviewVersion != saved.PreviewVersion+1 {
		t.Fatalf("preview version %d after %d", again.PreviewVersion, saved.PreviewVersion)
	}
	if err := st.ApproveImport(ctx, p, id, again.PreviewVersion); err != nil {
		t.Fatal(err)
	}

	_, err = st.SavePlan(ctx, p.CompanyID, id, directory.Prepare(directory.Input{Directory: snap, Records: records, Options: opts, Today: "2026-12-08"}), nil)
	if !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("preview of an approved import: %v, want a precondition error", err)
	}
	done := false
	_, err = st.SaveRows(ctx, p.CompanyID, id, func() (directory.Record, error) {
		if done {
			return directory.Record{}, io.EOF
		}
		done = true
		return records[0], nil
	}, nil)
	if !errors.Is(err, directory.ErrPrecondition) {
		t.Fatalf("new rows for an approved import: %v, want a precondition error", err)
	}

	im, err := st.GetImport(ctx, p.CompanyID, id)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != directory.StatusApplying || im.PreviewVersion != again.PreviewVersion {
		t.Fatalf("import is %s at preview %d, want applying at the approved preview %d", im.Status, im.PreviewVersion, again.PreviewVersion)
	}
	changes, err := st.ListChanges(ctx, p.CompanyID, id, ChangeFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes.Changes) == 0 {
		t.Fatal("the approved preview's changes were deleted by the refused preview")
	}
}
