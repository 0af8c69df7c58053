package activities

import (
	"fmt"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/staffsync/staffsync/sources"
)

// today is the date hire dates are compared with: the UTC date, so every worker agrees
// whatever its own time zone.
func (a *Activities) today() string {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	return now().UTC().Format(time.DateOnly)
}

// maxRunWarnings caps the warnings an HR source adds to one run; they come from outside.
const maxRunWarnings = 50

// runWarnings are the admin-facing warnings of an HR fetch: how many records the source
// sent but could not import (each is listed in the preview with its reason), and the
// source's own run warnings (WarningReporter), cut to a sane size.
func runWarnings(kind string, src sources.RecordSource, records []directory.Record) []string {
	var out []string
	skipped := 0
	for i := range records {
		if records[i].Skip != "" {
			skipped++
		}
	}
	if skipped > 0 {
		out = append(out, fmt.Sprintf(
			"%d %s sent by %s could not be imported (see \"not imported from the source\" in the preview for each reason); they are not deactivated",
			skipped, plural(skipped, "person", "people"), sourceName(kind)))
	}
	if wr, ok := src.(sources.WarningReporter); ok {
		for _, w := range wr.Warnings() {
			if len(out) >= maxRunWarnings {
				out = append(out, "more warnings were left out")
				break
			}
			out = append(out, clipWarning(w))
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// clipWarning cuts a source's warning to warningLimit characters.
func clipWarning(w string) string {
	const warningLimit = 500
	if r := []rune(w); len(r) > warningLimit {
		return string(r[:warningLimit-1]) + "…"
	}
	return w
}

// sourceName is how admins know an HR system.
func sourceName(kind string) string {
	switch kind {
	case "bamboohr":
		return "BambooHR"
	case "personio":
		return "Personio"
	}
	return kind
}
