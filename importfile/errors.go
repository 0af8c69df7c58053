package importfile

import "fmt"

// File error codes (import-rules.md section 6, "File errors"). Nothing of a file with a
// file error is imported.
const (
	CodeEmptyFile           = "empty_file"
	CodeFileTooLarge        = "file_too_large"
	CodeNotSpreadsheet      = "not_a_spreadsheet"
	CodeOldExcel            = "old_excel_format"
	CodePasswordProtected   = "password_protected"
	CodeUnsupportedEncoding = "unsupported_encoding"
	CodeDamagedFile         = "damaged_file"
	CodeSheetNotFound       = "sheet_not_found"
	CodeNoHeader            = "no_header"
	CodeMissingColumn       = "missing_column"
	CodeDuplicateColumn     = "duplicate_column"
	CodeTooManyColumns      = "too_many_columns"
	CodeTooManyRows         = "too_many_rows"
	CodeCellTooLong         = "cell_too_long"
	CodeUnclosedQuote       = "unclosed_quote"
	CodeTooManySheets       = "too_many_sheets"
	CodeLineTooLong         = "line_too_long"
)

// FileError is a file-level problem: nothing is imported. Message says what is wrong and
// what to fix, worded for an HR admin.
type FileError struct {
	Code    string
	Message string
}

func (e *FileError) Error() string { return e.Message }

func fileErrorf(code, format string, args ...any) *FileError {
	return &FileError{Code: code, Message: fmt.Sprintf(format, args...)}
}
