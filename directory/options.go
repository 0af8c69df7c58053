package directory

import "time"

// MatchBy says how incoming records find existing people.
type MatchBy string

const (
	// MatchByEmail matches on the login email (file imports).
	MatchByEmail MatchBy = "email"
	// MatchByEmployeeID matches on the source's employee id first, then the work email (HRIS syncs).
	MatchByEmployeeID MatchBy = "employee_id"
)

// Delimiter of a CSV file.
type Delimiter string

const (
	DelimiterAuto      Delimiter = "auto"
	DelimiterComma     Delimiter = "comma"
	DelimiterSemicolon Delimiter = "semicolon"
	DelimiterTab       Delimiter = "tab"
)

// Options are an import's options (import-rules.md section 5 and the planner's own).
type Options struct {
	SendPasswordEmails       bool
	UpdateExistingCoreFields bool
	UpdateManagersOfExisting bool
	SetManagersOfNew         bool
	DeactivateMissing        bool
	ReactivateMatching       bool
	Delimiter                Delimiter
	// Sheet is the XLSX worksheet to read; empty means the first one.
	Sheet   string
	MatchBy MatchBy
	// Post-step options: the plan only reports whom they will touch.
	AddNewToOpenReviewCycles         bool
	ResetReviewersAfterManagerChange bool
	// Safety guard. Zero means the default (see DefaultOptions); a negative value turns the limit off.
	MaxDeactivations  int
	MaxManagerChanges int
	// ApprovalTimeout is how long the import waits for a decision before it expires; zero
	// means DefaultApprovalTimeout (see ApprovalWait).
	ApprovalTimeout time.Duration
	// RequireSecondApprover: the admin who started the import cannot approve it.
	RequireSecondApprover bool
	// ActivateOnHireDate (option activate_on_hire_date): a new person whose hire date is
	// after Input.Today is created pending and activated by the first import on or after
	// that date. Nil means the default: on for HR syncs (MatchByEmployeeID), off for files.
	ActivateOnHireDate *bool `json:",omitempty"`
}

// HoldsFutureHires reports whether option activate_on_hire_date is on.
func (o Options) HoldsFutureHires() bool {
	if o.ActivateOnHireDate != nil {
		return *o.ActivateOnHireDate
	}
	return o.MatchBy == MatchByEmployeeID
}

// DefaultApprovalTimeout is how long an import waits for a decision before it expires,
// unless its options say otherwise.
const DefaultApprovalTimeout = 7 * 24 * time.Hour

// ApprovalWait is how long the import waits for a decision on each preview.
func (o Options) ApprovalWait() time.Duration {
	if o.ApprovalTimeout > 0 {
		return o.ApprovalTimeout
	}
	return DefaultApprovalTimeout
}

// DefaultOptions are the options of an import nobody configured.
func DefaultOptions() Options {
	return Options{
		UpdateExistingCoreFields: true,
		UpdateManagersOfExisting: true,
		SetManagersOfNew:         true,
		ReactivateMatching:       true,
		Delimiter:                DelimiterAuto,
		MatchBy:                  MatchByEmail,
	}
}

// Input is everything the planner looks at. It is plain data: the caller loads it.
type Input struct {
	Directory Snapshot
	Records   []Record
	Options   Options
	// ForeignEmails holds the normalised emails of the incoming records that belong to a
	// person of another company (the store finds them); such rows are errors.
	ForeignEmails map[string]bool
	// OwnedFields maps the fields an active HR integration owns to that integration's name;
	// a file import leaves them alone and warns.
	OwnedFields map[Field]string
	// ActorEmail is the login email of the admin running the import: never deactivated.
	ActorEmail string
	// Today is the date (YYYY-MM-DD) hire dates are compared with (activate_on_hire_date);
	// the caller passes it so the plan stays a pure function. Empty holds nobody pending.
	Today string
}
