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

// recordsFromReport turns a report answer into records; it returns how many people it skipped.
func recordsFromReport(answer *reportAnswer) ([]directory.Record, int, error) {
	visible := map[string]bool{"id": true}
	if answer.Fields != nil {
		for _, f := range *answer.Fields {
			visible[strings.TrimSpace(f.ID.Text)] = true
		}
	} else {
		// No field list at all: fall back to what the employees carry.
		for _, emp := range answer.Employees {
			for k := range emp {
				visible[k] = true
			}
		}
	}
	if !visible["status"] || !visible["workEmail"] {
		return nil, 0, missingAccessError(MissingAccessMessage)
	}
	if len(answer.Employees) == 0 {
		return nil, 0, missingAccessError("BambooHR returned no employees for this API key; give the key's user access to all employees")
	}
	records := make([]directory.Record, 0, len(answer.Employees))
	skipped := 0
	for i, emp := range answer.Employees {
		rec, ok := recordFromEmployee(emp, visible, i+2)
		if !ok {
			skipped++
			continue
		}
		records = append(records, rec)
	}
	if len(records) == 0 {
		return nil, 0, missingAccessError(fmt.Sprintf("none of the %d employees BambooHR returned has a work email the API key can read; "+
			"give the key's user access to the work email of all employees", len(answer.Employees)))
	}
	return records, skipped, nil
}

// cellState names the shared value states locally; the mapping code reads better with them.
type cellState = sources.ValueState

const (
	absent  = sources.Absent
	empty   = sources.Empty
	present = sources.Present
)

func recordFromEmployee(emp map[string]flexString, visible map[string]bool, row int) (directory.Record, bool) {
	value := func(id string) (string, cellState) {
		v, ok := emp[id]
		if !visible[id] || !ok || v.Null {
			return "", absent
		}
		text := strings.TrimSpace(v.Text)
		if text == "" {
			return "", empty
		}
		return text, present
	}
	id, idState := value("id")
	email, emailState := value("workEmail")
	if idState != present || emailState != present {
		return directory.Record{}, false
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
	return rec, true
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
