package sftpdrop

import (
	"errors"
	"fmt"
	"sync"
)

// Quota bounds what one drop (integration) may hold and do at once. Zero fields take the
// defaults.
type Quota struct {
	// WaitingFiles is the most files waiting to be imported.
	WaitingFiles int
	// Files is the most files stored (imported ones included, until removed).
	Files int
	// Bytes is the most bytes stored.
	Bytes int64
	// OpenUploads is the most uploads open at once; each is buffered in memory.
	OpenUploads int
}

// Default quota of a drop.
const (
	DefaultWaitingFiles = 10
	DefaultFiles        = 100
	DefaultStoredBytes  = 250 << 20
	DefaultOpenUploads  = 2
	// maxOpenUploadsTotal bounds the upload buffers of the whole server (each up to MaxBytes).
	maxOpenUploadsTotal = 8
)

func (q Quota) withDefaults() Quota {
	if q.WaitingFiles <= 0 {
		q.WaitingFiles = DefaultWaitingFiles
	}
	if q.Files <= 0 {
		q.Files = DefaultFiles
	}
	if q.Bytes <= 0 {
		q.Bytes = DefaultStoredBytes
	}
	if q.OpenUploads <= 0 {
		q.OpenUploads = DefaultOpenUploads
	}
	return q
}

// Usage is what a drop holds now, leaving out the file an upload replaces.
type Usage struct {
	Files   int
	Waiting int
	Bytes   int64
}

// ErrQuota is wrapped by every quota refusal; the message says what to do.
var ErrQuota = errors.New("drop quota exceeded")

func quotaErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrQuota, fmt.Sprintf(format, args...))
}

// checkUsage refuses an upload of size more bytes (0 when not known yet) into a drop using u.
func (q Quota) checkUsage(u Usage, size int64) error {
	switch {
	case u.Waiting >= q.WaitingFiles:
		return quotaErrorf("%d files are waiting to be imported (the limit is %d); wait until they are imported, or remove some, then upload again", u.Waiting, q.WaitingFiles)
	case u.Files >= q.Files:
		return quotaErrorf("the drop holds %d files (the limit is %d); remove imported files (rm NAME) and upload again", u.Files, q.Files)
	case u.Bytes+size > q.Bytes:
		return quotaErrorf("the drop would hold more than %s (the limit); remove imported files (rm NAME) and upload again", sizeText(q.Bytes))
	}
	return nil
}

// uploadSlots counts open uploads per integration and in total. Entries go when their count
// reaches zero, so memory follows the open uploads, not the integrations ever seen.
type uploadSlots struct {
	mu     sync.Mutex
	byDrop map[int64]int
	total  int
}

func (s *uploadSlots) acquire(integrationID int64, perDrop int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byDrop == nil {
		s.byDrop = map[int64]int{}
	}
	if s.byDrop[integrationID] >= perDrop {
		return quotaErrorf("%d uploads to this drop are already open (the limit is %d); upload one file after the other", s.byDrop[integrationID], perDrop)
	}
	if s.total >= maxOpenUploadsTotal {
		return quotaErrorf("the server is busy with other uploads; try again in a minute")
	}
	s.byDrop[integrationID]++
	s.total++
	return nil
}

func (s *uploadSlots) release(integrationID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byDrop[integrationID] <= 1 {
		delete(s.byDrop, integrationID)
	} else {
		s.byDrop[integrationID]--
	}
	s.total--
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
