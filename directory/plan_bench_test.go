package directory

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// benchInput builds a directory of n people in a ten-wide tree and an HR file with 5% changed,
// 1% new and 1% missing people, deactivate_missing on.
func benchInput(n int) Input {
	people := make([]Person, n)
	for i := range people {
		p := &people[i]
		p.ID = int64(i + 1)
		p.Active = true
		p.Values[FirstName] = "First" + strconv.Itoa(i)
		p.Values[LastName] = "Last"
		p.Values[Email] = fmt.Sprintf("person%d@example.com", i)
		p.Values[Title] = "Engineer"
		p.Values[Department] = "Dept " + strconv.Itoa(i%50)
		p.Values[Location] = "Berlin"
		p.Values[EmployeeID] = "E" + strconv.Itoa(i)
		p.Values[HireDate] = "2020-01-02"
		p.Values[EmploymentType] = "Full-time"
		p.Values[Status] = StatusActive
		if i > 0 {
			p.ManagerID = int64(i/10 + 1)
			p.Values[ManagerEmail] = people[i/10].Values[Email]
		}
	}
	s := Snapshot{Version: 1, People: people}
	records := make([]Record, 0, n+n/100)
	for i, r := range exportRecords(s) {
		switch {
		case i%100 == 99 && i > 0:
			continue // missing
		case i%20 == 7:
			r.Cells[Title] = SetValue("Senior Engineer")
		}
		records = append(records, r)
	}
	for j := 0; j < n/100; j++ {
		r := full(0, fmt.Sprintf("new%d@example.com", j), map[Field]string{ManagerEmail: people[j].Values[Email], EmployeeID: "N" + strconv.Itoa(j)})
		records = append(records, r)
	}
	for i := range records {
		records[i].Row = i + 2
	}
	opts := DefaultOptions()
	opts.DeactivateMissing = true
	return Input{Directory: s, Records: records, Options: opts}
}

func benchmarkPlan(b *testing.B, n int) {
	in := benchInput(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		plan := PlanImport(in)
		if plan.Summary.New != n/100 {
			b.Fatalf("summary %+v", plan.Summary)
		}
	}
}

func BenchmarkPlan100k(b *testing.B) { benchmarkPlan(b, 100_000) }

// BenchmarkPlan1M runs only when asked: BENCH_PEOPLE=1000000 go test -bench Plan1M ./directory
func BenchmarkPlan1M(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("BENCH_PEOPLE"))
	if n <= 0 {
		return
	}
	benchmarkPlan(b, n)
}

// BenchmarkPlan100kNew plans 100,000 new people into an empty company (the bench's E2E-new).
func BenchmarkPlan100kNew(b *testing.B) {
	in := benchInput(100_000)
	in.Directory = Snapshot{}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		plan := PlanImport(in)
		if plan.Summary.New != len(in.Records) {
			b.Fatalf("summary %+v", plan.Summary)
		}
	}
}
