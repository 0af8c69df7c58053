package directory

import (
	"strings"
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
