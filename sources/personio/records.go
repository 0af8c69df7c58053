package personio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// MissingAccessMessage is the error text when the credentials cannot read status or email:
// without them every person would look inactive or unknown.
const MissingAccessMessage = "the API credentials cannot read status/email; give them access to all attributes " +
	"(Personio: Integrations > API credentials > readable attributes)"

// flexValue is a JSON scalar kept as text: numbers where strings are expected (and the
// other way round) must not break a sync.
type flexValue struct {
	Text string
	Null bool
}

func (f *flexValue) UnmarshalJSON(data []byte) error {
	text, state := scalar(data)
	*f = flexValue{Text: text, Null: state != present}
	return nil
}

func (f flexValue) int() (int, bool) {
	if f.Null {
		return 0, false
	}
	if n, err := strconv.Atoi(f.Text); err == nil {
		return n, true
	}
	if x, err := strconv.ParseFloat(f.Text, 64); err == nil && x == float64(int(x)) {
		return int(x), true
	}
	return 0, false
}

// cellState names the shared value states locally; the mapping code reads better with them.
type cellState = sources.ValueState

const (
	absent  = sources.Absent
	empty   = sources.Empty
	present = sources.Present
)

// scalar reads a JSON value as text. Objects and arrays are not scalars: absent.
func scalar(raw json.RawMessage) (string, cellState) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", absent
	case bytes.Equal(raw, []byte("null")):
		return "", empty
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", absent
		}
		if s = strings.TrimSpace(s); s == "" {
			return "", empty
		}
		return s, present
	case raw[0] == '{' || raw[0] == '[':
		return "", absent
	}
	return string(raw), present // number or boolean
}

// unwrap returns an attribute's value: attributes are {"label":..,"value":..} (with or
// without type and universal_id); a bare value is accepted as it is.
func unwrap(raw json.RawMessage) json.RawMessage {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return trimmed
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) != nil {
		return nil
	}
	if value, ok := obj["value"]; ok {
		return value
	}
	if _, ok := obj["label"]; ok {
		return json.RawMessage("null") // an attribute without a value
	}
	return trimmed
}

// relationAttributes returns the attributes of a relation value
// ({"type":"Department","attributes":{..}}); state is empty for null.
func relationAttributes(value json.RawMessage) (map[string]json.RawMessage, cellState) {
	value = bytes.TrimSpace(value)
	if len(value) == 0 {
		return nil, absent
	}
	if bytes.Equal(value, []byte("null")) {
		return nil, empty
	}
	var relation struct {
		Attributes map[string]json.RawMessage `json:"attributes"`
	}
	if value[0] != '{' || json.Unmarshal(value, &relation) != nil || relation.Attributes == nil {
		return nil, absent
	}
	return relation.Attributes, present
}

// employeeView reads one employee's attributes.
type employeeView map[string]json.RawMessage

func (e employeeView) has(key string) bool { _, ok := e[key]; return ok }

func (e employeeView) text(key string) (string, cellState) {
	raw, ok := e[key]
	if !ok {
		return "", absent
	}
	return scalar(unwrap(raw))
}

// relationName reads department/office/team: an object with a name, a plain string, or null.
func (e employeeView) relationName(key string) (string, cellState) {
	raw, ok := e[key]
	if !ok {
		return "", absent
	}
	value := unwrap(raw)
	if text, state := scalar(value); state != absent {
		return text, state
	}
	attrs, state := relationAttributes(value)
	if state != present {
		return "", state
	}
	name, ok := attrs["name"]
	if !ok {
		return "", absent
	}
	return scalar(unwrap(name))
}

var statuses = map[string]string{
	"onboarding": directory.StatusActive, "active": directory.StatusActive, "leave": directory.StatusActive,
	"inactive": directory.StatusInactive,
}

// employmentTypes: Personio's v1 employment_type says employee (internal) or contractor
// (external), not full or part time; internal leaves Employment Type as it is.
var employmentTypes = map[string]string{"external": "Contractor"}

func recordsFromEmployees(employees []employee) ([]directory.Record, []string, error) {
	anyStatus, anyEmail := false, false
	absent := map[string]int{}
	for _, emp := range employees {
		view := employeeView(emp.Attributes)
		anyStatus = anyStatus || view.has("status")
		anyEmail = anyEmail || view.has("email")
		for _, key := range Attributes {
			if !view.has(key) {
				absent[key]++
			}
		}
	}
	if len(employees) == 0 {
		return nil, nil, missingAccessError("Personio returned no employees for these API credentials; allow them to read all employees")
	}
	if !anyStatus || !anyEmail {
		return nil, nil, missingAccessError(MissingAccessMessage)
	}
	records := make([]directory.Record, 0, len(employees))
	for i, emp := range employees {
		records = append(records, recordFromEmployee(employeeView(emp.Attributes), i+2))
	}
	nobody := missingAccessError(fmt.Sprintf("none of the %d employees Personio returned has an email the API credentials can read; "+
		"allow them to read the email attribute", len(employees)))
	if err := sources.RequireImportable(records, nobody); err != nil {
		return nil, nil, err
	}
	var warnings []string
	for _, key := range Attributes {
		if n := absent[key]; n > 0 {
			warnings = append(warnings, fmt.Sprintf("Personio did not send %q for %d of %d employees (the API credentials cannot read it); "+
				"the stored values are kept. Allow the attribute in Personio (Integrations > API credentials) to sync it", key, n, len(employees)))
		}
	}
	return records, warnings, nil
}

func recordFromEmployee(e employeeView, row int) directory.Record {
	id, idState := e.text("id")
	email, emailState := e.text("email")
	first, _ := e.text("first_name")
	last, _ := e.text("last_name")
	if idState != present {
		return sources.Skipped(row, "", "no employee id", first, last, email)
	}
	if reason := sources.WorkEmailSkip("email", email, emailState); reason != "" {
		return sources.Skipped(row, id, reason, first, last, "")
	}
	rec := directory.Record{Row: row, SourceID: id}
	var cells [directory.NumFields]directory.Value
	cells[directory.Email] = directory.SetValue(email)
	cells[directory.EmployeeID] = directory.SetValue(id)
	for _, a := range []struct {
		key   string
		field directory.Field
	}{
		{"first_name", directory.FirstName}, {"last_name", directory.LastName}, {"position", directory.Title},
	} {
		text, state := e.text(a.key)
		cells[a.field] = sources.Cell(a.field, text, state)
	}
	cells[directory.PreferredName] = preferredName(e)
	for _, a := range []struct {
		key   string
		field directory.Field
	}{{"department", directory.Department}, {"office", directory.Location}, {"team", directory.Team}} {
		text, state := e.relationName(a.key)
		cells[a.field] = sources.Cell(a.field, text, state)
	}
	if text, state := e.text("gender"); state == present {
		cells[directory.Gender] = directory.SetValue(sources.GenderCode(text))
	} else {
		cells[directory.Gender] = sources.Cell(directory.Gender, "", state)
	}
	if text, state := e.text("status"); state == present {
		if status, ok := statuses[strings.ToLower(text)]; ok {
			cells[directory.Status] = directory.SetValue(status)
		} else {
			rec.Problems = append(rec.Problems, warning(directory.Status, text,
				fmt.Sprintf("Personio's status %q is not onboarding, active, leave or inactive; the status is left unchanged", directory.Clip(text))))
		}
	}
	if text, state := e.text("employment_type"); state == present {
		if kind, ok := employmentTypes[strings.ToLower(text)]; ok {
			cells[directory.EmploymentType] = directory.SetValue(kind)
		}
	}
	// Status: onboarding (hired, not started yet) is an employed person: Active plus the
	// hire date, which the planner turns into pending while it lies in the future.
	if text, state := e.text("termination_type"); state == present {
		if kind := terminationType(text); kind != "" {
			cells[directory.TerminationType] = directory.SetValue(kind)
		}
	} else {
		cells[directory.TerminationType] = sources.Cell(directory.TerminationType, "", state)
	}
	for _, d := range []struct {
		key   string
		field directory.Field
	}{{"hire_date", directory.HireDate}, {"termination_date", directory.LeavingDate}} {
		text, state := e.text(d.key)
		if state != present {
			cells[d.field] = sources.Cell(d.field, "", state)
			continue
		}
		if date, ok := calendarDate(text); ok {
			cells[d.field] = directory.SetValue(date)
		} else {
			rec.Problems = append(rec.Problems, warning(d.field, text,
				fmt.Sprintf("%s: Personio's %s %q is not a date; the stored value is kept", d.field.Header(), d.key, directory.Clip(text))))
		}
	}
	if raw, ok := e["supervisor"]; ok {
		attrs, state := relationAttributes(unwrap(raw))
		switch state {
		case empty:
			cells[directory.ManagerEmail] = directory.Value{Op: directory.Clear}
		case present:
			supervisor := employeeView(attrs)
			if managerID, idState := supervisor.text("id"); idState == present {
				rec.ManagerSourceID = managerID
			}
			if managerEmail, state := supervisor.text("email"); state == present {
				cells[directory.ManagerEmail] = directory.SetValue(managerEmail)
			}
		}
	}
	rec.Cells = directory.PackCells(&cells)
	return rec
}

// preferredName reads preferred_name, which Personio often fills with the full name: one
// that is just the legal name says nothing and clears the field; "Alex Bergmann" next to
// the last name Bergmann is "Alex".
func preferredName(e employeeView) directory.Value {
	text, state := e.text("preferred_name")
	if state != present {
		return sources.Cell(directory.PreferredName, "", state)
	}
	first, firstState := e.text("first_name")
	last, lastState := e.text("last_name")
	if firstState == present && lastState == present {
		if sources.SameName(text, first, last) {
			return directory.Value{Op: directory.Clear}
		}
		words := strings.Fields(text)
		lastWords := strings.Fields(last)
		if n := len(words) - len(lastWords); n > 0 && strings.EqualFold(strings.Join(words[n:], " "), strings.Join(lastWords, " ")) {
			return directory.SetValue(strings.Join(words[:n], " "))
		}
	}
	return directory.SetValue(text)
}

// terminationType maps Personio's (company-defined) termination types onto Voluntary or
// Involuntary; "" when the name says neither.
func terminationType(text string) string {
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "involuntary"), strings.Contains(lower, "dismissal"),
		strings.Contains(lower, "by employer"), strings.Contains(lower, "arbeitgeber"):
		return "Involuntary"
	case strings.Contains(lower, "voluntary"), strings.Contains(lower, "resignation"),
		strings.Contains(lower, "by employee"), strings.Contains(lower, "arbeitnehmer"):
		return "Voluntary"
	}
	return ""
}

// calendarDate takes the date as written: "2014-11-09T00:00:00+01:00" is 2014-11-09 whatever
// the offset (converting to UTC would give the 8th); plain dates are accepted too.
func calendarDate(text string) (string, bool) {
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
