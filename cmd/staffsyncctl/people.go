package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

func peopleListFlags(fs *flag.FlagSet) commandFunc {
	status := fs.String("status", "active", "which people: active, deactivated, pending (not started yet) or all")
	department := fs.String("department", "", "only people of this `DEPARTMENT`")
	location := fs.String("location", "", "only people at this `LOCATION`")
	search := fs.String("search", "", "only people whose name or email contains `TEXT`")
	manager := fs.String("manager", "", "only the direct reports of the manager with this `EMAIL`")
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		filter, ok := personStatusFilters[strings.ToLower(*status)]
		if !ok {
			return usagef(a.cmd, "unknown --status %q: use active, deactivated, pending or all", *status)
		}
		if err := a.connect(); err != nil {
			return err
		}
		req := &v1.ListPeopleRequest{Status: filter, Department: *department, Location: *location, Search: *search, Manager: *manager, PageSize: 1000}
		var people []*v1.Person
		var billable, pending int64
		for {
			resp, err := a.directory.ListPeople(ctx, connect.NewRequest(req))
			if err != nil {
				return fmt.Errorf("list people: %w", err)
			}
			people = append(people, resp.Msg.GetPeople()...)
			billable, pending = resp.Msg.GetBillableCount(), resp.Msg.GetPendingCount()
			if resp.Msg.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.Msg.GetNextPageToken()
		}
		if a.global.json {
			out := peopleJSON{People: make([]personJSON, 0, len(people)), BillableCount: billable, PendingCount: pending}
			for _, p := range people {
				out.People = append(out.People, toPersonJSON(p))
			}
			return writeJSON(a.stdout, out)
		}
		writePeopleTable(a.stdout, people, billable, pending)
		return nil
	}
}

// personName is how the directory shows a person: the preferred name stands in for the first.
func personName(p *v1.Person) string {
	first := p.GetFirstName()
	if p.GetPreferredName() != "" {
		first = p.GetPreferredName()
	}
	return strings.TrimSpace(first + " " + p.GetLastName())
}

var fileFormats = map[string]v1.FileFormat{"csv": v1.FileFormat_FILE_FORMAT_CSV, "xlsx": v1.FileFormat_FILE_FORMAT_XLSX}

// downloadedFile is a file the API returned.
type downloadedFile struct {
	name, contentType string
	content           []byte
}

// fileJSON is the --json answer of export and template.
type fileJSON struct {
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	// Output is the file written; without --output the content itself is in Content.
	Output  string `json:"output,omitempty"`
	Content []byte `json:"content,omitempty"`
}

// fileFlags are the flags of the commands that download a file.
type fileFlags struct {
	format *string
	output *string
}

func addFileFlags(fs *flag.FlagSet) fileFlags {
	return fileFlags{
		format: fs.String("format", "csv", "file format: csv or xlsx"),
		output: fs.String("output", "", "write to `FILE` instead of standard output"),
	}
}

// check validates the flags before any call, so a mistake costs no download.
func (f fileFlags) check(a *app) (v1.FileFormat, error) {
	format, ok := fileFormats[strings.ToLower(*f.format)]
	if !ok {
		return 0, usagef(a.cmd, "unknown --format %q: use csv or xlsx", *f.format)
	}
	if format == v1.FileFormat_FILE_FORMAT_XLSX && *f.output == "" && !a.global.json && isTerminal(a.stdout) {
		return 0, usagef(a.cmd, "an XLSX file is binary and is not written to a terminal: pass --output FILE or redirect the output")
	}
	return format, nil
}

// save writes the downloaded file to --output or standard output. People data stays
// readable by its owner only.
func (f fileFlags) save(a *app, file downloadedFile) error {
	if *f.output != "" {
		if err := os.WriteFile(*f.output, file.content, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", *f.output, err)
		}
		if a.global.json {
			return writeJSON(a.stdout, fileJSON{FileName: file.name, ContentType: file.contentType, Bytes: len(file.content), Output: *f.output})
		}
		fmt.Fprintf(a.stdout, "wrote %s (%d bytes)\n", *f.output, len(file.content))
		return nil
	}
	if a.global.json {
		return writeJSON(a.stdout, fileJSON{FileName: file.name, ContentType: file.contentType, Bytes: len(file.content), Content: file.content})
	}
	if _, err := a.stdout.Write(file.content); err != nil {
		return fmt.Errorf("write %s: %w", file.name, err)
	}
	return nil
}

func exportFlags(fs *flag.FlagSet) commandFunc {
	files := addFileFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		format, err := files.check(a)
		if err != nil {
			return err
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.ExportDirectory(ctx, connect.NewRequest(&v1.ExportDirectoryRequest{Format: format}))
		if err != nil {
			return fmt.Errorf("export the directory: %w", err)
		}
		return files.save(a, downloadedFile{name: resp.Msg.GetFileName(), contentType: resp.Msg.GetContentType(), content: resp.Msg.GetContent()})
	}
}

func templateFlags(fs *flag.FlagSet) commandFunc {
	files := addFileFlags(fs)
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.noArgs(args); err != nil {
			return err
		}
		format, err := files.check(a)
		if err != nil {
			return err
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.imports.GetTemplate(ctx, connect.NewRequest(&v1.GetTemplateRequest{Format: format}))
		if err != nil {
			return fmt.Errorf("get the template: %w", err)
		}
		return files.save(a, downloadedFile{name: resp.Msg.GetFileName(), contentType: resp.Msg.GetContentType(), content: resp.Msg.GetContent()})
	}
}

// protoJSON prints API answers as JSON with the proto field names.
var protoJSON = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}

func writeProtoJSON(w io.Writer, m proto.Message) error {
	raw, err := protoJSON.Marshal(m)
	if err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return writeJSON(w, json.RawMessage(raw))
}

// needArgs checks that at least one positional argument was given.
func (a *app) needArgs(args []string, what string) error {
	if len(args) == 0 {
		return usagef(a.cmd, "missing %s", what)
	}
	return nil
}

func refText(r *v1.PersonRef) string {
	if r == nil || r.GetEmail() == "" {
		return "-"
	}
	text := r.GetEmail()
	if r.GetName() != "" {
		text = r.GetName() + " <" + r.GetEmail() + ">"
	}
	if !r.GetActive() {
		text += " (deactivated)"
	}
	return text
}

func refList(refs []*v1.PersonRef) string {
	emails := make([]string, len(refs))
	for i, r := range refs {
		emails[i] = r.GetEmail()
	}
	return strings.Join(emails, ", ")
}

func writeWarnings(w io.Writer, warnings []string) {
	for _, warning := range warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
}

// personFieldValues lists a person's template fields with their headers, in template order.
func personFieldValues(p *v1.Person) [][2]string {
	values := map[directory.Field]string{
		directory.FirstName: p.GetFirstName(), directory.LastName: p.GetLastName(), directory.Gender: p.GetGender(),
		directory.Title: p.GetTitle(), directory.Email: p.GetEmail(), directory.ManagerEmail: p.GetManagerEmail(),
		directory.Department: p.GetDepartment(), directory.Team: p.GetTeam(), directory.Location: p.GetLocation(),
		directory.EmployeeID: p.GetEmployeeId(), directory.HireDate: p.GetHireDate(), directory.AltEmail: p.GetAltEmail(),
		directory.SecondaryManagerEmail: p.GetSecondaryManagerEmail(), directory.PreferredName: p.GetPreferredName(),
		directory.LeavingDate: p.GetLeavingDate(), directory.TerminationType: p.GetTerminationType(),
		directory.EmploymentType: p.GetEmploymentType(),
	}
	values[directory.Status] = personStatus(p)
	out := make([][2]string, 0, directory.NumFields)
	for _, f := range directory.AllFields() {
		out = append(out, [2]string{f.Header(), orDash(values[f])})
	}
	return out
}

func fieldHeader(key string) string {
	if f, ok := directory.FieldByKey(key); ok {
		return f.Header()
	}
	switch key {
	case "merged_into":
		return "Merged into"
	case "merged_from":
		return "Merged from"
	}
	return key
}

func peopleShowFlags(fs *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		ref, err := a.oneArg(args, "EMAIL (or id) of the person")
		if err != nil {
			return err
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.GetPerson(ctx, connect.NewRequest(&v1.GetPersonRequest{Person: ref}))
		if err != nil {
			return fmt.Errorf("show %s: %w", ref, err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		w := a.stdout
		fmt.Fprintf(w, "%s (id %s)\n\n", refText(&v1.PersonRef{Email: m.GetPerson().GetEmail(), Name: personName(m.GetPerson()), Active: m.GetPerson().GetActive()}), m.GetPerson().GetId())
		for _, fv := range personFieldValues(m.GetPerson()) {
			fmt.Fprintf(w, "  %-26s %s\n", fv[0]+":", fv[1])
		}
		fmt.Fprintf(w, "\nManager:            %s\n", refText(m.GetManager()))
		fmt.Fprintf(w, "Secondary manager:  %s\n", refText(m.GetSecondaryManager()))
		fmt.Fprintf(w, "Direct reports:     %d\n", len(m.GetDirectReports()))
		for _, r := range m.GetDirectReports() {
			fmt.Fprintf(w, "  %s\n", refText(r))
		}
		if m.GetMergedInto() != nil {
			fmt.Fprintf(w, "Merged into:        %s\n", refText(m.GetMergedInto()))
		}
		sent := "not sent yet"
		if m.GetPasswordEmailSent() {
			sent = "sent"
		}
		fmt.Fprintf(w, "Password email:     %s\n", sent)
		byIntegration := map[string][]string{}
		var names []string
		for _, o := range m.GetOwnedFields() {
			if _, ok := byIntegration[o.GetIntegration()]; !ok {
				names = append(names, o.GetIntegration())
			}
			byIntegration[o.GetIntegration()] = append(byIntegration[o.GetIntegration()], fieldHeader(o.GetField()))
		}
		for _, name := range names {
			fmt.Fprintf(w, "Managed by %q (not editable here): %s\n", name, strings.Join(byIntegration[name], ", "))
		}
		return nil
	}
}

// fieldAssignments collects repeated --set FIELD=VALUE flags.
type fieldAssignments []*v1.FieldValue

func (s *fieldAssignments) String() string { return "" }

func (s *fieldAssignments) Set(value string) error {
	field, text, ok := strings.Cut(value, "=")
	if !ok || strings.TrimSpace(field) == "" {
		return fmt.Errorf("%q is not FIELD=VALUE, e.g. title=\"Head of Sales\"", value)
	}
	fv := &v1.FieldValue{Field: strings.TrimSpace(field), Value: text}
	if strings.TrimSpace(text) == "" {
		fv.Clear = true
	}
	*s = append(*s, fv)
	return nil
}

func peopleUpdateFlags(fs *flag.FlagSet) commandFunc {
	var fields fieldAssignments
	fs.Var(&fields, "set", "set `FIELD=VALUE` (repeatable; machine name or template header, e.g. title=\"Head of Sales\"; an empty value clears the field)")
	return func(ctx context.Context, a *app, args []string) error {
		ref, err := a.oneArg(args, "EMAIL (or id) of the person")
		if err != nil {
			return err
		}
		if len(fields) == 0 {
			return usagef(a.cmd, "missing --set FIELD=VALUE")
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.UpdatePerson(ctx, connect.NewRequest(&v1.UpdatePersonRequest{Person: ref, Fields: fields}))
		if err != nil {
			return fmt.Errorf("update %s: %w", ref, err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		if len(m.GetChanges()) == 0 {
			fmt.Fprintf(a.stdout, "%s: no changes; the values were already the same\n", m.GetPerson().GetEmail())
		} else {
			fmt.Fprintf(a.stdout, "updated %s:\n", m.GetPerson().GetEmail())
			for _, c := range m.GetChanges() {
				fmt.Fprintf(a.stdout, "  %s: %q → %q\n", fieldHeader(c.GetField()), c.GetOld(), c.GetNew())
			}
		}
		writeWarnings(a.stdout, m.GetWarnings())
		return nil
	}
}

func peopleStatusFlags(active bool) func(fs *flag.FlagSet) commandFunc {
	return func(fs *flag.FlagSet) commandFunc {
		return func(ctx context.Context, a *app, args []string) error {
			if err := a.needArgs(args, "EMAIL (or id) of at least one person"); err != nil {
				return err
			}
			if err := a.connect(); err != nil {
				return err
			}
			var results []*v1.StatusChange
			var m proto.Message
			verb := "deactivated"
			if active {
				verb = "reactivated"
				resp, err := a.directory.ReactivatePeople(ctx, connect.NewRequest(&v1.ReactivatePeopleRequest{People: args}))
				if err != nil {
					return fmt.Errorf("reactivate: %w", err)
				}
				results, m = resp.Msg.GetResults(), resp.Msg
			} else {
				resp, err := a.directory.DeactivatePeople(ctx, connect.NewRequest(&v1.DeactivatePeopleRequest{People: args}))
				if err != nil {
					return fmt.Errorf("deactivate: %w", err)
				}
				results, m = resp.Msg.GetResults(), resp.Msg
			}
			if a.global.json {
				return writeProtoJSON(a.stdout, m)
			}
			for _, r := range results {
				if r.GetChanged() {
					fmt.Fprintf(a.stdout, "%s %s\n", verb, r.GetPerson().GetEmail())
				}
				writeWarnings(a.stdout, r.GetWarnings())
			}
			return nil
		}
	}
}

func peopleMergeFlags(fs *flag.FlagSet) commandFunc {
	dryRun := fs.Bool("dry-run", false, "show what would move without changing anything")
	return func(ctx context.Context, a *app, args []string) error {
		if len(args) != 2 {
			return usagef(a.cmd, "give the SOURCE account that goes away and the DEST account that stays")
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.MergePeople(ctx, connect.NewRequest(&v1.MergePeopleRequest{Source: args[0], Destination: args[1], DryRun: *dryRun}))
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		w := a.stdout
		source, dest := m.GetSource().GetEmail(), m.GetDestination().GetEmail()
		if m.GetDryRun() {
			fmt.Fprintf(w, "dry run: merging %s into %s would\n", source, dest)
		} else {
			fmt.Fprintf(w, "merged %s into %s:\n", source, dest)
		}
		if n := len(m.GetReportsMoved()); n > 0 {
			fmt.Fprintf(w, "  move %d direct %s to %s: %s\n", n, pluralWord(n, "report", "reports"), dest, refList(m.GetReportsMoved()))
		}
		if n := len(m.GetSecondaryReportsMoved()); n > 0 {
			fmt.Fprintf(w, "  move %d secondary %s to %s: %s\n", n, pluralWord(n, "report", "reports"), dest, refList(m.GetSecondaryReportsMoved()))
		}
		fmt.Fprintf(w, "  move %d cycle %s and %d reviewer %s\n", m.GetCycleParticipationsMoved(), pluralWord(int(m.GetCycleParticipationsMoved()), "participation", "participations"),
			m.GetReviewerRolesMoved(), pluralWord(int(m.GetReviewerRolesMoved()), "role", "roles"))
		fmt.Fprintf(w, "  show %d history %s of %s in the history of %s\n", m.GetHistoryEntries(), pluralWord(int(m.GetHistoryEntries()), "entry", "entries"), source, dest)
		if m.GetSourceDeactivated() {
			fmt.Fprintf(w, "  deactivate %s\n", source)
		}
		writeWarnings(w, m.GetWarnings())
		if m.GetDryRun() {
			fmt.Fprintf(w, "nothing was changed; run again without --dry-run to merge\n")
		}
		return nil
	}
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func peopleDeleteFlags(fs *flag.FlagSet) commandFunc {
	confirm := fs.String("confirm", "", "the person's login `EMAIL` again, to confirm that all their data is erased")
	return func(ctx context.Context, a *app, args []string) error {
		ref, err := a.oneArg(args, "EMAIL (or id) of the person")
		if err != nil {
			return err
		}
		if strings.TrimSpace(*confirm) == "" {
			return usagef(a.cmd, "deleting erases all of the person's data and cannot be undone: confirm with --confirm EMAIL")
		}
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.DeletePerson(ctx, connect.NewRequest(&v1.DeletePersonRequest{Person: ref, ConfirmEmail: *confirm}))
		if err != nil {
			return fmt.Errorf("delete %s: %w", ref, err)
		}
		m := resp.Msg
		if a.global.json {
			return writeProtoJSON(a.stdout, m)
		}
		fmt.Fprintf(a.stdout, "deleted %s (id %s): erased %d history %s, unassigned %d %s, deleted %d uploaded %s that contained them\n",
			ref, m.GetId(), m.GetHistoryEntriesErased(), pluralWord(int(m.GetHistoryEntriesErased()), "entry", "entries"),
			m.GetReportsUnassigned(), pluralWord(int(m.GetReportsUnassigned()), "report", "reports"),
			m.GetFilesDeleted(), pluralWord(int(m.GetFilesDeleted()), "file", "files"))
		return nil
	}
}

// historyActor says who made a change: the import (and who approved it) or the admin.
func historyActor(e *v1.HistoryEntry) string {
	if e.GetImportId() != "" {
		actor := fmt.Sprintf("import %s (%s)", e.GetImportId(), e.GetImportSource())
		if e.GetAdmin() != "" {
			actor += ", approved by " + e.GetAdmin()
		}
		return actor
	}
	return orDefault(e.GetAdmin(), "an admin")
}

func peopleHistoryFlags(fs *flag.FlagSet) commandFunc {
	limit := fs.Int("limit", 100, "show at most `N` entries, newest first")
	return func(ctx context.Context, a *app, args []string) error {
		ref, err := a.oneArg(args, "EMAIL (or id) of the person")
		if err != nil {
			return err
		}
		if *limit <= 0 {
			return usagef(a.cmd, "--limit must be positive")
		}
		if err := a.connect(); err != nil {
			return err
		}
		var entries []*v1.HistoryEntry
		req := &v1.GetPersonHistoryRequest{Person: ref, PageSize: int32(min(*limit, 1000))}
		for len(entries) < *limit {
			resp, err := a.directory.GetPersonHistory(ctx, connect.NewRequest(req))
			if err != nil {
				return fmt.Errorf("history of %s: %w", ref, err)
			}
			entries = append(entries, resp.Msg.GetEntries()...)
			if req.PageToken = resp.Msg.GetNextPageToken(); req.PageToken == "" {
				break
			}
		}
		if len(entries) > *limit {
			entries = entries[:*limit]
		}
		if a.global.json {
			return writeProtoJSON(a.stdout, &v1.GetPersonHistoryResponse{Entries: entries})
		}
		if len(entries) == 0 {
			fmt.Fprintf(a.stdout, "no history for %s\n", ref)
			return nil
		}
		t := &table{header: []string{"WHEN", "KIND", "BY"}}
		for _, e := range entries {
			kind := e.GetKind()
			if e.GetMergedFrom() != "" {
				kind += " (as " + e.GetMergedFrom() + ")"
			}
			var details []string
			for _, c := range e.GetChanges() {
				details = append(details, fmt.Sprintf("    %s: %q → %q", fieldHeader(c.GetField()), c.GetOld(), c.GetNew()))
			}
			t.add([]string{a.formatTime(e.GetAt()), kind, historyActor(e)}, details...)
		}
		t.write(a.stdout)
		return nil
	}
}

func peopleSendPasswordEmailsFlags(fs *flag.FlagSet) commandFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := a.connect(); err != nil {
			return err
		}
		resp, err := a.directory.SendPasswordEmails(ctx, connect.NewRequest(&v1.SendPasswordEmailsRequest{People: args}))
		if err != nil {
			return fmt.Errorf("send password emails: %w", err)
		}
		nobody := "no password email queued"
		if len(args) == 0 {
			nobody = "everyone active already got a password email; name people to send them another"
		}
		return a.writeQueuedEmails(resp.Msg, "password", nobody)
	}
}
