package directory

import (
	"fmt"
	"net/mail"
	"strings"
)

// Canonical enum spellings (import-rules.md section 1).
var (
	genders = map[string]string{
		"m": "M", "male": "M", "man": "M",
		"f": "F", "female": "F", "woman": "F",
		"n": "N", "non-binary": "N", "nonbinary": "N", "non binary": "N", "diverse": "N",
	}
	employmentTypes  = canonicalSet("Full-time", "Part-time", "Intern", "Contractor", "Furloughed", "Casual", "Seasonal", "Temporary")
	terminationTypes = canonicalSet("Voluntary", "Involuntary")
	statuses         = map[string]string{"active": "Active", "true": "Active", "inactive": "Inactive", "false": "Inactive", "pending": "Pending"}
)

func canonicalSet(values ...string) map[string]string {
	set := make(map[string]string, len(values))
	for _, v := range values {
		set[strings.ToLower(v)] = v
	}
	return set
}

// canonicalSpellings are the stored forms of every enum: the common case, looked up
// without lower-casing (which allocates).
var canonicalSpellings = func() map[Field]map[string]bool {
	out := map[Field]map[string]bool{}
	for f, set := range map[Field]map[string]string{Gender: genders, EmploymentType: employmentTypes, TerminationType: terminationTypes, Status: statuses} {
		out[f] = map[string]bool{}
		for _, v := range set {
			out[f][v] = true
		}
	}
	return out
}()

// Status values as stored.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
	// StatusPending is a person who has not started yet (hire date in the future): not
	// active, not billable, no password email; a sync activates them on their hire date.
	StatusPending = "Pending"
)

// CanonicalValue checks a non-empty, trimmed value of field f and returns its stored form.
// It returns a Problem (severity error) when the value is not allowed.
func CanonicalValue(f Field, value string) (string, *Problem) {
	bad := func(code, what string) (string, *Problem) {
		return "", &Problem{Severity: SeverityError, Code: code, Field: f, Value: Clip(value),
			Message: fmt.Sprintf("%s (column %s): %q %s", f.Header(), f.Column(), Clip(value), what)}
	}
	lookup := func(set map[string]string, code, allowed string) (string, *Problem) {
		if canonicalSpellings[f][value] {
			return value, nil
		}
		if v, ok := set[strings.ToLower(value)]; ok {
			return v, nil
		}
		return bad(code, "is not allowed; use "+allowed)
	}
	if i := controlCharacter(value); i >= 0 {
		// The value is shown without its control characters: they cannot be stored or printed.
		shown := Clip(strings.Map(func(r rune) rune {
			if r < 0x80 && isControl(byte(r)) {
				return -1
			}
			return r
		}, value))
		return "", &Problem{Severity: SeverityError, Code: "control_character", Field: f, Value: shown,
			Message: fmt.Sprintf("%s (column %s): %q contains the control character U+%04X; remove it", f.Header(), f.Column(), shown, value[i])}
	}
	switch f {
	case Gender:
		return lookup(genders, "invalid_gender", "one of M, F or N")
	case EmploymentType:
		return lookup(employmentTypes, "invalid_employment_type", "one of Full-time, Part-time, Intern, Contractor, Furloughed, Casual, Seasonal or Temporary")
	case TerminationType:
		return lookup(terminationTypes, "invalid_termination_type", "Voluntary or Involuntary")
	case Status:
		return lookup(statuses, "invalid_status", "Active, Inactive or Pending (True/False also work), or leave it blank")
	case Email, ManagerEmail, SecondaryManagerEmail, AltEmail:
		if !ValidEmail(value) {
			return bad("invalid_email", "is not a valid email address")
		}
		return value, nil
	case HireDate, LeavingDate:
		if !ValidISODate(value) {
			return bad("invalid_date", "is not a date; use YYYY-MM-DD")
		}
		return value, nil
	}
	return value, nil
}

// ValidISODate reports whether s is a calendar date written YYYY-MM-DD, as time.Parse with
// time.DateOnly accepts it. It checks by hand: every date cell of every row passes here,
// and time.Parse cost more than the rest of the row's checks.
func ValidISODate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	number := func(digits string) (int, bool) {
		n := 0
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, okYear := number(s[:4])
	month, okMonth := number(s[5:7])
	day, okDay := number(s[8:])
	return okYear && okMonth && okDay && ValidDate(year, month, day)
}

// ValidDate reports whether the day exists in the (proleptic Gregorian) calendar.
func ValidDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return day <= 29
		}
		return day <= 28
	case 4, 6, 9, 11:
		return day <= 30
	}
	return day <= 31
}

// ValidEmail reports whether s is a plain email address (no display name, one @, a dot in the domain).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 {
		return false
	}
	// simpleEmail refuses spaces, quotes and angle brackets itself.
	if simpleEmail(s) {
		return true
	}
	if strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// simpleEmail accepts the everyday address (ASCII dot-atoms: letters, digits and the usual
// symbols before the @, letters, digits and hyphens in dot-separated labels after it) without
// the allocations of net/mail; anything else goes to the full parser. It accepts only
// addresses that the full parser accepts too.
func simpleEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	prev := byte('.')
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
		case !localPartChars[c]:
			return false
		}
		prev = c
	}
	if prev == '.' {
		return false
	}
	dots := 0
	prev = '.'
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		switch {
		case c == '.':
			if prev == '.' {
				return false
			}
			dots++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
		prev = c
	}
	return dots > 0 && prev != '.'
}

// localPartChars are the bytes simpleEmail accepts before the @ besides dots: letters,
// digits and the symbols of an RFC 5322 dot-atom.
var localPartChars = func() (set [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		set[c], set[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		set[c] = true
	}
	for _, c := range []byte("!#$%&'*+/=?^_`{|}~-") {
		set[c] = true
	}
	return set
}()

// controlCharacter returns the index of the first control character in s other than tab,
// line feed and carriage return (names may span lines), or -1.
func controlCharacter(s string) int {
	for i := 0; i < len(s); i++ {
		if isControl(s[i]) {
			return i
		}
	}
	return -1
}

func isControl(b byte) bool {
	return (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f
}
