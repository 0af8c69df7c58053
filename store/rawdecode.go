package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Bulk reads (an import's rows, a company's directory) decode PostgreSQL's binary result
// format directly: pgx's generic, reflection-based scanning cost more than the query itself.

// requireBinary checks that the given columns (numbers, booleans, arrays, jsonb) arrive in
// binary format. Text columns come in text format, which for text is the same bytes.
func requireBinary(rows pgx.Rows, columns ...int) error {
	fds := rows.FieldDescriptions()
	for _, c := range columns {
		if c >= len(fds) || fds[c].Format != pgtype.BinaryFormatCode {
			return fmt.Errorf("column %d of a bulk read did not arrive in binary format", c)
		}
	}
	return nil
}

var errShortValue = errors.New("binary value is too short")

func decodeInt32(raw []byte) (int32, error) {
	if len(raw) != 4 {
		return 0, errShortValue
	}
	return int32(binary.BigEndian.Uint32(raw)), nil
}

func decodeInt64(raw []byte) (int64, error) {
	if len(raw) != 8 {
		return 0, errShortValue
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

func decodeBool(raw []byte) (bool, error) {
	if len(raw) != 1 {
		return false, errShortValue
	}
	return raw[0] != 0, nil
}

// decodeJSONB returns the JSON text of a jsonb value in the given format (binary: a version
// byte, then the text); nil for SQL NULL.
func decodeJSONB(raw []byte, format int16) ([]byte, error) {
	if raw == nil || format == pgtype.TextFormatCode {
		return raw, nil
	}
	if len(raw) < 1 || raw[0] != 1 {
		return nil, errors.New("unknown jsonb binary version")
	}
	return raw[1:], nil
}

// decodeTextArray calls fn for each element of a one-dimensional binary text[] value, with
// ok false for NULL elements. The bytes are only valid during the call.
func decodeTextArray(raw []byte, fn func(i int, b []byte, ok bool)) error {
	if len(raw) < 12 {
		return errShortValue
	}
	dims := int(binary.BigEndian.Uint32(raw))
	raw = raw[12:] // dimensions, has-null flag, element type
	if dims == 0 {
		return nil
	}
	if dims != 1 || len(raw) < 8 {
		return fmt.Errorf("expected a one-dimensional array, got %d dimensions", dims)
	}
	n := int(binary.BigEndian.Uint32(raw))
	raw = raw[8:] // length, lower bound
	for i := 0; i < n; i++ {
		if len(raw) < 4 {
			return errShortValue
		}
		size := int32(binary.BigEndian.Uint32(raw))
		raw = raw[4:]
		if size < 0 {
			fn(i, nil, false)
			continue
		}
		if len(raw) < int(size) {
			return errShortValue
		}
		fn(i, raw[:size], true)
		raw = raw[size:]
	}
	return nil
}

// postgresEpoch is day 0 of PostgreSQL's binary date format.
var postgresEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// decodeDate formats a binary date as YYYY-MM-DD into buf; NULL is empty.
func decodeDate(raw []byte, buf *[10]byte) ([]byte, error) {
	if raw == nil {
		return nil, nil
	}
	days, err := decodeInt32(raw)
	if err != nil {
		return nil, err
	}
	return postgresEpoch.AddDate(0, 0, int(days)).AppendFormat(buf[:0], time.DateOnly), nil
}
