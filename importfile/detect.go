package importfile

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
)

// textEncoding is how a CSV file's bytes turn into text.
type textEncoding int

const (
	encodingUTF8 textEncoding = iota
	encodingUTF16LE
	encodingUTF16BE
	encodingWindows1252
)

const saveAsHint = "save the data as CSV or XLSX (in Excel: File > Save As) and upload that file"

var (
	oleSignature   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipSignature   = []byte("PK\x03\x04")
	emptyZip       = []byte("PK\x05\x06")
	utf8BOM        = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM     = []byte{0xFF, 0xFE}
	utf16BEBOM     = []byte{0xFE, 0xFF}
	binarySniffers = []struct {
		prefix string
		what   string
	}{
		{"%PDF-", "a PDF document"},
		{"\x89PNG", "a PNG image"},
		{"\xFF\xD8\xFF", "a JPEG image"},
		{"GIF87a", "a GIF image"},
		{"GIF89a", "a GIF image"},
		{"II*\x00", "a TIFF image"},
		{"MM\x00*", "a TIFF image"},
		{"\x1F\x8B", "a gzip archive"},
		{"Rar!", "a RAR archive"},
		{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
		{"{\\rtf", "a rich text (RTF) document"},
	}
)

// detectKind decides by content whether data is an XLSX workbook or CSV text. Everything
// else is a *FileError saying what the file is.
func detectKind(data io.ReaderAt, size int64) (isXLSX bool, err error) {
	head := make([]byte, min(size, 4096))
	if _, err := data.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read the start of the file: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, oleSignature):
		return false, classifyOLE(data, size)
	case bytes.HasPrefix(head, zipSignature) || bytes.HasPrefix(head, emptyZip):
		return true, checkWorkbookZip(data, size)
	}
	for _, s := range binarySniffers {
		if bytes.HasPrefix(head, []byte(s.prefix)) {
			return false, notSpreadsheet(s.what)
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return false, notSpreadsheet("a WebP image")
	}
	if what := markupKind(head); what != "" {
		return false, notSpreadsheet(what)
	}
	return false, nil
}

func notSpreadsheet(what string) *FileError {
	return fileErrorf(CodeNotSpreadsheet, "the file is %s, not a spreadsheet; %s", what, saveAsHint)
}

// markupKind recognises HTML and XML files, which Excel can also save under a .xls name.
func markupKind(head []byte) string {
	text := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")))
	switch {
	case strings.HasPrefix(text, "<?xml") && strings.Contains(text, "urn:schemas-microsoft-com:office:spreadsheet"):
		return "an Excel 2003 XML spreadsheet"
	case strings.HasPrefix(text, "<!doctype html"), strings.HasPrefix(text, "<html"), strings.HasPrefix(text, "<table"):
		return "a web page (HTML)"
	case strings.HasPrefix(text, "<?xml"):
		return "an XML document"
	}
	return ""
}

// classifyOLE looks inside an OLE2 compound file: Excel stores password-protected XLSX
// workbooks (and old .xls/.doc files) in this container.
func classifyOLE(data io.ReaderAt, size int64) (err error) {
	defer func() {
		if recover() != nil {
			err = fileErrorf(CodeDamagedFile, "the file is an old Microsoft Office file that cannot be read; %s", saveAsHint)
		}
	}()
	doc, openErr := mscfb.New(io.NewSectionReader(data, 0, size))
	if openErr != nil {
		return fileErrorf(CodeDamagedFile, "the file is an old Microsoft Office file that cannot be read; %s", saveAsHint)
	}
	names := map[string]bool{}
	for entry, nextErr := doc.Next(); nextErr == nil && len(names) < 10000; entry, nextErr = doc.Next() {
		names[entry.Name] = true
	}
	switch {
	case names["EncryptionInfo"] || names["EncryptedPackage"]:
		return fileErrorf(CodePasswordProtected, "the workbook is password protected; remove the password in Excel (File > Info > Protect Workbook) and upload again")
	case names["Workbook"] || names["Book"]:
		return fileErrorf(CodeOldExcel, "the file is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as XLSX (Excel Workbook) or CSV, then upload that file")
	case names["WordDocument"]:
		return notSpreadsheet("a Word document")
	case names["PowerPoint Document"]:
		return notSpreadsheet("a PowerPoint presentation")
	}
	return notSpreadsheet("an old Microsoft Office file")
}

// checkWorkbookZip makes sure a ZIP file is an Excel workbook before excelize opens it.
func checkWorkbookZip(data io.ReaderAt, size int64) error {
	archive, err := zip.NewReader(data, size)
	if err != nil {
		return fileErrorf(CodeDamagedFile, "the file looks like an Excel workbook but is damaged; open it in Excel, save it again and upload the new file")
	}
	names := make(map[string]bool, len(archive.File))
	for _, f := range archive.File {
		names[strings.ToLower(f.Name)] = true
	}
	switch {
	case names["xl/workbook.xml"]:
		return nil
	case names["xl/workbook.bin"]:
		return fileErrorf(CodeNotSpreadsheet, "the file is an Excel binary workbook (.xlsb); open it in Excel and save it as XLSX (Excel Workbook) or CSV, then upload that file")
	case names["word/document.xml"]:
		return notSpreadsheet("a Word document")
	case names["ppt/presentation.xml"]:
		return notSpreadsheet("a PowerPoint presentation")
	case names["mimetype"] && names["content.xml"]:
		return fileErrorf(CodeNotSpreadsheet, "the file is an OpenDocument file (.ods); save it as XLSX (Excel 2007-365) or CSV, then upload that file")
	}
	return notSpreadsheet("a ZIP archive")
}

// detectEncoding decides how to decode CSV bytes: UTF-8 (BOM optional), UTF-16 with a BOM,
// else Windows-1252. It reads the whole file once in small chunks (memory stays flat)
// because a single non-UTF-8 byte anywhere changes how every byte must be read.
// It returns the number of BOM bytes to skip.
func detectEncoding(data io.ReaderAt, size int64) (textEncoding, int64, error) {
	head := make([]byte, min(size, 4))
	if _, err := data.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return 0, 0, fmt.Errorf("read the start of the file: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		if err := scanText(data, size, 3); err != nil {
			return 0, 0, err
		}
		return encodingUTF8, 3, nil
	case bytes.HasPrefix(head, utf16LEBOM):
		return encodingUTF16LE, 2, nil
	case bytes.HasPrefix(head, utf16BEBOM):
		return encodingUTF16BE, 2, nil
	}
	if err := scanText(data, size, 0); err != nil {
		var notUTF8 errNotUTF8
		if !errors.As(err, &notUTF8) {
			return 0, 0, err
		}
		if err := checkWindows1252(data, size); err != nil {
			return 0, 0, err
		}
		return encodingWindows1252, 0, nil
	}
	return encodingUTF8, 0, nil
}

type errNotUTF8 struct{}

func (errNotUTF8) Error() string { return "not valid UTF-8" }

var (
	errBinary = fileErrorf(CodeNotSpreadsheet, "the file is not a CSV or XLSX file (it contains binary data); %s", saveAsHint)
	errUTF16  = fileErrorf(CodeUnsupportedEncoding, "the file looks like UTF-16 text without a byte order mark; in Excel use Save As > \"CSV UTF-8 (comma delimited)\" and upload that file")
	errText   = fileErrorf(CodeUnsupportedEncoding, "the file's text is not UTF-8, UTF-16 or Windows-1252; in Excel use Save As > \"CSV UTF-8 (comma delimited)\" and upload that file")
)

const scanChunk = 64 << 10

// scanText checks that data[from:] is valid UTF-8 without NUL bytes.
func scanText(data io.ReaderAt, size, from int64) error {
	buf := make([]byte, scanChunk+utf8.UTFMax)
	carry := 0
	for off := from; off < size; {
		n, err := data.ReadAt(buf[carry:carry+int(min(scanChunk, size-off))], off)
		if n == 0 && err != nil {
			return fmt.Errorf("read the file: %w", err)
		}
		off += int64(n)
		chunk := buf[:carry+n]
		if i := bytes.IndexByte(chunk, 0); i >= 0 {
			if off-int64(len(chunk))+int64(i) < 64 && looksLikeUTF16(chunk) {
				return errUTF16
			}
			return errBinary
		}
		// Keep an incomplete rune at the end for the next chunk.
		keep := 0
		if off < size {
			keep = incompleteTail(chunk)
		}
		if !utf8.Valid(chunk[:len(chunk)-keep]) {
			return errNotUTF8{}
		}
		carry = copy(buf, chunk[len(chunk)-keep:])
	}
	if carry > 0 {
		return errNotUTF8{}
	}
	return nil
}

// incompleteTail is the length of a UTF-8 sequence cut off at the end of b.
func incompleteTail(b []byte) int {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if c >= 0xC0 { // start byte
			need := 2
			if c >= 0xF0 {
				need = 4
			} else if c >= 0xE0 {
				need = 3
			}
			if need > i {
				return i
			}
			return 0
		}
	}
	return 0
}

func looksLikeUTF16(b []byte) bool {
	zerosEven, zerosOdd := 0, 0
	for i := 0; i < len(b) && i < 64; i++ {
		if b[i] == 0 {
			if i%2 == 0 {
				zerosEven++
			} else {
				zerosOdd++
			}
		}
	}
	return zerosEven+zerosOdd >= 4 && (zerosEven == 0 || zerosOdd == 0)
}

// checkWindows1252 rejects bytes that Windows-1252 does not define, and NUL.
func checkWindows1252(data io.ReaderAt, size int64) error {
	buf := make([]byte, scanChunk)
	for off := int64(0); off < size; {
		n, err := data.ReadAt(buf[:min(scanChunk, size-off)], off)
		if n == 0 && err != nil {
			return fmt.Errorf("read the file: %w", err)
		}
		for _, c := range buf[:n] {
			switch c {
			case 0:
				return errBinary
			case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
				return errText
			}
		}
		off += int64(n)
	}
	return nil
}
