package importfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/staffsync/staffsync/directory"
	"github.com/xuri/excelize/v2"
)

var (
	benchFirst = []string{"Zoë", "José", "Ana", "Łukasz", "Søren", "François", "Ingrid", "Mehmet", "Aoife", "Chloé"}
	benchLast  = []string{"Müller", "García", "Sørensen", "Nowak", "Ødegaard", "Dupré", "Öztürk", "O'Brien", "Lefèvre", "Smith"}
	benchDepts = []string{"Sales", "R&D", "Finance", "People & Culture", "Customer Success"}
	benchCity  = []string{"Berlin", "Madrid", "København", "Kraków", "Zürich", "São Paulo"}
)

// benchPerson is the i-th generated person: 18 realistic values with accents and dates.
func benchPerson(i int) [directory.NumFields]string {
	var v [directory.NumFields]string
	v[directory.FirstName] = benchFirst[i%len(benchFirst)]
	v[directory.LastName] = benchLast[(i/7)%len(benchLast)]
	v[directory.Gender] = []string{"F", "M", "N"}[i%3]
	v[directory.Title] = "Senior Specialist, Level " + fmt.Sprint(i%5)
	v[directory.Email] = fmt.Sprintf("person%d@example.com", i)
	if i > 0 {
		v[directory.ManagerEmail] = fmt.Sprintf("person%d@example.com", i/10)
	}
	v[directory.Department] = benchDepts[i%len(benchDepts)]
	v[directory.Team] = "Team " + fmt.Sprint(i%40)
	v[directory.Location] = benchCity[i%len(benchCity)]
	v[directory.EmployeeID] = fmt.Sprint(100000 + i)
	v[directory.HireDate] = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%5000).Format(time.DateOnly)
	if i%9 == 0 {
		v[directory.AltEmail] = fmt.Sprintf("p%d@home.example.org", i)
	}
	if i%4 == 0 {
		v[directory.SecondaryManagerEmail] = fmt.Sprintf("person%d@example.com", i/20)
	}
	if i%6 == 0 {
		v[directory.PreferredName] = "Sam"
	}
	if i%11 == 0 {
		v[directory.LeavingDate] = "2025-06-30"
		v[directory.TerminationType] = "Voluntary"
	}
	v[directory.EmploymentType] = []string{"Full-time", "Part-time", "Contractor"}[i%3]
	v[directory.Status] = "Active"
	return v
}

func generateCSV(tb testing.TB, rows int) []byte {
	var buf bytes.Buffer
	e, err := NewExportWriter(&buf, "csv")
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		if err := e.Write(benchPerson(i)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// generateXLSX writes a workbook with real date cells (serials with a date format).
func generateXLSX(tb testing.TB, rows int) []byte {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		tb.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	header := make([]any, directory.NumFields)
	for i, fld := range directory.AllFields() {
		header[i] = fld.Header()
	}
	if err := sw.SetRow("A1", header); err != nil {
		tb.Fatal(err)
	}
	row := make([]any, directory.NumFields)
	for i := 0; i < rows; i++ {
		p := benchPerson(i)
		for j, v := range p {
			row[j] = v
			if (directory.Field(j) == directory.HireDate || directory.Field(j) == directory.LeavingDate) && v != "" {
				d, _ := time.Parse(time.DateOnly, v)
				row[j] = excelize.Cell{StyleID: dateStyle, Value: d}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			tb.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var (
	benchCSVOnce, benchXLSXOnce sync.Once
	benchCSVData, benchXLSXData []byte
)

func benchCSV(b *testing.B) []byte {
	benchCSVOnce.Do(func() { benchCSVData = generateCSV(b, 100_000) })
	return benchCSVData
}

func benchXLSX(b *testing.B) []byte {
	benchXLSXOnce.Do(func() { benchXLSXData = generateXLSX(b, 100_000) })
	return benchXLSXData
}

func readCount(tb testing.TB, data io.ReaderAt, size int64, opts Options) int {
	r, err := Open(data, size, "bench", opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	n := 0
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if len(rec.Problems) != 0 {
			tb.Fatalf("row %d: %v", rec.Row, rec.Problems)
		}
		n++
	}
}

func benchmarkRead(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	rows := 0
	start := time.Now()
	for b.Loop() {
		rows += readCount(b, bytes.NewReader(data), int64(len(data)), Options{MaxBytes: 1 << 30})
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

func BenchmarkReadCSV100k(b *testing.B) {
	benchmarkRead(b, benchCSV(b))
}

func BenchmarkReadXLSX100k(b *testing.B) {
	benchmarkRead(b, benchXLSX(b))
}

// BenchmarkExcelizeBareRows100k is excelize's own streaming iterator on the same file,
// the floor for BenchmarkReadXLSX100k.
func BenchmarkExcelizeBareRows100k(b *testing.B) {
	data := benchXLSX(b)
	b.SetBytes(int64(len(data)))
	rows := 0
	start := time.Now()
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		it, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		for it.Next() {
			if _, err := it.Columns(); err != nil {
				b.Fatal(err)
			}
			rows++
		}
		_ = it.Close()
		_ = f.Close()
	}
	b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
}

// repeatedCSV is a CSV file of header + block repeated, served without holding it in memory.
type repeatedCSV struct {
	header, block []byte
	repeats       int
}

func (r repeatedCSV) size() int64 { return int64(len(r.header)) + int64(len(r.block))*int64(r.repeats) }

func (r repeatedCSV) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) && off < r.size() {
		var src []byte
		if off < int64(len(r.header)) {
			src = r.header[off:]
		} else {
			src = r.block[(off-int64(len(r.header)))%int64(len(r.block)):]
		}
		c := copy(p[n:], src)
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// peakHeapReading reads a CSV of rows people and returns the highest heap in use seen.
func peakHeapReading(t *testing.T, file repeatedCSV) (peak uint64, rows int) {
	runtime.GC()
	r, err := Open(file, file.size(), "big.csv", Options{MaxBytes: 1 << 40, MaxRows: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	var ms runtime.MemStats
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		if rows%10_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapAlloc), rows
}

func TestPeakHeapCSVMillionRows(t *testing.T) {
	all := generateCSV(t, 1000)
	headerEnd := bytes.IndexByte(all, '\n') + 1
	header, block := all[:headerEnd], all[headerEnd:]
	small, smallRows := peakHeapReading(t, repeatedCSV{header: header, block: block, repeats: 1})
	start := time.Now()
	big, bigRows := peakHeapReading(t, repeatedCSV{header: header, block: block, repeats: 1000})
	elapsed := time.Since(start)
	if smallRows != 1000 || bigRows != 1_000_000 {
		t.Fatalf("read %d and %d rows", smallRows, bigRows)
	}
	t.Logf("peak heap: 1k rows %.1f MiB, 1M rows %.1f MiB; 1M rows read in %v (%.0f rows/s)",
		float64(small)/(1<<20), float64(big)/(1<<20), elapsed.Round(time.Millisecond), float64(bigRows)/elapsed.Seconds())
	if big > small && big-small > 100<<20 {
		t.Errorf("peak heap grew by %.1f MiB from 1k to 1M rows; the reader must stream", float64(big-small)/(1<<20))
	}
}
