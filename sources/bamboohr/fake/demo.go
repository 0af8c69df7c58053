package fake

// DemoPeople is a 25-person company with a three-level reporting tree: 23 active people, one
// who left (Inactive, with a termination date) and one contractor without a work email
// (which a sync skips).
func DemoPeople() []Person {
	type row struct {
		id, number, first, last, preferred, gender, title, department, division, location, supervisor, hired string
	}
	rows := []row{
		{"101", "E001", "Ada", "Lovelace", "", "Female", "Chief Executive Officer", "Management", "Headquarters", "London", "", "2015-03-02"},
		{"102", "E002", "Grace", "Hopper", "", "Female", "Chief Technology Officer", "Engineering", "Platform", "New York", "101", "2015-06-15"},
		{"103", "E003", "Charles", "Babbage", "Charlie", "Male", "Chief Financial Officer", "Finance", "Headquarters", "London", "101", "2016-01-11"},
		{"104", "E004", "Katherine", "Johnson", "Kathy", "Female", "VP Sales", "Sales", "Revenue", "Berlin", "101", "2016-09-01"},
		{"105", "E005", "Alan", "Turing", "", "Male", "Head of People", "People", "Headquarters", "London", "101", "2017-02-20"},
		{"106", "E006", "Linus", "Torvalds", "", "Male", "Engineering Manager", "Engineering", "Platform", "Berlin", "102", "2017-05-08"},
		{"107", "E007", "Margaret", "Hamilton", "Maggie", "Female", "Engineering Manager", "Engineering", "Apps", "New York", "102", "2017-07-03"},
		{"108", "E008", "Dennis", "Ritchie", "", "Male", "Senior Engineer", "Engineering", "Platform", "Berlin", "106", "2018-01-15"},
		{"109", "E009", "Barbara", "Liskov", "", "Female", "Senior Engineer", "Engineering", "Platform", "Berlin", "106", "2018-04-03"},
		{"110", "E010", "Ken", "Thompson", "", "Male", "Engineer", "Engineering", "Platform", "Remote", "106", "2019-09-16"},
		{"111", "E011", "Frances", "Allen", "Fran", "Female", "Engineer", "Engineering", "Apps", "New York", "107", "2019-11-04"},
		{"112", "E012", "Edsger", "Dijkstra", "", "Male", "Engineer", "Engineering", "Apps", "Amsterdam", "107", "2020-02-03"},
		{"113", "E013", "Radia", "Perlman", "", "Female", "Engineer", "Engineering", "Apps", "Remote", "107", "2020-06-01"},
		{"114", "E014", "Sam", "Rivera", "", "Non-binary", "Designer", "Engineering", "Apps", "New York", "107", "2021-03-15"},
		{"115", "E015", "Hedy", "Lamarr", "", "Female", "Accountant", "Finance", "Headquarters", "London", "103", "2018-08-20"},
		{"116", "E016", "John", "Napier", "", "Male", "Controller", "Finance", "Headquarters", "London", "103", "2019-01-07"},
		{"117", "E017", "Mary", "Somerville", "", "Female", "Account Executive", "Sales", "Revenue", "Berlin", "104", "2019-05-13"},
		{"118", "E018", "Claude", "Shannon", "", "Male", "Account Executive", "Sales", "Revenue", "Berlin", "104", "2020-10-05"},
		{"119", "E019", "Emmy", "Noether", "", "Female", "Sales Development Rep", "Sales", "Revenue", "Paris", "104", "2022-01-10"},
		{"120", "E020", "Tim", "Berners-Lee", "", "Male", "Account Executive", "Sales", "Revenue", "Paris", "104", "2022-04-19"},
		{"121", "E021", "Sophie", "Wilson", "", "", "People Partner", "People", "Headquarters", "London", "105", "2021-07-01"},
		{"122", "E022", "Donald", "Knuth", "Don", "Male", "Recruiter", "People", "Headquarters", "Remote", "105", "2022-09-12"},
		{"123", "E023", "Jean", "Sammet", "", "Female", "Engineer", "Engineering", "Platform", "Berlin", "106", "2023-02-06"},
		{"124", "E024", "Niklaus", "Wirth", "", "Male", "Engineer", "Engineering", "Apps", "Amsterdam", "107", "2019-03-04"},
		{"125", "E025", "Rosalind", "Franklin", "", "Female", "Contract Researcher", "Engineering", "Apps", "Remote", "107", "2024-01-08"},
	}
	people := make([]Person, len(rows))
	for i, r := range rows {
		people[i] = Person{ID: r.id, EmployeeNumber: r.number, FirstName: r.first, LastName: r.last,
			PreferredName: r.preferred, WorkEmail: emailFor(r.first, r.last), Gender: r.gender, JobTitle: r.title,
			Department: r.department, Division: r.division, Location: r.location, SupervisorID: r.supervisor,
			HireDate: r.hired, Status: "Active", EmploymentStatus: "Full-Time"}
	}
	people[23].Status, people[23].TerminationDate = "Inactive", "2024-03-31" // Niklaus left
	people[24].WorkEmail, people[24].EmploymentStatus = "", "Contractor"     // Rosalind has only a home email
	people[13].EmploymentStatus = "Part-Time"
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
		}
	}
	return string(local) + "@acme.example"
}
