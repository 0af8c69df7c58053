package directory

// CellOp says what an incoming cell does to the stored value of a field.
type CellOp uint8

const (
	// Keep is a blank cell: an existing person's stored value stays; a new person gets empty.
	Keep CellOp = iota
	// Set is a value: Text holds it, already normalised to its canonical form.
	Set
	// Clear is a dash (-, en dash, em dash): the field is emptied.
	Clear
)

// Value is one incoming cell.
type Value struct {
	Op   CellOp
	Text string // canonical value when Op is Set; empty otherwise
}

// SetValue returns a Value that sets text.
func SetValue(text string) Value { return Value{Op: Set, Text: text} }

// Record is one incoming person: a row of a file or one employee from an HR system.
type Record struct {
	// Row is the row number as the admin sees it in a spreadsheet (header = row 1); for
	// HR systems it is the record's position in the answer, starting at 2 so numbering
	// looks the same as for files.
	Row int
	// SourceID is the HR system's own employee id (empty for files). HRIS syncs match on it first.
	SourceID string
	// ManagerSourceID is the HR system's id of the manager (empty for files). When set it
	// wins over Cells[ManagerEmail] for the reporting line.
	ManagerSourceID string
	Cells           [NumFields]Value
	// Problems found while reading the cell values (invalid date, unknown enum value, ...).
	// Any problem of severity Error makes the row an error row.
	Problems []Problem
}

// Severity of a Problem.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// NoField marks a Problem that is about the whole row rather than one field.
const NoField Field = -1

// Problem is an error or a warning about a row, worded for an HR admin.
type Problem struct {
	Severity Severity
	Code     string // machine-readable, e.g. "invalid_date", "manager_not_found"
	Field    Field  // NoField when the problem is about the whole row
	Value    string // the offending value, cut to 80 characters
	Message  string // what is wrong and what to do, e.g. "Hiring Date (column K): "31/31/2020" is not a date; use YYYY-MM-DD"
}

// IsError reports whether p stops the row from being applied.
func (p Problem) IsError() bool { return p.Severity == SeverityError }

// Clip cuts a value for display in a message to at most 80 characters.
func Clip(value string) string {
	const limit = 80
	if len(value) <= limit {
		return value
	}
	runes := []rune(value)
	if len(runes) <= limit {
		return value
	}
	return string(runes[:limit-1]) + "…"
}
