// Package fake is a Personio v1 API double for tests and `staffsync dev --fake-hris`, built
// from Personio's published specs (personio/api-docs: personio-auth-api.yaml and
// personio-personnel-data-api-oa3.yaml; docs/hris-wire.md) and at least as strict:
//
//   - POST /v1/auth issues a "papi-" token that is stable for 24 hours from its first issue
//     for those credentials; asking again returns the same token and still says
//     expires_in 86400, however old it is.
//   - An expired or unknown token is refused with 403 "Provided authorization is not valid";
//     401 "Authorization is not provided" only when the header is missing.
//   - GET /v1/company/employees pages by limit (default 50, at most 100) and a record offset,
//     with metadata.total_elements; attributes[] is a whitelist (id always comes back);
//     attributes the credentials may not read are absent, not null; empty values are null.
//   - Relations are nested objects, dates local midnight with an offset, errors JSON bodies
//     (English or German), 429 with Retry-After when told to.
//
// Switches for tests: ExpireTokens, ExpireTokensAfter (mid-run), Advance (the fake's clock),
// SetOmitted (a roster short of total_elements), SetPageCap, SetHiddenAttributes, SetNull,
// FailNext / RateLimitNext. Serve it with httptest.NewServer(s); the client's BaseURL is
// then the server's URL.
package fake

import (
	"slices"
	"time"

	"github.com/staffsync/staffsync/sources/hrfake"
)

// Demo credentials of the fake.
const (
	DemoClientID     = "demo-personio-client-id"
	DemoClientSecret = "demo-personio-client-secret"
)

// TokenLifetime is how long a token lives from its first issue for a pair of credentials.
const TokenLifetime = 24 * time.Hour

// MaxLimit is the most employees one page holds; DefaultLimit is the page size without limit.
const (
	MaxLimit     = 100
	DefaultLimit = 50
)

// Person is one employee as Personio stores it. Empty strings are empty values (sent as
// null); a zero SupervisorID is nobody.
type Person struct {
	ID              int
	FirstName       string
	LastName        string
	PreferredName   string
	Email           string
	Gender          string // "male", "female", "diverse" or ""
	Status          string // "onboarding", "active", "leave" or "inactive"
	Position        string
	EmploymentType  string // "internal" or "external"
	HireDate        string // YYYY-MM-DD or ""
	TerminationDate string // YYYY-MM-DD or ""
	TerminationType string
	Department      string
	Office          string
	Team            string
	SupervisorID    int
}

// Failure is an answer the employees endpoint gives instead of a page, once; its Body is
// sent as is (Message is not used: Personio's errors are in the body).
type Failure = hrfake.Failure

// Options configure a Server. The zero value serves DemoPeople to the demo credentials.
type Options struct {
	ClientID     string
	ClientSecret string
	People       []Person
	// HiddenAttributes are attribute keys the credentials may not read: absent from every
	// employee (not null), as in Personio.
	HiddenAttributes []string
	// LegacyAttributes leaves out "type" and "universal_id", as older answers do.
	LegacyAttributes bool
	// DateOffset is written after local midnight ("+01:00" by default; odd ones like "+00:53"
	// exist). PlainDates sends YYYY-MM-DD instead.
	DateOffset string
	PlainDates bool
	// RotateTokens sends a new token in the Authorization header of every employees answer
	// and invalidates the one that was used (the old one-time tokens).
	RotateTokens bool
	// German error messages.
	German bool
	// NoMetadata leaves "metadata" out of employee pages (the spec requires it; a client
	// cannot prove the roster complete without it).
	NoMetadata bool
	// Forbidden makes the employees endpoint answer 403 to every token (credentials without
	// employee access).
	Forbidden bool
	// Now is the fake's clock (default time.Now); Advance moves it on.
	Now func() time.Time
}

// Request is what the server saw of one request (without credentials).
type Request struct {
	Method      string
	Path        string
	RawQuery    string
	Accept      string
	ContentType string
	Status      int // the answer's status code
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	hrfake.Roster[int, Person] // Omitted: counted in total_elements, never sent
	opts                       Options
	requests                   []Request
	authCalls                  int
	relations                  map[string]int // "Department/Sales" -> id

	skew     time.Duration        // added to opts.Now by Advance
	stable   string               // the credentials' current token
	issued   map[string]time.Time // token -> first issue
	expireIn int                  // employees answers left before every token expires; 0: off
	pageCap  int                  // most records per page whatever the limit; 0: MaxLimit
}

// NewServer returns a fake Personio account.
func NewServer(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = DemoClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DemoClientSecret
	}
	if opts.DateOffset == "" {
		opts.DateOffset = "+01:00"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	people := opts.People
	if people == nil {
		people = DemoPeople()
	}
	opts.People = nil
	s := &Server{opts: opts, issued: map[string]time.Time{}, relations: map[string]int{}}
	s.Init("personio", func(p *Person) int { return p.ID }, people)
	return s
}

func (s *Server) now() time.Time { return s.opts.Now().Add(s.skew) }

// AddPerson adds a hire; a zero ID gets the next free number. It returns the ID.
func (s *Server) AddPerson(p Person) int {
	s.Lock()
	defer s.Unlock()
	if p.ID == 0 {
		for _, q := range s.Employees {
			p.ID = max(p.ID, q.ID)
		}
		p.ID++
	}
	if p.Status == "" {
		p.Status = "active"
	}
	s.Employees = append(s.Employees, p)
	return p.ID
}

// SetSupervisor makes supervisorID the supervisor of id (0 for nobody).
func (s *Server) SetSupervisor(id, supervisorID int) error {
	return s.Update(id, func(p *Person) { p.SupervisorID = supervisorID })
}

// Terminate makes id inactive with a termination date (YYYY-MM-DD).
func (s *Server) Terminate(id int, date string) error {
	return s.Update(id, func(p *Person) { p.Status, p.TerminationDate = "inactive", date })
}

// SetHiddenAttributes replaces the attributes the credentials may not read.
func (s *Server) SetHiddenAttributes(keys ...string) {
	s.Lock()
	defer s.Unlock()
	s.opts.HiddenAttributes = slices.Clone(keys)
}

// SetPageCap makes every page hold at most n records whatever the limit (0: MaxLimit),
// as when Personio lowers its maximum: a client must advance by the records it received.
func (s *Server) SetPageCap(n int) {
	s.Lock()
	defer s.Unlock()
	s.pageCap = n
}

// SetCredentials replaces the valid credentials and revokes every token.
func (s *Server) SetCredentials(clientID, clientSecret string) {
	s.Lock()
	defer s.Unlock()
	s.opts.ClientID, s.opts.ClientSecret = clientID, clientSecret
	s.revokeTokens()
}

// ExpireTokens makes every issued token invalid now, as when it reaches 24 hours; the next
// POST /v1/auth issues a new one.
func (s *Server) ExpireTokens() {
	s.Lock()
	defer s.Unlock()
	s.revokeTokens()
}

// ExpireTokensAfter lets n more employees pages succeed, then expires every token (a token
// that runs out in the middle of a sync). n <= 0 turns it off.
func (s *Server) ExpireTokensAfter(n int) {
	s.Lock()
	defer s.Unlock()
	s.expireIn = max(n, 0)
}

// Advance moves the fake's clock on by d: tokens older than TokenLifetime expire.
func (s *Server) Advance(d time.Duration) {
	s.Lock()
	defer s.Unlock()
	s.skew += d
}

func (s *Server) revokeTokens() {
	clear(s.issued)
	s.stable = ""
}

// RateLimitNext makes the next n employees requests answer 429 with Retry-After (in
// seconds; "" for none) and Personio's error body.
func (s *Server) RateLimitNext(n int, retryAfter string) {
	for range n {
		s.FailNext(Failure{Status: 429, RetryAfter: retryAfter,
			Body: `{"success":false,"error":{"code":429,"message":"Too Many Requests"}}`})
	}
}

// Requests returns what the server has seen so far.
func (s *Server) Requests() []Request {
	s.Lock()
	defer s.Unlock()
	return slices.Clone(s.requests)
}

// AuthCalls is how many times POST /v1/auth was called.
func (s *Server) AuthCalls() int {
	s.Lock()
	defer s.Unlock()
	return s.authCalls
}
