package importfile

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// errUnusual is returned by the fast XLSX scanner for anything it does not read exactly as
// excelize does (a DOCTYPE, an unknown entity, invalid characters, rows out of order, a
// number format other than General or a date...). The pass then continues with excelize's
// own iterator from the same row, so such files read exactly as before, only slower.
var errUnusual = errors.New("unusual worksheet markup")

// Longest tag and longest text the scanner buffers; real workbooks stay far below.
const (
	maxTagBytes  = 64 << 10
	maxTextBytes = 4 << 20
)

// xmlToken kinds.
const (
	tokEOF = iota
	tokStart
	tokEnd
	tokText
)

// xmlScanner is a minimal streaming XML tokenizer for worksheet and shared-string parts:
// it keeps local names only, decodes the predefined and numeric entities and normalises
// line ends as encoding/xml does, and refuses (errUnusual) what it does not understand.
type xmlScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	// The current token: name (local), attrs (raw bytes of the tag after the name),
	// selfClosing for <x/>, text for tokText (decoded). Valid until the next call.
	kind        int
	name        []byte
	attrs       []byte
	selfClosing bool
	text        []byte
	pendingEnd  bool // a self-closing tag's end token is due
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 256<<10)}
}

// fill reads more input, keeping buf[pos:end]; it returns false at the end of the input.
func (s *xmlScanner) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTagBytes*8 {
			return false, errUnusual
		}
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if errors.Is(err, io.EOF) {
		s.eof = true
	} else if err != nil {
		return false, errUnusual // a damaged part: excelize decides what it reads
	}
	return n > 0 || !s.eof, nil
}

// next reads the next token.
func (s *xmlScanner) next() error {
	if s.pendingEnd {
		s.pendingEnd, s.kind = false, tokEnd
		return nil
	}
	for {
		if s.pos == s.end {
			more, err := s.fill()
			if err != nil {
				return err
			}
			if !more {
				if s.pos == s.end {
					s.kind = tokEOF
					return nil
				}
				continue
			}
			continue
		}
		if s.buf[s.pos] != '<' {
			return s.readText()
		}
		// A markup token: make sure the whole of it is buffered.
		i, err := s.markupEnd()
		if err != nil {
			return err
		}
		tag := s.buf[s.pos+1 : i]
		s.pos = i + 1
		switch {
		case len(tag) > 0 && (tag[0] == '/' || isNameStart(tag[0])):
			// an element's tag: below
		case len(tag) > 0 && tag[0] == '?': // processing instruction or declaration
			continue
		case bytes.HasPrefix(tag, []byte("!--")):
			if !bytes.HasSuffix(tag, []byte("--")) || len(tag) < 5 {
				return errUnusual
			}
			continue
		case bytes.HasPrefix(tag, []byte("![CDATA[")):
			if !bytes.HasSuffix(tag, []byte("]]")) || len(tag) < 10 {
				return errUnusual
			}
			s.kind = tokText
			s.text = normalizeLineEnds(append(s.text[:0], tag[8:len(tag)-2]...))
			if !validXMLText(s.text) {
				return errUnusual
			}
			return nil
		case len(tag) > 0 && tag[0] == '!': // DOCTYPE and the like
			return errUnusual
		default:
			return errUnusual
		}
		if tag[0] == '/' {
			end := len(tag)
			for end > 1 && isXMLSpace(tag[end-1]) {
				end--
			}
			s.kind, s.name = tokEnd, localName(tag[1:end])
			return nil
		}
		s.selfClosing = len(tag) > 0 && tag[len(tag)-1] == '/'
		if s.selfClosing {
			tag = tag[:len(tag)-1]
		}
		n := 0
		for n < len(tag) && !isXMLSpace(tag[n]) {
			n++
		}
		if n == 0 {
			return errUnusual
		}
		s.kind, s.name, s.attrs = tokStart, localName(tag[:n]), tag[n:]
		s.pendingEnd = s.selfClosing
		return nil
	}
}

// markupEnd returns the index of the '>' that closes the markup starting at s.pos,
// buffering more input as needed.
func (s *xmlScanner) markupEnd() (int, error) {
	for {
		b := s.buf[s.pos:s.end]
		if len(b) >= 2 && b[1] != '!' { // the common case: an element's tag
			switch j := tagEnd(b); {
			case j == -2:
				return 0, errUnusual
			case j >= 0:
				return s.pos + j, nil
			}
		} else if len(b) >= 9 || s.eof || !bytes.HasPrefix(b, []byte("<!")) {
			switch {
			case bytes.HasPrefix(b, []byte("<!--")):
				if j := indexAfter(b, 4, "-->"); j >= 0 {
					return s.pos + j + 2, nil
				}
			case bytes.HasPrefix(b, []byte("<![CDATA[")):
				if j := indexAfter(b, 9, "]]>"); j >= 0 {
					return s.pos + j + 2, nil
				}
			default:
				switch j := tagEnd(b); {
				case j == -2:
					return 0, errUnusual
				case j >= 0:
					return s.pos + j, nil
				}
			}
		}
		if s.end-s.pos > maxTagBytes {
			return 0, errUnusual
		}
		more, err := s.fill()
		if err != nil {
			return 0, err
		}
		if !more {
			return 0, errUnusual // the document ends inside a tag
		}
	}
}

func indexAfter(b []byte, from int, sep string) int {
	if len(b) < from {
		return -1
	}
	i := bytes.Index(b[from:], []byte(sep))
	if i < 0 {
		return -1
	}
	return from + i
}

// tagEnd finds the '>' ending a tag, skipping quoted attribute values; -1 if not buffered.
func tagEnd(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		case c == '<':
			return -2 // '<' inside a tag: not well-formed
		}
	}
	return -1
}

func (s *xmlScanner) readText() error {
	s.text = s.text[:0]
	for {
		b := s.buf[s.pos:s.end]
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			i = len(b)
		}
		// Keep an entity or a \r that may continue in the next chunk in the buffer.
		chunk := b[:i]
		if i == len(b) && !s.eof {
			if amp := bytes.LastIndexByte(chunk, '&'); amp >= 0 && bytes.IndexByte(chunk[amp:], ';') < 0 {
				chunk = chunk[:amp]
			}
			if len(chunk) > 0 && chunk[len(chunk)-1] == '\r' {
				chunk = chunk[:len(chunk)-1]
			}
		}
		// Line ends are normalised before entities are decoded: &#13; stays a \r.
		n := len(chunk)
		if err := s.appendDecoded(normalizeLineEnds(chunk)); err != nil {
			return err
		}
		s.pos += n
		if len(s.text) > maxTextBytes {
			return errUnusual
		}
		if s.pos < s.end && s.buf[s.pos] == '<' {
			break
		}
		more, err := s.fill()
		if err != nil {
			return err
		}
		if !more && s.pos == s.end {
			break
		}
	}
	s.kind = tokText
	if !validXMLText(s.text) {
		return errUnusual
	}
	return nil
}

func (s *xmlScanner) appendDecoded(b []byte) error {
	for len(b) > 0 {
		amp := bytes.IndexByte(b, '&')
		if amp < 0 {
			s.text = append(s.text, b...)
			return nil
		}
		s.text = append(s.text, b[:amp]...)
		semi := bytes.IndexByte(b[amp:], ';')
		if semi < 0 {
			return errUnusual
		}
		r, ok := decodeEntity(b[amp+1 : amp+semi])
		if !ok {
			return errUnusual
		}
		s.text = utf8.AppendRune(s.text, r)
		b = b[amp+semi+1:]
	}
	return nil
}

func decodeEntity(e []byte) (rune, bool) {
	switch string(e) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(e) < 2 || e[0] != '#' {
		return 0, false
	}
	base, digits := 10, e[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 || digits[0] == '-' || digits[0] == '+' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !isXMLChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// normalizeLineEnds turns \r\n and lone \r into \n, as XML parsers must.
func normalizeLineEnds(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// validXMLText: valid UTF-8 made of XML characters (encoding/xml refuses anything else).
func validXMLText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || !isXMLChar(r) {
			return false
		}
		i += size
	}
	return true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// attr returns the raw value of the attribute with this local name in the current start
// tag; ok is false when it is absent.
func (s *xmlScanner) attr(name string) (value []byte, ok bool, err error) {
	err = s.eachAttr(func(key, v []byte) {
		if string(key) == name {
			value, ok = v, true
		}
	})
	return value, ok, err
}

// eachAttr calls f with the local name and raw value of every attribute of the current
// start tag. A value with an entity or a line break is unusual (the scanner would have to
// decode it).
func (s *xmlScanner) eachAttr(f func(key, value []byte)) error {
	a := s.attrs
	for {
		i := 0
		for i < len(a) && isXMLSpace(a[i]) {
			i++
		}
		a = a[i:]
		if len(a) == 0 {
			return nil
		}
		eq := bytes.IndexByte(a, '=')
		if eq <= 0 {
			return errUnusual
		}
		k := eq
		for k > 0 && isXMLSpace(a[k-1]) {
			k--
		}
		key := localName(a[:k])
		a = a[eq+1:]
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return errUnusual
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return errUnusual
		}
		v := a[1 : 1+end]
		a = a[end+2:]
		for _, c := range v {
			if c == '&' || c == '<' || c == '\r' || c == '\n' || c == '\t' {
				return errUnusual
			}
		}
		f(key, v)
	}
}
