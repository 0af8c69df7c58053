package sources

import (
	"context"
	"errors"

	"github.com/staffsync/staffsync/directory"
)

// File is a file a file source fetched, in the import template format (CSV or XLSX).
type File struct {
	Name    string
	Content []byte
	// Fingerprint identifies this version of the file (ETag/Last-Modified, or name, size,
	// modification time and hash); the next fetch passes it back to skip an unchanged file.
	Fingerprint string
}

// A FileSource fetches the newest file of a remote place. It returns ErrUnchanged when the
// file is the one last fingerprint describes.
type FileSource interface {
	FetchFile(ctx context.Context, lastFingerprint string) (File, error)
}

// An Archiver moves a file that has been imported out of the way (SFTP archive/).
type Archiver interface {
	Archive(ctx context.Context, f File) error
}

// A ConnectionTester checks settings and credentials without importing anything; it
// returns what the admin needs to know (e.g. the SFTP server's host key fingerprint).
type ConnectionTester interface {
	TestConnection(ctx context.Context) (string, error)
}

// More error classes of file sources.
var (
	// ErrUnchanged: the file has not changed since the last import; nothing to do.
	ErrUnchanged = errors.New("the file has not changed since the last import")
	// ErrNoFile: there is no file to import yet; the run does nothing.
	ErrNoFile = errors.New("there is no file to import")
	// ErrHostKey: the server's identity does not match the pinned one: never connect.
	ErrHostKey = errors.New("the server's host key does not match the pinned fingerprint")
	// ErrConfig: the settings cannot work (bad URL, refused address, file too large); retrying does not help.
	ErrConfig = errors.New("the integration settings need fixing")
)

// Errorf returns an error of class (ErrAuth, ErrConfig, ...) whose message is only the
// formatted text: the admin sees what is wrong here, not the class's generic wording.
func Errorf(class error, format string, args ...any) error {
	return directory.Errorf(class, format, args...)
}
