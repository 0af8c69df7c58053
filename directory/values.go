package directory

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
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
	statuses         = map[string]string{"active": "Active", "true": "Active", "inactive": "Inactive", "false": "Inactive"}
)

func canonicalSet(values ...string) map[string]string {
	set := make(map[string]string, len(values))
	for _, v := range values {
		set[strings.ToLower(v)] = v
	}
	return set
}

// Status values as stored.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// CanonicalValue checks a non-empty, trimmed value of field f and returns its stored form.
// It returns a Problem (severity error) when the value is not allowed.
func CanonicalValue(f Field, value string) (string, *Problem) {
	bad := func(code, what string) (string, *Problem) {
		return "", &Problem{Severity: SeverityError, Code: code, Field: f, Value: Clip(value),
			Message: fmt.Sprintf("%s (column %s): %q %s", f.Header(), f.Column(), Clip(value), what)}
	}
	lookup := func(set map[string]string, code, allowed string) (string, *Problem) {
		if v, ok := set[strings.ToLower(value)]; ok {
			return v, nil
		}
		return bad(code, "is not allowed; use one of "+allowed)
	}
	switch f {
	case Gender:
		return lookup(genders, "invalid_gender", "M, F or N")
	case EmploymentType:
		return lookup(employmentTypes, "invalid_employment_type", "Full-time, Part-time, Intern, Contractor, Furloughed, Casual, Seasonal or Temporary")
	case TerminationType:
		return lookup(terminationTypes, "invalid_termination_type", "Voluntary or Involuntary")
	case Status:
		return lookup(statuses, "invalid_status", "Active or Inactive (True/False also work), or leave it blank")
	case Email, ManagerEmail, SecondaryManagerEmail, AltEmail:
		if !ValidEmail(value) {
			return bad("invalid_email", "is not a valid email address")
		}
		return value, nil
	case HireDate, LeavingDate:
		if _, err := time.Parse(time.DateOnly, value); err != nil {
			return bad("invalid_date", "is not a date; use YYYY-MM-DD")
		}
		return value, nil
	}
	return value, nil
}

// ValidEmail reports whether s is a plain email address (no display name, one @, a dot in the domain).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}
