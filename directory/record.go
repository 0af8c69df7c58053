package directory

import (
	"math"
	"strings"
)

// CellOp says what an incoming cell does to the stored value of a field.
type CellOp uint8

const (
	// Keep is a blank cell: an existing person's stored value stays; a new person gets empty.
	Keep CellOp = iota
	// Set is a value: Text holds it, already normalised to its canonical form.
	Set
	// Clear is a dash (-, en dash, em dash): the field is emptied.
	Clear
)

// Value is one incoming cell.
type Value struct {
	Op   CellOp
	Text string // canonical value when Op is Set; empty otherwise
}

// SetValue returns a Value that sets text.
func SetValue(text string) Value { return Value{Op: Set, Text: text} }

// Record is one incoming person: a row of a file or one employee from an HR system.
type Record struct {
	// Row is the row number as the admin sees it in a spreadsheet (header = row 1); for
	// HR systems it is the record's position in the answer, starting at 2 so numbering
	// looks the same as for files.
	Row int
	// SourceID is the HR system's own employee id (empty for files). HRIS syncs match on it first.
	SourceID string
	// ManagerSourceID is the HR system's id of the manager (empty for files). When set it
	// wins over Cells[ManagerEmail] for the reporting line.
	ManagerSourceID string
	// Skip, when not empty, says why the source sent this person but they cannot be
	// imported (no work email, invalid email, identity conflict): an admin-facing reason.
	// A skipped record imports nothing, but the person it matches (by SourceID first) was
	// seen: it is never deactivated for being missing, and the preview lists it with Skip.
	Skip  string
	Cells Cells
	// Problems found while reading the cell values (invalid date, unknown enum value, ...).
	// Any problem of severity Error makes the row an error row.
	Problems []Problem
}

// Cells are a record's incoming cells, packed: the texts of all Set cells in one string and
// each cell's end offset and op beside it. A million records are held at once while a large
// import is planned; an array of 18 Values took 432 bytes a row and a string per cell, this
// takes 72 bytes and one string. Build them with PackCells (or Set, which repacks), read
// them with Get.
type Cells struct {
	text string
	ops  uint64 // 2 bits per field: its CellOp
	// cell f's text is text[ends[f-1]:ends[f]]; a text over 64 KiB (possible, with 18 cells
	// of up to 1,000 characters) keeps its end offsets in long instead.
	long *[NumFields]uint32
	ends [NumFields]uint16
	// twin is 1 + the snapshot person whose values the Set cells are, when a Snapshot
	// absorbed the record (Snapshot.Absorb); text is then empty.
	twin int32
}

// PackCells packs values. Only Set cells keep their text, and an op other than Set or Clear
// is Keep, so equal cells always pack to equal Cells.
func PackCells(values *[NumFields]Value) Cells {
	var c Cells
	size := 0
	for f := range values {
		if values[f].Op == Set {
			size += len(values[f].Text)
		}
	}
	var text strings.Builder
	text.Grow(size)
	if size > math.MaxUint16 {
		c.long = new([NumFields]uint32)
	}
	for f := range values {
		switch values[f].Op {
		case Set:
			text.WriteString(values[f].Text)
			c.ops |= uint64(Set) << (2 * f)
		case Clear:
			c.ops |= uint64(Clear) << (2 * f)
		}
		if c.long != nil {
			c.long[f] = uint32(text.Len())
		} else {
			c.ends[f] = uint16(text.Len())
		}
	}
	c.text = text.String()
	return c
}

// Get returns cell f. Its Text is empty unless it is Set.
func (c *Cells) Get(f Field) Value {
	v := Value{Op: CellOp(c.ops >> (2 * f) & 3)}
	switch {
	case c.long != nil:
		start := uint32(0)
		if f > 0 {
			start = c.long[f-1]
		}
		v.Text = c.text[start:c.long[f]]
	default:
		start := uint16(0)
		if f > 0 {
			start = c.ends[f-1]
		}
		v.Text = c.text[start:c.ends[f]]
	}
	return v
}

// Unpack returns all cells.
func (c *Cells) Unpack() [NumFields]Value {
	var out [NumFields]Value
	for f := Field(0); f < NumFields; f++ {
		out[f] = c.Get(f)
	}
	return out
}

// Set replaces cell f. It repacks the record, so code that fills many cells builds an array
// and calls PackCells once.
func (c *Cells) Set(f Field, v Value) {
	values := c.Unpack()
	values[f] = v
	*c = PackCells(&values)
}

// Severity of a Problem.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// NoField marks a Problem that is about the whole row rather than one field.
const NoField Field = -1

// Problem is an error or a warning about a row, worded for an HR admin.
type Problem struct {
	Severity Severity
	Code     string // machine-readable, e.g. "invalid_date", "manager_not_found"
	Field    Field  // NoField when the problem is about the whole row
	Value    string // the offending value, cut to 80 characters
	Message  string // what is wrong and what to do, e.g. "Hiring Date (column K): "31/31/2020" is not a date; use YYYY-MM-DD"
}

// IsError reports whether p stops the row from being applied.
func (p Problem) IsError() bool { return p.Severity == SeverityError }

// Clip cuts a value for display in a message to at most 80 characters.
func Clip(value string) string {
	const limit = 80
	if len(value) <= limit {
		return value
	}
	runes := []rune(value)
	if len(runes) <= limit {
		return value
	}
	return string(runes[:limit-1]) + "…"
}
