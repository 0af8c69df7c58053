package importfile

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/staffsync/staffsync/directory"
)

// headerAliases maps a header, reduced by headerKey, to its field. The template's own
// headers are added in init.
var headerAliases = map[string]directory.Field{
	"firstname": directory.FirstName, "givenname": directory.FirstName, "forename": directory.FirstName,
	"lastname": directory.LastName, "surname": directory.LastName, "familyname": directory.LastName,
	"gender": directory.Gender, "sex": directory.Gender,
	"title": directory.Title, "jobtitle": directory.Title, "position": directory.Title,
	"email": directory.Email, "emailaddress": directory.Email, "workemail": directory.Email,
	"workemailaddress": directory.Email, "loginemailaddress": directory.Email, "login": directory.Email,
	"manager": directory.ManagerEmail, "manageremailaddress": directory.ManagerEmail,
	"linemanageremail": directory.ManagerEmail, "reportsto": directory.ManagerEmail,
	"department": directory.Department, "dept": directory.Department,
	"team":     directory.Team,
	"location": directory.Location, "office": directory.Location,
	"employeeid": directory.EmployeeID, "employeenumber": directory.EmployeeID, "employeeno": directory.EmployeeID,
	"staffid": directory.EmployeeID, "empid": directory.EmployeeID,
	"hiringdate": directory.HireDate, "hiredate": directory.HireDate, "startdate": directory.HireDate,
	"datehired": directory.HireDate, "joiningdate": directory.HireDate,
	"alternativeemail": directory.AltEmail, "alternateemail": directory.AltEmail, "altemail": directory.AltEmail,
	"notificationemail": directory.AltEmail,
	"secondarymanager":  directory.SecondaryManagerEmail, "secondmanageremail": directory.SecondaryManagerEmail,
	"preferredname": directory.PreferredName, "nickname": directory.PreferredName, "knownas": directory.PreferredName,
	"leavingdate": directory.LeavingDate, "leavedate": directory.LeavingDate, "terminationdate": directory.LeavingDate,
	"enddate": directory.LeavingDate, "exitdate": directory.LeavingDate,
	"terminationtype": directory.TerminationType,
	"employmenttype":  directory.EmploymentType, "employeetype": directory.EmploymentType,
	"active": directory.Status, "status": directory.Status, "accountstatus": directory.Status,
}

func init() {
	for _, f := range directory.AllFields() {
		headerAliases[headerKey(f.Header())] = f
	}
}

// headerKey reduces a header to lower-case letters and digits, so "E-mail", "e mail" and
// "EMAIL" all become "email".
func headerKey(header string) string {
	var b strings.Builder
	for _, r := range header {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// layout says which field each column of the file holds.
type layout struct {
	fields  []directory.Field // per column index; directory.NoField = ignored column
	lastCol int               // the last column that may hold data
	byName  bool
}

func positionLayout() layout {
	l := layout{fields: make([]directory.Field, directory.NumFields), lastCol: int(directory.NumFields) - 1}
	for i := range l.fields {
		l.fields[i] = directory.Field(i)
	}
	return l
}

// recogniseHeader decides whether row (already normalised) is a header row. It is one when
// at least half of its non-empty cells name a template field.
func recogniseHeader(row []string) (l layout, isHeader bool, warnings []string, err error) {
	filled, matched := 0, 0
	for _, cell := range row {
		if cell == "" {
			continue
		}
		filled++
		if _, ok := headerAliases[headerKey(cell)]; ok {
			matched++
		}
	}
	if matched == 0 || 2*matched < filled {
		return layout{}, false, nil, nil
	}
	l = layout{fields: make([]directory.Field, len(row)), byName: true}
	columnOf := map[directory.Field]int{}
	var ignored []string
	for i, cell := range row {
		l.fields[i] = directory.NoField
		if cell == "" {
			continue
		}
		l.lastCol = i
		f, ok := headerAliases[headerKey(cell)]
		if !ok {
			ignored = append(ignored, fmt.Sprintf("%s (%q)", directory.ColumnName(i), directory.Clip(cell)))
			continue
		}
		if prev, dup := columnOf[f]; dup {
			return layout{}, true, nil, fileErrorf(CodeDuplicateColumn, "columns %s (%q) and %s (%q) both hold %s; keep one of them and upload again",
				directory.ColumnName(prev), directory.Clip(row[prev]), directory.ColumnName(i), directory.Clip(cell), f.Header())
		}
		columnOf[f] = i
		l.fields[i] = f
	}
	var missing []string
	for _, f := range directory.AllFields() {
		if _, ok := columnOf[f]; !ok && f.Required() {
			missing = append(missing, fmt.Sprintf("%q", f.Header()))
		}
	}
	if len(missing) > 0 {
		n := len(missing)
		return layout{}, true, nil, fileErrorf(CodeMissingColumn, "the required %s %s %s missing; add %s with %s %s and upload again",
			plural(n, "column", "columns"), joinAnd(missing), plural(n, "is", "are"),
			plural(n, "it", "them"), plural(n, "that", "those"), plural(n, "header", "headers"))
	}
	if len(ignored) > 0 {
		warnings = append(warnings, fmt.Sprintf("%s %s %s not a template column and %s ignored",
			plural(len(ignored), "column", "columns"), strings.Join(ignored, ", "),
			plural(len(ignored), "is", "are"), plural(len(ignored), "was", "were")))
	}
	return l, true, warnings, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
