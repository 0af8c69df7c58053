package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func init() {
	// activate_on_hire_date's default depends on the import (on for HR integrations, off
	// for files); the flag shows the files' default.
	boolOptions = append(boolOptions, boolOption{"activate-on-hire-date",
		"create people whose hire date is in the future as pending and activate them on that date (default: on for HR integrations)",
		func(o directory.Options) bool { return o.HoldsFutureHires() },
		func(o *v1.ImportOptions) **bool { return &o.ActivateOnHireDate }})
}

func importShowFlags(fs *flag.FlagSet) commandFunc {
	diagnose := fs.Bool("diagnose", false, "also list the records not imported and the active people the import did not have")
	return func(ctx context.Context, a *app, args []string) error {
		id, im, err := a.readImport(ctx, args)
		if err != nil {
			return err
		}
		if !*diagnose {
			return a.printImport(im)
		}
		resp, err := a.imports.DiagnoseImport(ctx, connect.NewRequest(&v1.DiagnoseImportRequest{ImportId: id}))
		if err != nil {
			return fmt.Errorf("diagnose import %s: %w", id, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, diagnosedImportJSON{Import: toImportJSON(im), Diagnosis: toDiagnosisJSON(resp.Msg)})
		}
		writeImportText(a.stdout, im, a.formatTime)
		writeDiagnosisText(a.stdout, resp.Msg)
		return nil
	}
}

// connectForImport reads the one import ID argument (described as what) and connects.
func (a *app) connectForImport(args []string, what string) (string, error) {
	id, err := a.oneArg(args, what)
	if err != nil {
		return "", err
	}
	return id, a.connect()
}

// readImport reads the import the one argument names, as the commands that act on what
// the admin saw start with.
func (a *app) readImport(ctx context.Context, args []string) (string, *v1.Import, error) {
	id, err := a.connectForImport(args, "import ID")
	if err != nil {
		return "", nil, err
	}
	im, err := a.getImport(ctx, id)
	return id, im, err
}

func (a *app) getImport(ctx context.Context, id string) (*v1.Import, error) {
	resp, err := a.imports.GetImport(ctx, connect.NewRequest(&v1.GetImportRequest{ImportId: id}))
	if err != nil {
		return nil, fmt.Errorf("get import %s: %w", id, err)
	}
	return resp.Msg.GetImport(), nil
}

func (a *app) printImport(im *v1.Import) error {
	if a.global.json {
		return writeJSON(a.stdout, toImportJSON(im))
	}
	writeImportText(a.stdout, im, a.formatTime)
	return nil
}

type diagnosedImportJSON struct {
	Import    importJSON    `json:"import"`
	Diagnosis diagnosisJSON `json:"diagnosis"`
}

type diagnosisJSON struct {
	FromSource       bool                  `json:"from_source"`
	NotImported      []diagnosedPersonJSON `json:"not_imported"`
	NotImportedTotal int64                 `json:"not_imported_total"`
	NotInSource      []diagnosedPersonJSON `json:"not_in_source"`
	NotInSourceTotal int64                 `json:"not_in_source_total"`
	Warnings         []string              `json:"warnings"`
}

type diagnosedPersonJSON struct {
	Row        int32  `json:"row"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	SourceID   string `json:"source_id"`
	Kind       string `json:"kind"`
	ReasonCode string `json:"reason_code"`
	Reason     string `json:"reason"`
}

func toDiagnosisJSON(d *v1.DiagnoseImportResponse) diagnosisJSON {
	list := func(people []*v1.DiagnosedPerson) []diagnosedPersonJSON {
		out := make([]diagnosedPersonJSON, 0, len(people))
		for _, p := range people {
			out = append(out, diagnosedPersonJSON{Row: p.GetRow(), Name: p.GetName(), Email: p.GetEmail(), SourceID: p.GetSourceId(),
				Kind: kindWord(p.GetKind()), ReasonCode: p.GetReasonCode(), Reason: p.GetReason()})
		}
		return out
	}
	return diagnosisJSON{FromSource: d.GetFromSource(), NotImported: list(d.GetNotImported()), NotImportedTotal: d.GetNotImportedTotal(),
		NotInSource: list(d.GetNotInSource()), NotInSourceTotal: d.GetNotInSourceTotal(), Warnings: nonNil(d.GetWarnings())}
}

// writeDiagnosisText prints the two diagnosis sections under the import.
func writeDiagnosisText(w io.Writer, d *v1.DiagnoseImportResponse) {
	notImported, notIn := "Not imported from the file", "In staffsync but not in the file"
	if d.GetFromSource() {
		notImported, notIn = "Not imported from the source", "In staffsync but not in the source"
	}
	section := func(title string, people []*v1.DiagnosedPerson, total int64, none string) {
		fmt.Fprintf(w, "\n%s (%d):\n", title, total)
		if len(people) == 0 {
			fmt.Fprintln(w, "  "+none)
			return
		}
		t := &table{header: []string{"ROW", "NAME", "EMAIL", "SOURCE ID", "KIND", "REASON"}}
		for _, p := range people {
			row := "-"
			if p.GetRow() > 0 {
				row = strconv.Itoa(int(p.GetRow()))
			}
			t.add([]string{row, orDash(p.GetName()), orDash(p.GetEmail()), orDash(p.GetSourceId()), kindWord(p.GetKind()), p.GetReason()})
		}
		t.write(w)
		if shown := int64(len(people)); shown < total {
			fmt.Fprintf(w, "  ... and %d more\n", total-shown)
		}
	}
	section(notImported, d.GetNotImported(), d.GetNotImportedTotal(), "none: every record was imported")
	noneMissing := "none: every active person was there"
	if !d.GetFromSource() {
		noneMissing = "none listed: a file import names the people it does not have only with --deactivate-missing"
	}
	section(notIn, d.GetNotInSource(), d.GetNotInSourceTotal(), noneMissing)
}
