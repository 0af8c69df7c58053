// Acme-like test data for the end-to-end tests: a company of 59 people, and a second export
// with 13 changes among 49 unchanged rows (the preview the issue describes).
const header = "First Name,Last Name,Gender,Title,Login Email,Manager Email,Department,Team,Location,Employee ID,Hiring Date,Alternative Email,Secondary Manager Email,Preferred Name,Leaving Date,Termination Type,Employment Type,Active / Account Status";

const firsts = ["Ida", "Joe", "Lea", "Omar", "Ravi", "Sara", "Tom", "Uma", "Vera", "Will", "Xena", "Yara", "Zane", "Abe", "Bea", "Cal", "Dina", "Eli", "Faye", "Gus"];
const lasts = ["Berg", "Smith", "Roux", "Haddad", "Iyer", "Costa", "Novak", "Patel", "Lind", "Ortiz", "Quinn", "Stone"];
const departments = ["Engineering", "Sales", "Operations", "Finance"];
const locations = ["Berlin", "Lisbon", "Toronto"];

export interface AcmePerson {
  first: string;
  last: string;
  title: string;
  email: string;
  manager: string;
  department: string;
  team: string;
  location: string;
  status: string;
}

function csvRow(p: AcmePerson, i: number): string {
  return [p.first, p.last, "", p.title, p.email, p.manager, p.department, p.team, p.location, `ACME-${String(i + 1).padStart(3, "0")}`, "2020-01-06", "", "", "", "", "", "Full-time", p.status].join(",");
}

export function acmePeople(): AcmePerson[] {
  const people: AcmePerson[] = [];
  const ceo = { first: "Ada", last: "Acme", title: "Chief Executive Officer", email: "ada.acme@acme.example", manager: "", department: "Executive", team: "Leadership", location: "Berlin", status: "Active" };
  people.push(ceo);
  for (let d = 0; d < 4; d++) {
    people.push({ first: firsts[d], last: lasts[d], title: "Director", email: `${firsts[d]}.${lasts[d]}@acme.example`.toLowerCase(), manager: ceo.email, department: departments[d], team: "Leadership", location: locations[d % 3], status: "Active" });
  }
  for (let i = 0; people.length < 59; i++) {
    const first = firsts[(i + 4) % firsts.length];
    const last = lasts[(i * 7 + 3) % lasts.length];
    const d = i % 4;
    people.push({
      first, last,
      title: i === 0 ? "Director" : "Specialist",
      email: `${first}.${last}${i}@acme.example`.toLowerCase(),
      manager: people[1 + d].email,
      department: departments[d],
      team: i === 1 ? "Platform" : `Team ${d + 1}`,
      location: locations[i % 3],
      status: "Active",
    });
  }
  return people;
}

export function acmeFile(people: AcmePerson[]): string {
  return [header, ...people.map(csvRow)].join("\n") + "\n";
}

/** The second export: 3 new, 6 updated, 2 deactivated, 2 errors (a reporting loop), 49 unchanged. */
export function acmeChanges(base: AcmePerson[]): { file: string; people: AcmePerson[] } {
  const p = base.map((x) => ({ ...x }));
  p[5].title = "Senior Director"; // one field: "Title: Director → Senior Director"
  p[6].team = "-"; // cleared
  p[7].manager = p[2].email; // manager change, shown by name
  p[8].department = p[8].department === "Finance" ? "Sales" : "Finance";
  p[8].location = "Toronto";
  p[9].location = "Lisbon" === p[9].location ? "Berlin" : "Lisbon";
  p[10].title = "Senior Specialist";
  p[11].status = "Inactive";
  p[12].status = "Inactive";
  p[13].manager = p[14].email; // a reporting loop: both rows are errors
  p[14].manager = p[13].email;
  const kept = { ...p[15], title: "" }; // a blank cell keeps the title
  const rows = p.map((x, i) => (i === 15 ? kept : x));
  const added: AcmePerson[] = [
    { first: "Nina", last: "Neu", title: "Engineer", email: "nina.neu@acme.example", manager: p[1].email, department: "Engineering", team: "Team 1", location: "Berlin", status: "Active" },
    { first: "Otto", last: "Ost", title: "Analyst", email: "otto.ost@acme.example", manager: p[4].email, department: "Finance", team: "Team 4", location: "Lisbon", status: "Active" },
    { first: "Pia", last: "Park", title: "Recruiter", email: "pia.park@acme.example", manager: p[3].email, department: "Operations", team: "Team 3", location: "Toronto", status: "Active" },
  ];
  const all = [...rows, ...added];
  return { file: [header, ...all.map((x, i) => csvRow(x, i < rows.length ? i : 100 + i))].join("\n") + "\n", people: all };
}
