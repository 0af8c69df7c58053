package importfile

import (
	"reflect"
	"testing"

	"github.com/staffsync/staffsync/directory"
)

func TestDates(t *testing.T) {
	const head = "First Name,Last Name,Login Email,Hiring Date,Leaving Date\n"
	hire := func(t *testing.T, row int, date string, problems ...directory.Problem) directory.Record {
		r := record(t, row, "first_name=A", "last_name=B", "email=a@example.com")
		if date != "" {
			r.Cells.Set(directory.HireDate, directory.SetValue(date))
		}
		return withProblems(r, problems...)
	}
	tests := []struct {
		name     string
		rows     string
		want     func(t *testing.T) []directory.Record
		warnings []string
	}{
		{"ISO", "A,B,a@example.com,2024-02-29,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2024-02-29")}
		}, nil},
		{"ISO with time", "A,B,a@example.com,2024-02-29 00:00:00,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2024-02-29")}
		}, nil},
		{"first part > 12 is DD/MM", "A,B,a@example.com,30/09/2025,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2025-09-30")}
		}, nil},
		{"second part > 12 is MM/DD", "A,B,a@example.com,09/30/2025,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2025-09-30")}
		}, nil},
		{"dots and two-digit years", "A,B,a@example.com,31.12.27,\nA,B,a@example.com,31.12.28,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2027-12-31"), hire(t, 3, "1928-12-31")}
		}, nil},
		{"ambiguous follows a later unambiguous DD/MM date in the file", "A,B,a@example.com,03/04/2024,\nA,B,a@example.com,,25/12/2024\n", func(t *testing.T) []directory.Record {
			r := hire(t, 3, "")
			r.Cells.Set(directory.LeavingDate, directory.SetValue("2024-12-25"))
			return []directory.Record{hire(t, 2, "2024-04-03"), r}
		}, nil},
		{"ambiguous follows MM/DD evidence", "A,B,a@example.com,12/31/2020,\nA,B,a@example.com,03/04/2024,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2020-12-31"), hire(t, 3, "2024-03-04")}
		}, nil},
		{"ambiguous without evidence: MM/DD and a warning", "A,B,a@example.com,03/04/2024,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2024-03-04", problem(directory.SeverityWarning, "ambiguous_date", directory.HireDate, "03/04/2024",
				`Row 2, Hiring Date (column D): "03/04/2024" was read as month/day (2024-03-04) because no other date in the file shows whether the day or the month comes first; write it as YYYY-MM-DD if that is wrong`))}
		}, nil},
		{"same day and month is not ambiguous", "A,B,a@example.com,05/05/2024,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{hire(t, 2, "2024-05-05")}
		}, nil},
		{"conflicting evidence", "A,B,a@example.com,03/04/2024,\nA,B,a@example.com,13/01/2024,\nA,B,a@example.com,01/13/2024,\n", func(t *testing.T) []directory.Record {
			return []directory.Record{
				hire(t, 2, "2024-03-04", problem(directory.SeverityWarning, "ambiguous_date", directory.HireDate, "03/04/2024",
					`Row 2, Hiring Date (column D): "03/04/2024" was read as month/day (2024-03-04) because the file's other dates use both orders; write it as YYYY-MM-DD if that is wrong`)),
				hire(t, 3, "2024-01-13"), hire(t, 4, "2024-01-13"),
			}
		}, []string{"the file's dates use both day/month and month/day order; dates such as 03/04 were read as month/day. Write dates as YYYY-MM-DD to be sure"}},
		{"invalid dates", "A,B,a@example.com,31/31/2020,\nA,B,a@example.com,2023-02-29,\nA,B,a@example.com,30-09-2025,\nA,B,a@example.com,next week,\n", func(t *testing.T) []directory.Record {
			bad := func(row int, v string) directory.Record {
				return hire(t, row, "", problem(directory.SeverityError, "invalid_date", directory.HireDate, v,
					`Row `+string(rune('0'+row))+`, Hiring Date (column D): "`+v+`" is not a date; use YYYY-MM-DD`))
			}
			return []directory.Record{bad(2, "31/31/2020"), bad(3, "2023-02-29"), bad(4, "30-09-2025"), bad(5, "next week")}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := readAllRecords([]byte(head+tt.rows), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(t); !reflect.DeepEqual(got, want) {
				t.Errorf("records:\n got %+v\nwant %+v", got, want)
			}
			if len(warnings)+len(tt.warnings) > 0 && !reflect.DeepEqual(warnings, tt.warnings) {
				t.Errorf("warnings: got %q, want %q", warnings, tt.warnings)
			}
		})
	}
}

func TestTwoDigitYearFollowsToday(t *testing.T) {
	tests := []struct {
		yy, year, want int
	}{
		{0, 2026, 2000}, {26, 2026, 2026}, {27, 2026, 2027}, {28, 2026, 1928}, {99, 2026, 1999}, {31, 2030, 2031}, {32, 2030, 1932},
	}
	for _, tt := range tests {
		today := testToday.AddDate(tt.year-testToday.Year(), 0, 0)
		if got := expandTwoDigitYear(tt.yy, today); got != tt.want {
			t.Errorf("expandTwoDigitYear(%02d) in %d = %d, want %d", tt.yy, tt.year, got, tt.want)
		}
	}
}

func TestDateFormatCodes(t *testing.T) {
	tests := map[string]bool{
		"General": false, "0": false, "0.00": false, "#,##0": false, `"TRUE";"TRUE";"FALSE"`: false, "0.00E+00": false,
		`[$€-407] #,##0.00`: false, `#,##0 "days"`: false, "@": false,
		"yyyy-mm-dd": true, `yyyy\-mm\-dd`: true, "dd.mm.yyyy": true, "m/d/yy": true, "[$-409]mmmm d, yyyy;@": true,
		"[h]:mm": true, "hh:mm": true, "d-mmm": true,
	}
	for code, want := range tests {
		if got := isDateFormatCode(code); got != want {
			t.Errorf("isDateFormatCode(%q) = %v, want %v", code, got, want)
		}
	}
}
