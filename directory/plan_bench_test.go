package directory

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchInput builds a directory of n people in a ten-wide tree and an HR file with 5% changed,
// 1% new and 1% missing people, deactivate_missing on. With absorb, the directory absorbs
// the records as the preview's reading does.
func benchInput(n int, absorb bool) Input {
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
	s := NewSnapshot(1, people)
	records := make([]Record, 0, n+n/100)
	for i, r := range exportRecords(s) {
		switch {
		case i%100 == 99 && i > 0:
			continue // missing
		case i%20 == 7:
			r.Cells.Set(Title, SetValue("Senior Engineer"))
		}
		records = append(records, r)
	}
	for j := 0; j < n/100; j++ {
		r := full(0, fmt.Sprintf("new%d@example.com", j), map[Field]string{ManagerEmail: people[j].Values[Email], EmployeeID: "N" + strconv.Itoa(j)})
		records = append(records, r)
	}
	for i := range records {
		records[i].Row = i + 2
		if absorb {
			s.Absorb(&records[i])
		}
	}
	opts := DefaultOptions()
	opts.DeactivateMissing = true
	return Input{Directory: s, Records: records, Options: opts}
}

func benchmarkPlan(b *testing.B, n int) {
	in := benchInput(n, true)
	b.ReportAllocs()
	b.ResetTimer()
	peakHeap(b, func() {
		if summary := streamPlan(in); summary.New != n/100 {
			b.Fatalf("summary %+v", summary)
		}
	})
}

// streamPlan plans in as the preview does: each change is worked out and passed on.
func streamPlan(in Input) Summary {
	draft := Prepare(in)
	for range draft.Changes {
	}
	return draft.Outcome().Summary
}

// peakHeap runs plan b.N times and reports the heap the inputs take and the largest heap
// seen while planning, inputs and garbage included: what a worker must have room for (issue 9
// bounds it at 1M people). The heap is sampled through runtime/metrics, which does not stop
// the world.
func peakHeap(b *testing.B, plan func()) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	inputs := sample[0].Value.Uint64()
	var (
		peak    uint64
		stop    = make(chan struct{})
		reading sync.WaitGroup
	)
	reading.Go(func() {
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
		}
	})
	for b.Loop() {
		plan()
	}
	close(stop)
	reading.Wait()
	b.ReportMetric(float64(inputs)/(1<<20), "input-heap-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
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
	in := benchInput(100_000, false)
	in.Directory = Snapshot{}
	b.ReportAllocs()
	b.ResetTimer()
	peakHeap(b, func() {
		if summary := streamPlan(in); summary.New != len(in.Records) {
			b.Fatalf("summary %+v", summary)
		}
	})
}
