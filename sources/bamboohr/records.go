package bamboohr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// MissingAccessMessage is the error text when the key's user cannot see status or workEmail:
// without them every person would look inactive or unknown ("the sync wants to lock all users").
const MissingAccessMessage = "the API key's user cannot read status/workEmail; give it access to all fields"

// flexString is a report value: a string, or null (Null). Numbers and booleans are kept as
// their JSON text; objects and arrays, which BambooHR does not send for these fields, count as null.
type flexString struct {
	Text string
	Null bool
}

func (f *flexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 || bytes.Equal(data, []byte("null")):
		*f = flexString{Null: true}
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*f = flexString{Text: s}
	case data[0] == '{' || data[0] == '[':
		*f = flexString{Null: true}
	default: // number, true, false
		*f = flexString{Text: string(data)}
	}
	return nil
}

// simpleFields maps report fields onto template fields whose values need no translation.
var simpleFields = []struct {
	id    string
	field directory.Field
}{
	{"firstName", directory.FirstName},
	{"lastName", directory.LastName},
	{"preferredName", directory.PreferredName},
	{"jobTitle", directory.Title},
	{"department", directory.Department},
	{"division", directory.Team},
	{"location", directory.Location},
	{"employeeNumber", directory.EmployeeID},
}

// employmentTypes maps BambooHR's employment status names (company-defined, these are the
// defaults) onto the template's employment types; other names leave the field unchanged.
var employmentTypes = map[string]string{
	"full-time": "Full-time", "full time": "Full-time", "fulltime": "Full-time",
	"part-time": "Part-time", "part time": "Part-time", "parttime": "Part-time",
	"contractor": "Contractor", "contract": "Contractor", "freelance": "Contractor",
	"intern": "Intern", "internship": "Intern",
	"temporary": "Temporary", "seasonal": "Seasonal", "casual": "Casual", "furloughed": "Furloughed",
}

// visibleFields are the fields the answer lists (BambooHR leaves out the ones the key's
// user cannot read); without a field list, the keys the employees carry.
func visibleFields(answer *reportAnswer) map[string]bool {
	visible := map[string]bool{"id": true}
	if answer.Fields != nil {
		for _, f := range *answer.Fields {
			visible[strings.TrimSpace(f.ID.Text)] = true
		}
		return visible
	}
	for _, emp := range answer.rows() {
		for k := range emp {
			visible[k] = true
		}
	}
	return visible
}

// recordsFromReport turns a report answer into records, skipped people included, and the
// run's warnings (each requested field the key cannot read, once).
func recordsFromReport(answer *reportAnswer) ([]directory.Record, []string, error) {
	visible := visibleFields(answer)
	if !visible["status"] || !visible["workEmail"] {
		return nil, nil, missingAccessError(MissingAccessMessage)
	}
	rows := answer.rows()
	if len(rows) == 0 {
		return nil, nil, missingAccessError("BambooHR returned no employees for this API key; give the key's user access to all employees")
	}
	records := make([]directory.Record, 0, len(rows))
	missing := map[string]int{} // visible fields some employees lack: kept, and warned about
	for i, emp := range rows {
		for _, id := range ReportFields {
			if _, ok := emp[id]; visible[id] && !ok {
				missing[id]++
			}
		}
		records = append(records, recordFromEmployee(emp, visible, i+2))
	}
	nobody := missingAccessError(fmt.Sprintf("none of the %d employees BambooHR returned has a work email the API key can read; "+
		"give the key's user access to the work email of all employees", len(rows)))
	if err := sources.RequireImportable(records, nobody); err != nil {
		return nil, nil, err
	}
	return records, fieldWarnings(visible, missing, len(rows)), nil
}

// fieldWarnings are a run's warnings: each requested field the key's user cannot read, and
// each field some employees came without (missing counts them among all employees).
func fieldWarnings(visible map[string]bool, missing map[string]int, employees int) []string {
	var warnings []string
	for _, id := range ReportFields {
		switch {
		case !visible[id]:
			warnings = append(warnings, fmt.Sprintf("BambooHR left out %q (the API key's user cannot read it); the stored values are kept. "+
				"Give the user access to the field in BambooHR to sync it", id))
		case missing[id] > 0:
			warnings = append(warnings, fmt.Sprintf("BambooHR did not send %q for %d of %d employees; their stored values are kept", id, missing[id], employees))
		}
	}
	return warnings
}

// cellState names the shared value states locally; the mapping code reads better with them.
type cellState = sources.ValueState

const (
	absent  = sources.Absent
	empty   = sources.Empty
	present = sources.Present
)

// recordFromEmployee maps one employee. A field the key can read that is null or empty
// clears the value (BambooHR sends null for an emptied field); a field it cannot read, left
// out of the answer, keeps it.
func recordFromEmployee(emp map[string]flexString, visible map[string]bool, row int) directory.Record {
	value := func(id string) (string, cellState) {
		v, ok := emp[id]
		if !visible[id] || !ok {
			return "", absent
		}
		text := strings.TrimSpace(v.Text)
		if v.Null || text == "" {
			return "", empty
		}
		return text, present
	}
	id, idState := value("id")
	email, emailState := value("workEmail")
	first, _ := value("firstName")
	last, _ := value("lastName")
	if idState != present {
		return sources.Skipped(row, "", "no employee id", first, last, email)
	}
	if reason := sources.WorkEmailSkip("work email", email, emailState); reason != "" {
		return sources.Skipped(row, id, reason, first, last, "")
	}
	rec := directory.Record{Row: row, SourceID: id}
	var cells [directory.NumFields]directory.Value
	cells[directory.Email] = directory.SetValue(email)
	for _, sf := range simpleFields {
		text, state := value(sf.id)
		cells[sf.field] = sources.Cell(sf.field, text, state)
	}
	if text, state := value("gender"); state == present {
		cells[directory.Gender] = directory.SetValue(sources.GenderCode(text))
	} else {
		cells[directory.Gender] = sources.Cell(directory.Gender, "", state)
	}
	for _, d := range []struct {
		id    string
		field directory.Field
	}{{"hireDate", directory.HireDate}, {"terminationDate", directory.LeavingDate}} {
		text, state := value(d.id)
		if state != present {
			cells[d.field] = sources.Cell(d.field, "", state)
			continue
		}
		date, ok := calendarDate(text)
		switch {
		case ok && date == "":
			cells[d.field] = directory.Value{Op: directory.Clear}
		case ok:
			cells[d.field] = directory.SetValue(date)
		default:
			rec.Problems = append(rec.Problems, warning(d.field, text,
				fmt.Sprintf("%s: BambooHR's %s %q is not a date; the stored value is kept", d.field.Header(), d.id, directory.Clip(text))))
		}
	}
	if text, state := value("status"); state == present {
		switch strings.ToLower(text) {
		case "active":
			cells[directory.Status] = directory.SetValue(directory.StatusActive)
		case "inactive":
			cells[directory.Status] = directory.SetValue(directory.StatusInactive)
		default:
			rec.Problems = append(rec.Problems, warning(directory.Status, text,
				fmt.Sprintf("BambooHR's status %q is neither Active nor Inactive; the status is left unchanged", directory.Clip(text))))
		}
	}
	if text, state := value("employmentHistoryStatus"); state == present {
		if canonical, ok := employmentTypes[strings.ToLower(text)]; ok {
			cells[directory.EmploymentType] = directory.SetValue(canonical)
		}
	}
	managerID, managerIDState := value("supervisorEId")
	managerEmail, managerEmailState := value("supervisorEmail")
	if managerIDState == present {
		rec.ManagerSourceID = managerID
	}
	switch {
	case managerEmailState == present:
		cells[directory.ManagerEmail] = directory.SetValue(managerEmail)
	case managerIDState == present:
		// The id decides; an empty email next to it clears nothing.
	case managerIDState == empty || managerEmailState == empty:
		// A visible, empty supervisor: this person reports to nobody.
		cells[directory.ManagerEmail] = directory.Value{Op: directory.Clear}
	}
	rec.Cells = directory.PackCells(&cells)
	return rec
}

// calendarDate reads a BambooHR date: "YYYY-MM-DD" (a time part is ignored, never converted);
// "0000-00-00" is an empty date (ok with ""). ok is false for anything else.
func calendarDate(text string) (date string, ok bool) {
	if strings.HasPrefix(text, "0000-00-00") {
		return "", true
	}
	if len(text) < 10 || (len(text) > 10 && text[10] != 'T' && text[10] != ' ') {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, text[:10]); err != nil {
		return "", false
	}
	return text[:10], true
}

func warning(f directory.Field, value, msg string) directory.Problem {
	return directory.Problem{Severity: directory.SeverityWarning, Code: "hris_value_ignored", Field: f,
		Value: directory.Clip(value), Message: msg}
}
