// Package directory is the domain of staffsync: people, their fields, the rules for
// values, and the planner that turns incoming records into a per-person preview.
// It is pure Go: no I/O, no clocks (time is passed in), no third-party libraries.
package directory

import "strings"

// Field is one column of the import template (A..R), in template order.
type Field int

// The template's fields, in column order A..R. The order is part of the file format.
const (
	FirstName Field = iota
	LastName
	Gender
	Title
	Email
	ManagerEmail
	Department
	Team
	Location
	EmployeeID
	HireDate
	AltEmail
	SecondaryManagerEmail
	PreferredName
	LeavingDate
	TerminationType
	EmploymentType
	Status
	NumFields // number of template columns (18)
)

type fieldInfo struct {
	key      string // machine name used in APIs and storage
	header   string // header text of the template
	required bool
}

var fieldInfos = [NumFields]fieldInfo{
	FirstName:             {"first_name", "First Name", true},
	LastName:              {"last_name", "Last Name", true},
	Gender:                {"gender", "Gender", false},
	Title:                 {"title", "Title", false},
	Email:                 {"email", "Login Email", true},
	ManagerEmail:          {"manager_email", "Manager Email", false},
	Department:            {"department", "Department", false},
	Team:                  {"team", "Team", false},
	Location:              {"location", "Location", false},
	EmployeeID:            {"employee_id", "Employee ID", false},
	HireDate:              {"hire_date", "Hiring Date", false},
	AltEmail:              {"alt_email", "Alternative Email", false},
	SecondaryManagerEmail: {"secondary_manager_email", "Secondary Manager Email", false},
	PreferredName:         {"preferred_name", "Preferred Name", false},
	LeavingDate:           {"leaving_date", "Leaving Date", false},
	TerminationType:       {"termination_type", "Termination Type", false},
	EmploymentType:        {"employment_type", "Employment Type", false},
	Status:                {"status", "Active / Account Status", false},
}

// Key is the field's machine name, e.g. "first_name".
func (f Field) Key() string {
	if f < 0 || f >= NumFields {
		return "unknown"
	}
	return fieldInfos[f].key
}

// Header is the field's header text in the template, e.g. "First Name".
func (f Field) Header() string {
	if f < 0 || f >= NumFields {
		return ""
	}
	return fieldInfos[f].header
}

// Required reports whether a person must have a value for the field.
func (f Field) Required() bool { return f >= 0 && f < NumFields && fieldInfos[f].required }

// Column is the field's spreadsheet column letter in the template, "A".."R".
func (f Field) Column() string { return ColumnName(int(f)) }

func (f Field) String() string { return f.Key() }

// ColumnName turns a zero-based column index into a spreadsheet letter (0 -> A, 26 -> AA).
func ColumnName(index int) string {
	if index < 0 {
		return "?"
	}
	name := ""
	for index >= 0 {
		name = string(rune('A'+index%26)) + name
		index = index/26 - 1
	}
	return name
}

// FieldByKey finds a field by its machine name.
func FieldByKey(key string) (Field, bool) {
	for f := Field(0); f < NumFields; f++ {
		if fieldInfos[f].key == key {
			return f, true
		}
	}
	return 0, false
}

// AllFields lists the template's fields in column order.
func AllFields() []Field {
	fields := make([]Field, NumFields)
	for i := range fields {
		fields[i] = Field(i)
	}
	return fields
}

// NormalizeEmail is the form in which emails are compared: trimmed and lower-cased.
// Emails are stored as given.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
