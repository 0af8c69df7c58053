package directory

// Person is one account in a company's directory as the planner sees it.
type Person struct {
	ID int64
	// Values holds every template field as text. ManagerEmail and SecondaryManagerEmail are
	// derived from ManagerID / SecondaryManagerID by the loader; Status is "Active" or "Inactive"
	// and mirrors Active.
	Values             [NumFields]string
	ManagerID          int64 // 0 = none
	SecondaryManagerID int64 // 0 = none
	Active             bool
	// Protected accounts are never deactivated or changed by deactivate_missing.
	Protected bool
	// SourceID is the HR system's employee id last synced into this person (empty if none).
	SourceID string
}

// Snapshot is a company's whole directory at one version.
type Snapshot struct {
	// Version increases with every change to the company's people; a plan records the
	// version it was made on and the apply refuses a stale one.
	Version int64
	People  []Person
}

// UnknownEmails lists the normalised login emails of the records that nobody in the
// snapshot has (duplicates included). The snapshot's emails are indexed by hash, 8 bytes a
// person, instead of in a map: a preview builds this list for a million-person directory.
func (s Snapshot) UnknownEmails(records []Record) []string {
	known := newKeyIndex(len(s.People), func(n int32) string { return NormalizeEmail(s.People[n].Values[Email]) }, nil)
	var out []string
	for i := range records {
		if c := records[i].Cells.Get(Email); c.Op == Set {
			email := NormalizeEmail(c.Text)
			if _, ok := known.find(email); !ok {
				out = append(out, email)
			}
		}
	}
	return out
}
