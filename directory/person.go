package directory

import (
	"iter"
	"sort"
	"strings"
)

// Person is one person of a company's directory.
type Person struct {
	ID int64
	// Values holds every template field as text. ManagerEmail and SecondaryManagerEmail are
	// derived from ManagerID / SecondaryManagerID by the loader; Status is "Active" or "Inactive"
	// and mirrors Active.
	Values             [NumFields]string
	ManagerID          int64 // 0 = none
	SecondaryManagerID int64 // 0 = none
	Active             bool
	// Pending: not started yet (never with Active); Values[Status] is then "Pending".
	Pending bool
	// Protected accounts are never deactivated or changed by deactivate_missing.
	Protected bool
	// SourceID is the HR system's employee id last synced into this person (empty if none).
	SourceID string
}

// Snapshot is a company's whole directory at one version. A re-sync of a million people
// holds it next to a million records, so it is stored by column: every person's values are
// numbers of texts kept once, back to back (112 bytes a person plus the distinct texts,
// where a Person takes 336 bytes plus a string per value). Departments, titles, dates and
// the like are stored once for the whole directory. Build one with a SnapshotBuilder or
// NewSnapshot; read it with Len and Person.
type Snapshot struct {
	// Version increases with every change to the company's people; a plan records the
	// version it was made on and the apply refuses a stale one.
	Version int64
	people  []snapshotPerson
	text    string   // every distinct text, back to back
	ends    []uint32 // text number k is text[ends[k-1]:ends[k]]; number 0 is ""
	emails  keyIndex // normalised login email -> person (first if duplicated)
}

type snapshotPerson struct {
	id         int64
	managerIDs [2]int64
	managers   [2]int32 // the managers' indexes in the snapshot, none if not in it
	values     [NumFields]uint32
	sourceID   uint32
	active     bool
	pending    bool
	protected  bool
}

// NewSnapshot builds a snapshot of people; ManagerEmail and SecondaryManagerEmail come from
// the manager ids when the manager is among people, and Status from Active.
func NewSnapshot(version int64, people []Person) Snapshot {
	b := NewSnapshotBuilder(version, len(people))
	var raw RawPerson
	for i := range people {
		p := &people[i]
		raw = RawPerson{ID: p.ID, ManagerID: p.ManagerID, SecondaryManagerID: p.SecondaryManagerID,
			Active: p.Active, Pending: p.Pending, Protected: p.Protected, SourceID: []byte(p.SourceID)}
		for f := range p.Values {
			raw.Values[f] = []byte(p.Values[f])
		}
		b.Add(&raw)
	}
	return b.Snapshot()
}

// Len is the number of people.
func (s *Snapshot) Len() int { return len(s.people) }

// Person returns person i (0 <= i < Len()). Its strings share the snapshot's memory.
func (s *Snapshot) Person(i int) Person {
	e := &s.people[i]
	return Person{ID: e.id, Values: s.values(int32(i)), ManagerID: e.managerIDs[0], SecondaryManagerID: e.managerIDs[1],
		Active: e.active, Pending: e.pending, Protected: e.protected, SourceID: s.textOf(e.sourceID)}
}

// All yields every person in order.
func (s *Snapshot) All() iter.Seq[Person] {
	return func(yield func(Person) bool) {
		for i := range s.people {
			if !yield(s.Person(i)) {
				return
			}
		}
	}
}

func (s *Snapshot) textOf(k uint32) string {
	if k == 0 {
		return ""
	}
	return s.text[s.ends[k-1]:s.ends[k]]
}

// value is field f of person n: a manager's current email when the manager is in the
// snapshot, the status from the active flag.
func (s *Snapshot) value(n int32, f Field) string {
	e := &s.people[n]
	switch f {
	case ManagerEmail, SecondaryManagerEmail:
		if m := e.managers[f2k(f)]; m != none {
			return s.value(m, Email)
		}
	case Status:
		if e.pending {
			return StatusPending
		}
		return statusText(e.active)
	}
	return s.textOf(e.values[f])
}

// values are all fields of person n.
func (s *Snapshot) values(n int32) [NumFields]string {
	var out [NumFields]string
	for f := range out {
		out[f] = s.value(n, Field(f))
	}
	return out
}

// RawPerson is one person as a SnapshotBuilder takes it. The byte slices need only stay
// valid until Add returns, so a loader can pass its read buffer. ManagerEmail,
// SecondaryManagerEmail and Status may be left empty: they follow the manager ids and Active.
type RawPerson struct {
	ID, ManagerID, SecondaryManagerID int64
	Active, Pending, Protected        bool
	SourceID                          []byte
	Values                            [NumFields][]byte
}

// SnapshotBuilder builds a Snapshot person by person.
type SnapshotBuilder struct {
	s      Snapshot
	text   strings.Builder
	shared [NumFields]map[string]uint32 // per shared field, its texts already stored
}

// sharedFields are the fields whose values repeat across people (names too: a large
// company has many Annas); their texts are stored once.
var sharedFields = func() [NumFields]bool {
	var out [NumFields]bool
	for _, f := range []Field{FirstName, LastName, PreferredName, Gender, Title, Department, Team, Location, HireDate,
		LeavingDate, TerminationType, EmploymentType} {
		out[f] = true
	}
	return out
}()

// sharedLimit bounds the texts of a field looked up for sharing; past it new texts are
// simply stored.
const sharedLimit = 1 << 16

// bytesPerPerson is a first guess of the distinct text a person adds (names, email,
// employee id); the text grows past it when needed.
const bytesPerPerson = 64

// NewSnapshotBuilder starts a snapshot at version for about people people.
func NewSnapshotBuilder(version int64, people int) *SnapshotBuilder {
	b := &SnapshotBuilder{s: Snapshot{Version: version}}
	for f, shared := range sharedFields {
		if shared {
			b.shared[f] = map[string]uint32{}
		}
	}
	b.s.people = make([]snapshotPerson, 0, people)
	b.s.ends = make([]uint32, 1, 1+4*people)
	b.text.Grow(bytesPerPerson * people)
	return b
}

// Add adds a person.
func (b *SnapshotBuilder) Add(p *RawPerson) {
	e := snapshotPerson{id: p.ID, managerIDs: [2]int64{p.ManagerID, p.SecondaryManagerID},
		active: p.Active, pending: p.Pending && !p.Active, protected: p.Protected, sourceID: b.store(p.SourceID, nil)}
	for f := range p.Values {
		if f != int(Status) {
			e.values[f] = b.store(p.Values[f], b.shared[f])
		}
	}
	b.s.people = append(b.s.people, e)
}

// store keeps text and returns its number; a text already in shared (if not nil) is not
// stored again.
func (b *SnapshotBuilder) store(text []byte, shared map[string]uint32) uint32 {
	if len(text) == 0 {
		return 0
	}
	if k, ok := shared[string(text)]; ok {
		return k
	}
	b.text.Write(text)
	b.s.ends = append(b.s.ends, uint32(b.text.Len()))
	k := uint32(len(b.s.ends) - 1)
	if shared != nil && len(shared) < sharedLimit {
		shared[string(text)] = k
	}
	return k
}

// Snapshot finishes the snapshot: it links every person to their managers. The builder
// must not be used afterwards.
func (b *SnapshotBuilder) Snapshot() Snapshot {
	s := b.s
	s.text = b.text.String()
	if cap := b.text.Cap(); cap-len(s.text) > len(s.text)/4 {
		s.text = strings.Clone(s.text) // do not keep a mostly empty buffer
	}
	s.ends = s.ends[:len(s.ends):len(s.ends)]
	indexOf := s.indexByID()
	for i := range s.people {
		e := &s.people[i]
		for k, id := range e.managerIDs {
			e.managers[k] = none
			if n, ok := indexOf(id); ok && id != 0 {
				e.managers[k] = n
			}
		}
	}
	people := s // the index keeps a copy: a Snapshot is passed by value
	s.emails = newKeyIndex(len(s.people), func(n int32) string { return NormalizeEmail(people.value(n, Email)) }, nil)
	*b = SnapshotBuilder{}
	return s
}

// personByEmail finds the person with a normalised login email.
func (s *Snapshot) personByEmail(email string) (int32, bool) { return s.emails.find(email) }

// indexByID finds people by id. A loaded snapshot comes sorted by id, so it is searched in
// place; a map (tens of MiB for a large directory) is built only for an unsorted one.
func (s *Snapshot) indexByID() func(id int64) (int32, bool) {
	people := s.people
	sorted := true
	for i := 1; i < len(people) && sorted; i++ {
		sorted = people[i-1].id <= people[i].id
	}
	if sorted {
		return func(id int64) (int32, bool) {
			n := sort.Search(len(people), func(i int) bool { return people[i].id >= id })
			return int32(n), n < len(people) && people[n].id == id
		}
	}
	byID := make(map[int64]int32, len(people))
	for i := range people {
		byID[people[i].id] = int32(i)
	}
	return func(id int64) (int32, bool) {
		n, ok := byID[id]
		return n, ok
	}
}

// UnknownEmails lists the normalised login emails of the records that nobody in the
// snapshot has (duplicates included).
func (s *Snapshot) UnknownEmails(records []Record) []string {
	var out []string
	for i := range records {
		if c := s.cell(&records[i], Email); c.Op == Set {
			email := NormalizeEmail(c.Text)
			if _, ok := s.personByEmail(email); !ok {
				out = append(out, email)
			}
		}
	}
	return out
}

// Absorb drops the texts of a record whose values are exactly those of the directory person
// with its email: its Set cells then read as that person's values. A re-sync of unchanged
// people, the usual scheduled sync, then holds each value once instead of twice (about 180
// bytes a row). Absorb the records as they are read, and plan them only against this
// snapshot: their cells are empty without it.
func (s *Snapshot) Absorb(rec *Record) {
	if rec.Cells.twin != 0 || len(rec.Problems) > 0 || rec.Skip != "" {
		return // a problem may quote the text
	}
	email := rec.Cells.Get(Email)
	if email.Op != Set {
		return
	}
	n, ok := s.personByEmail(NormalizeEmail(email.Text))
	if !ok {
		return
	}
	for f := range NumFields {
		if c := rec.Cells.Get(f); c.Op == Set && c.Text != s.value(n, f) {
			return
		}
	}
	rec.Cells = Cells{ops: rec.Cells.ops, twin: n + 1}
}

// cell is cell f of rec, which this snapshot may have absorbed.
func (s *Snapshot) cell(rec *Record, f Field) Value {
	c := rec.Cells.Get(f)
	if rec.Cells.twin != 0 && c.Op == Set {
		c.Text = s.value(rec.Cells.twin-1, f)
	}
	return c
}
