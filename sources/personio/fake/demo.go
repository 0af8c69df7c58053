package fake

// DemoPeople is a 25-person company with a three-level reporting tree. Statuses cover every
// Personio value (onboarding, active, leave, inactive); one freelancer is external, one
// preferred name is just the full name (as in Personio's own example) and one person has no
// email (a sync skips them).
func DemoPeople() []Person {
	type row struct {
		id                                                  int
		first, last, preferred, gender, position            string
		department, office, team, hired, status, employment string
		supervisor                                          int
	}
	rows := []row{
		{1, "Alexander", "Bergmann", "Alex", "male", "Managing Director", "Management", "Munich", "", "2014-11-09", "active", "internal", 0},
		{2, "Lena", "Fischer", "Lena Fischer", "female", "Head of Engineering", "Engineering", "Munich", "Platform", "2015-04-01", "active", "internal", 1},
		{3, "Jonas", "Weber", "", "male", "Head of Sales", "Sales", "Berlin", "", "2015-09-15", "active", "internal", 1},
		{4, "Miriam", "Schulz", "Miri", "female", "Head of People", "People", "Munich", "", "2016-02-01", "active", "internal", 1},
		{5, "Kai", "Neumann", "", "diverse", "Head of Finance", "Finance", "Madrid", "", "2016-06-01", "active", "internal", 1},
		{6, "Sofia", "Keller", "", "female", "Engineering Lead", "Engineering", "Munich", "Platform", "2017-01-09", "active", "internal", 2},
		{7, "Paul", "Wagner", "", "male", "Engineering Lead", "Engineering", "Amsterdam", "Apps", "2017-03-01", "active", "internal", 2},
		{8, "Marie", "Becker", "", "female", "Software Engineer", "Engineering", "Munich", "Platform", "2018-05-02", "active", "internal", 6},
		{9, "Felix", "Hoffmann", "", "male", "Software Engineer", "Engineering", "Munich", "Platform", "2018-10-01", "leave", "internal", 6},
		{10, "Emma", "Schäfer", "", "female", "Software Engineer", "Engineering", "Amsterdam", "Apps", "2019-01-14", "active", "internal", 7},
		{11, "Noah", "Koch", "", "male", "Software Engineer", "Engineering", "Amsterdam", "Apps", "2019-07-01", "active", "internal", 7},
		{12, "Mia", "Richter", "", "female", "QA Engineer", "Engineering", "Amsterdam", "Apps", "2020-02-03", "active", "internal", 7},
		{13, "Luca", "Klein", "", "male", "Freelance Developer", "Engineering", "Remote", "Apps", "2023-05-15", "active", "external", 7},
		{14, "Hannah", "Wolf", "", "female", "Account Executive", "Sales", "Berlin", "", "2018-03-01", "active", "internal", 3},
		{15, "Elias", "Schröder", "", "male", "Account Executive", "Sales", "Berlin", "", "2019-09-02", "active", "internal", 3},
		{16, "Lea", "Neumann", "", "female", "Sales Development Rep", "Sales", "Madrid", "", "2021-01-04", "active", "internal", 3},
		{17, "Ben", "Schwarz", "", "male", "Sales Development Rep", "Sales", "Madrid", "", "2022-06-01", "active", "internal", 3},
		{18, "Clara", "Zimmermann", "", "female", "People Partner", "People", "Munich", "", "2019-04-01", "active", "internal", 4},
		{19, "Finn", "Braun", "", "male", "Recruiter", "People", "Berlin", "", "2021-08-16", "active", "internal", 4},
		{20, "Laura", "Krüger", "", "female", "Accountant", "Finance", "Madrid", "", "2020-10-01", "active", "internal", 5},
		{21, "Jan", "Hofmann", "", "male", "Controller", "Finance", "Munich", "", "2018-01-02", "active", "internal", 5},
		{22, "Sarah", "Hartmann", "", "female", "Software Engineer", "Engineering", "Munich", "Platform", "2027-02-01", "onboarding", "internal", 6},
		{23, "Tim", "Lange", "", "male", "Software Engineer", "Engineering", "Munich", "Platform", "2017-08-01", "inactive", "internal", 6},
		{24, "Julia", "Werner", "Jule", "female", "Designer", "Engineering", "Amsterdam", "Apps", "2020-09-01", "active", "internal", 7},
		{25, "Max", "Krause", "", "male", "Working Student", "Sales", "Berlin", "", "2024-04-01", "active", "internal", 3},
	}
	people := make([]Person, len(rows))
	for i, r := range rows {
		people[i] = Person{ID: r.id, FirstName: r.first, LastName: r.last, PreferredName: r.preferred,
			Email: emailFor(r.first, r.last), Gender: r.gender, Status: r.status, Position: r.position,
			EmploymentType: r.employment, HireDate: r.hired, Department: r.department, Office: r.office,
			Team: r.team, SupervisorID: r.supervisor}
	}
	people[22].TerminationDate, people[22].TerminationType = "2024-06-30", "Resignation" // Tim left
	people[24].Email = ""                                                                // Max has no company email yet
	return people
}

func emailFor(first, last string) string {
	local := []rune{}
	for _, r := range first + "." + last {
		switch {
		case r >= 'A' && r <= 'Z':
			local = append(local, r+'a'-'A')
		case r >= 'a' && r <= 'z', r == '.':
			local = append(local, r)
		case r == 'ä':
			local = append(local, 'a', 'e')
		case r == 'ö':
			local = append(local, 'o', 'e')
		case r == 'ü':
			local = append(local, 'u', 'e')
		}
	}
	return string(local) + "@globex.example"
}
