package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/staffsync/staffsync/directory"
)

// CreateImportFromStream is CreateImport for a file that arrives as a stream of exactly
// size bytes (an HTTP upload): the bytes go straight into PostgreSQL with one binary COPY,
// so the file is never held in memory. A stream that ends early, or a failed read, stores
// nothing.
func (s *Store) CreateImportFromStream(ctx context.Context, in NewImport, content io.Reader, size int64) (int64, error) {
	if size <= 0 || size > maxCopiedFileBytes {
		return 0, directory.Errorf(directory.ErrInvalid, "a file of %d bytes cannot be stored", size)
	}
	in.Content = nil
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.setLongTimeouts(ctx, tx); err != nil {
			return err
		}
		var err error
		if id, err = insertImport(ctx, tx, in); err != nil {
			return err
		}
		stream := newFileCopyStream(id, content, size)
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, stream,
			`COPY import_files (import_id, content, size, sha256) FROM STDIN WITH (FORMAT binary)`); err != nil {
			if stream.err != nil {
				return stream.err // the upload's own failure, not PostgreSQL's
			}
			return fmt.Errorf("insert import file: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("create import: %w", unavailable(err))
	}
	return id, nil
}

// maxCopiedFileBytes is the most a binary COPY field can hold (its length is an int32).
const maxCopiedFileBytes = 1<<31 - 1

// fileCopyStream is one import_files row in PostgreSQL's binary COPY format: the header and
// the row's first fields, the content as it arrives (hashed on the way), then the size,
// the hash and the end marker once exactly size bytes have passed.
type fileCopyStream struct {
	head    *bytes.Reader
	content io.Reader
	hash    hash.Hash
	size    int64
	read    int64
	tail    *bytes.Reader
	err     error // why the content stream failed, if it did
}

func newFileCopyStream(importID int64, content io.Reader, size int64) *fileCopyStream {
	var head []byte
	head = append(head, "PGCOPY\n\xff\r\n\x00"...)
	head = binary.BigEndian.AppendUint32(head, 0) // flags
	head = binary.BigEndian.AppendUint32(head, 0) // header extension length
	head = binary.BigEndian.AppendUint16(head, 4) // fields in the row
	head = binary.BigEndian.AppendUint32(head, 8)
	head = binary.BigEndian.AppendUint64(head, uint64(importID))
	head = binary.BigEndian.AppendUint32(head, uint32(size))
	return &fileCopyStream{head: bytes.NewReader(head), content: io.LimitReader(content, size), hash: sha256.New(), size: size}
}

func (f *fileCopyStream) Read(p []byte) (int, error) {
	if f.head.Len() > 0 {
		return f.head.Read(p)
	}
	if f.tail == nil {
		n, err := f.content.Read(p)
		f.read += int64(n)
		f.hash.Write(p[:n])
		switch {
		case err == io.EOF && f.read < f.size:
			f.err = directory.Errorf(directory.ErrInvalid, "the upload ended after %d of its %d bytes; upload the file again", f.read, f.size)
			return n, f.err
		case err == io.EOF:
			f.tail = bytes.NewReader(f.trailer())
		case err != nil:
			f.err = directory.Errorf(directory.ErrInvalid, "the upload stopped after %d of its %d bytes (%v); upload the file again", f.read, f.size, err)
			return n, f.err
		}
		if n > 0 {
			return n, nil
		}
	}
	return f.tail.Read(p)
}

func (f *fileCopyStream) trailer() []byte {
	var tail []byte
	tail = binary.BigEndian.AppendUint32(tail, 8)
	tail = binary.BigEndian.AppendUint64(tail, uint64(f.size))
	tail = binary.BigEndian.AppendUint32(tail, sha256.Size)
	tail = f.hash.Sum(tail)
	return binary.BigEndian.AppendUint16(tail, 0xffff) // end of data
}
