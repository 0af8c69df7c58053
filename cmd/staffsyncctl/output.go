package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
)

// importJSON is the --json shape of an import.
type importJSON struct {
	ID             string      `json:"id"`
	Status         string      `json:"status"`
	Source         string      `json:"source"`
	FileName       string      `json:"file_name"`
	CreatedBy      string      `json:"created_by"`
	CreatedAt      string      `json:"created_at"`
	PreviewVersion int64       `json:"preview_version"`
	Rows           int64       `json:"rows"`
	GuardTripped   bool        `json:"guard_tripped"`
	GuardReason    string      `json:"guard_reason"`
	ErrorMessage   string      `json:"error_message"`
	FileWarnings   []string    `json:"file_warnings"`
	Options        optionsJSON `json:"options"`
	Summary        summaryJSON `json:"summary"`
	// ApprovalExpiresAt is set while the import awaits approval.
	ApprovalExpiresAt *string    `json:"approval_expires_at"`
	OptionsSource     string     `json:"options_source"`
	Hints             []hintJSON `json:"hints"`
}

// optionsJSON holds the options an import ran with; null means the server did not say.
type optionsJSON struct {
	SendPasswordEmails               *bool  `json:"send_password_emails"`
	UpdateExistingCoreFields         *bool  `json:"update_existing_core_fields"`
	UpdateManagersOfExisting         *bool  `json:"update_managers_of_existing"`
	SetManagersOfNew                 *bool  `json:"set_managers_of_new"`
	DeactivateMissing                *bool  `json:"deactivate_missing"`
	ReactivateMatching               *bool  `json:"reactivate_matching"`
	Delimiter                        string `json:"delimiter"`
	Sheet                            string `json:"sheet"`
	AddNewToOpenReviewCycles         *bool  `json:"add_new_to_open_review_cycles"`
	ResetReviewersAfterManagerChange *bool  `json:"reset_reviewers_after_manager_change"`
	MaxDeactivations                 int32  `json:"max_deactivations"`
	MaxManagerChanges                int32  `json:"max_manager_changes"`
}

type summaryJSON struct {
	New         int64 `json:"new"`
	Updated     int64 `json:"updated"`
	Unchanged   int64 `json:"unchanged"`
	Deactivated int64 `json:"deactivated"`
	Reactivated int64 `json:"reactivated"`
	Error       int64 `json:"error"`
	Warning     int64 `json:"warning"`
	// Pending: people pending once applied (hire date in the future); Started: pending
	// people this import activates.
	Pending int64 `json:"pending"`
	Started int64 `json:"started"`
}

type changeJSON struct {
	Row        int32             `json:"row"`
	Email      string            `json:"email"`
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	ReasonCode string            `json:"reason_code"`
	Reason     string            `json:"reason"`
	Fields     []fieldChangeJSON `json:"fields"`
	Errors     []problemJSON     `json:"errors"`
	Warnings   []problemJSON     `json:"warnings"`
}

type fieldChangeJSON struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

type problemJSON struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

type personJSON struct {
	ID                    string `json:"id"`
	FirstName             string `json:"first_name"`
	LastName              string `json:"last_name"`
	PreferredName         string `json:"preferred_name"`
	Email                 string `json:"email"`
	AltEmail              string `json:"alt_email"`
	Title                 string `json:"title"`
	Gender                string `json:"gender"`
	ManagerEmail          string `json:"manager_email"`
	SecondaryManagerEmail string `json:"secondary_manager_email"`
	Department            string `json:"department"`
	Team                  string `json:"team"`
	Location              string `json:"location"`
	EmployeeID            string `json:"employee_id"`
	HireDate              string `json:"hire_date"`
	LeavingDate           string `json:"leaving_date"`
	TerminationType       string `json:"termination_type"`
	EmploymentType        string `json:"employment_type"`
	Active                bool   `json:"active"`
	Pending               bool   `json:"pending"`
}

type peopleJSON struct {
	People        []personJSON `json:"people"`
	BillableCount int64        `json:"billable_count"`
	PendingCount  int64        `json:"pending_count"`
}

// statusWord is an import status as one lowercase word, e.g. "awaiting_approval".
func statusWord(s v1.ImportStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "IMPORT_STATUS_"))
}

// statusText is the status for people: "awaiting approval".
func statusText(s v1.ImportStatus) string { return strings.ReplaceAll(statusWord(s), "_", " ") }

func kindWord(k v1.ChangeKind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "CHANGE_KIND_"))
}

// changeKinds are the kinds an admin can filter on, in summary order.
var changeKinds = []v1.ChangeKind{
	v1.ChangeKind_CHANGE_KIND_NEW, v1.ChangeKind_CHANGE_KIND_UPDATED, v1.ChangeKind_CHANGE_KIND_UNCHANGED,
	v1.ChangeKind_CHANGE_KIND_DEACTIVATED, v1.ChangeKind_CHANGE_KIND_REACTIVATED, v1.ChangeKind_CHANGE_KIND_ERROR,
}

func timestampJSON(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	return ts.AsTime().UTC().Format(time.RFC3339)
}

func toImportJSON(im *v1.Import) importJSON {
	o := im.GetOptions()
	if o == nil {
		o = &v1.ImportOptions{}
	}
	s := im.GetSummary()
	out := importJSON{
		ID: im.GetId(), Status: statusWord(im.GetStatus()), Source: im.GetSource(), FileName: im.GetFileName(),
		CreatedBy: im.GetCreatedBy(), CreatedAt: timestampJSON(im.GetCreatedAt()), PreviewVersion: im.GetPreviewVersion(),
		Rows: im.GetRowsTotal(), GuardTripped: im.GetGuardTripped(), GuardReason: im.GetGuardReason(),
		ErrorMessage: im.GetErrorMessage(), FileWarnings: nonNil(im.GetFileWarnings()),
		OptionsSource: im.GetOptionsSource(), Hints: toHintsJSON(im.GetHints()),
		Options: optionsJSON{
			SendPasswordEmails: o.SendPasswordEmails, UpdateExistingCoreFields: o.UpdateExistingCoreFields,
			UpdateManagersOfExisting: o.UpdateManagersOfExisting, SetManagersOfNew: o.SetManagersOfNew,
			DeactivateMissing: o.DeactivateMissing, ReactivateMatching: o.ReactivateMatching,
			Delimiter: o.GetDelimiter(), Sheet: o.GetSheet(),
			AddNewToOpenReviewCycles: o.AddNewToOpenReviewCycles, ResetReviewersAfterManagerChange: o.ResetReviewersAfterManagerChange,
			MaxDeactivations: o.GetMaxDeactivations(), MaxManagerChanges: o.GetMaxManagerChanges(),
		},
		Summary: summaryJSON{
			New: s.GetNew(), Updated: s.GetUpdated(), Unchanged: s.GetUnchanged(), Deactivated: s.GetDeactivated(),
			Reactivated: s.GetReactivated(), Error: s.GetError(), Warning: s.GetWarning(), Pending: s.GetPending(), Started: s.GetStarted(),
		},
	}
	if im.ApprovalExpiresAt != nil {
		expires := timestampJSON(im.GetApprovalExpiresAt())
		out.ApprovalExpiresAt = &expires
	}
	return out
}

func toChangeJSON(c *v1.Change) changeJSON {
	out := changeJSON{
		Row: c.GetRow(), Email: c.GetEmail(), Name: c.GetName(), Kind: kindWord(c.GetKind()),
		ReasonCode: c.GetReasonCode(), Reason: c.GetReason(),
		Fields: []fieldChangeJSON{}, Errors: toProblemsJSON(c.GetErrors()), Warnings: toProblemsJSON(c.GetWarnings()),
	}
	for _, f := range c.GetFields() {
		out.Fields = append(out.Fields, fieldChangeJSON{Field: f.GetField(), Old: f.GetOld(), New: f.GetNew()})
	}
	return out
}

func toProblemsJSON(problems []*v1.Problem) []problemJSON {
	out := make([]problemJSON, 0, len(problems))
	for _, p := range problems {
		out = append(out, problemJSON{Code: p.GetCode(), Field: p.GetField(), Value: p.GetValue(), Message: p.GetMessage()})
	}
	return out
}

func toPersonJSON(p *v1.Person) personJSON {
	return personJSON{
		ID: p.GetId(), FirstName: p.GetFirstName(), LastName: p.GetLastName(), PreferredName: p.GetPreferredName(),
		Email: p.GetEmail(), AltEmail: p.GetAltEmail(), Title: p.GetTitle(), Gender: p.GetGender(),
		ManagerEmail: p.GetManagerEmail(), SecondaryManagerEmail: p.GetSecondaryManagerEmail(),
		Department: p.GetDepartment(), Team: p.GetTeam(), Location: p.GetLocation(), EmployeeID: p.GetEmployeeId(),
		HireDate: p.GetHireDate(), LeavingDate: p.GetLeavingDate(), TerminationType: p.GetTerminationType(),
		EmploymentType: p.GetEmploymentType(), Active: p.GetActive(), Pending: p.GetPending(),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// summaryBar is the one-line count of every kind, e.g.
// "new 30 · updated 0 · unchanged 0 · deactivated 0 · reactivated 0 · error 1 · warnings 2".
func summaryBar(s *v1.Summary) string {
	return fmt.Sprintf("new %d · updated %d · unchanged %d · deactivated %d · reactivated %d · error %d · warnings %d",
		s.GetNew(), s.GetUpdated(), s.GetUnchanged(), s.GetDeactivated(), s.GetReactivated(), s.GetError(), s.GetWarning()) + pendingCounts(s)
}

// shortCounts lists only the kinds that occur, for the import list.
func shortCounts(s *v1.Summary) string {
	counts := []struct {
		label string
		n     int64
	}{
		{"new", s.GetNew()}, {"updated", s.GetUpdated()}, {"unchanged", s.GetUnchanged()},
		{"deactivated", s.GetDeactivated()}, {"reactivated", s.GetReactivated()}, {"error", s.GetError()},
		{"warnings", s.GetWarning()}, {"pending", s.GetPending()}, {"started", s.GetStarted()},
	}
	var parts []string
	for _, c := range counts {
		if c.n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.label, c.n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " · ")
}

func (a *app) formatTime(ts *timestamppb.Timestamp) string {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return "-"
	}
	return ts.AsTime().In(a.location).Format("2006-01-02 15:04 MST")
}

// table prints rows in aligned columns; a row may carry detail lines printed beneath it.
type table struct {
	header []string
	rows   []tableRow
}

type tableRow struct {
	cells   []string
	details []string
}

func (t *table) add(cells []string, details ...string) {
	t.rows = append(t.rows, tableRow{cells: cells, details: details})
}

func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.header))
	measure := func(cells []string) {
		for i, c := range cells {
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	measure(t.header)
	for _, r := range t.rows {
		measure(r.cells)
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.header)
	for _, r := range t.rows {
		line(r.cells)
		for _, d := range r.details {
			fmt.Fprintln(w, d)
		}
	}
}

// orDash shows empty cells as "-" so columns stay readable.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// isTerminal reports whether w is an interactive terminal. Writers other than files may say
// so themselves (tests do).
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// progress shows an import's status while waiting: one line rewritten in place on a
// terminal, a plain line per change otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	last     string
	width    int
}

func newProgress(w io.Writer) *progress { return &progress{w: w, terminal: isTerminal(w)} }

func (p *progress) show(line string) {
	if p == nil || line == p.last {
		return
	}
	p.last = line
	if !p.terminal {
		fmt.Fprintln(p.w, line)
		return
	}
	pad := p.width - utf8.RuneCountInString(line)
	if pad < 0 {
		pad = 0
	}
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.width = utf8.RuneCountInString(line)
}

// finish ends the rewritten line so that what follows starts on a fresh one.
func (p *progress) finish() {
	if p != nil && p.terminal && p.width > 0 {
		fmt.Fprintln(p.w)
		p.width = 0
	}
}

// writeImportText prints an import for people, in the order an admin checks it.
func writeImportText(w io.Writer, im *v1.Import, formatTime func(*timestamppb.Timestamp) string) {
	id := im.GetId()
	field := func(label, value string) { fmt.Fprintf(w, "%-10s %s\n", label+":", value) }
	fmt.Fprintf(w, "Import %s\n", id)
	field("Status", statusText(im.GetStatus()))
	field("File", orDash(im.GetFileName()))
	field("Source", orDash(im.GetSource()))
	field("Started", formatTime(im.GetCreatedAt())+" by "+orDash(im.GetCreatedBy()))
	if im.GetDecidedBy() != "" {
		field("Decided", formatTime(im.GetDecidedAt())+" by "+im.GetDecidedBy())
	}
	if im.GetStatus() == v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL && im.ApprovalExpiresAt != nil {
		field("Expires", formatTime(im.GetApprovalExpiresAt())+" if nobody approves or rejects it by then")
	}
	if im.GetRejectReason() != "" {
		field("Rejected", im.GetRejectReason())
	}
	fmt.Fprintln(w, "Options:"+optionsSourceText(im.GetOptionsSource()))
	for _, line := range optionLines(im.GetOptions()) {
		fmt.Fprintln(w, "  "+line)
	}
	if im.GetStatus() == v1.ImportStatus_IMPORT_STATUS_FAILED {
		field("Error", orDefault(im.GetErrorMessage(), "the import failed without a message; see the server log"))
		fmt.Fprintln(w, "           Fix the file and import it again with `staffsyncctl import start FILE`.")
	}
	if warnings := im.GetFileWarnings(); len(warnings) > 0 {
		fmt.Fprintln(w, "File warnings:")
		for _, warning := range warnings {
			fmt.Fprintln(w, "  - "+warning)
		}
	}
	if im.GetGuardTripped() {
		fmt.Fprintf(w, "!! SAFETY GUARD TRIPPED: %s\n", orDefault(im.GetGuardReason(), "this import changes more people than the limits allow"))
		fmt.Fprintf(w, "!! Check the changes (`staffsyncctl import changes %s --kind deactivated`) before approving.\n", id)
	}
	field("Rows", strconv.FormatInt(im.GetRowsTotal(), 10))
	field("Preview", "version "+strconv.FormatInt(im.GetPreviewVersion(), 10))
	fmt.Fprintln(w)
	fmt.Fprintln(w, summaryBar(im.GetSummary()))
	writeHints(w, im.GetHints())
	if im.GetStatus() == v1.ImportStatus_IMPORT_STATUS_AWAITING_APPROVAL {
		fmt.Fprintf(w, "\nReview it with `staffsyncctl import changes %s`, then `staffsyncctl import approve %s` or `staffsyncctl import reject %s`.\n", id, id, id)
	}
}

// optionLines lists the options an import ran with, named like their flags.
func optionLines(o *v1.ImportOptions) []string {
	if o == nil {
		return []string{"(server defaults)"}
	}
	yesNo := func(b *bool) string {
		switch {
		case b == nil:
			return "default"
		case *b:
			return "yes"
		}
		return "no"
	}
	type option struct{ name, value string }
	var options []option
	for _, bo := range boolOptions {
		options = append(options, option{bo.flag, yesNo(*bo.field(o))})
	}
	options = append(options,
		option{"delimiter", orDefault(o.GetDelimiter(), "auto")},
		option{"sheet", orDefault(o.GetSheet(), "(first sheet)")},
		option{"max-deactivations", guardLimit(o.GetMaxDeactivations())},
		option{"max-manager-changes", guardLimit(o.GetMaxManagerChanges())},
	)
	lines := make([]string, len(options))
	for i, opt := range options {
		lines[i] = fmt.Sprintf("%-38s %s", opt.name, opt.value)
	}
	return lines
}

// writeChangesTable prints one line per person and, beneath it, its field changes, errors
// and warnings.
func writeChangesTable(w io.Writer, changes []*v1.Change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "no changes match")
		return
	}
	t := &table{header: []string{"ROW", "KIND", "EMAIL", "NAME", "REASON"}}
	for _, c := range changes {
		row := "-"
		if c.GetRow() > 0 {
			row = strconv.Itoa(int(c.GetRow()))
		}
		var details []string
		for _, f := range c.GetFields() {
			details = append(details, fmt.Sprintf("  %s: %q -> %q", f.GetField(), f.GetOld(), f.GetNew()))
		}
		for _, p := range c.GetErrors() {
			details = append(details, "  error: "+problemText(p))
		}
		for _, p := range c.GetWarnings() {
			details = append(details, "  warning: "+problemText(p))
		}
		t.add([]string{row, kindWord(c.GetKind()), orDash(c.GetEmail()), orDash(c.GetName()), c.GetReason()}, details...)
	}
	t.write(w)
}

// problemText is a problem's message; the message already names the field.
func problemText(p *v1.Problem) string {
	if p.GetMessage() != "" {
		return p.GetMessage()
	}
	if p.GetField() != "" {
		return p.GetField() + ": " + p.GetCode()
	}
	return p.GetCode()
}
