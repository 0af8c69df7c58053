package directory

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// hintScanLimit bounds the work of the hints that compare names: above this many new
// people (or unknown manager emails) in one file they are not worked out. Such files are
// migrations of whole directories, where the hints would be noise anyway.
const hintScanLimit = 100_000

// hintAllRowsLimit: up to this many rows, existing people of the file are compared by name
// too (two accounts of one person, both in the file); above it only new people are.
const hintAllRowsLimit = 10_000

// suggestedGroups is how many unknown managers (those with the most rows) get a likely person.
const suggestedGroups = 20

// PreviewHints finds what the seeds' troubleshooting describes, across the rows of an
// import planned against dir: manager emails nobody has (grouped by email, with the
// person likely meant), email domains none of the company's people use, and people with
// the same name but different emails (possible duplicates). It is pure and linear in the
// records; the caller stores the hints with the preview.
func PreviewHints(dir *Snapshot, records []Record) []Hint {
	var hints []Hint
	hints = append(hints, unknownManagerHints(dir, records)...)
	hints = append(hints, uncommonDomainHints(dir, records)...)
	hints = append(hints, duplicateHints(dir, records)...)
	if len(hints) > MaxHints {
		hints = hints[:MaxHints]
	}
	return hints
}

func recordName(dir *Snapshot, rec *Record) string {
	first := dir.cell(rec, FirstName).Text
	if p := dir.cell(rec, PreferredName); p.Op == Set && p.Text != "" {
		first = p.Text
	}
	return strings.TrimSpace(first + " " + dir.cell(rec, LastName).Text)
}

func personName(dir *Snapshot, n int32) string {
	first := dir.value(n, FirstName)
	if p := dir.value(n, PreferredName); p != "" {
		first = p
	}
	return strings.TrimSpace(first + " " + dir.value(n, LastName))
}

// nameKey compares names without case, accents' case, punctuation or extra spaces.
func nameKey(name string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// localTokens splits an email's local part into words: "joe.smith" -> [joe smith].
func localTokens(email string) []string {
	local, _, _ := strings.Cut(email, "@")
	return strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func domainOf(email string) string {
	_, domain, ok := strings.Cut(NormalizeEmail(email), "@")
	if !ok {
		return ""
	}
	return domain
}

type hintCandidate struct {
	person HintPerson
	name   string
	email  string
}

// likelyMeant tells whether a candidate is probably the person an unknown email means:
// the same local part (another domain), or a local part made of the candidate's name
// ("joe" or "joe.smith" for Joe Smith, "jsmith"), or the candidate's local part starts
// with the unknown one ("joe" -> "joe.smith").
func likelyMeant(unknown string, c hintCandidate) bool {
	uLocal, _, _ := strings.Cut(unknown, "@")
	cLocal, _, _ := strings.Cut(c.email, "@")
	if uLocal == "" || cLocal == "" {
		return false
	}
	if uLocal == cLocal || strings.HasPrefix(cLocal, uLocal+".") || strings.HasPrefix(cLocal, uLocal+"_") {
		return true
	}
	words := strings.Fields(c.name)
	if len(words) == 0 {
		return false
	}
	u := strings.Join(localTokens(unknown), "")
	first, last := words[0], words[len(words)-1]
	for _, form := range []string{first, first + last, last + first, string([]rune(first)[:1]) + last} {
		if u == form {
			return true
		}
	}
	return false
}

func unknownManagerHints(dir *Snapshot, records []Record) []Hint {
	type group struct {
		email string
		rows  []int
		count int
	}
	groups := map[string]*group{}
	for i := range records {
		rec := &records[i]
		if rec.ManagerSourceID != "" || rec.Skip != "" {
			continue
		}
		for _, f := range []Field{ManagerEmail, SecondaryManagerEmail} {
			c := dir.cell(rec, f)
			if c.Op != Set || c.Text == "" {
				continue
			}
			email := NormalizeEmail(c.Text)
			if _, ok := dir.personByEmail(email); ok {
				continue
			}
			g := groups[email]
			if g == nil {
				if len(groups) >= hintScanLimit {
					continue
				}
				g = &group{email: email}
				groups[email] = g
			}
			g.count++
			if len(g.rows) < MaxHintRows && (len(g.rows) == 0 || g.rows[len(g.rows)-1] != rec.Row) {
				g.rows = append(g.rows, rec.Row)
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	// A manager who is a row of the file is not unknown.
	for i := range records {
		delete(groups, NormalizeEmail(dir.cell(&records[i], Email).Text))
	}
	if len(groups) == 0 {
		return nil
	}
	var fileCandidates []hintCandidate
	for i := range records {
		rec := &records[i]
		email := NormalizeEmail(dir.cell(rec, Email).Text)
		if len(fileCandidates) < hintScanLimit {
			if _, known := dir.personByEmail(email); !known && email != "" {
				name := recordName(dir, rec)
				fileCandidates = append(fileCandidates, hintCandidate{person: HintPerson{Email: email, Name: name, Row: rec.Row}, name: nameKey(name), email: email})
			}
		}
	}
	var out []Hint
	ordered := make([]*group, 0, len(groups))
	for _, g := range groups {
		ordered = append(ordered, g)
	}
	slices.SortFunc(ordered, func(a, b *group) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.email, b.email))
	})
	if len(ordered) > MaxHints {
		ordered = ordered[:MaxHints]
	}
	// One pass over the directory and the file's new people finds the likely person of
	// every group (at most 3 each), so a large directory is read once, not once a group.
	likely := make([][]HintPerson, len(ordered))
	consider := func(c hintCandidate) {
		for i, g := range ordered[:min(len(ordered), suggestedGroups)] {
			if len(likely[i]) < 3 && likelyMeant(g.email, c) {
				likely[i] = append(likely[i], c.person)
			}
		}
	}
	for n := range dir.people {
		n := int32(n)
		if !dir.people[n].active {
			continue
		}
		name := personName(dir, n)
		email := dir.value(n, Email)
		consider(hintCandidate{person: HintPerson{ID: dir.people[n].id, Email: email, Name: name}, name: nameKey(name), email: NormalizeEmail(email)})
	}
	for _, c := range fileCandidates {
		consider(c)
	}
	for i, g := range ordered {
		likely := likely[i]
		rows := hintPlural(g.count, "row names", "rows name")
		msg := fmt.Sprintf("%d %s the manager %s, who is not in the directory or the file", g.count, rows, g.email)
		if len(likely) > 0 {
			var names []string
			for _, p := range likely {
				names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.Email))
			}
			msg += "; did you mean " + strings.Join(names, " or ") + "? Use the same email for a person everywhere"
		} else {
			msg += "; add them first or correct the email"
		}
		out = append(out, Hint{Code: HintUnknownManager, Message: msg, Value: g.email, Rows: g.rows, RowCount: g.count, People: likely})
	}
	return out
}

func uncommonDomainHints(dir *Snapshot, records []Record) []Hint {
	known := map[string]int{}
	for n := range dir.people {
		known[domainOf(dir.value(int32(n), Email))]++
	}
	type group struct {
		rows  []int
		count int
	}
	fileDomains := map[string]*group{}
	total := 0
	for i := range records {
		rec := &records[i]
		c := dir.cell(rec, Email)
		if c.Op != Set || rec.Skip != "" {
			continue
		}
		d := domainOf(c.Text)
		if d == "" {
			continue
		}
		total++
		g := fileDomains[d]
		if g == nil {
			if len(fileDomains) >= MaxHints {
				continue
			}
			g = &group{}
			fileDomains[d] = g
		}
		g.count++
		if len(g.rows) < MaxHintRows {
			g.rows = append(g.rows, rec.Row)
		}
	}
	// The usual domain: the directory's most common one, or the file's when the directory is empty.
	usual, usualCount := "", 0
	for d, n := range known {
		if n > usualCount || (n == usualCount && d < usual) {
			usual, usualCount = d, n
		}
	}
	if len(known) == 0 {
		for d, g := range fileDomains {
			if g.count > usualCount || (g.count == usualCount && d < usual) {
				usual, usualCount = d, g.count
			}
		}
	}
	var out []Hint
	for d, g := range fileDomains {
		uncommon := known[d] == 0 && len(known) > 0
		if len(known) == 0 {
			// A first import: a domain a small minority of the file uses next to a usual one.
			uncommon = d != usual && g.count*20 <= total
		}
		if !uncommon {
			continue
		}
		msg := fmt.Sprintf("%d %s the email domain %s, which none of the company's people use", g.count, hintPlural(g.count, "row uses", "rows use"), d)
		if len(known) == 0 {
			msg = fmt.Sprintf("%d %s the email domain %s, while most rows use %s", g.count, hintPlural(g.count, "row uses", "rows use"), d, usual)
		}
		if usual != "" {
			msg += fmt.Sprintf("; if these are the same people as at %s, use that domain (one login email per person)", usual)
		}
		out = append(out, Hint{Code: HintUncommonDomain, Message: msg, Value: d, Rows: g.rows, RowCount: g.count})
	}
	slices.SortFunc(out, func(a, b Hint) int { return cmp.Or(cmp.Compare(b.RowCount, a.RowCount), cmp.Compare(a.Value, b.Value)) })
	return out
}

func duplicateHints(dir *Snapshot, records []Record) []Hint {
	// Names of the file's people, with their row and directory person (if any).
	type entry struct {
		person HintPerson
		inFile bool
	}
	byName := map[string][]entry{}
	newPeople := 0
	for i := range records {
		rec := &records[i]
		if rec.Skip != "" {
			continue
		}
		email := dir.cell(rec, Email)
		if email.Op != Set || email.Text == "" {
			continue
		}
		n, known := dir.personByEmail(NormalizeEmail(email.Text))
		if known && len(records) > hintAllRowsLimit {
			// A large file's existing people: only new people are compared by name.
			continue
		}
		name := recordName(dir, rec)
		key := nameKey(name)
		if key == "" {
			continue
		}
		p := HintPerson{Email: email.Text, Name: name, Row: rec.Row}
		if known {
			p.ID = dir.people[n].id
		} else {
			newPeople++
			if newPeople > hintScanLimit {
				return nil
			}
		}
		byName[key] = append(byName[key], entry{person: p, inFile: true})
	}
	if len(byName) == 0 {
		return nil
	}
	for n := range dir.people {
		n := int32(n)
		key := nameKey(personName(dir, n))
		list, ok := byName[key]
		if !ok {
			continue
		}
		email := dir.value(n, Email)
		found := false
		for i := range list {
			if NormalizeEmail(list[i].person.Email) == NormalizeEmail(email) {
				found = true
				break
			}
		}
		if !found {
			byName[key] = append(list, entry{person: HintPerson{ID: dir.people[n].id, Email: email, Name: personName(dir, n)}})
		}
	}
	keys := make([]string, 0, len(byName))
	for k, list := range byName {
		if len(list) > 1 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []Hint
	for _, k := range keys {
		list := byName[k]
		for i := 0; i < len(list) && len(out) < MaxHints; i++ {
			for j := i + 1; j < len(list) && len(out) < MaxHints; j++ {
				a, b := list[i].person, list[j].person
				if NormalizeEmail(a.Email) == NormalizeEmail(b.Email) {
					continue // the same person twice: the planner reports that row error
				}
				var rows []int
				for _, p := range []HintPerson{a, b} {
					if p.Row != 0 {
						rows = append(rows, p.Row)
					}
				}
				msg := fmt.Sprintf("%s (%s) and %s (%s) have the same name and different emails: possibly one person with two accounts", a.Name, a.Email, b.Name, b.Email)
				if a.ID != 0 && b.ID != 0 {
					msg += "; merge them, or correct one email"
				} else {
					msg += "; if so, use the existing login email in the file"
				}
				out = append(out, Hint{Code: HintPossibleDuplicate, Message: msg, Rows: rows, RowCount: len(rows), People: []HintPerson{a, b}})
			}
		}
	}
	return out
}

func hintPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
