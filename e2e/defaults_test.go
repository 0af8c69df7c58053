package e2e

import (
	"context"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// A company's import configuration is remembered and used by every upload that names no
// options; the preview says which options it used and where they came from.
func TestImportDefaultsAreUsedByUploads(t *testing.T) {
	s := getStack(t)
	tn := s.newTenant(t, "Defaults Corp")
	other := s.newTenant(t, "Other Defaults Corp")
	ctx := context.Background()
	b := func(v bool) *bool { return &v }

	got, err := tn.imports.GetImportDefaults(ctx, connect.NewRequest(&v1.GetImportDefaultsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Msg.Defaults; d.Saved || d.Options.GetDeactivateMissing() || !d.Options.GetReactivateMatching() {
		t.Fatalf("defaults before saving = %v, want the built-in ones", d)
	}
	first := tn.start(t, "a.csv", generatedPeople(3, "defaults.example"), nil)
	first = tn.waitFor(t, first.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if first.OptionsSource != "built_in" {
		t.Fatalf("options source = %q, want built_in", first.OptionsSource)
	}
	tn.approve(t, first)

	saved, err := tn.imports.UpdateImportDefaults(ctx, connect.NewRequest(&v1.UpdateImportDefaultsRequest{Options: &v1.ImportOptions{
		DeactivateMissing: b(true), SendPasswordEmails: b(true), UpdateExistingCoreFields: b(false), MaxDeactivations: -1,
	}}))
	if err != nil {
		t.Fatal(err)
	}
	if d := saved.Msg.Defaults; !d.Saved || !d.Options.GetDeactivateMissing() || d.Options.GetUpdateExistingCoreFields() || !d.Options.GetSetManagersOfNew() || d.UpdatedBy != "admin of Defaults Corp" {
		t.Fatalf("saved defaults = %v; want deactivate_missing, no core updates, the rest built in, saved by the admin", d)
	}
	if _, err := tn.imports.UpdateImportDefaults(ctx, connect.NewRequest(&v1.UpdateImportDefaultsRequest{Options: &v1.ImportOptions{Delimiter: "pipe"}})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("a bad delimiter = %v, want InvalidArgument", err)
	}
	// Another company still has the built-in defaults.
	if o, err := other.imports.GetImportDefaults(ctx, connect.NewRequest(&v1.GetImportDefaultsRequest{})); err != nil || o.Msg.Defaults.Saved {
		t.Fatalf("other company's defaults = %v (%v), want none saved", o, err)
	}

	// An upload without options: two of three people remain, so one is deactivated as missing.
	second := tn.start(t, "b.csv", generatedPeople(2, "defaults.example"), nil)
	second = tn.waitFor(t, second.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if second.OptionsSource != "company_defaults" || !second.Options.GetDeactivateMissing() || !second.Options.GetSendPasswordEmails() || second.Summary.Deactivated != 1 {
		t.Fatalf("upload without options: source %q, options %v, summary %v; want the company's defaults used", second.OptionsSource, second.Options, second.Summary)
	}
	tn.reject(t, second)

	// An option given with the upload wins; the others still come from the configuration.
	third := tn.start(t, "c.csv", generatedPeople(2, "defaults.example"), &v1.ImportOptions{DeactivateMissing: b(false)})
	third = tn.waitFor(t, third.Id, v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL)
	if third.OptionsSource != "request" || third.Options.GetDeactivateMissing() || !third.Options.GetSendPasswordEmails() || third.Summary.Deactivated != 0 {
		t.Fatalf("upload with one option: source %q, options %v, summary %v", third.OptionsSource, third.Options, third.Summary)
	}
	got2, err := tn.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: third.Id}))
	if err != nil || got2.Msg.Import.OptionsSource != "request" {
		t.Fatalf("GetImport = %v (%v), want the options source", got2, err)
	}
}

func (tn *tenant) reject(t *testing.T, im *v1.Import) {
	t.Helper()
	if _, err := tn.imports.RejectImport(context.Background(), connect.NewRequest(&v1.RejectImportRequest{ImportId: im.Id, Reason: "test"})); err != nil {
		t.Fatal(err)
	}
}
