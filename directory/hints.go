package directory

// Hint codes: patterns across rows that the seeds' troubleshooting describes.
const (
	// HintUnknownManager: rows name a manager email that nobody has.
	HintUnknownManager = "unknown_manager"
	// HintUncommonDomain: the file brings an email domain none of the company's people use.
	HintUncommonDomain = "uncommon_domain"
	// HintPossibleDuplicate: two accounts with the same name and different emails.
	HintPossibleDuplicate = "possible_duplicate"
)

// HintPerson is someone a hint names: a person of the directory (ID set), a row of the
// file (Row set), or both.
type HintPerson struct {
	ID    int64  `json:"id,omitempty"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Row   int    `json:"row,omitempty"`
}

// Hint explains a pattern the preview found across rows.
type Hint struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Value is the unknown manager's email or the uncommon domain.
	Value string `json:"value,omitempty"`
	// Rows are the first MaxHintRows rows concerned; RowCount counts them all.
	Rows     []int        `json:"rows,omitempty"`
	RowCount int          `json:"row_count,omitempty"`
	People   []HintPerson `json:"people,omitempty"`
}

// Limits that keep hints short however large the file.
const (
	MaxHintRows = 20
	MaxHints    = 100
)
