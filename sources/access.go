package sources

import "context"

// An AccessReporter is a RecordSource whose connection test says what the credentials can
// see: how many people, and whether the fields a sync depends on are readable. An admin
// learns there, not from a failed or half-blind sync, that the key lacks access.
type AccessReporter interface {
	TestAccess(ctx context.Context) (Access, error)
}

// Access is what a connection test found.
type Access struct {
	// People is how many people the credentials see (active and inactive).
	People int
	// Fields are the fields a sync depends on, in a fixed order: status, work email,
	// supervisor, hire date.
	Fields []FieldAccess
	// Warnings explain, for the admin, each field that cannot be read and what follows.
	Warnings []string
}

// FieldAccess says whether one field is readable with the credentials.
type FieldAccess struct {
	Name     string // as the admin knows it: "status", "work email", "supervisor", "hire date"
	Readable bool
}

// Field names of Access.Fields.
const (
	AccessStatus     = "status"
	AccessWorkEmail  = "work email"
	AccessSupervisor = "supervisor"
	AccessHireDate   = "hire date"
)

// AccessWarning is the standard warning for a field the credentials cannot read.
func AccessWarning(system, field string) string {
	switch field {
	case AccessStatus:
		return system + ": the credentials cannot read status; a sync fails until they can (without it everyone would look inactive)"
	case AccessWorkEmail:
		return system + ": the credentials cannot read the work email; a sync fails until they can (people are matched by it)"
	case AccessSupervisor:
		return system + ": the credentials cannot read the supervisor; reporting lines are kept as they are and not updated"
	case AccessHireDate:
		return system + ": the credentials cannot read the hire date; people who start in the future cannot be held as pending until their first day"
	}
	return system + ": the credentials cannot read " + field
}

// AccessFrom builds an Access from which of the four fields are readable.
func AccessFrom(system string, people int, readable map[string]bool) Access {
	a := Access{People: people}
	for _, name := range []string{AccessStatus, AccessWorkEmail, AccessSupervisor, AccessHireDate} {
		a.Fields = append(a.Fields, FieldAccess{Name: name, Readable: readable[name]})
		if !readable[name] {
			a.Warnings = append(a.Warnings, AccessWarning(system, name))
		}
	}
	return a
}
