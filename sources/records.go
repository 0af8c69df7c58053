package sources

import (
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
