// Package fake is a Personio v1 API double for tests and `staffsync dev --fake-hris`. It is
// as strict as the real API (docs/hris-wire.md): tokens from POST /v1/auth (expiring,
// optionally rotated through the Authorization header), paging by limit (at most 100) and
// record offset, attributes the credentials cannot read left out, relations as nested
// objects, dates as local midnight with an offset, and JSON error bodies (English or German).
// Serve it with httptest.NewServer(s); the client's BaseURL is then the server's URL.
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Demo credentials of the fake.
const (
	DemoClientID     = "demo-personio-client-id"
	DemoClientSecret = "demo-personio-client-secret"
)

// Person is one employee as Personio stores it. Empty strings are empty values; a zero
// SupervisorID is nobody.
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

// Failure is an answer the employees endpoint gives instead of a page, once.
type Failure struct {
	Status     int
	RetryAfter string // "" for no header
	Body       string // sent as is; "" for an empty body
}

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
	// and invalidates the one that was used.
	RotateTokens bool
	// German error messages.
	German bool
	// NoMetadata leaves "metadata" out of employee pages (clients must stop on a short page).
	NoMetadata bool
	// Forbidden makes the employees endpoint answer 403 (credentials without employee access).
	Forbidden bool
}

// Request is what the server saw of one request (without credentials).
type Request struct {
	Method      string
	Path        string
	RawQuery    string
	Accept      string
	ContentType string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	mu        sync.Mutex
	opts      Options
	people    []Person
	tokens    map[string]bool
	failures  []Failure
	requests  []Request
	authCalls int
	relations map[string]int // "Department/Sales" -> id
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
	people := opts.People
	if people == nil {
		people = DemoPeople()
	}
	opts.People = nil
	return &Server{opts: opts, people: slices.Clone(people), tokens: map[string]bool{}, relations: map[string]int{}}
}

// People returns a copy of the current employees.
func (s *Server) People() []Person {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.people)
}

// AddPerson adds a hire; a zero ID gets the next free number. It returns the ID.
func (s *Server) AddPerson(p Person) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		for _, q := range s.people {
			p.ID = max(p.ID, q.ID)
		}
		p.ID++
	}
	if p.Status == "" {
		p.Status = "active"
	}
	s.people = append(s.people, p)
	return p.ID
}

// Update changes one employee.
func (s *Server) Update(id int, change func(*Person)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.people {
		if s.people[i].ID == id {
			change(&s.people[i])
			return nil
		}
	}
	return fmt.Errorf("fake personio: no employee %d", id)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.HiddenAttributes = slices.Clone(keys)
}

// SetCredentials replaces the valid credentials and revokes every token.
func (s *Server) SetCredentials(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.ClientID, s.opts.ClientSecret = clientID, clientSecret
	clear(s.tokens)
}

// ExpireTokens makes every issued token invalid, as when they reach expires_in.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// FailNext queues answers the employees endpoint gives, in order, instead of pages.
func (s *Server) FailNext(failures ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failures...)
}

// Requests returns what the server has seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// AuthCalls is how many times POST /v1/auth was called.
func (s *Server) AuthCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authCalls
}

// ServeHTTP answers POST /v1/auth and GET /v1/company/employees.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Accept: r.Header.Get("Accept"), ContentType: r.Header.Get("Content-Type")})
	switch r.URL.Path {
	case "/v1/auth":
		s.serveAuth(w, r)
	case "/v1/company/employees":
		s.serveEmployees(w, r)
	default:
		s.fail(w, http.StatusNotFound, "Not found", "Nicht gefunden")
	}
}

func (s *Server) fail(w http.ResponseWriter, status int, english, german string) {
	msg := english
	if s.opts.German {
		msg = german
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "error": map[string]any{"code": status, "message": msg}})
}

func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request) {
	s.authCalls++
	if r.Method != http.MethodPost {
		s.fail(w, http.StatusMethodNotAllowed, "Method not allowed", "Methode nicht erlaubt")
		return
	}
	var creds struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&creds) != nil {
			s.fail(w, http.StatusBadRequest, "Invalid JSON body", "Ungültiger JSON-Inhalt")
			return
		}
	case "application/x-www-form-urlencoded":
		if r.ParseForm() != nil {
			s.fail(w, http.StatusBadRequest, "Invalid form body", "Ungültiger Formularinhalt")
			return
		}
		creds.ClientID, creds.ClientSecret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	default:
		s.fail(w, http.StatusUnsupportedMediaType, "Send client_id and client_secret as JSON or form data",
			"client_id und client_secret als JSON oder Formular senden")
		return
	}
	if creds.ClientID != s.opts.ClientID || creds.ClientSecret != s.opts.ClientSecret {
		s.fail(w, http.StatusUnauthorized, "Wrong credentials", "Die Zugangsdaten sind ungültig")
		return
	}
	token := s.newToken()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true,
		"data": map[string]any{"token": token, "expires_in": 86400, "scope": "personio:employees:read"}})
}

func (s *Server) newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	token := "papi-" + hex.EncodeToString(b)
	s.tokens[token] = true
	return token
}

func (s *Server) serveEmployees(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.fail(w, http.StatusMethodNotAllowed, "Method not allowed", "Methode nicht erlaubt")
		return
	}
	if !acceptsJSON(r.Header.Get("Accept")) {
		s.fail(w, http.StatusNotAcceptable, "Only application/json is available", "Nur application/json ist verfügbar")
		return
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.Status)
		fmt.Fprint(w, f.Body)
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		s.fail(w, http.StatusUnauthorized, "Authorization is not provided", "Autorisierung fehlt")
		return
	}
	if !s.tokens[token] {
		s.fail(w, http.StatusUnauthorized, "The token is invalid or has expired", "Das Token ist ungültig oder abgelaufen")
		return
	}
	if s.opts.Forbidden {
		s.fail(w, http.StatusForbidden, "Provided authorization is not valid", "Die angegebene Autorisierung ist nicht gültig")
		return
	}
	limit, offset, err := paging(r.URL.Query())
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error(), err.Error())
		return
	}
	if s.opts.RotateTokens {
		delete(s.tokens, token)
		w.Header().Set("Authorization", "Bearer "+s.newToken())
	}
	total := len(s.people)
	pages := (total + limit - 1) / limit
	data := []any{}
	for i := offset; i < total && i < offset+limit; i++ {
		data = append(data, map[string]any{"type": "Employee", "attributes": s.attributes(s.people[i])})
	}
	answer := map[string]any{"success": true, "offset": offset, "limit": limit, "data": data,
		"metadata": map[string]any{"total_elements": total, "current_page": offset / limit, "total_pages": pages}}
	if s.opts.NoMetadata {
		delete(answer, "metadata")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// paging reads limit (default 50, at most 100) and offset (a record count).
func paging(q url.Values) (limit, offset int, err error) {
	limit, offset = 50, 0
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fmt.Errorf("limit must be a positive number")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("offset must be zero or a positive number")
		}
	}
	return min(limit, 100), offset, nil
}

func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && (mt == "application/json" || mt == "*/*" || mt == "application/*") {
			return true
		}
	}
	return false
}

var labels = map[string]string{
	"id": "ID", "first_name": "First name", "last_name": "Last name", "preferred_name": "Preferred name",
	"email": "Email", "gender": "Gender", "status": "Status", "position": "Position",
	"employment_type": "Employment type", "hire_date": "Hire date", "termination_date": "Termination date",
	"termination_type": "Termination type", "department": "Department", "office": "Office", "team": "Team",
	"supervisor": "Supervisor",
}

func (s *Server) attribute(key string, value any) map[string]any {
	attr := map[string]any{"label": labels[key], "value": value}
	if !s.opts.LegacyAttributes {
		attr["type"], attr["universal_id"] = "standard", key
	}
	return attr
}

func (s *Server) date(d string) any {
	if d == "" {
		return nil
	}
	if s.opts.PlainDates {
		return d
	}
	return d + "T00:00:00" + s.opts.DateOffset
}

func (s *Server) relation(kind, name string) any {
	if name == "" {
		return nil
	}
	key := kind + "/" + name
	id, ok := s.relations[key]
	if !ok {
		id = 281500 + len(s.relations)
		s.relations[key] = id
	}
	return map[string]any{"type": kind, "attributes": map[string]any{"id": id, "name": name}}
}

func (s *Server) supervisor(id int) any {
	for _, p := range s.people {
		if id != 0 && p.ID == id {
			attrs := map[string]any{
				"id":         s.attribute("id", p.ID),
				"first_name": s.attribute("first_name", p.FirstName),
				"last_name":  s.attribute("last_name", p.LastName),
				"email":      s.attribute("email", p.Email),
			}
			for _, hidden := range s.opts.HiddenAttributes {
				delete(attrs, hidden)
			}
			return map[string]any{"type": "Employee", "attributes": attrs}
		}
	}
	return nil
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) attributes(p Person) map[string]any {
	values := map[string]any{
		"id":               p.ID,
		"first_name":       p.FirstName,
		"last_name":        p.LastName,
		"preferred_name":   p.PreferredName,
		"email":            p.Email,
		"gender":           orNull(p.Gender),
		"status":           p.Status,
		"position":         p.Position,
		"employment_type":  orNull(p.EmploymentType),
		"hire_date":        s.date(p.HireDate),
		"termination_date": s.date(p.TerminationDate),
		"termination_type": p.TerminationType,
		"department":       s.relation("Department", p.Department),
		"office":           s.relation("Office", p.Office),
		"team":             s.relation("Team", p.Team),
		"supervisor":       s.supervisor(p.SupervisorID),
	}
	for _, hidden := range s.opts.HiddenAttributes {
		delete(values, hidden)
	}
	attrs := make(map[string]any, len(values))
	for key, value := range values {
		attrs[key] = s.attribute(key, value)
	}
	return attrs
}
