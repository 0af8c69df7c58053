package directory

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleDirectory is a varied company: managers, secondary managers, inactive and protected
// people, source ids and every kind of field.
func sampleDirectory(n int) Snapshot {
	specs := make([]personSpec, n)
	for i := range specs {
		specs[i] = personSpec{id: int64(i + 1), email: fmt.Sprintf("p%d@x.com", i), sourceID: fmt.Sprintf("S%d", i),
			values: map[Field]string{Title: []string{"", "Dev", "Lead"}[i%3], EmployeeID: fmt.Sprintf("E%d", i), Gender: []string{"M", "F", "N", ""}[i%4],
				HireDate: "2021-03-04", AltEmail: []string{"", fmt.Sprintf("alt%d@y.com", i)}[i%2], EmploymentType: []string{"Full-time", "Part-time", ""}[i%3]}}
		if i > 0 {
			specs[i].manager = int64(i/3 + 1)
		}
		if i > 5 && i%7 == 0 {
			specs[i].secondary = int64(i/5 + 1)
		}
		specs[i].inactive = i%11 == 10
		specs[i].protected = i%13 == 12
	}
	return snapshot(specs...)
}

func TestPlanExportReimportChangesNothing(t *testing.T) {
	for _, matchBy := range []MatchBy{MatchByEmail, MatchByEmployeeID} {
		s := sampleDirectory(60)
		in := Input{Directory: s, Records: exportRecords(s), Options: DefaultOptions()}
		in.Options.MatchBy = matchBy
		in.Options.DeactivateMissing = true
		plan := PlanImport(in)
		if plan.Summary != (Summary{Unchanged: 60}) || plan.GuardTripped {
			t.Fatalf("%s: summary %+v guard %v:%s", matchBy, plan.Summary, plan.GuardTripped, describe(plan))
		}
		for _, c := range plan.Changes {
			if c.Kind != KindUnchanged || len(c.Fields) > 0 || len(c.Warnings) > 0 {
				t.Fatalf("%s: row %d: %s %v %v", matchBy, c.Row, c.Kind, c.Fields, c.Warnings)
			}
		}
	}
}

// messyInput changes a sample directory in every way the rules know.
func messyInput(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := sampleDirectory(80)
	records := exportRecords(s)
	var kept []Record
	for i, r := range records {
		switch rng.IntN(12) {
		case 0:
			continue // missing
		case 1:
			r.Cells.Set(Title, SetValue("Changed"))
		case 2:
			r.Cells.Set(ManagerEmail, SetValue(fmt.Sprintf("p%d@x.com", rng.IntN(80))))
		case 3:
			r.Cells.Set(Status, SetValue("Inactive"))
		case 4:
			r.Cells.Set(Department, Value{Op: Clear})
		case 5:
			r.Cells.Set(ManagerEmail, SetValue("nobody@x.com"))
		case 6:
			r.Cells.Set(Gender, SetValue("bogus"))
		case 7:
			r.Cells.Set(Status, Value{})
		}
		r.Row = i + 2
		kept = append(kept, r)
	}
	for j := 0; j < 10; j++ {
		r := full(200+j, fmt.Sprintf("new%d@x.com", j), map[Field]string{ManagerEmail: fmt.Sprintf("new%d@x.com", rng.IntN(10)), EmployeeID: fmt.Sprintf("N%d", rng.IntN(12))})
		kept = append(kept, r)
	}
	kept = append(kept, full(300, "p3@x.com", nil)) // duplicate email
	opts := DefaultOptions()
	opts.DeactivateMissing = true
	opts.MaxDeactivations = -1
	return Input{Directory: s, Records: kept, Options: opts, ActorEmail: "p1@x.com"}
}

func TestPlanApplyThenReplanIsUnchanged(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		in := messyInput(seed)
		first := PlanImport(in)
		if first.Summary.Writes() == 0 {
			t.Fatalf("seed %d: the messy input changes nothing", seed)
		}
		in.Directory = applyPlan(t, in.Directory, first)
		second := PlanImport(in)
		for _, c := range second.Changes {
			if c.Applies() {
				t.Fatalf("seed %d: after apply, row %d %s is still %s (%s) %v:%s", seed, c.Row, c.Email, c.Kind, c.Reason, c.Fields, describe(first))
			}
		}
	}
}

func TestPlanIgnoresRecordOrder(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		in := messyInput(seed)
		want := PlanImport(in)
		shuffled := in
		shuffled.Records = append([]Record(nil), in.Records...)
		rand.New(rand.NewPCG(seed, 2)).Shuffle(len(shuffled.Records), func(i, j int) {
			shuffled.Records[i], shuffled.Records[j] = shuffled.Records[j], shuffled.Records[i]
		})
		got := PlanImport(shuffled)
		if !reflect.DeepEqual(got, want) {
			for i := range want.Changes {
				if !reflect.DeepEqual(got.Changes[i], want.Changes[i]) {
					t.Fatalf("seed %d: change %d differs:\n got %+v\nwant %+v", seed, i, got.Changes[i], want.Changes[i])
				}
			}
			t.Fatalf("seed %d: plans differ", seed)
		}
	}
}

// Records that a snapshot absorbed plan exactly like the records themselves.
func TestAbsorbedRecordsPlanTheSame(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		for _, matchBy := range []MatchBy{MatchByEmail, MatchByEmployeeID} {
			in := messyInput(seed)
			in.Options.MatchBy = matchBy
			again := in.Records[len(in.Records)/2]
			again.Row = 400 // a row twice: both copies are duplicates
			in.Records = append(in.Records, again)
			want := PlanImport(in)
			absorbed := in
			absorbed.Records = slices.Clone(in.Records)
			count := 0
			for i := range absorbed.Records {
				in.Directory.Absorb(&absorbed.Records[i])
				if absorbed.Records[i].Cells.twin != 0 {
					count++
				}
			}
			if count == 0 || count == len(in.Records) {
				t.Fatalf("seed %d: %d of %d records absorbed; the input must have both kinds", seed, count, len(in.Records))
			}
			if got, want := in.Directory.UnknownEmails(absorbed.Records), in.Directory.UnknownEmails(in.Records); !slices.Equal(got, want) {
				t.Fatalf("seed %d: unknown emails %q, want %q", seed, got, want)
			}
			got := PlanImport(absorbed)
			if !reflect.DeepEqual(got, want) {
				for i := range want.Changes {
					if !reflect.DeepEqual(got.Changes[i], want.Changes[i]) {
						t.Fatalf("seed %d, %s: change %d differs:\n got %+v\nwant %+v", seed, matchBy, i, got.Changes[i], want.Changes[i])
					}
				}
				t.Fatalf("seed %d, %s: plans differ", seed, matchBy)
			}
		}
	}
}

func TestPlanLoopAndLongChainIsLinear(t *testing.T) {
	const chain = 10_000
	// A chain of 10,000 people, each reporting to the one before; the file closes a loop
	// of three at its top, so the whole chain hangs off a loop.
	specs := make([]personSpec, chain)
	for i := range specs {
		specs[i] = personSpec{id: int64(i + 1), email: fmt.Sprintf("c%05d@x.com", i)}
		if i > 0 {
			specs[i].manager = int64(i)
		}
	}
	in := Input{Directory: snapshot(specs...), Options: DefaultOptions(), Records: []Record{
		record(2, map[Field]string{Email: "c00000@x.com", ManagerEmail: "c00002@x.com"}),
		record(3, map[Field]string{Email: fmt.Sprintf("c%05d@x.com", chain-1), Title: "Last"}),
	}}
	start := time.Now()
	plan := PlanImport(in)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("planning took %s", elapsed)
	}
	c := changeFor(t, plan, 2, "")
	wantMessage := "Manager Email (column F): this makes a reporting loop c00000@x.com -> c00002@x.com -> c00001@x.com -> c00000@x.com; change one of these managers"
	if c.Kind != KindError || len(c.Errors) != 1 || c.Errors[0].Message != wantMessage {
		t.Errorf("row 2: %s %v", c.Kind, c.Errors)
	}
	if c := changeFor(t, plan, 3, ""); c.Kind != KindUpdated {
		t.Errorf("row 3: %s %v", c.Kind, c.Errors)
	}

	// A 10,000-long loop made by one row: every message names the whole path.
	in.Records = []Record{record(2, map[Field]string{Email: "c00000@x.com", ManagerEmail: fmt.Sprintf("c%05d@x.com", chain-1)})}
	plan = PlanImport(in)
	c = changeFor(t, plan, 2, "")
	if c.Kind != KindError || len(c.Errors) != 1 ||
		!strings.HasPrefix(c.Errors[0].Message, "Manager Email (column F): this makes a reporting loop c00000@x.com -> c09999@x.com -> c09998@x.com -> ") ||
		!strings.HasSuffix(c.Errors[0].Message, " -> c00001@x.com -> c00000@x.com; change one of these managers") ||
		strings.Count(c.Errors[0].Message, " -> ") != chain {
		t.Errorf("long loop: %s, %d errors", c.Kind, len(c.Errors))
	}
}

func TestPlanRevertedLoopRowCanCloseAnotherLoop(t *testing.T) {
	// ann reports to bob today. The file makes ann -> cat -> ann (a loop); with those rows
	// failed, ann keeps bob, and bob -> ann from the file closes a second loop.
	in := Input{Directory: snapshot(personSpec{id: 1, email: "ann@x.com", manager: 2}, personSpec{id: 2, email: "bob@x.com"}, personSpec{id: 3, email: "cat@x.com"}),
		Options: DefaultOptions(), Records: []Record{
			record(2, map[Field]string{Email: "ann@x.com", ManagerEmail: "cat@x.com"}),
			record(3, map[Field]string{Email: "cat@x.com", ManagerEmail: "ann@x.com"}),
			record(4, map[Field]string{Email: "bob@x.com", ManagerEmail: "ann@x.com"}),
		}}
	plan := PlanImport(in)
	for row := 2; row <= 4; row++ {
		if c := changeFor(t, plan, row, ""); c.Kind != KindError || c.Errors[0].Code != "manager_loop" {
			t.Errorf("row %d: %s %v", row, c.Kind, c.Errors)
		}
	}
	if m := changeFor(t, plan, 4, "").Errors[0].Message; !strings.Contains(m, "ann@x.com -> bob@x.com -> ann@x.com") {
		t.Errorf("row 4 message %q", m)
	}
}

func TestPlanSafetyGuard(t *testing.T) {
	company := func(active int) []personSpec {
		specs := make([]personSpec, active)
		for i := range specs {
			specs[i] = personSpec{id: int64(i + 1), email: fmt.Sprintf("p%03d@x.com", i)}
		}
		return specs
	}
	keep := func(specs []personSpec, n int) []Record {
		records := make([]Record, n)
		for i := range records {
			records[i] = record(i+2, map[Field]string{Email: specs[i].email})
		}
		return records
	}
	tests := []struct {
		name        string
		active      int
		kept        int
		limit       int
		wantTripped bool
		wantReason  string
	}{
		{"200 people: 20 is the limit", 200, 180, 0, false, ""},
		{"200 people: 21 is over", 200, 179, 0, true, "would deactivate 21 of 200 active people (limit 20)"},
		{"30 people: at least 5", 30, 25, 0, false, ""},
		{"30 people: 6 is over 5", 30, 24, 0, true, "would deactivate 6 of 30 active people (limit 5)"},
		{"20 people: no default guard", 20, 2, 0, false, ""},
		{"explicit limit applies to small companies", 10, 7, 2, true, "would deactivate 3 of 10 active people (limit 2)"},
		{"negative turns it off", 200, 10, -1, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			specs := company(tc.active)
			in := Input{Directory: snapshot(specs...), Options: DefaultOptions(), Records: keep(specs, tc.kept)}
			in.Options.DeactivateMissing = true
			in.Options.MaxDeactivations = tc.limit
			plan := PlanImport(in)
			if plan.GuardTripped != tc.wantTripped || plan.GuardReason != tc.wantReason {
				t.Errorf("guard %v %q, want %v %q", plan.GuardTripped, plan.GuardReason, tc.wantTripped, tc.wantReason)
			}
			if plan.Summary.Deactivated != tc.active-tc.kept {
				t.Errorf("deactivated %d", plan.Summary.Deactivated)
			}
		})
	}

	// Manager changes: 25% of 40 active people is 10.
	specs := company(40)
	records := keep(specs, 40)
	for i := 1; i <= 11; i++ {
		records[i].Cells.Set(ManagerEmail, SetValue(specs[0].email))
	}
	plan := PlanImport(Input{Directory: snapshot(specs...), Options: DefaultOptions(), Records: records})
	if !plan.GuardTripped || plan.GuardReason != "would change the managers of 11 of 40 active people (limit 10)" {
		t.Errorf("manager guard %v %q", plan.GuardTripped, plan.GuardReason)
	}
}

func TestPlanOrderAndSummary(t *testing.T) {
	in := Input{Directory: snapshot(personSpec{id: 1, email: "zed@x.com"}, personSpec{id: 2, email: "amy@x.com"}, personSpec{id: 3, email: "kim@x.com"}),
		Options: DefaultOptions(), Records: []Record{full(9, "new@x.com", nil), record(4, map[Field]string{Email: "kim@x.com", Gender: "bad"})}}
	in.Options.DeactivateMissing = true
	plan := PlanImport(in)
	var got []string
	for _, c := range plan.Changes {
		got = append(got, fmt.Sprintf("%d %s %s", c.Row, c.Email, c.Kind))
	}
	want := []string{"4 kim@x.com error", "9 new@x.com new", "0 amy@x.com deactivated", "0 zed@x.com deactivated"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if plan.Summary != (Summary{New: 1, Deactivated: 2, Error: 1}) || plan.Summary.Writes() != 3 {
		t.Errorf("summary %+v", plan.Summary)
	}
	if c := plan.Changes[0]; c.PersonName() != "Kim Doe" || c.Applies() || c.PersonID != 3 {
		t.Errorf("error change %q %v %d", c.PersonName(), c.Applies(), c.PersonID)
	}
	if fc, ok := plan.Changes[2].Changed(Status); !ok || fc.New != StatusInactive {
		t.Errorf("deactivation status change %v %v", fc, ok)
	}
	if name := (Change{Row: 5}).PersonName(); name != "row 5" {
		t.Errorf("PersonName of an empty row = %q", name)
	}
	if in.Plan().Summary != plan.Summary {
		t.Errorf("Input.Plan differs from PlanImport")
	}
}

// A Draft hands out what PlanImport returns, one change at a time: the same count, ids
// for the new people before any change is worked out, and an outcome once all are yielded.
func TestDraftYieldsThePlan(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		in := messyInput(seed)
		in.Records = append(in.Records, full(0, "rowless@x.com", nil)) // rows numbered 0 go last
		plan := PlanImport(in)
		draft := Prepare(in)
		if draft.NewPeople() != plan.Summary.New || plan.Summary.New == 0 {
			t.Fatalf("seed %d: %d new people, plan has %d", seed, draft.NewPeople(), plan.Summary.New)
		}
		if draft.Len() != len(plan.Changes) {
			t.Fatalf("seed %d: Len %d, plan has %d changes", seed, draft.Len(), len(plan.Changes))
		}
		ids := make([]int64, draft.NewPeople())
		for k := range ids {
			ids[k] = int64(1000 + k)
		}
		draft.AssignIDs(ids)
		idOf := map[string]int64{} // email -> id, for the manager ids
		for p := range in.Directory.All() {
			idOf[NormalizeEmail(p.Values[Email])] = p.ID
		}
		var got []Change
		for c := range draft.Changes {
			got = append(got, *c)
			if c.Kind == KindNew {
				idOf[NormalizeEmail(c.AfterValue(Email))] = c.PersonID
			}
		}
		if len(got) != len(plan.Changes) || got[len(got)-1].Row > 0 {
			t.Fatalf("seed %d: yielded %d of %d changes; last row %d", seed, len(got), len(plan.Changes), got[len(got)-1].Row)
		}
		var newIDs []int64
		for i, c := range got {
			want := plan.Changes[i]
			if c.Kind == KindNew {
				newIDs = append(newIDs, c.PersonID)
				want.PersonID = c.PersonID
			}
			if c.Applies() {
				for k, f := range managerFields {
					if id := idOf[NormalizeEmail(c.AfterValue(f))]; c.ManagerIDs[k] != id {
						t.Fatalf("seed %d: row %d %s: manager id %d, want %d (%s)", seed, c.Row, f.Key(), c.ManagerIDs[k], id, c.AfterValue(f))
					}
				}
				want.ManagerIDs = c.ManagerIDs
			}
			if !reflect.DeepEqual(c, want) {
				t.Fatalf("seed %d: change %d is %+v, want %+v", seed, i, c, want)
			}
		}
		slices.Sort(newIDs)
		if !slices.Equal(newIDs, ids) {
			t.Fatalf("seed %d: new people got ids %v, want each of %v", seed, newIDs, ids)
		}
		outcome := draft.Outcome()
		if outcome.Summary != plan.Summary || outcome.GuardTripped != plan.GuardTripped || outcome.GuardReason != plan.GuardReason {
			t.Fatalf("seed %d: outcome %+v, plan %+v", seed, outcome, plan)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("seed %d: a second range over Changes did not panic", seed)
				}
			}()
			for range draft.Changes {
			}
		}()
	}
}

// A record that one snapshot absorbed has no values of its own: planning it against another
// directory is a programming error and says so.
func TestAbsorbedRecordsNeedTheirSnapshot(t *testing.T) {
	s := sampleDirectory(5)
	records := exportRecords(s)
	for i := range records {
		s.Absorb(&records[i])
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "absorbed by another directory snapshot") {
			t.Errorf("planning against another directory panicked with %q", msg)
		}
	}()
	PlanImport(Input{Directory: sampleDirectory(2), Records: records, Options: DefaultOptions()})
}
