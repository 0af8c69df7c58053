package directory

import (
	"testing"
	"time"
)

func TestCanonicalValue(t *testing.T) {
	tests := []struct {
		field   Field
		in      string
		want    string
		code    string
		message string
	}{
		{Gender, "female", "F", "", ""},
		{Gender, "Non-Binary", "N", "", ""},
		{Gender, "M", "M", "", ""},
		{Gender, "x", "", "invalid_gender", `Gender (column C): "x" is not allowed; use one of M, F or N`},
		{EmploymentType, "part-TIME", "Part-time", "", ""},
		{EmploymentType, "Full-time", "Full-time", "", ""},
		{TerminationType, "voluntary", "Voluntary", "", ""},
		{Status, "TRUE", "Active", "", ""},
		{Status, "false", "Inactive", "", ""},
		{Status, "gone", "", "invalid_status", `Active / Account Status (column R): "gone" is not allowed; use Active, Inactive or Pending (True/False also work), or leave it blank`},
		{Email, "Ann.Lee+hr@Example.co.uk", "Ann.Lee+hr@Example.co.uk", "", ""},
		{ManagerEmail, "ann@localhost", "", "invalid_email", `Manager Email (column F): "ann@localhost" is not a valid email address`},
		{HireDate, "2024-02-29", "2024-02-29", "", ""},
		{LeavingDate, "2023-02-29", "", "invalid_date", `Leaving Date (column O): "2023-02-29" is not a date; use YYYY-MM-DD`},
		{Title, "=SUM(A1)", "=SUM(A1)", "", ""},
		{LastName, "O'Neil\nJr.", "O'Neil\nJr.", "", ""},
		{Department, "Sales\x00", "", "control_character", `Department (column G): "Sales" contains the control character U+0000; remove it`},
		{FirstName, "An\x1fna", "", "control_character", `First Name (column A): "Anna" contains the control character U+001F; remove it`},
	}
	for _, tc := range tests {
		got, prob := CanonicalValue(tc.field, tc.in)
		switch {
		case tc.code == "" && prob != nil:
			t.Errorf("%s %q: unexpected problem %v", tc.field, tc.in, prob)
		case tc.code != "" && (prob == nil || prob.Code != tc.code || prob.Message != tc.message || prob.Field != tc.field || !prob.IsError()):
			t.Errorf("%s %q: problem %+v, want %s %q", tc.field, tc.in, prob, tc.code, tc.message)
		case got != tc.want:
			t.Errorf("%s %q = %q, want %q", tc.field, tc.in, got, tc.want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	tests := map[string]bool{
		"a@b.co":                    true,
		"first.last@sub.example.de": true,
		"o'neil@x.com":              true,
		"x_y-z+tag@b-c.io":          true,
		"ünï@ex.com":                true, // through net/mail
		"":                          false,
		"plain":                     false,
		"@x.com":                    false,
		"a@":                        false,
		"a@b":                       false,
		"a@b.":                      false,
		"a..b@x.com":                false,
		".a@x.com":                  false,
		"a.@x.com":                  false,
		"a b@x.com":                 false,
		"Ann <a@x.com>":             false,
		"a@x..com":                  false,
		"a@@x.com":                  false,
		"a@x.com, b@x.com":          false,
	}
	for in, want := range tests {
		if got := ValidEmail(in); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", in, got, want)
		}
		// The fast path must never accept what the full parser refuses.
		if simpleEmail(in) && !want {
			t.Errorf("simpleEmail(%q) accepts an invalid address", in)
		}
	}
}

func TestValidISODateMatchesTimeParse(t *testing.T) {
	tests := []string{"2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "2024-04-31", "2024-12-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01", "9999-12-31", "2024-1-01", "2024/01/01",
		"2024-01-01 ", "+024-01-01", "2024-01-0a", "", "20240101", "２０２４-01-01"}
	for _, in := range tests {
		_, err := time.Parse(time.DateOnly, in)
		if got, want := ValidISODate(in), err == nil; got != want {
			t.Errorf("ValidISODate(%q) = %v, time.Parse says %v", in, got, want)
		}
	}
}

func FuzzValidISODate(f *testing.F) {
	for _, seed := range []string{"2024-02-29", "1999-11-31", "0001-01-01", "2024-1-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := time.Parse(time.DateOnly, in)
		if got, want := ValidISODate(in), err == nil; got != want {
			t.Errorf("ValidISODate(%q) = %v, time.Parse says %v", in, got, want)
		}
	})
}
