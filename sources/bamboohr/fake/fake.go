// Package fake is a BambooHR API double for tests and `staffsync dev --fake-hris`, built from
// BambooHR's published spec (BambooHR/bhr-api-python specs/public.yaml, POST
// /api/v1/reports/custom; docs/hris-wire.md) and as strict: exact Content-Type, Accept,
// Basic auth, fields the key's user cannot read silently left out of "fields" and of every
// employee, every value a string or null, null for an emptied field, "0000-00-00" for empty
// dates, 429 with Retry-After when rate limited, and error messages in
// X-BambooHR-Error-Message headers.
//
// Switches for tests: SetRestrictedFields, SetNull (an emptied field), SetOmitted (people
// left out of full reports while the id-only count still has them), FailNext and
// RateLimitNext. Serve it with httptest.NewServer(s) or any http.Server; the client's
// BaseURL is then the server's URL.
package fake

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/staffsync/staffsync/sources/hrfake"
)

// Person is one employee as BambooHR stores it. Empty strings are empty values.
type Person struct {
	ID               string // BambooHR's employee id ("101")
	EmployeeNumber   string
	FirstName        string
	LastName         string
	PreferredName    string
	WorkEmail        string
	Gender           string // "Male", "Female", "Non-binary" or ""
	JobTitle         string
	Department       string
	Division         string
	Location         string
	SupervisorID     string // the supervisor's ID, "" for nobody
	HireDate         string // YYYY-MM-DD or ""
	TerminationDate  string // YYYY-MM-DD or ""
	Status           string // "Active" or "Inactive"
	EmploymentStatus string // employmentHistoryStatus: "Full-Time", "Part-Time", "Contractor", ...
}

// Failure is an answer the server gives instead of the report, once; its Message is sent in
// X-BambooHR-Error-Message (or X-BambooHR-Message, see Options), its Body as plain text.
type Failure = hrfake.Failure

// Options configure a Server. The zero value serves the demo company "acme" with key
// DemoAPIKey and DemoPeople.
type Options struct {
	Company string // subdomain; default "acme"
	APIKey  string // the one valid key; default DemoAPIKey
	People  []Person
	// RestrictedFields are field ids the key's user may not read: they are dropped from
	// "fields" and from every employee, and the answer is still 200.
	RestrictedFields []string
	// EmptyAsNull sends empty dates as null too, not as "0000-00-00".
	EmptyAsNull bool
	// EmptyAsString sends empty text values as "" instead of null (older answers).
	EmptyAsString bool
	// NumbersAsNumbers sends id, employeeNumber and supervisorEId as JSON numbers: the real
	// API never does, so clients must not break if it starts to.
	NumbersAsNumbers bool
	// LegacyMessageHeader puts error messages in X-BambooHR-Message instead of
	// X-BambooHR-Error-Message (both appear in BambooHR's docs).
	LegacyMessageHeader bool
	// ExtraEmployeeKeys are added to every employee verbatim (unknown fields in the answer).
	ExtraEmployeeKeys map[string]any
}

// MaxReportFields is the most fields one custom report may ask for.
const MaxReportFields = 400

// DemoAPIKey is the fake's default API key.
const DemoAPIKey = "demo-bamboohr-api-key"

// Request is what the server saw of one request (without credentials).
type Request struct {
	Method      string
	Path        string
	RawQuery    string
	ContentType string
	Accept      string
	Fields      []string // requested report fields
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	hrfake.Roster[string, Person] // Omitted: left out of reports with more fields than id
	opts                          Options
	requests                      []Request
}

// NewServer returns a fake BambooHR company.
func NewServer(opts Options) *Server {
	if opts.Company == "" {
		opts.Company = "acme"
	}
	if opts.APIKey == "" {
		opts.APIKey = DemoAPIKey
	}
	people := opts.People
	if people == nil {
		people = DemoPeople()
	}
	opts.People = nil
	s := &Server{opts: opts}
	s.Init("bamboohr", func(p *Person) string { return p.ID }, people)
	return s
}

// RateLimitNext makes the next n reports answer 429 with Retry-After (seconds; "" for none),
// as BambooHR does for rate limits from 2026-09-16 (503 before).
func (s *Server) RateLimitNext(n int, retryAfter string) {
	for range n {
		s.FailNext(Failure{Status: 429, RetryAfter: retryAfter, Message: "Rate limit exceeded"})
	}
}

// Company is the subdomain the server answers for.
func (s *Server) Company() string { return s.opts.Company }

// AddPerson adds a hire; an empty ID gets the next free number. It returns the ID.
func (s *Server) AddPerson(p Person) string {
	s.Lock()
	defer s.Unlock()
	if p.ID == "" {
		next := 1
		for _, q := range s.Employees {
			if n, err := strconv.Atoi(q.ID); err == nil && n >= next {
				next = n + 1
			}
		}
		p.ID = strconv.Itoa(next)
	}
	if p.Status == "" {
		p.Status = "Active"
	}
	s.Employees = append(s.Employees, p)
	return p.ID
}

// SetManager makes managerID the supervisor of id ("" for nobody).
func (s *Server) SetManager(id, managerID string) error {
	return s.Update(id, func(p *Person) { p.SupervisorID = managerID })
}

// Terminate makes id inactive with a termination date (YYYY-MM-DD).
func (s *Server) Terminate(id, date string) error {
	return s.Update(id, func(p *Person) { p.Status, p.TerminationDate = "Inactive", date })
}

// SetRestrictedFields replaces the fields the key's user may not read.
func (s *Server) SetRestrictedFields(fields ...string) {
	s.Lock()
	defer s.Unlock()
	s.opts.RestrictedFields = slices.Clone(fields)
}

// SetAPIKey makes key the only valid key (the old one now answers 401).
func (s *Server) SetAPIKey(key string) {
	s.Lock()
	defer s.Unlock()
	s.opts.APIKey = key
}

// Requests returns what the server has seen so far.
func (s *Server) Requests() []Request {
	s.Lock()
	defer s.Unlock()
	return slices.Clone(s.requests)
}

// knownFields are the report field ids the fake can answer.
var knownFields = map[string]func(s *Server, p Person) string{
	"id":                      func(_ *Server, p Person) string { return p.ID },
	"employeeNumber":          func(_ *Server, p Person) string { return p.EmployeeNumber },
	"firstName":               func(_ *Server, p Person) string { return p.FirstName },
	"lastName":                func(_ *Server, p Person) string { return p.LastName },
	"preferredName":           func(_ *Server, p Person) string { return p.PreferredName },
	"workEmail":               func(_ *Server, p Person) string { return p.WorkEmail },
	"gender":                  func(_ *Server, p Person) string { return p.Gender },
	"jobTitle":                func(_ *Server, p Person) string { return p.JobTitle },
	"department":              func(_ *Server, p Person) string { return p.Department },
	"division":                func(_ *Server, p Person) string { return p.Division },
	"location":                func(_ *Server, p Person) string { return p.Location },
	"supervisorEId":           func(_ *Server, p Person) string { return p.SupervisorID },
	"supervisorEmail":         func(s *Server, p Person) string { return s.emailOf(p.SupervisorID) },
	"hireDate":                func(_ *Server, p Person) string { return p.HireDate },
	"terminationDate":         func(_ *Server, p Person) string { return p.TerminationDate },
	"status":                  func(_ *Server, p Person) string { return p.Status },
	"employmentHistoryStatus": func(_ *Server, p Person) string { return p.EmploymentStatus },
}

var fieldNames = map[string]string{
	"id": "Employee #", "employeeNumber": "Employee #", "firstName": "First Name", "lastName": "Last Name",
	"preferredName": "Preferred Name", "workEmail": "Work Email", "gender": "Gender", "jobTitle": "Job Title",
	"department": "Department", "division": "Division", "location": "Location", "supervisorEId": "Supervisor EID",
	"supervisorEmail": "Supervisor email", "hireDate": "Hire Date", "terminationDate": "Termination Date",
	"status": "Status", "employmentHistoryStatus": "Employment Status",
}

func (s *Server) emailOf(id string) string {
	if id == "" {
		return ""
	}
	for _, p := range s.Employees {
		if p.ID == id {
			return p.WorkEmail
		}
	}
	return ""
}

// ServeHTTP answers POST [/api/gateway.php]/{company}/v1/reports/custom?format=JSON.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	defer s.Unlock()
	req := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		ContentType: r.Header.Get("Content-Type"), Accept: r.Header.Get("Accept")}
	var body struct {
		Title  string   `json:"title"`
		Fields []string `json:"fields"`
	}
	bodyErr := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body)
	req.Fields = body.Fields
	s.requests = append(s.requests, req)

	path := strings.TrimPrefix(r.URL.Path, "/api/gateway.php")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 4 || parts[1] != "v1" || parts[2] != "reports" || parts[3] != "custom" {
		http.NotFound(w, r)
		return
	}
	if parts[0] != s.opts.Company {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if f, ok := s.PopFailure(); ok {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.fail(w, f.Status, f.Message, f.Body)
		return
	}
	user, _, ok := r.BasicAuth()
	if !ok {
		s.fail(w, http.StatusUnauthorized, "Authentication required", "")
		return
	}
	if user != s.opts.APIKey {
		// The real API is not careful about echoing what it was sent; clients must be.
		s.fail(w, http.StatusUnauthorized, fmt.Sprintf("Invalid API key %q", user), "")
		return
	}
	if r.Method != http.MethodPost {
		s.fail(w, http.StatusMethodNotAllowed, "Method not allowed", "")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		// "application/json; charset=UTF-8" and friends are read as XML.
		s.fail(w, http.StatusBadRequest, "Unable to parse the request body as XML", "Bad Request")
		return
	}
	switch format := strings.ToLower(r.URL.Query().Get("format")); format {
	case "json":
	case "":
		// The real API infers the format from Accept; staffsync always names it, so the
		// fake is stricter and refuses.
		s.fail(w, http.StatusBadRequest, "format must be JSON or XML", "")
		return
	default:
		s.fail(w, http.StatusNotFound, "Report format not found", "") // [B-spec] 404: unsupported format
		return
	}
	if bodyErr != nil || len(body.Fields) == 0 {
		s.fail(w, http.StatusBadRequest, "The report request needs a list of fields", "")
		return
	}
	if len(body.Fields) > MaxReportFields {
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("At most %d fields per report", MaxReportFields), "")
		return
	}
	if !acceptsJSON(r.Header.Get("Accept")) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fmt.Fprintf(w, `<?xml version="1.0"?><report><title>%s</title><employees/></report>`, body.Title)
		return
	}
	s.writeReport(w, body.Title, body.Fields)
}

func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}

func (s *Server) fail(w http.ResponseWriter, status int, message, body string) {
	if message != "" {
		header := "X-BambooHR-Error-Message"
		if s.opts.LegacyMessageHeader {
			header = "X-BambooHR-Message"
		}
		w.Header().Set(header, message)
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	if body != "" {
		fmt.Fprint(w, body)
	}
}

type reportField struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

func (s *Server) writeReport(w http.ResponseWriter, title string, requested []string) {
	restricted := map[string]bool{}
	for _, f := range s.opts.RestrictedFields {
		restricted[f] = true
	}
	var fields []reportField
	seen := map[string]bool{}
	for _, id := range requested {
		if seen[id] || restricted[id] || knownFields[id] == nil {
			continue
		}
		seen[id] = true
		typ := "text"
		switch id {
		case "hireDate", "terminationDate":
			typ = "date"
		case "workEmail", "supervisorEmail":
			typ = "email"
		case "status", "gender", "department", "division", "location", "employmentHistoryStatus":
			typ = "list"
		}
		fields = append(fields, reportField{ID: id, Type: typ, Name: fieldNames[id]})
	}
	onlyID := len(fields) == 1 && fields[0].ID == "id" || len(fields) == 0
	employees := make([]map[string]any, 0, len(s.Employees))
	for _, p := range s.Employees {
		if s.Omitted[p.ID] && !onlyID {
			continue
		}
		emp := map[string]any{"id": s.value("id", p)}
		for _, f := range fields {
			emp[f.ID] = s.value(f.ID, p)
		}
		for k, v := range s.opts.ExtraEmployeeKeys {
			emp[k] = v
		}
		employees = append(employees, emp)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"title": title, "fields": fields, "employees": employees}) // a write error means the client left
}

// value is one employee value as BambooHR sends it: a string, or null.
func (s *Server) value(id string, p Person) any {
	if id != "id" && slices.Contains(s.Nulls[p.ID], id) {
		return nil
	}
	text := knownFields[id](s, p)
	if text == "" {
		switch {
		case s.opts.EmptyAsNull:
			return nil
		case id == "hireDate" || id == "terminationDate":
			return "0000-00-00"
		case s.opts.EmptyAsString && id != "supervisorEId":
			return ""
		}
		return nil
	}
	if s.opts.NumbersAsNumbers && (id == "id" || id == "employeeNumber" || id == "supervisorEId") {
		if n, err := strconv.Atoi(text); err == nil {
			return n
		}
	}
	return text
}
