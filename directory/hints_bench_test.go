package directory

import (
	"fmt"
	"testing"
)

// BenchmarkPreviewHints measures the hints of a 100,000-person re-sync (every row known)
// and of 100,000 new people, against a directory of 100,000.
func BenchmarkPreviewHints(b *testing.B) {
	const n = 100_000
	specs := make([]personSpec, n)
	for i := range specs {
		specs[i] = personSpec{id: int64(i + 1), email: fmt.Sprintf("p%d@acme.example", i), manager: int64(i / 8),
			values: map[Field]string{FirstName: fmt.Sprintf("First%d", i), LastName: "Doe"}}
	}
	dir := snapshot(specs...)
	resync := exportRecords(dir)
	fresh := make([]Record, n)
	for i := range fresh {
		manager := ""
		if i > 0 {
			manager = fmt.Sprintf("n%d@acme.example", (i-1)/8)
		}
		fresh[i] = row(i+2, "New", fmt.Sprint(i), fmt.Sprintf("n%d@acme.example", i), manager)
	}
	for _, bc := range []struct {
		name    string
		records []Record
	}{{"resync100k", resync}, {"new100k", fresh}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				PreviewHints(&dir, bc.records)
			}
		})
	}
}
