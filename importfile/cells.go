package importfile

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/staffsync/staffsync/directory"
)

// normalizeCell trims spaces, non-breaking spaces and zero-width characters and returns
// the text in Unicode NFC (import-rules.md section 2). Pure ASCII, the common case, skips
// the Unicode work.
func normalizeCell(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.TrimSpace(s)
	}
	s = strings.TrimFunc(s, isBlankRune)
	// Zero-width spaces and BOMs inside a value are invisible paste noise; ZWJ/ZWNJ are
	// kept because they change how some scripts and emoji are written.
	if strings.ContainsAny(s, "\u200B\u2060\uFEFF") {
		s = strings.Map(func(r rune) rune {
			if r == '\u200B' || r == '\u2060' || r == '\uFEFF' {
				return -1
			}
			return r
		}, s)
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return s
}

func isBlankRune(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return unicode.IsSpace(r)
}

// isClearingDash reports whether a normalised cell clears its field.
func isClearingDash(s string) bool { return s == "-" || s == "\u2013" || s == "\u2014" }

// unescapeCell strips the one leading apostrophe that the export adds against formula
// injection (and that Excel users type to force text).
func unescapeCell(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}

// dateOrder is how a file writes slash and dot dates whose first two parts are both <= 12.
type dateOrder uint8

const (
	orderUnknown     dateOrder = iota // not looked at yet
	orderNoEvidence                   // no unambiguous date in the file: read MM/DD and warn
	orderMonthFirst                   // MM/DD/YYYY
	orderDayFirst                     // DD/MM/YYYY
	orderConflicting                  // the file shows both: read MM/DD and warn
)

// dateKind is the outcome of parsing one date cell.
type dateKind uint8

const (
	dateInvalid    dateKind = iota
	dateISO                 // YYYY-MM-DD (also Y/M/D with a four-digit year first)
	dateDayFirst            // unambiguous DD/MM/YY(YY)
	dateMonthFirst          // unambiguous MM/DD/YY(YY)
	dateAmbiguous           // both parts <= 12
)

// parsedDate is a date cell taken apart. For dateAmbiguous, first and second are the
// first two parts in file order.
type parsedDate struct {
	kind                dateKind
	year, first, second int
}

// parseDate reads YYYY-MM-DD (optionally followed by a time), Y/M/D, and the slash and dot
// forms of section 3. It does not check the calendar; isoDate does.
func parseDate(s string, today time.Time) parsedDate {
	if i := strings.IndexAny(s, " T"); i >= 8 && isTimeText(s[i+1:]) {
		s = s[:i]
	}
	var parts [3]string
	var sep byte
	n := 0
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if c != '-' && c != '/' && c != '.' || n == 2 || (sep != 0 && c != sep) {
			return parsedDate{}
		}
		sep = c
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	if n != 2 {
		return parsedDate{}
	}
	parts[2] = s[start:]
	a, b, c := number(parts[0]), number(parts[1]), number(parts[2])
	if a < 0 || b < 0 || c < 0 || len(parts[1]) > 2 {
		return parsedDate{}
	}
	if len(parts[0]) == 4 { // year first: always Y-M-D
		if len(parts[2]) > 2 {
			return parsedDate{}
		}
		return parsedDate{kind: dateISO, year: a, first: b, second: c}
	}
	if sep == '-' || len(parts[0]) > 2 || (len(parts[2]) != 2 && len(parts[2]) != 4) {
		return parsedDate{}
	}
	year := c
	if len(parts[2]) == 2 {
		year = expandTwoDigitYear(c, today)
	}
	switch {
	case a > 12 && b > 12:
		return parsedDate{}
	case a > 12:
		return parsedDate{kind: dateDayFirst, year: year, first: a, second: b}
	case b > 12:
		return parsedDate{kind: dateMonthFirst, year: year, first: a, second: b}
	}
	return parsedDate{kind: dateAmbiguous, year: year, first: a, second: b}
}

// isoDate returns the date as YYYY-MM-DD when it exists in the calendar.
func isoDate(year, month, day int) (string, bool) {
	if year < 1 || year > 9999 || !directory.ValidDate(year, month, day) {
		return "", false
	}
	return string(appendISODate(make([]byte, 0, 10), year, month, day)), true
}

// appendISODate writes YYYY-MM-DD by hand: dates are on the hot path of every row, and
// fmt costs more than the rest of the cell's work.
func appendISODate(b []byte, year, month, day int) []byte {
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append(b, byte('0'+month/10), byte('0'+month%10), '-')
	return append(b, byte('0'+day/10), byte('0'+day%10))
}

// expandTwoDigitYear: 00..(this year+1) are 20YY, the rest 19YY.
func expandTwoDigitYear(yy int, today time.Time) int {
	if yy <= today.Year()%100+1 {
		return 2000 + yy
	}
	return 1900 + yy
}

func number(s string) int {
	if s == "" || len(s) > 4 {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// isTimeText accepts the time part of a date-time such as "00:00:00", "0:00", "00:00:00Z"
// or "12:00 AM".
func isTimeText(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' || !strings.Contains(s, ":") {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789:.,+-ZzAaPpMm ", r) {
			return false
		}
	}
	return true
}
