package importfile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/staffsync/staffsync/directory"
)

// hostilePart is one file of a crafted workbook: size bytes of fill (or content), and
// optionally a declared size that lies.
type hostilePart struct {
	name     string
	content  []byte
	size     int64
	fill     byte
	declared uint64 // 0: the true size
}

// repeatReader yields n copies of one byte.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > r.n {
		k = r.n
	}
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

// craftWorkbook starts from a real one-sheet workbook and adds parts to it.
func craftWorkbook(t *testing.T, extra ...hostilePart) []byte {
	t.Helper()
	base := buildWorkbook(t, func(f *excelize.File, sheet string) {
		must(t, f.SetSheetRow(sheet, "A1", &[]any{"First Name", "Last Name", "Login Email"}))
		must(t, f.SetSheetRow(sheet, "A2", &[]any{"Ana", "Silva", "ana@example.com"}))
	})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	must(t, err)
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) { return flate.NewWriter(out, flate.BestSpeed) })
	replaced := map[string]bool{}
	for _, p := range extra {
		replaced[p.name] = true
	}
	for _, f := range zr.File {
		if replaced[f.Name] {
			continue
		}
		must(t, w.Copy(f))
	}
	for _, p := range extra {
		src := io.Reader(bytes.NewReader(p.content))
		size := int64(len(p.content))
		if p.content == nil {
			src, size = &repeatReader{b: p.fill, n: p.size}, p.size
		}
		if p.declared == 0 {
			fw, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
			must(t, err)
			_, err = io.Copy(fw, src)
			must(t, err)
			continue
		}
		// A part whose header lies about its size: written raw with the false size.
		var deflated bytes.Buffer
		fl, _ := flate.NewWriter(&deflated, flate.BestSpeed)
		crc := crc32.NewIEEE()
		_, err := io.Copy(io.MultiWriter(fl, crc), src)
		must(t, err)
		must(t, fl.Close())
		fw, err := w.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(deflated.Len()), UncompressedSize64: p.declared})
		must(t, err)
		_, err = fw.Write(deflated.Bytes())
		must(t, err)
		_ = size
	}
	must(t, w.Close())
	return buf.Bytes()
}

// peakHeap runs f and returns how far the Go heap grew above where it started, sampled
// every millisecond (what an out-of-memory kill would have seen).
func peakHeap(f func()) (peak uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			if s.HeapInuse > base && s.HeapInuse-base > peak {
				peak = s.HeapInuse - base
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak
}

// maxHostileHeap is what one hostile upload may add to a worker's heap while it is read.
const maxHostileHeap = 150 << 20

// TestHostileFiles performs each file attack at the production limits (50 MiB uploads) and
// asserts the file error and that the heap stayed small. The peaks are recorded in
// docs/decisions.md (issue 18).
func TestHostileFiles(t *testing.T) {
	manySheets := func(n int) []hostilePart {
		parts := make([]hostilePart, n)
		for i := range parts {
			parts[i] = hostilePart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2), content: []byte("<worksheet/>")}
		}
		return parts
	}
	delimiterRows := bytes.Repeat([]byte(strings.Repeat(",", 255)+"\n"), (50<<20)/256)
	for _, tc := range []struct {
		name     string
		file     func() []byte
		opts     Options
		wantCode string
		wantText string
	}{
		{"XLSX zip bomb: a sheet unpacking to 600 MB", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/worksheets/sheet2.xml", size: 600 << 20, fill: ' '})
		}, Options{}, CodeFileTooLarge, "more than 500 MB"},
		{"XLSX part lying about its size", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/worksheets/sheet1.xml", size: 64 << 20, fill: ' ', declared: 1000})
		}, Options{}, CodeEmptyFile, "no data"}, // archive/zip stops at the declared size
		{"XLSX styles of 8 MB", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/styles.xml", size: 8 << 20, fill: ' '})
		}, Options{}, CodeFileTooLarge, "xl/styles.xml"},
		{"XLSX VML drawing of 8 MB", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/drawings/vmlDrawing1.vml", size: 8 << 20, fill: ' '})
		}, Options{}, CodeFileTooLarge, "vmlDrawing1.vml"},
		{"XLSX with 5 million texts", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/sharedStrings.xml", content: bytes.Repeat([]byte("<si/>"), 5_000_000)})
		}, Options{}, CodeFileTooLarge, "2,000,000 different texts"},
		{"XLSX with 10,000 sheets", func() []byte { return craftWorkbook(t, manySheets(10_000)...) }, Options{}, CodeFileTooLarge, "parts"},
		{"XLSX with 100 sheets of 1 MB", func() []byte {
			parts := make([]hostilePart, 100)
			for i := range parts {
				parts[i] = hostilePart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2), size: StreamedPartBytes, fill: ' '}
			}
			return craftWorkbook(t, parts...)
		}, Options{}, CodeFileTooLarge, "small sheets, formatting and pictures"},
		{"XLSX with 40 MB of pictures", func() []byte {
			return craftWorkbook(t, hostilePart{name: "xl/media/image1.png", size: 40 << 20, fill: 0})
		}, Options{}, CodeFileTooLarge, "more than 32 MB"},
		{"XLSX with 300 sheets", func() []byte { return craftWorkbook(t, manySheets(300)...) }, Options{}, CodeTooManySheets, "301 sheets"},
		{"XLSX row of 16,384 columns", func() []byte {
			return buildWorkbook(t, func(f *excelize.File, sheet string) {
				must(t, f.SetSheetRow(sheet, "A1", &[]any{"First Name", "Last Name", "Login Email"}))
				must(t, f.SetCellValue(sheet, "XFD2", "x"))
			})
		}, Options{}, CodeTooManyColumns, "more than 256 columns"},
		{"50 MB CSV of delimiters on one line", func() []byte { return bytes.Repeat([]byte(","), 50<<20) }, Options{}, CodeTooManyColumns, "row 1 has more than 256 columns"},
		{"50 MB CSV of delimiter rows", func() []byte { return delimiterRows }, Options{}, CodeEmptyFile, "no data"},
		{"CSV line of 2 MB", func() []byte {
			return []byte("First Name,Last Name,Login Email\n" + strings.Repeat("x,", 200) + strings.Repeat("y", 2<<20) + "\n")
		}, Options{MaxCellChars: 10 << 20}, CodeLineTooLong, "row 2 is longer than 1 MB"},
		{"50 MB CSV of newlines", func() []byte { return bytes.Repeat([]byte("\n"), 50<<20) }, Options{}, CodeEmptyFile, "no data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.file()
			var err error
			started := time.Now()
			peak := peakHeap(func() { _, _, err = readAllRecords(data, tc.opts) })
			t.Logf("%s: %.1f MB upload, heap peak +%.1f MiB, %v", tc.name, float64(len(data))/1e6, float64(peak)/(1<<20), time.Since(started).Round(time.Millisecond))
			var fe *FileError
			if !errors.As(err, &fe) || fe.Code != tc.wantCode || !strings.Contains(fe.Message, tc.wantText) {
				t.Fatalf("err = %v, want file error %s containing %q", err, tc.wantCode, tc.wantText)
			}
			if peak > maxHostileHeap {
				t.Errorf("heap grew by %d MiB, the limit is %d MiB", peak>>20, maxHostileHeap>>20)
			}
		})
	}
}

func TestUnzipLimit(t *testing.T) {
	for _, tc := range []struct{ upload, want int64 }{
		{0, 10 << 20},
		{1 << 20, 10 << 20},
		{20 << 20, 200 << 20},
		{50 << 20, 500 << 20},
		{100 << 20, MaxUnzipBytes},
	} {
		if got := unzipLimit(tc.upload); got != tc.want {
			t.Errorf("unzipLimit(%d) = %d, want %d", tc.upload, got, tc.want)
		}
	}
}

// TestMaxRowsUploadMemory measures the largest file that is not refused: 50 MB of minimal
// rows up to the 1,000,000-row limit, read into records as the preview does.
func TestMaxRowsUploadMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("reads a million rows to measure memory; not under -short or -race")
	}
	var b bytes.Buffer
	b.WriteString("First Name,Last Name,Login Email\n")
	for i := 0; b.Len() < 50<<20 && i < DefaultMaxRows+10; i++ {
		fmt.Fprintf(&b, "F%d,L%d,p%d@example.com\n", i, i, i)
	}
	data := b.Bytes()
	var err error
	var n int
	peak := peakHeap(func() {
		var recs []directory.Record
		recs, _, err = readAllRecords(data, Options{})
		n = len(recs)
	})
	t.Logf("%.1f MB CSV, %d rows read: heap peak +%.1f MiB", float64(len(data))/1e6, n, float64(peak)/(1<<20))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != CodeTooManyRows {
		t.Fatalf("err = %v, want too many rows", err)
	}
	if peak > 1<<30 {
		t.Errorf("heap grew by %d MiB", peak>>20)
	}
}

// TestLargestAcceptedTextTable measures the worst workbook the limits still accept: a
// table of texts just under MaxSharedStrings, which excelize indexes in memory.
func TestLargestAcceptedTextTable(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("indexes two million texts to measure memory; not under -short or -race")
	}
	var sst bytes.Buffer
	sst.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for _, s := range []string{"First Name", "Last Name", "Login Email", "Ana", "Silva", "ana@example.com"} {
		fmt.Fprintf(&sst, "<si><t>%s</t></si>", s)
	}
	sst.Write(bytes.Repeat([]byte("<si/>"), MaxSharedStrings-10))
	sst.WriteString("</sst>")
	sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>` +
		`<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row></sheetData></worksheet>`
	data := craftWorkbook(t, hostilePart{name: "xl/sharedStrings.xml", content: sst.Bytes()},
		hostilePart{name: "xl/worksheets/sheet1.xml", content: []byte(sheet)})
	var recs []directory.Record
	var err error
	peak := peakHeap(func() { recs, _, err = readAllRecords(data, Options{}) })
	t.Logf("%.1f MB workbook, %d texts: heap peak +%.1f MiB", float64(len(data))/1e6, MaxSharedStrings-4, float64(peak)/(1<<20))
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, err %v", recs, err)
	}
	if peak > 250<<20 {
		t.Errorf("heap grew by %d MiB", peak>>20)
	}
}

// TestLargeSheetNeedsAWritableTempDir: without a temporary folder excelize would read a
// large sheet into memory; the reader refuses to open it instead (a server error, not the
// admin's file).
func TestLargeSheetNeedsAWritableTempDir(t *testing.T) {
	data := craftWorkbook(t, hostilePart{name: "xl/worksheets/sheet2.xml", size: MaxOtherPartBytes + 1, fill: ' '})
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	_, _, err := readAllRecords(data, Options{})
	var fe *FileError
	if err == nil || errors.As(err, &fe) || !strings.Contains(err.Error(), "TMPDIR") {
		t.Fatalf("err = %v, want a server error naming TMPDIR", err)
	}
	t.Setenv("TMPDIR", t.TempDir())
	if _, _, err := readAllRecords(data, Options{}); err != nil {
		t.Fatalf("with a temporary folder: %v", err)
	}
}

// TestWorkbookWithAPictureIsRead: a picture is only held as bytes, so a real workbook with a
// 10 MB logo is not refused like a 10 MB styles part.
func TestWorkbookWithAPictureIsRead(t *testing.T) {
	data := craftWorkbook(t, hostilePart{name: "xl/media/image1.png", size: 10 << 20, fill: 0x89}) // within MaxInMemoryPartsBytes
	recs, _, err := readAllRecords(data, Options{})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, err %v", recs, err)
	}
}

// TestLargestAcceptedInMemoryParts measures the most a workbook may make excelize hold in
// memory besides the shared strings: small sheets up to MaxInMemoryPartsBytes.
func TestLargestAcceptedInMemoryParts(t *testing.T) {
	n := int(MaxInMemoryPartsBytes/StreamedPartBytes) - 2
	parts := make([]hostilePart, n)
	for i := range parts {
		parts[i] = hostilePart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2), size: StreamedPartBytes, fill: ' '}
	}
	data := craftWorkbook(t, parts...)
	var recs []directory.Record
	var err error
	peak := peakHeap(func() { recs, _, err = readAllRecords(data, Options{}) })
	t.Logf("%d sheets of 1 MB held in memory: heap peak +%.1f MiB", n, float64(peak)/(1<<20))
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v, err %v", recs, err)
	}
	if peak > 3*MaxInMemoryPartsBytes {
		t.Errorf("heap grew by %d MiB", peak>>20)
	}
}
