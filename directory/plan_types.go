package directory

import "strconv"

// Kind is what an import does to one person. Every affected person has exactly one.
type Kind string

const (
	KindNew         Kind = "new"
	KindUpdated     Kind = "updated"
	KindUnchanged   Kind = "unchanged"
	KindDeactivated Kind = "deactivated"
	KindReactivated Kind = "reactivated"
	KindError       Kind = "error"
)

// Kinds lists every kind in the order the preview shows them.
var Kinds = []Kind{KindNew, KindUpdated, KindUnchanged, KindDeactivated, KindReactivated, KindError}

// ParseKind checks a kind name.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// FieldChange is one field's old and new value, as shown to the admin (managers as emails).
type FieldChange struct {
	Field Field
	Old   string
	New   string
}

// Change is the plan for one row or one person.
type Change struct {
	Row      int    // the file row; 0 for people who are not in the file (deactivations)
	PersonID int64  // 0 for a new person (unless Draft.AssignIDs gave them one) and for error rows that match nobody
	Email    string // the login email shown for the row
	Name     string // "First Last" for display and search
	Kind     Kind
	// ReasonCode is machine-readable ("new_person", "fields_changed", "not_in_file", ...);
	// Reason is the sentence an admin reads.
	ReasonCode string
	Reason     string
	// Fields lists the changed fields. The planner leaves it nil for a new person, whose
	// fields are CreatedFields(After); FieldChanges returns either.
	Fields   []FieldChange
	Errors   []Problem
	Warnings []Problem
	// After is the person's full set of values once the change is applied (managers as
	// emails); Apply writes it for every change that Applies. It is nil for the others
	// (unchanged and error rows), so a re-sync of 1,000,000 unchanged people does not hold a
	// million copies of the directory.
	After *[NumFields]string
	// SourceID is the HR system id to store with the person (HRIS syncs only).
	SourceID string
	// ManagerChanged is true when the reporting line (manager or secondary manager) changes.
	ManagerChanged bool
	// ManagerIDs are the ids of the manager and secondary manager in After (0 for none). A
	// manager who is a new person has an id only once Draft.AssignIDs gave them one.
	ManagerIDs [2]int64
	// StartsOn is the hire date of a person who is pending once the change is applied
	// (activate_on_hire_date); empty for everyone else.
	StartsOn string
}

// Summary counts a plan's changes by kind; Warnings counts changes that carry warnings.
type Summary struct {
	New, Updated, Unchanged, Deactivated, Reactivated, Error, Warning int
	// Pending counts the people of the plan who are pending once it is applied (not
	// started yet); Started those it activates because their hire date has come.
	Pending, Started int
}

// Add counts one change.
func (s *Summary) Add(c *Change) {
	switch c.Kind {
	case KindNew:
		s.New++
	case KindUpdated:
		s.Updated++
	case KindUnchanged:
		s.Unchanged++
	case KindDeactivated:
		s.Deactivated++
	case KindReactivated:
		s.Reactivated++
	case KindError:
		s.Error++
	}
	if len(c.Warnings) > 0 {
		s.Warning++
	}
	if c.StartsOn != "" {
		s.Pending++
	}
	if c.ReasonCode == ReasonPendingStarted {
		s.Started++
	}
}

// Writes is the number of people the plan changes when applied.
func (s Summary) Writes() int { return s.New + s.Updated + s.Deactivated + s.Reactivated }

// Plan is the preview of an import: what it will do to every affected person.
type Plan struct {
	Outcome
	Changes []Change // sorted by Row; people not in the file (Row 0) last, by email
}

// Outcome is what a plan comes to as a whole.
type Outcome struct {
	DirectoryVersion int64
	Summary          Summary
	// GuardTripped is set when the plan exceeds a safety limit (mass deactivation, mass
	// manager changes); GuardReason says which and by how much.
	GuardTripped bool
	GuardReason  string
}

// PersonName is what the preview shows for the change: the name, else the email, else the row.
func (c Change) PersonName() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	case c.Row > 0:
		return "row " + strconv.Itoa(c.Row)
	}
	return "unknown person"
}

// Applies reports whether applying the plan writes this change.
func (c Change) Applies() bool {
	switch c.Kind {
	case KindNew, KindUpdated, KindDeactivated, KindReactivated:
		return true
	}
	return false
}

// FieldChanges lists every field the change sets, with old and new values.
func (c *Change) FieldChanges() []FieldChange {
	if c.Fields == nil && c.Kind == KindNew && c.After != nil {
		return CreatedFields(*c.After)
	}
	return c.Fields
}

// AfterValue is After[f], or "" when the change writes nothing.
func (c *Change) AfterValue(f Field) string {
	if c.After == nil {
		return ""
	}
	return c.After[f]
}

// Changed returns the change of field f, if the change has one.
func (c Change) Changed(f Field) (FieldChange, bool) {
	for _, fc := range c.FieldChanges() {
		if fc.Field == f {
			return fc, true
		}
	}
	return FieldChange{}, false
}

// CreatedFields lists the fields of a person created with these values: every value that
// is set, old value empty, in field order.
func CreatedFields(values [NumFields]string) []FieldChange {
	var out []FieldChange
	for f := Field(0); f < NumFields; f++ {
		if values[f] != "" {
			out = append(out, FieldChange{Field: f, New: values[f]})
		}
	}
	return out
}
