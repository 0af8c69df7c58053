package importfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Resource limits of a file, so that no upload can take a worker's memory (issue 18). Each
// one refuses the file with a file error that says what to change; nothing is retried.
const (
	// MaxUnzipRatio: a workbook may unpack to at most this many times the upload limit...
	MaxUnzipRatio = 10
	// MaxUnzipBytes ...and never to more than this, whatever the upload limit.
	MaxUnzipBytes = 512 << 20
	// MaxWorkbookParts is the most files a workbook's zip may hold (real ones have dozens).
	MaxWorkbookParts = 1000
	// MaxSheets is the most worksheets a workbook may have.
	MaxSheets = 256
	// MaxSharedStringsBytes bounds the workbook's table of texts; excelize keeps an index
	// entry (about 48 bytes) per text, so the count is bounded too.
	MaxSharedStringsBytes = 128 << 20
	MaxSharedStrings      = 2_000_000
	// MaxOtherPartBytes bounds every other XML part (styles, workbook, relationships...):
	// excelize decodes those whole into memory, several times their size.
	MaxOtherPartBytes = 4 << 20
	// StreamedPartBytes: worksheets and shared strings above this are unpacked to temporary
	// files and streamed; excelize keeps every smaller part, and every other part, in memory.
	StreamedPartBytes = 1 << 20
	// MaxInMemoryPartsBytes bounds the sum of the parts excelize keeps in memory (small
	// sheets, formatting, pictures): 256 sheets of just under StreamedPartBytes would
	// otherwise be 256 MB in memory.
	MaxInMemoryPartsBytes = 32 << 20
	// MaxColumns is the most cells a row may have, counting empty ones (the template has 18).
	MaxColumns = 256
	// MaxLineBytes is the longest row of a CSV file, quotes and delimiters included.
	MaxLineBytes = 1 << 20
)

// unzipLimit is the most a workbook uploaded under maxUpload may unpack to.
func unzipLimit(maxUpload int64) int64 {
	return min(max(maxUpload, 1<<20)*MaxUnzipRatio, MaxUnzipBytes)
}

// checkWorkbookParts reads the zip's central directory (nothing is inflated except the
// shared strings, streamed to count them) and refuses a workbook before excelize unpacks
// anything. The sizes it checks are the declared ones; archive/zip refuses a part that
// inflates to more than it declared, so they hold.
func checkWorkbookParts(data io.ReaderAt, size, limit int64) (streamed bool, err error) {
	archive, err := zip.NewReader(data, size)
	if err != nil {
		return false, damagedWorkbook()
	}
	if len(archive.File) > MaxWorkbookParts {
		return false, fileErrorf(CodeFileTooLarge, "the workbook is made of %d parts (the limit is %d); copy the people sheet into a new workbook (or save it as CSV) and upload that",
			len(archive.File), MaxWorkbookParts)
	}
	var total, inMemory uint64
	sheets := 0
	var sharedStrings *zip.File
	for _, f := range archive.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		total += f.UncompressedSize64
		isSheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		if (!isSheet && name != "xl/sharedstrings.xml") || f.UncompressedSize64 <= StreamedPartBytes {
			if inMemory += f.UncompressedSize64; inMemory > MaxInMemoryPartsBytes {
				return false, fileErrorf(CodeFileTooLarge, "the workbook's small sheets, formatting and pictures unpack to more than %d MB; delete the sheets and pictures you do not need (or save the people sheet as CSV) and upload again",
					MaxInMemoryPartsBytes>>20)
			}
		}
		if total > uint64(limit) {
			return false, fileErrorf(CodeFileTooLarge, "the workbook unpacks to more than %d MB of data (the limit is %d times the upload limit); delete unused rows, columns and sheets (or save it as CSV) and upload again",
				limit>>20, MaxUnzipRatio)
		}
		switch {
		case isSheet:
			sheets++ // large ones are streamed from disk by excelize: only the total bounds them
			streamed = streamed || f.UncompressedSize64 > StreamedPartBytes
		case name == "xl/sharedstrings.xml":
			if f.UncompressedSize64 > MaxSharedStringsBytes {
				return false, fileErrorf(CodeFileTooLarge, "the workbook's table of texts unpacks to more than %d MB; delete unused rows, columns and sheets (or save it as CSV) and upload again",
					MaxSharedStringsBytes>>20)
			}
			sharedStrings = f
			streamed = streamed || f.UncompressedSize64 > StreamedPartBytes
		case isXMLPart(name):
			if f.UncompressedSize64 > MaxOtherPartBytes {
				return false, fileErrorf(CodeFileTooLarge, "the workbook part %q unpacks to more than %d MB (formatting, pictures or objects, not the people); copy the people sheet into a new workbook (or save it as CSV) and upload that",
					f.Name, MaxOtherPartBytes>>20)
			}
		}
	}
	if sheets > MaxSheets {
		return false, fileErrorf(CodeTooManySheets, "the workbook has %d sheets; the limit is %d. Delete the sheets you do not need (or save the people sheet as CSV) and upload again",
			sheets, MaxSheets)
	}
	if sharedStrings != nil {
		if err := checkSharedStringCount(sharedStrings); err != nil {
			return false, err
		}
	}
	return streamed, nil
}

// isXMLPart tells the parts excelize may decode (XML, relationships, VML drawings) from
// pictures and embedded files, which it only holds as bytes.
func isXMLPart(name string) bool {
	for _, ext := range []string{".xml", ".rels", ".vml"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// checkTempDir makes sure excelize can unpack large parts to temporary files: when it
// cannot, it silently reads them into memory instead, up to the whole unpack limit. Not a
// file error: the server is misconfigured, and the preview is retried.
func checkTempDir() error {
	f, err := os.CreateTemp("", "staffsync-xlsx-")
	if err != nil {
		return fmt.Errorf("large workbooks are unpacked to temporary files, and %s is not writable (set TMPDIR to a writable folder): %w", os.TempDir(), err)
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}

// checkSharedStringCount counts the texts of the shared strings part as it inflates, in
// constant memory.
func checkSharedStringCount(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return damagedWorkbook()
	}
	defer rc.Close()
	tag := []byte("<si")
	buf := make([]byte, 64<<10)
	carry := 0 // bytes kept from the previous chunk, so a tag split across chunks counts
	count := 0
	for {
		n, err := rc.Read(buf[carry:])
		chunk := buf[:carry+n]
		count += bytes.Count(chunk, tag)
		if count > MaxSharedStrings {
			return fileErrorf(CodeFileTooLarge, "the workbook holds more than %s different texts; delete unused rows, columns and sheets (or save it as CSV) and upload again",
				thousands(MaxSharedStrings))
		}
		// Keep the last len(tag)-1 bytes unless they end a counted tag.
		carry = min(len(tag)-1, len(chunk))
		if bytes.HasSuffix(chunk, tag) {
			carry = 0
		}
		copy(buf, chunk[len(chunk)-carry:])
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return damagedWorkbook()
		}
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// tooManyColumnsInRow refuses a row with more than MaxColumns cells, before it is kept.
func tooManyColumnsInRow(row int) *FileError {
	return fileErrorf(CodeTooManyColumns, "row %d has more than %d columns (the template has 18); remove the extra columns (or check the delimiter) and upload again",
		row, MaxColumns)
}

// lineTooLong refuses a CSV row longer than MaxLineBytes.
func lineTooLong(row int) *FileError {
	return fileErrorf(CodeLineTooLong, "row %d is longer than %d MB; check that every quote \" in that row is closed and that the file uses one person per row, then upload again",
		row, MaxLineBytes>>20)
}
