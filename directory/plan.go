package directory

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/staffsync/staffsync/parallel"
)

// PlanImport turns incoming records into a per-person preview (import-rules.md sections 4
// to 9). It is pure and deterministic: the same input gives the same plan, whatever the
// order of the records apart from their row numbers. (A function cannot be called Plan
// because the type Plan has that name; in.Plan() is the same call.)
func PlanImport(in Input) Plan {
	d := Prepare(in)
	changes := make([]Change, 0, d.Len())
	for c := range d.Changes {
		changes = append(changes, *c)
	}
	return Plan{Outcome: d.Outcome(), Changes: changes}
}

// Plan is PlanImport(in).
func (in Input) Plan() Plan { return PlanImport(in) }

// none marks "no person" / "no manager" in the planner's int32 indexes.
const none int32 = -1

// managerFields are the two reporting fields; index k of rowPlan.mgr matches this order.
var managerFields = [2]Field{ManagerEmail, SecondaryManagerEmail}

// planner holds the indexes of one Plan call. Graph nodes are person indexes 0..P-1 for
// people in the directory and P+r for the new person of row r.
type planner struct {
	in      Input
	opts    Options
	dir     *Snapshot // in.Directory
	actor   string
	byEmpID *keyIndex // employee id field -> person (first if duplicated); built on first use
	bySrc   *keyIndex // HR source id -> person; built on first use
	// File-side indexes.
	rows        []rowPlan
	personRow   []int32    // person -> the row that matched them, none if not in the file
	seen        []bool     // person appears in the file (even on an error row)
	newByEmail  keyIndex   // normalised email -> row of a new person
	rowBySource keyIndex   // record source id -> row
	activeAfter []bool     // node -> active once the import is applied
	order       []int32    // rows in output order
	newIDs      []int64    // row -> id of the new person it creates (Draft.AssignIDs)
	deactivated []bool     // person -> deactivated by this import
	missing     []int32    // people deactivated without a row of their own (missingDeactivated)
	extra       []Change   // Row-0 changes
	starts      []rowStart // row -> activate_on_hire_date's decision (plan_trust.go); nil if none
}

// cell is cell f of row r.
func (p *planner) cell(r *rowPlan, f Field) Value {
	if r.cells == nil {
		return p.dir.cell(r.rec, f)
	}
	return r.cells.Get(f)
}

// rowPlan is the planner's working state for one record.
type rowPlan struct {
	rec *Record
	// cells are the validated, canonical cells: the record's own unless a value had to be
	// rewritten (saves a copy per row on large imports); nil for a record the snapshot
	// absorbed, whose cells read through it (planner.cell).
	cells *Cells
	email string // normalised login email of the record ("" if none)
	// problems is nil for the many rows without any: two slices a row cost 48 bytes.
	problems *rowProblems
	person   int32 // matched person, none for a new person
	// Managers as graph nodes: what the person has now and will have after the import.
	oldMgr, mgr [2]int32
	assigned    [2]bool    // the row itself names the manager (not kept from the directory)
	mgrRef      [2]refKind // how the row named the manager, for messages (see planner.managerRef)
	owned       uint32     // bit per field the row wanted to change but an integration owns
	active      bool       // status after the import
}

// refKind says how a row named a manager.
type refKind uint8

const (
	refNone   refKind = iota
	refCell           // by the manager email cell
	refSource         // by the HR system's manager id
)

// managerRef is how row r named its manager k, for messages.
func (p *planner) managerRef(r *rowPlan, k int) string {
	switch r.mgrRef[k] {
	case refCell:
		return p.cell(r, managerFields[k]).Text
	case refSource:
		return strings.TrimSpace(r.rec.ManagerSourceID)
	}
	return ""
}

// sourceID is the HR system's employee id of the row ("" for files).
func (r *rowPlan) sourceID() string { return strings.TrimSpace(r.rec.SourceID) }

type rowProblems struct{ errs, warns []Problem }

func (r *rowPlan) failed() bool { return r.problems != nil && len(r.problems.errs) > 0 }

// errs and warns are the row's errors and warnings so far.
func (r *rowPlan) errs() []Problem {
	if r.problems == nil {
		return nil
	}
	return r.problems.errs
}

func (r *rowPlan) warns() []Problem {
	if r.problems == nil {
		return nil
	}
	return r.problems.warns
}

func (r *rowPlan) noted() *rowProblems {
	if r.problems == nil {
		r.problems = &rowProblems{}
	}
	return r.problems
}

func (r *rowPlan) fail(p Problem) { n := r.noted(); n.errs = append(n.errs, p) }

func (r *rowPlan) warn(p Problem) { n := r.noted(); n.warns = append(n.warns, p) }

func newPlanner(in Input) *planner {
	p := &planner{
		in:    in,
		opts:  in.Options,
		actor: NormalizeEmail(in.ActorEmail),
	}
	p.dir = &p.in.Directory
	if p.opts.MatchBy == "" {
		p.opts.MatchBy = MatchByEmail
	}
	return p
}

// readRows copies the records' problems and re-validates every Set value: records may come
// from an HR system rather than the file reader.
func (p *planner) readRows() {
	p.rows = make([]rowPlan, len(p.in.Records))
	// Rows are checked independently, so large imports use every core; the result is the
	// same as one pass in order.
	parallel.Ranges(len(p.rows), parallelRowsMin, p.readRowRange)
}

// parallelRowsMin is the fewest rows per goroutine worth starting one for.
const parallelRowsMin = 5000

func (p *planner) readRowRange(from, to int) {
	for i := from; i < to; i++ {
		rec := &p.in.Records[i]
		r := &p.rows[i]
		r.rec = rec
		r.cells = &rec.Cells
		if rec.Cells.twin != 0 {
			if int(rec.Cells.twin) > p.dir.Len() {
				panic(fmt.Sprintf("directory: row %d was absorbed by another directory snapshot than the one it is planned against", rec.Row))
			}
			r.cells = nil // absorbed: the cells read through the snapshot (see cell)
		}
		r.person = none
		r.mgr = [2]int32{none, none}
		r.oldMgr = [2]int32{none, none}
		if rec.Skip != "" { // the source's reason comes first: it is the row's reason
			r.fail(skippedProblem(rec))
		}
		for _, prob := range rec.Problems {
			if prob.IsError() {
				r.fail(prob)
			} else {
				r.warn(prob)
			}
		}
		// Rewritten cells are packed into a Cells of the row's own; most rows need none.
		var values [NumFields]Value
		for f := range values {
			values[f] = p.dir.cell(rec, Field(f))
		}
		rewritten := false
		for f := Field(0); f < NumFields; f++ {
			cell := values[f]
			if cell.Op != Set {
				continue
			}
			text := strings.TrimSpace(cell.Text)
			if text == "" {
				values[f], rewritten = Value{}, true // an empty Set is a blank cell
				continue
			}
			canonical, prob := CanonicalValue(f, text)
			if prob != nil {
				if !hasProblem(r.errs(), f, prob.Code) {
					r.fail(*prob)
				}
				values[f], rewritten = Value{}, true
				continue
			}
			if canonical != cell.Text {
				values[f], rewritten = Value{Op: Set, Text: canonical}, true
			}
		}
		if rewritten {
			own := PackCells(&values)
			r.cells = &own
		}
		if email := p.cell(r, Email); email.Op == Set {
			r.email = NormalizeEmail(email.Text)
		}
	}
}

// placeRows gives every row its slot in the output: by row number, then email, so the order
// does not depend on the order of the records.
func (p *planner) placeRows() {
	order := make([]int32, len(p.rows))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := &p.rows[a], &p.rows[b]
		if c := cmp.Compare(ra.rec.Row, rb.rec.Row); c != 0 {
			return c
		}
		if c := strings.Compare(ra.email, rb.email); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	p.order = order
}

// sourceIndex finds people by HR source id; only syncs need it, so it is built on first use.
func (p *planner) sourceIndex() *keyIndex {
	if p.bySrc == nil {
		x := newKeyIndex(p.dir.Len(), func(n int32) string { return p.dir.textOf(p.dir.people[n].sourceID) }, nil)
		p.bySrc = &x
	}
	return p.bySrc
}

// employeeIDIndex finds people by employee id; only rows that change an id need it.
func (p *planner) employeeIDIndex() *keyIndex {
	if p.byEmpID == nil {
		x := newKeyIndex(p.dir.Len(), func(n int32) string { return p.dir.value(n, EmployeeID) }, nil)
		p.byEmpID = &x
	}
	return p.byEmpID
}

func hasProblem(problems []Problem, f Field, code string) bool {
	for _, prob := range problems {
		if prob.Field == f && prob.Code == code {
			return true
		}
	}
	return false
}

// matchRows finds the person of every row (section 4) and flags duplicate identities.
func (p *planner) matchRows() {
	p.personRow = make([]int32, p.dir.Len())
	for i := range p.personRow {
		p.personRow[i] = none
	}
	p.seen = make([]bool, p.dir.Len())

	// Duplicate emails: rows with a directory person's email are grouped by that person (no
	// string map over the whole file); only unknown emails go through a map.
	mailPerson := make([]int32, len(p.rows))
	firstByMail := make([]int32, p.dir.Len())
	for i := range firstByMail {
		firstByMail[i] = none
	}
	dupByMail := map[int32][]int32{}
	for i := range p.rows {
		mailPerson[i] = none
		if e := p.rows[i].email; e != "" {
			if n, ok := p.dir.personByEmail(e); ok {
				mailPerson[i] = n
				if firstByMail[n] == none {
					firstByMail[n] = int32(i)
				} else {
					if dupByMail[n] == nil {
						dupByMail[n] = []int32{firstByMail[n]}
					}
					dupByMail[n] = append(dupByMail[n], int32(i))
				}
			}
		}
	}
	unknownMail := occurrences(len(p.rows), func(i int) string {
		if mailPerson[i] != none {
			return ""
		}
		return p.rows[i].email
	})
	emailDuplicates := func(i int) []int32 {
		if n := mailPerson[i]; n != none {
			return othersIn(dupByMail[n], i)
		}
		return unknownMail.others(p.rows[i].email, i)
	}
	sourceRows := occurrences(len(p.rows), func(i int) string { return p.rows[i].sourceID() })
	empIDRows := occurrences(len(p.rows), func(i int) string {
		if c := p.cell(&p.rows[i], EmployeeID); c.Op == Set {
			return c.Text
		}
		return ""
	})

	hris := p.opts.MatchBy == MatchByEmployeeID
	locked := map[int32]int{} // person -> row whose identity conflict froze them
	// Most people are matched by one row; only the rare extra rows are kept in a map.
	firstRow := p.personRow
	extraRows := map[int32][]int32{}
	for i := range p.rows {
		r := &p.rows[i]
		if others := emailDuplicates(i); others != nil {
			r.fail(Problem{Severity: SeverityError, Code: "duplicate_email", Field: Email, Value: Clip(p.cell(r, Email).Text),
				Message: fmt.Sprintf("%s: %q appears more than once in the file (also on %s); keep one row per person",
					fieldLabel(Email), Clip(p.cell(r, Email).Text), p.rowList(others))})
		}
		if others := sourceRows.others(r.sourceID(), i); others != nil {
			r.fail(Problem{Severity: SeverityError, Code: "duplicate_source_id", Field: NoField, Value: Clip(r.sourceID()),
				Message: fmt.Sprintf("the HR system's employee id %q appears more than once (also on %s); each employee must appear once",
					Clip(r.sourceID()), p.rowList(others))})
		}
		if id := p.cell(r, EmployeeID); id.Op == Set {
			if others := empIDRows.others(id.Text, i); others != nil {
				r.fail(Problem{Severity: SeverityError, Code: "duplicate_employee_id", Field: EmployeeID, Value: Clip(id.Text),
					Message: fmt.Sprintf("%s: %q appears more than once in the file (also on %s); employee ids must be unique within the company",
						fieldLabel(EmployeeID), Clip(id.Text), p.rowList(others))})
			}
		}

		byMail := mailPerson[i]
		mailFound := byMail != none
		if !hris {
			if mailFound {
				r.person = byMail
			}
		} else {
			bySource, sourceFound := none, false
			if r.sourceID() != "" {
				bySource, sourceFound = p.sourceIndex().find(r.sourceID())
			}
			switch {
			case sourceFound && mailFound && bySource != byMail:
				r.fail(Problem{Severity: SeverityError, Code: "identity_conflict", Field: Email, Value: Clip(p.cell(r, Email).Text),
					Message: fmt.Sprintf("identity conflict: the HR system's employee id %q belongs to %s but the email %s belongs to %s; nothing is changed for either until the HR system is fixed",
						Clip(r.sourceID()), p.dir.value(bySource, Email), Clip(p.cell(r, Email).Text), p.dir.value(byMail, Email))})
				for _, person := range []int32{bySource, byMail} {
					p.seen[person] = true
					if _, ok := locked[person]; !ok {
						locked[person] = i
					}
				}
				continue
			case sourceFound:
				r.person = bySource
				if r.email != "" && r.email != NormalizeEmail(p.dir.value(bySource, Email)) {
					r.warn(Problem{Severity: SeverityWarning, Code: "email_change_ignored", Field: Email, Value: Clip(p.cell(r, Email).Text),
						Message: fmt.Sprintf("%s: the HR system has %q but the login email is %s; imports do not change login emails, so it is kept",
							fieldLabel(Email), Clip(p.cell(r, Email).Text), p.dir.value(bySource, Email))})
				}
			case mailFound:
				r.person = byMail
			}
		}
		if r.person != none {
			p.seen[r.person] = true
			if firstRow[r.person] == none {
				firstRow[r.person] = int32(i)
			} else {
				extraRows[r.person] = append(extraRows[r.person], int32(i))
			}
		} else if r.email != "" && p.in.ForeignEmails[r.email] {
			r.fail(Problem{Severity: SeverityError, Code: "email_taken", Field: Email, Value: Clip(p.cell(r, Email).Text),
				Message: "this email is already used by another account; use a different login email"})
		}
	}

	// Two rows that reach one person by different keys (HR id and email): neither is applied.
	// A row reached through a locked person fails too (identity conflict: nothing changes).
	check := func(person int32, matched []int32) {
		conflictRow, isLocked := locked[person]
		for _, i := range matched {
			r := &p.rows[i]
			if isLocked {
				r.fail(Problem{Severity: SeverityError, Code: "identity_conflict", Field: NoField, Value: "",
					Message: fmt.Sprintf("identity conflict on row %d involves %s; nothing is changed for this person until it is fixed",
						p.rows[conflictRow].rec.Row, p.dir.value(person, Email))})
				continue
			}
			if len(matched) > 1 && !hasProblem(r.errs(), Email, "duplicate_email") {
				others := make([]int32, 0, len(matched)-1)
				for _, j := range matched {
					if j != i {
						others = append(others, j)
					}
				}
				r.fail(Problem{Severity: SeverityError, Code: "duplicate_person", Field: NoField, Value: "",
					Message: fmt.Sprintf("this row and %s all match %s; keep one row per person",
						p.rowList(others), p.dir.value(person, Email))})
			}
		}
	}
	for person, extra := range extraRows {
		check(person, append([]int32{firstRow[person]}, extra...))
	}
	for person := range locked {
		if _, ok := extraRows[person]; !ok && firstRow[person] != none {
			check(person, []int32{firstRow[person]})
		}
	}
	// From here on personRow holds only rows that are still applied.
	for person, row := range p.personRow {
		if row != none && p.rows[row].failed() {
			p.personRow[person] = none
		}
	}

	// New people can be named as managers by email, and by source id in HRIS syncs.
	p.newByEmail = newKeyIndex(len(p.rows), func(i int32) string { return p.rows[i].email }, func(i int32) bool {
		r := &p.rows[i]
		return r.person == none && !unknownMail.duplicated(r.email) && !hasProblem(r.errs(), Email, "identity_conflict")
	})
	p.rowBySource = newKeyIndex(len(p.rows), func(i int32) string { return p.rows[i].sourceID() }, func(i int32) bool {
		return !sourceRows.duplicated(p.rows[i].sourceID())
	})
}

func (k keyRows) duplicated(key string) bool { _, ok := k.dups[key]; return ok }

// others lists the rows other than i that share key, or nil when the key is unique.
func (k keyRows) others(key string, i int) []int32 {
	if key == "" {
		return nil
	}
	return othersIn(k.dups[key], i)
}

// othersIn lists the rows of a duplicate group other than i (nil for no group).
func othersIn(all []int32, i int) []int32 {
	if len(all) == 0 {
		return nil
	}
	out := make([]int32, 0, len(all)-1)
	for _, j := range all {
		if int(j) != i {
			out = append(out, j)
		}
	}
	return out
}

// rowList names rows for a message, "row 4" or "rows 4, 9 and 12", at most ten of them.
func (p *planner) rowList(rows []int32) string {
	nums := make([]int, len(rows))
	for i, r := range rows {
		nums[i] = p.rows[r].rec.Row
	}
	slices.Sort(nums)
	const limit = 10
	more := 0
	if len(nums) > limit {
		more = len(nums) - limit
		nums = nums[:limit]
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	word := "row "
	if len(rows) > 1 {
		word = "rows "
	}
	switch {
	case more > 0:
		return word + strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", more)
	case len(parts) == 1:
		return word + parts[0]
	default:
		return word + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
}

func fieldLabel(f Field) string { return f.Header() + " (column " + f.Column() + ")" }

// ownedBy names the integration that owns f, when a file import must leave it alone.
func (p *planner) ownedBy(f Field) (string, bool) {
	if p.opts.MatchBy != MatchByEmail || len(p.in.OwnedFields) == 0 {
		return "", false
	}
	name, ok := p.in.OwnedFields[f]
	return name, ok
}

// computeValues checks the values a row must have and notes the fields it wanted to change
// but an integration owns. The values themselves are worked out when needed (valueAfter):
// keeping a full copy per row would double the planner's memory on large imports.
func (p *planner) computeValues() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		existing := r.person != none
		for _, f := range []Field{FirstName, LastName, Email} {
			switch p.cell(r, f).Op {
			case Clear:
				r.fail(Problem{Severity: SeverityError, Code: "required_cleared", Field: f, Value: "",
					Message: fmt.Sprintf("%s is required and cannot be cleared with a dash; enter a value or leave the cell blank to keep the current one", fieldLabel(f))})
			case Keep:
				if !existing {
					r.fail(Problem{Severity: SeverityError, Code: "required_missing", Field: f, Value: "",
						Message: fmt.Sprintf("%s is required for a new person; fill it in", fieldLabel(f))})
				}
			}
		}
		if r.failed() || !existing {
			continue
		}
		if !p.opts.UpdateExistingCoreFields {
			continue
		}
		for f := Field(0); f < NumFields; f++ {
			// ownedBy first: without an active integration it answers at once for every field.
			if _, owned := p.ownedBy(f); owned && isPlainField(f) && p.cellChanges(r, f) {
				r.owned |= 1 << uint(f)
			}
		}
	}
}

// isPlainField is a field whose value comes from its own cell: not the login email (never
// changed by an import), the reporting lines or the status (worked out from the graph and
// the status rules).
func isPlainField(f Field) bool {
	return f != Email && f != ManagerEmail && f != SecondaryManagerEmail && f != Status
}

// cellChanges reports whether an existing person's row asks to change plain field f.
func (p *planner) cellChanges(r *rowPlan, f Field) bool {
	cell := p.cell(r, f)
	return cell.Op != Keep && !sameValue(f, p.dir.value(r.person, f), cell.Text)
}

// valueAfter is field f (not a reporting line or the status) of a non-failed row once the
// import is applied.
func (p *planner) valueAfter(r *rowPlan, f Field) string {
	if r.person == none {
		v := p.cell(r, f).Text // "" unless Set
		if f == EmploymentType && v == "" {
			v = "Full-time"
		}
		return v
	}
	stored := p.dir.value(r.person, f)
	if !isPlainField(f) || !p.opts.UpdateExistingCoreFields || r.owned&(1<<uint(f)) != 0 {
		return stored
	}
	cell := p.cell(r, f)
	if cell.Op == Keep || sameValue(f, stored, cell.Text) {
		return stored
	}
	return cell.Text // Set, or "" for Clear
}

// sameValue compares stored and incoming values; emails compare case-insensitively.
func sameValue(f Field, a, b string) bool {
	if a == b {
		return true
	}
	switch f {
	case Email, AltEmail, ManagerEmail, SecondaryManagerEmail:
		return NormalizeEmail(a) == NormalizeEmail(b)
	}
	return false
}

func (p *planner) nodeCount() int { return p.dir.Len() + len(p.rows) }

// nodeEmail is the login email shown for a graph node.
func (p *planner) nodeEmail(n int32) string {
	if n == none {
		return ""
	}
	if int(n) < p.dir.Len() {
		return p.dir.value(n, Email)
	}
	return p.cell(&p.rows[int(n)-p.dir.Len()], Email).Text
}

func (p *planner) rowNode(i int) int32 {
	if r := &p.rows[i]; r.person != none {
		return r.person
	}
	return int32(p.dir.Len() + i)
}

// rowOfNode is the non-failed row that plans node n, or none.
func (p *planner) rowOfNode(n int32) int32 {
	if int(n) < p.dir.Len() {
		return p.personRow[n]
	}
	return n - int32(p.dir.Len())
}

func (p *planner) personManager(person int32, k int) int32 { return p.dir.people[person].managers[k] }

// resolveManagers finds the managers each row asks for (section 6 warnings and errors).
func (p *planner) resolveManagers() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.person != none {
			for k := range managerFields {
				r.oldMgr[k] = p.personManager(r.person, k)
				r.mgr[k] = r.oldMgr[k]
			}
		}
		if r.failed() {
			continue
		}
		existing := r.person != none
		if existing && !p.opts.UpdateManagersOfExisting || !existing && !p.opts.SetManagersOfNew {
			continue
		}
		self := p.rowNode(i)
		for k, f := range managerFields {
			cell := p.cell(r, f)
			if existing {
				if _, owned := p.ownedBy(f); owned {
					if p.managerCellChanges(r, k) {
						r.owned |= 1 << uint(f)
					}
					continue
				}
			}
			target, ref, named := none, "", refNone
			found := false
			if k == 0 && r.rec.ManagerSourceID != "" {
				ref, named = strings.TrimSpace(r.rec.ManagerSourceID), refSource
				target, found = p.resolveSource(ref)
				if !found && cell.Op != Set {
					r.warn(p.managerNotFound(r, f, fmt.Sprintf("the HR system's manager id %q", Clip(ref)), existing))
					continue
				}
			}
			if !found {
				switch cell.Op {
				case Keep:
					continue
				case Clear:
					r.mgr[k] = none
					continue
				}
				ref, named = cell.Text, refCell
				target, found = p.resolveEmail(cell.Text)
				if !found {
					r.warn(p.managerNotFound(r, f, strconv.Quote(Clip(cell.Text)), existing))
					continue
				}
			}
			if target == self {
				r.fail(Problem{Severity: SeverityError, Code: "self_manager", Field: f, Value: Clip(ref),
					Message: fmt.Sprintf("%s: %s is this person; a person cannot be their own manager", fieldLabel(f), quoteRef(ref))})
				continue
			}
			r.mgr[k] = target
			r.assigned[k] = true
			r.mgrRef[k] = named
		}
	}
}

func quoteRef(ref string) string { return strconv.Quote(Clip(ref)) }

// managerCellChanges says whether a row's manager cell asks for a different manager.
func (p *planner) managerCellChanges(r *rowPlan, k int) bool {
	cell := p.cell(r, managerFields[k])
	switch cell.Op {
	case Clear:
		return r.oldMgr[k] != none
	case Set:
		return r.oldMgr[k] == none || NormalizeEmail(p.nodeEmail(r.oldMgr[k])) != NormalizeEmail(cell.Text)
	}
	return false
}

func (p *planner) managerNotFound(r *rowPlan, f Field, what string, existing bool) Problem {
	outcome := "the manager is left empty"
	if existing {
		outcome = "the manager is left unchanged"
	}
	return Problem{Severity: SeverityWarning, Code: "manager_not_found", Field: f, Value: Clip(strings.Trim(what, `"`)),
		Message: fmt.Sprintf("%s: %s is not in the directory or in this import; %s", fieldLabel(f), what, outcome)}
}

func (p *planner) resolveEmail(email string) (int32, bool) {
	e := NormalizeEmail(email)
	if n, ok := p.dir.personByEmail(e); ok {
		return n, true
	}
	if row, ok := p.newByEmail.find(e); ok {
		return int32(p.dir.Len()) + row, true
	}
	return none, false
}

// resolveSource finds a manager by HR source id: the import's own records first, then the directory.
func (p *planner) resolveSource(id string) (int32, bool) {
	if row, ok := p.rowBySource.find(id); ok {
		if r := &p.rows[row]; r.person != none {
			return r.person, true
		}
		// A new person; if their row fails, dropManagersNotImported takes the manager back.
		return int32(p.dir.Len()) + row, true
	}
	if n, ok := p.sourceIndex().find(id); ok {
		return n, true
	}
	return none, false
}

// settle repeats the checks whose outcome depends on which rows fail, until nothing changes:
// a failed new person cannot be a manager, a failed row keeps its employee id, and a failed
// row keeps its old manager, which can close another reporting loop.
func (p *planner) settle() {
	next := make([]int32, p.nodeCount())
	visit := make([]int32, p.nodeCount())
	for {
		p.dropManagersNotImported()
		changed := p.checkEmployeeIDs()
		if p.checkLoops(next, visit) {
			changed = true
		}
		if !changed {
			return
		}
	}
}

func (p *planner) dropManagersNotImported() {
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		for k, f := range managerFields {
			n := r.mgr[k]
			if n == none || int(n) < p.dir.Len() || !p.rows[int(n)-p.dir.Len()].failed() {
				continue
			}
			outcome := "the manager is left empty"
			if r.person != none {
				outcome = "the manager is left unchanged"
			}
			r.warn(Problem{Severity: SeverityWarning, Code: "manager_not_imported", Field: f, Value: Clip(p.managerRef(r, k)),
				Message: fmt.Sprintf("%s: %s is on row %d, which has errors and is not imported; %s",
					fieldLabel(f), quoteRef(p.managerRef(r, k)), p.rows[int(n)-p.dir.Len()].rec.Row, outcome)})
			r.mgr[k] = r.oldMgr[k]
			r.assigned[k] = false
		}
	}
}

// checkEmployeeIDs fails rows that would take an employee id another person keeps.
func (p *planner) checkEmployeeIDs() bool {
	changed := false
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		id := p.valueAfter(r, EmployeeID)
		if id == "" || r.person != none && p.dir.value(r.person, EmployeeID) == id {
			continue
		}
		owner, ok := p.employeeIDIndex().find(id)
		if !ok || owner == r.person {
			continue
		}
		if or := p.personRow[owner]; or != none && !p.rows[or].failed() && p.valueAfter(&p.rows[or], EmployeeID) != id {
			continue // the owner's own row moves them to another id
		}
		r.fail(Problem{Severity: SeverityError, Code: "employee_id_taken", Field: EmployeeID, Value: Clip(id),
			Message: fmt.Sprintf("%s: %q already belongs to %s; employee ids must be unique within the company",
				fieldLabel(EmployeeID), Clip(id), p.dir.value(owner, Email))})
		changed = true
	}
	return changed
}

// checkLoops finds reporting loops in the graph as it would be after the import and fails
// every row on one. The graph has one outgoing edge per node (the manager), so one iterative
// walk per node finds every loop in linear time.
func (p *planner) checkLoops(next, visit []int32) bool {
	P := p.dir.Len()
	for n := range next {
		next[n] = none
		visit[n] = 0
	}
	for n := 0; n < P; n++ {
		next[n] = p.personManager(int32(n), 0)
	}
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		next[p.rowNode(i)] = r.mgr[0]
	}
	changed := false
	var loop []int32
	for start := range next {
		if visit[start] != 0 {
			continue
		}
		walk := int32(start + 1)
		n := int32(start)
		for n != none && visit[n] == 0 {
			visit[n] = walk
			n = next[n]
		}
		if n == none || visit[n] != walk {
			continue
		}
		loop = loop[:0]
		for m := n; ; {
			loop = append(loop, m)
			m = next[m]
			if m == n {
				break
			}
		}
		if p.failLoop(loop) {
			changed = true
		}
	}
	return changed
}

// failLoop fails the rows on one loop; a loop of people who are all outside the file
// existed before this import and is not its business.
func (p *planner) failLoop(loop []int32) bool {
	inFile := false
	for _, n := range loop {
		if row := p.rowOfNode(n); row != none && !p.rows[row].failed() {
			inFile = true
			break
		}
	}
	if !inFile {
		return false
	}
	// Start the path at the smallest email so the message does not depend on row order.
	first := 0
	for i := range loop {
		if NormalizeEmail(p.nodeEmail(loop[i])) < NormalizeEmail(p.nodeEmail(loop[first])) {
			first = i
		}
	}
	var b strings.Builder
	for i := range loop {
		b.WriteString(p.nodeEmail(loop[(first+i)%len(loop)]))
		b.WriteString(" -> ")
	}
	b.WriteString(p.nodeEmail(loop[first]))
	message := fmt.Sprintf("%s: this makes a reporting loop %s; change one of these managers", fieldLabel(ManagerEmail), b.String())
	for _, n := range loop {
		row := p.rowOfNode(n)
		if row == none || p.rows[row].failed() {
			continue
		}
		r := &p.rows[row]
		r.fail(Problem{Severity: SeverityError, Code: "manager_loop", Field: ManagerEmail, Value: Clip(p.managerRef(r, 0)), Message: message})
	}
	return true
}

// decideStatuses works out who is active after the import: status cells, reactivation and
// deactivate_missing (section 5).
func (p *planner) decideStatuses() {
	P := p.dir.Len()
	p.activeAfter = make([]bool, p.nodeCount())
	p.deactivated = make([]bool, P)
	for n := 0; n < P; n++ {
		p.activeAfter[n] = p.dir.people[n].active
	}
	for i := range p.rows {
		r := &p.rows[i]
		if r.failed() {
			continue
		}
		cell := p.cell(r, Status)
		wantInactive := cell.Op == Set && cell.Text == StatusInactive
		if r.person == none {
			r.active = !wantInactive
			p.activeAfter[P+i] = r.active
			continue
		}
		person := &p.dir.people[r.person]
		r.active = person.active
		if _, owned := p.ownedBy(Status); owned {
			if wantInactive == person.active {
				r.owned |= 1 << uint(Status)
			}
			continue
		}
		switch {
		case person.active && wantInactive:
			switch {
			case person.protected:
				r.warn(Problem{Severity: SeverityWarning, Code: "protected_not_deactivated", Field: Status, Value: StatusInactive,
					Message: fieldLabel(Status) + ": this account is protected and is not deactivated; remove the protection first to deactivate it"})
			case p.actor != "" && NormalizeEmail(p.dir.value(r.person, Email)) == p.actor:
				r.warn(Problem{Severity: SeverityWarning, Code: "actor_not_deactivated", Field: Status, Value: StatusInactive,
					Message: fieldLabel(Status) + ": this is your own account; you cannot deactivate yourself with an import"})
			default:
				r.active = false
				p.deactivated[r.person] = true
			}
		case !person.active && !wantInactive:
			if p.opts.ReactivateMatching {
				r.active = true
			} else {
				r.warn(Problem{Severity: SeverityWarning, Code: "not_reactivated", Field: Status, Value: Clip(cell.Text),
					Message: "deactivated person not reactivated because 'reactivate matching accounts' is off; turn it on or reactivate them by hand"})
			}
		}
		p.activeAfter[r.person] = r.active
	}
	if !p.opts.DeactivateMissing {
		return
	}
	for n := 0; n < P; n++ {
		person := &p.dir.people[n]
		if !person.active || p.seen[n] {
			continue
		}
		switch {
		case person.protected:
			p.extra = append(p.extra, p.keptChange(int32(n), "protected_not_deactivated",
				"unchanged: not in the file, but the account is protected and is never deactivated by an import"))
		case p.actor != "" && NormalizeEmail(p.dir.value(int32(n), Email)) == p.actor:
			p.extra = append(p.extra, p.keptChange(int32(n), "actor_not_deactivated",
				"unchanged: not in the file, but this is the account of the admin running the import"))
		default:
			p.deactivated[n] = true
			p.activeAfter[n] = false
		}
	}
}

func statusText(active bool) string {
	if active {
		return StatusActive
	}
	return StatusInactive
}

func (p *planner) keptChange(n int32, code, reason string) Change {
	person := p.dir.Person(int(n))
	return Change{PersonID: person.ID, Email: person.Values[Email], Name: displayName(person.Values),
		Kind: KindUnchanged, ReasonCode: code, Reason: reason, SourceID: person.SourceID}
}

func displayName(values [NumFields]string) string {
	first, last := values[FirstName], values[LastName]
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// Draft is a prepared plan that works out its changes one at a time: a large import is
// stored as it is planned, without holding a million changes at once. Changes yields them
// in plan order; Outcome is known once they have all been yielded.
type Draft struct {
	p              *planner
	yielded        bool
	summary        Summary
	managerChanges int
}

// Prepare matches, checks and resolves every row and person of the import (all of
// PlanImport but working out each change).
func Prepare(in Input) *Draft {
	p := newPlanner(in)
	p.readRows()
	p.matchRows()
	p.seeSkipped()
	p.placeRows()
	p.computeValues()
	p.resolveManagers()
	p.settle()
	p.decideStatuses()
	p.holdPending()
	p.listNotSent()
	p.missing = p.missingDeactivated()
	return &Draft{p: p}
}

// Len is the number of changes the plan has.
func (d *Draft) Len() int {
	return len(d.p.rows) + len(d.p.extra) + len(d.p.missing)
}

// NewPeople is the number of people the plan creates.
func (d *Draft) NewPeople() int {
	n := 0
	for i := range d.p.rows {
		if d.p.createsPerson(i) {
			n++
		}
	}
	return n
}

// AssignIDs gives the new people their ids, one per new person (NewPeople of them), before
// the changes are worked out: their changes then carry them as PersonID and as the
// ManagerIDs of their reports, so storing a plan needs no lookup by email.
func (d *Draft) AssignIDs(ids []int64) {
	p := d.p
	p.newIDs = make([]int64, len(p.rows))
	given := len(ids)
	for i := range p.rows {
		if p.createsPerson(i) {
			if len(ids) == 0 {
				panic(fmt.Sprintf("directory: %d ids for %d new people", given, d.NewPeople()))
			}
			p.newIDs[i], ids = ids[0], ids[1:]
		}
	}
	if len(ids) > 0 {
		panic(fmt.Sprintf("directory: %d ids for %d new people", given, given-len(ids)))
	}
}

// createsPerson reports whether row i creates a new person.
func (p *planner) createsPerson(i int) bool {
	r := &p.rows[i]
	return !r.failed() && r.person == none
}

// nodeID is the person id of graph node n: 0 for none and for a new person without one.
func (p *planner) nodeID(n int32) int64 {
	switch {
	case n == none:
		return 0
	case int(n) < p.dir.Len():
		return p.dir.people[n].id
	case p.newIDs != nil:
		return p.newIDs[int(n)-p.dir.Len()]
	}
	return 0
}

// Changes yields the plan's changes in order: the rows by row number, then the people not
// in the file by email. The Change is reused: a caller that keeps it copies it. It can be
// ranged over once.
func (d *Draft) Changes(yield func(*Change) bool) {
	if d.yielded {
		panic("directory: a Draft's changes were already yielded")
	}
	d.yielded = true
	p := d.p
	var c Change
	emit := func(c *Change) bool {
		d.summary.Add(c)
		if c.ManagerChanged && c.Kind != KindNew {
			d.managerChanges++
		}
		return yield(c)
	}
	// Rows came sorted from placeRows. Records numbered 0 or below (not expected) go last
	// with the people not in the file, so the rule "Row 0 last" holds.
	lead := 0
	for lead < len(p.order) && p.rows[p.order[lead]].rec.Row <= 0 {
		lead++
	}
	for _, i := range p.order[lead:] {
		p.fillRowChange(int(i), &c)
		if !emit(&c) {
			return
		}
	}
	notInFile := make([]Change, lead, lead+len(p.extra))
	for k, i := range p.order[:lead] {
		p.fillRowChange(int(i), &notInFile[k])
	}
	for _, n := range p.missing {
		person := p.dir.Person(int(n))
		after := person.Values
		after[Status] = StatusInactive
		notInFile = append(notInFile, Change{PersonID: person.ID, Email: person.Values[Email], Name: displayName(person.Values),
			Kind: KindDeactivated, ReasonCode: p.missingCode(),
			Reason:     p.missingReason(),
			Fields:     []FieldChange{{Field: Status, Old: StatusActive, New: StatusInactive}},
			After:      &after,
			SourceID:   person.SourceID,
			ManagerIDs: [2]int64{p.nodeID(p.personManager(n, 0)), p.nodeID(p.personManager(n, 1))},
		})
	}
	notInFile = append(notInFile, p.extra...)
	slices.SortStableFunc(notInFile, func(a, b Change) int {
		if c := cmp.Compare(NormalizeEmail(a.Email), NormalizeEmail(b.Email)); c != 0 {
			return c
		}
		return cmp.Compare(a.PersonID, b.PersonID)
	})
	for k := range notInFile {
		if !emit(&notInFile[k]) {
			return
		}
	}
}

// missingDeactivated lists the people this import deactivates who have no row of their own.
func (p *planner) missingDeactivated() []int32 {
	var out []int32
	for n := range p.dir.people {
		if p.deactivated[n] && !p.seen[n] {
			out = append(out, int32(n))
		}
	}
	return out
}

// Outcome sums up the plan once Changes has yielded every change.
func (d *Draft) Outcome() Outcome {
	deactivations := 0
	for n := range d.p.dir.people {
		if d.p.deactivated[n] {
			deactivations++
		}
	}
	out := Outcome{DirectoryVersion: d.p.in.Directory.Version, Summary: d.summary}
	out.GuardTripped, out.GuardReason = d.p.guard(deactivations, d.managerChanges)
	return out
}

// guard applies the safety limits: by default at most 10% (at least 5) deactivations and 25%
// manager changes of the active people, only for companies with more than 20 active people.
// An explicit positive limit always applies; a negative one turns the check off.
func (p *planner) guard(deactivations, managerChanges int) (bool, string) {
	active := 0
	for i := range p.dir.people {
		if p.dir.people[i].active {
			active++
		}
	}
	limit := func(configured, percent, minimum int) int {
		switch {
		case configured < 0:
			return -1
		case configured > 0:
			return configured
		case active <= 20:
			return -1
		}
		return max(active*percent/100, minimum)
	}
	var reasons []string
	if l := limit(p.opts.MaxDeactivations, 10, 5); l >= 0 && deactivations > l {
		reasons = append(reasons, fmt.Sprintf("would deactivate %d of %d active people (limit %d)", deactivations, active, l))
	}
	if l := limit(p.opts.MaxManagerChanges, 25, 1); l >= 0 && managerChanges > l {
		reasons = append(reasons, fmt.Sprintf("would change the managers of %d of %d active people (limit %d)", managerChanges, active, l))
	}
	return len(reasons) > 0, strings.Join(reasons, "; ")
}

// fillRowPlan works out the Change of one row into c (fillRowChange adds issue 17's reasons).
func (p *planner) fillRowPlan(i int, c *Change) {
	r := &p.rows[i]
	*c = Change{}
	c.Row, c.Email, c.SourceID = r.rec.Row, p.cell(r, Email).Text, r.sourceID()
	if r.person != none {
		c.PersonID = p.dir.people[r.person].id
		c.Email = p.dir.value(r.person, Email)
		if c.SourceID == "" {
			c.SourceID = p.dir.textOf(p.dir.people[r.person].sourceID)
		}
	}
	if r.failed() {
		c.Kind = KindError
		c.ReasonCode = "row_error"
		errs := r.errs()
		c.Reason = "not imported: " + errs[0].Message
		if len(errs) > 1 {
			c.Reason += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
		}
		c.Errors = errs
		c.Warnings = r.warns()
		if r.person != none {
			c.Name = displayName(p.dir.values(r.person))
		} else {
			c.Name = displayName([NumFields]string{FirstName: p.cell(r, FirstName).Text, LastName: p.cell(r, LastName).Text})
		}
		return // nothing is applied: no After
	}

	var after [NumFields]string
	if r.person != none {
		after = p.dir.values(r.person)
	}
	for f := Field(0); f < NumFields; f++ {
		if f != ManagerEmail && f != SecondaryManagerEmail && f != Status {
			after[f] = p.valueAfter(r, f)
		}
	}
	after[Status] = p.statusAfter(i)
	for k, f := range managerFields {
		switch {
		case r.mgr[k] != none:
			after[f] = p.nodeEmail(r.mgr[k])
		case r.person != none && r.mgr[k] == r.oldMgr[k]:
			// keep what the directory shows (a manager outside the snapshot stays as it was)
			after[f] = p.dir.value(r.person, f)
		default:
			after[f] = ""
		}
	}
	p.warnInactiveManagers(r)
	p.warnOwned(r)
	c.Name = displayName(after)
	c.Warnings = r.warns()
	c.ManagerChanged = r.mgr != r.oldMgr
	c.ManagerIDs = [2]int64{p.nodeID(r.mgr[0]), p.nodeID(r.mgr[1])}

	if r.person == none {
		// A new person's fields are their after values: FieldChanges derives them when asked,
		// so a 100,000-person first import does not build them twice.
		c.Kind = KindNew
		c.ReasonCode, c.Reason = "new_person", "new: not in the directory yet"
		if !r.active {
			c.ReasonCode, c.Reason = "new_person_inactive", "new: added as a deactivated account because the status is Inactive"
		}
		c.After = heapCopy(&after)
		if p.newIDs != nil {
			c.PersonID = p.newIDs[i]
		}
		return
	}

	before := p.dir.values(r.person)
	for f := Field(0); f < NumFields; f++ {
		if f == ManagerEmail || f == SecondaryManagerEmail {
			if r.mgr[f2k(f)] != r.oldMgr[f2k(f)] {
				c.Fields = append(c.Fields, FieldChange{Field: f, Old: before[f], New: after[f]})
			}
			continue
		}
		if before[f] != after[f] {
			c.Fields = append(c.Fields, FieldChange{Field: f, Old: before[f], New: after[f]})
		}
	}
	person := &p.dir.people[r.person]
	sourceLinked := r.sourceID() != "" && r.sourceID() != p.dir.textOf(person.sourceID)
	switch {
	case person.active && !r.active:
		c.Kind, c.ReasonCode, c.Reason = KindDeactivated, "status_inactive", "deactivated: the status in the file is Inactive"
	case !person.active && r.active:
		c.Kind, c.ReasonCode, c.Reason = KindReactivated, "reactivated", "reactivated: in the file and 'reactivate matching accounts' is on"
	case len(c.Fields) > 0:
		names := make([]string, len(c.Fields))
		for j, fc := range c.Fields {
			names[j] = fc.Field.Header()
		}
		c.Kind, c.ReasonCode = KindUpdated, "fields_changed"
		c.Reason = fmt.Sprintf("updated: %s changed", strings.Join(names, ", "))
	case sourceLinked:
		c.Kind, c.ReasonCode = KindUpdated, "source_id_linked"
		c.Reason = fmt.Sprintf("updated: linked to the HR system's employee id %q", Clip(r.sourceID()))
	default:
		c.Kind, c.ReasonCode, c.Reason = KindUnchanged, "no_changes", "unchanged: the import has the same values"
	}
	if c.Applies() {
		c.After = heapCopy(&after)
	}
}

// heapCopy copies values to the heap; taking the address of fillRowChange's local array
// instead would move it to the heap for every row, unchanged ones included.
func heapCopy(values *[NumFields]string) *[NumFields]string {
	out := new([NumFields]string)
	*out = *values
	return out
}

func f2k(f Field) int {
	if f == SecondaryManagerEmail {
		return 1
	}
	return 0
}

// warnInactiveManagers warns when a row gets a manager who is deactivated, or keeps one this
// import deactivates. A manager who was already inactive and stays so is not news.
func (p *planner) warnInactiveManagers(r *rowPlan) {
	for k, f := range managerFields {
		m := r.mgr[k]
		if m == none || p.activeAfter[m] {
			continue
		}
		byThisImport := int(m) < p.dir.Len() && p.deactivated[m]
		if !byThisImport && m == r.oldMgr[k] {
			continue
		}
		what := "is deactivated"
		if byThisImport {
			what = "is deactivated by this import"
		}
		r.warn(Problem{Severity: SeverityWarning, Code: "manager_inactive", Field: f, Value: Clip(p.nodeEmail(m)),
			Message: fmt.Sprintf("%s: %s %s; they stay set as manager until you choose another one", fieldLabel(f), p.nodeEmail(m), what)})
	}
}

// warnOwned adds one warning per person for the fields an integration owns.
func (p *planner) warnOwned(r *rowPlan) {
	if r.owned == 0 {
		return
	}
	byIntegration := map[string][]string{}
	var names []string
	single := NoField
	count := 0
	for f := Field(0); f < NumFields; f++ {
		if r.owned&(1<<uint(f)) == 0 {
			continue
		}
		name, _ := p.ownedBy(f)
		if _, ok := byIntegration[name]; !ok {
			names = append(names, name)
		}
		byIntegration[name] = append(byIntegration[name], f.Header())
		single = f
		count++
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for j, name := range names {
		parts[j] = fmt.Sprintf("%s managed by %s", strings.Join(byIntegration[name], ", "), name)
	}
	if count > 1 {
		single = NoField
	}
	r.warn(Problem{Severity: SeverityWarning, Code: "owned_field", Field: single,
		Message: fmt.Sprintf("%s while that integration is active; the file's values are ignored, change them in the HR system", strings.Join(parts, "; "))})
}
