package sources

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/staffsync/staffsync/directory"
)

// ValueState is what an HR system's answer says about one field of one person.
type ValueState uint8

const (
	// Absent: not sent (restricted, missing or not understood); the stored value stays.
	Absent ValueState = iota
	// Empty: sent and empty; the HR system has no value.
	Empty
	// Present: a value.
	Present
)

// Cell turns a field's value and state into an incoming cell. An empty value clears an
// optional field but never a required one, so a blank name in the HR system cannot wipe it here.
func Cell(f directory.Field, text string, state ValueState) directory.Value {
	switch state {
	case Present:
		return directory.SetValue(text)
	case Empty:
		if f.Required() {
			return directory.Value{}
		}
		return directory.Value{Op: directory.Clear}
	}
	return directory.Value{}
}

// GenderCode maps an HR system's gender onto M/F/N: any other non-empty value (Non-binary,
// diverse, Other, ...) is N.
func GenderCode(text string) string {
	switch strings.ToLower(text) {
	case "male", "m":
		return "M"
	case "female", "f":
		return "F"
	}
	return "N"
}

// Skipped returns the record of a person the source sent but who cannot be imported: the
// source id, whatever name and email cells are known (so the preview can say who it is)
// and the admin-facing reason. It never carries other cells: a skipped record changes nothing.
func Skipped(row int, sourceID, reason string, first, last, email string) directory.Record {
	var cells [directory.NumFields]directory.Value
	for _, c := range []struct {
		f    directory.Field
		text string
	}{{directory.FirstName, first}, {directory.LastName, last}, {directory.Email, email}} {
		if text := strings.TrimSpace(c.text); text != "" {
			cells[c.f] = directory.SetValue(directory.Clip(text))
		}
	}
	return directory.Record{Row: row, SourceID: sourceID, Skip: reason, Cells: directory.PackCells(&cells)}
}

// WorkEmailSkip says why an email cannot identify a person ("" when it can): missing or not
// an address. what names the field as the HR system calls it ("work email", "email").
func WorkEmailSkip(what, email string, state ValueState) string {
	if state != Present {
		return "no " + what
	}
	if !directory.ValidEmail(email) {
		return "invalid " + what + " " + strconv.Quote(directory.Clip(email))
	}
	return ""
}

// SkipDuplicateIDs turns every record whose SourceID another record also has into a skipped
// one ("two people share id 12"): the source contradicts itself, so neither may change
// anyone, but both were sent and so neither person is missing. It returns how many it skipped.
func SkipDuplicateIDs(records []directory.Record) int {
	count := make(map[string]int, len(records))
	for _, r := range records {
		if r.SourceID != "" {
			count[r.SourceID]++
		}
	}
	skipped := 0
	for i, r := range records {
		n := count[r.SourceID]
		if r.SourceID == "" || n < 2 || r.Skip != "" {
			continue
		}
		first, last, email := r.Cells.Get(directory.FirstName).Text, r.Cells.Get(directory.LastName).Text, r.Cells.Get(directory.Email).Text
		reason := fmt.Sprintf("two people share id %s", r.SourceID)
		if n > 2 {
			reason = fmt.Sprintf("%d people share id %s", n, r.SourceID)
		}
		records[i] = Skipped(r.Row, r.SourceID, reason, first, last, email)
		skipped++
	}
	return skipped
}

// RequireImportable marks the records that share an HR id as skipped, or returns refusal
// when no record can be imported at all: then the credentials cannot read the work emails,
// and a sync must not go on as if the company had nobody.
func RequireImportable(records []directory.Record, refusal error) error {
	if CountSkipped(records) == len(records) {
		return refusal
	}
	SkipDuplicateIDs(records)
	return nil
}

// CountSkipped is how many records carry a Skip reason.
func CountSkipped(records []directory.Record) int {
	n := 0
	for _, r := range records {
		if r.Skip != "" {
			n++
		}
	}
	return n
}

// SameName reports whether a preferred name says nothing beyond the legal name: it is
// "first last" (or "last first", or just the first name), ignoring case and spacing.
func SameName(preferred, first, last string) bool {
	p := strings.Join(strings.Fields(strings.ToLower(preferred)), " ")
	f := strings.Join(strings.Fields(strings.ToLower(first)), " ")
	l := strings.Join(strings.Fields(strings.ToLower(last)), " ")
	return p == strings.TrimSpace(f+" "+l) || p == strings.TrimSpace(l+" "+f) || (f != "" && p == f)
}
