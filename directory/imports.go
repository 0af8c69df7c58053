package directory

// ImportStatus is where an import is in its life.
type ImportStatus string

const (
	StatusParsing          ImportStatus = "parsing"
	StatusPreviewing       ImportStatus = "previewing"
	StatusAwaitingApproval ImportStatus = "awaiting_approval"
	StatusApplying         ImportStatus = "applying"
	StatusApplied          ImportStatus = "applied"
	StatusRejected         ImportStatus = "rejected"
	StatusExpired          ImportStatus = "expired"
	StatusFailed           ImportStatus = "failed"
)

// Final reports whether nothing more happens to an import in this status.
func (s ImportStatus) Final() bool {
	switch s {
	case StatusApplied, StatusRejected, StatusExpired, StatusFailed:
		return true
	}
	return false
}

// SourceUpload is the source of imports started by uploading a file.
const SourceUpload = "upload"
