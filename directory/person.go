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

// IDsByEmail maps the normalised login email of everyone in the snapshot to their id.
func (s Snapshot) IDsByEmail() map[string]int64 {
	out := make(map[string]int64, len(s.People))
	for i := range s.People {
		out[NormalizeEmail(s.People[i].Values[Email])] = s.People[i].ID
	}
	return out
}
