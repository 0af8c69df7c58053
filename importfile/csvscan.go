package importfile

import (
	"bytes"
	"errors"
	"io"

	"github.com/staffsync/staffsync/directory"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// rowSource yields a sheet's rows one at a time. cells may be reused by the next call.
type rowSource interface {
	// next returns the next row's cells and its spreadsheet row number (1-based), io.EOF at the end.
	next() (cells []string, row int, err error)
	close() error
}

// csvScanner parses RFC 4180 CSV with any of the three delimiters, CRLF/LF/CR line ends
// and quoted fields spanning lines. Memory is one read buffer plus the current row.
type csvScanner struct {
	src          io.Reader
	buf          []byte
	pos, end     int
	eof          bool
	readErr      error
	delim        byte
	special      [256]bool
	row          int
	line         []byte
	ends         []int
	cells        []string
	maxCellBytes int
}

const csvBufferSize = 64 << 10

func newCSVScanner(src io.Reader, maxCellChars int) *csvScanner {
	return &csvScanner{src: src, buf: make([]byte, csvBufferSize), maxCellBytes: maxCellChars * 4}
}

// openCSVText returns the decoded text of a CSV file as UTF-8.
func openCSVText(data io.ReaderAt, size int64, enc textEncoding, skip int64) io.Reader {
	section := io.NewSectionReader(data, skip, size-skip)
	switch enc {
	case encodingUTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder().Reader(section)
	case encodingUTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder().Reader(section)
	case encodingWindows1252:
		return charmap.Windows1252.NewDecoder().Reader(section)
	}
	return section
}

func (s *csvScanner) setDelimiter(d byte) {
	s.delim = d
	s.special = [256]bool{}
	s.special[d], s.special['\r'], s.special['\n'] = true, true, true
}

// fill reads more text when the buffer is used up; false at the end of the text.
func (s *csvScanner) fill() bool {
	for s.pos >= s.end {
		if s.eof {
			return false
		}
		n, err := s.src.Read(s.buf)
		s.pos, s.end = 0, n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.readErr = err
			}
		}
	}
	return true
}

// prefetch fills the buffer as far as one read goes and returns the text seen so far,
// used to detect the delimiter before the first row is parsed.
func (s *csvScanner) prefetch() []byte {
	for s.end < len(s.buf) && !s.eof {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.readErr = err
			}
		}
	}
	return s.buf[s.pos:s.end]
}

// skipLine drops the rest of the current line (used for Excel's "sep=;" hint line).
func (s *csvScanner) skipLine() {
	for s.fill() {
		c := s.buf[s.pos]
		s.pos++
		if c == '\n' {
			return
		}
		if c == '\r' {
			if s.fill() && s.buf[s.pos] == '\n' {
				s.pos++
			}
			return
		}
	}
}

const (
	endOfField = iota
	endOfRow
)

func (s *csvScanner) next() ([]string, int, error) {
	if !s.fill() {
		if s.readErr != nil {
			return nil, 0, s.readErr
		}
		return nil, 0, io.EOF
	}
	s.row++
	s.line, s.ends = s.line[:0], s.ends[:0]
	for {
		fieldStart := len(s.line)
		if s.fill() && s.buf[s.pos] == '"' {
			s.pos++
			if err := s.quoted(fieldStart); err != nil {
				return nil, s.row, err
			}
		}
		end, err := s.unquoted(fieldStart)
		if err != nil {
			return nil, s.row, err
		}
		s.ends = append(s.ends, len(s.line))
		if end == endOfRow {
			break
		}
		if len(s.ends) >= MaxColumns {
			return nil, s.row, tooManyColumnsInRow(s.row)
		}
	}
	if s.readErr != nil {
		return nil, s.row, s.readErr
	}
	text := string(s.line) // one allocation per row; cells are substrings of it
	s.cells = s.cells[:0]
	start := 0
	for _, end := range s.ends {
		s.cells = append(s.cells, text[start:end])
		start = end
	}
	return s.cells, s.row, nil
}

// unquoted reads up to the next delimiter or line end.
func (s *csvScanner) unquoted(fieldStart int) (int, error) {
	for s.fill() {
		chunk := s.buf[s.pos:s.end]
		i := 0
		for i < len(chunk) && !s.special[chunk[i]] {
			i++
		}
		s.line = append(s.line, chunk[:i]...)
		s.pos += i
		if len(s.line)-fieldStart > s.maxCellBytes {
			return 0, s.cellTooLong()
		}
		if len(s.line) > MaxLineBytes {
			return 0, lineTooLong(s.row)
		}
		if i == len(chunk) {
			continue
		}
		c := chunk[i]
		s.pos++
		if c == s.delim {
			return endOfField, nil
		}
		if c == '\r' && s.fill() && s.buf[s.pos] == '\n' {
			s.pos++
		}
		return endOfRow, nil
	}
	return endOfRow, nil
}

// quoted reads a quoted field's content after the opening quote, through the closing quote.
func (s *csvScanner) quoted(fieldStart int) error {
	for {
		if !s.fill() {
			if s.readErr != nil {
				return s.readErr
			}
			return fileErrorf(CodeUnclosedQuote, "row %d, column %s: a quoted value is never closed (a closing \" is missing); fix the quotes in that row and upload again",
				s.row, directory.ColumnName(len(s.ends)))
		}
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '"')
		if i < 0 {
			s.line = append(s.line, chunk...)
			s.pos = s.end
		} else {
			s.line = append(s.line, chunk[:i]...)
			s.pos += i + 1
		}
		if len(s.line)-fieldStart > s.maxCellBytes {
			return s.cellTooLong()
		}
		if len(s.line) > MaxLineBytes {
			return lineTooLong(s.row)
		}
		if i < 0 {
			continue
		}
		if s.fill() && s.buf[s.pos] == '"' { // "" is an escaped quote
			s.line = append(s.line, '"')
			s.pos++
			continue
		}
		return nil
	}
}

func (s *csvScanner) cellTooLong() error {
	return fileErrorf(CodeCellTooLong, "row %d, column %s has more than %d characters; shorten it (or check that every quote \" in that row is closed)",
		s.row, directory.ColumnName(len(s.ends)), s.maxCellBytes/4)
}

func (s *csvScanner) close() error { return nil }

// detectDelimiter picks the delimiter that occurs most often, outside quotes, in the
// first line; comma wins ties and single-column files.
func detectDelimiter(head []byte) byte {
	counts := map[byte]int{}
	inQuotes := false
	for _, c := range head {
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// sepHint reads Excel's optional first line "sep=;" and returns the delimiter it names.
func sepHint(head []byte) (byte, bool) {
	line := head
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	} else if len(head) == len(line) && len(line) > 5 {
		return 0, false
	}
	if len(line) == 5 && bytes.EqualFold(line[:4], []byte("sep=")) {
		switch line[4] {
		case ',', ';', '\t':
			return line[4], true
		}
	}
	return 0, false
}
