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
)

// statusWriter remembers the status of an answer for Requests.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP answers POST /v1/auth and GET /v1/company/employees.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	defer s.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	switch r.URL.Path {
	case "/v1/auth":
		s.serveAuth(sw, r)
	case "/v1/company/employees":
		s.serveEmployees(sw, r)
	default:
		s.fail(sw, http.StatusNotFound, "Not found", "Nicht gefunden")
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Accept: r.Header.Get("Accept"), ContentType: r.Header.Get("Content-Type"), Status: sw.status})
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
	// The token is stable: the same one for 24 hours from its first issue, and the answer
	// says 86400 seconds whatever is left of them.
	if s.stable == "" || !s.valid(s.stable) {
		s.stable = s.newToken()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true,
		"data": map[string]any{"token": s.stable, "expires_in": 86400, "scope": "employees:read"}})
}

func (s *Server) newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	token := "papi-" + hex.EncodeToString(b)
	s.issued[token] = s.now()
	return token
}

// valid reports whether a token was issued and is younger than TokenLifetime.
func (s *Server) valid(token string) bool {
	at, ok := s.issued[token]
	return ok && s.now().Sub(at) < TokenLifetime
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
	if f, ok := s.PopFailure(); ok {
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
	header := r.Header.Get("Authorization")
	if strings.TrimSpace(header) == "" {
		s.fail(w, http.StatusUnauthorized, "Authorization is not provided", "Autorisierung fehlt")
		return
	}
	// Personio answers 403, not 401, for a token that is unknown, expired or malformed.
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || !s.valid(token) || s.opts.Forbidden {
		s.fail(w, http.StatusForbidden, "Provided authorization is not valid", "Die angegebene Autorisierung ist nicht gültig")
		return
	}
	query := r.URL.Query()
	limit, offset, err := paging(query)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error(), err.Error())
		return
	}
	if s.expireIn > 0 {
		if s.expireIn--; s.expireIn == 0 {
			defer s.revokeTokens() // this answer still succeeds; the next request is refused
		}
	}
	if s.opts.RotateTokens {
		delete(s.issued, token)
		s.stable = s.newToken()
		w.Header().Set("Authorization", "Bearer "+s.stable)
	} else {
		w.Header().Set("Authorization", "Bearer "+token)
	}
	sent := make([]Person, 0, len(s.Employees))
	for _, p := range s.Employees {
		if !s.Omitted[p.ID] {
			sent = append(sent, p)
		}
	}
	total := len(s.Employees)
	pageSize := limit
	if s.pageCap > 0 {
		pageSize = min(pageSize, s.pageCap)
	}
	wanted := whitelist(query)
	data := []any{}
	for i := offset; i < len(sent) && i < offset+pageSize; i++ {
		data = append(data, map[string]any{"type": "Employee", "attributes": s.attributes(sent[i], wanted)})
	}
	answer := map[string]any{"success": true, "offset": offset, "limit": limit, "data": data,
		"metadata": map[string]any{"total_elements": total, "current_page": offset / limit, "total_pages": (total + limit - 1) / limit}}
	if s.opts.NoMetadata {
		delete(answer, "metadata")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// whitelist reads attributes[] (nil: every attribute).
func whitelist(q url.Values) map[string]bool {
	keys := q["attributes[]"]
	if len(keys) == 0 {
		return nil
	}
	out := map[string]bool{"id": true} // the spec's examples: id comes back unasked
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// paging reads limit (default 50, at most 100) and offset (a record count).
func paging(q url.Values) (limit, offset int, err error) {
	limit, offset = DefaultLimit, 0
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
	return min(limit, MaxLimit), offset, nil
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
	"id": "ID", "first_name": "First name", "last_name": "Last name", "preferred_name": "Name (preferred)",
	"email": "Email", "gender": "Gender", "status": "Status", "position": "Position",
	"employment_type": "Employment type", "hire_date": "Hire date", "termination_date": "Termination date",
	"termination_type": "Termination type", "department": "Department", "office": "Office", "team": "Team",
	"supervisor": "Supervisor", "fix_salary": "Fix salary", "dynamic_21827": "IBAN",
}

func (s *Server) attribute(key string, value any) map[string]any {
	attr := map[string]any{"label": labels[key], "value": value}
	if !s.opts.LegacyAttributes {
		attr["type"], attr["universal_id"] = "standard", key
		switch key {
		case "id":
			attr["type"] = "integer"
		case "hire_date", "termination_date":
			attr["type"] = "date"
		case "fix_salary":
			attr["type"] = "decimal"
		}
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
	for _, p := range s.Employees {
		if id != 0 && p.ID == id {
			attrs := map[string]any{
				"id":         s.attribute("id", p.ID),
				"first_name": s.attribute("first_name", orNull(p.FirstName)),
				"last_name":  s.attribute("last_name", orNull(p.LastName)),
				"email":      s.attribute("email", orNull(p.Email)),
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

// attributes are one employee's attributes as the credentials may read them, narrowed to
// wanted (nil: all, including the sensitive ones a sync must not ask for).
func (s *Server) attributes(p Person, wanted map[string]bool) map[string]any {
	values := map[string]any{
		"id":               p.ID,
		"first_name":       orNull(p.FirstName),
		"last_name":        orNull(p.LastName),
		"preferred_name":   orNull(p.PreferredName),
		"email":            orNull(p.Email),
		"gender":           orNull(p.Gender),
		"status":           orNull(p.Status),
		"position":         orNull(p.Position),
		"employment_type":  orNull(p.EmploymentType),
		"hire_date":        s.date(p.HireDate),
		"termination_date": s.date(p.TerminationDate),
		"termination_type": orNull(p.TerminationType),
		"department":       s.relation("Department", p.Department),
		"office":           s.relation("Office", p.Office),
		"team":             s.relation("Team", p.Team),
		"supervisor":       s.supervisor(p.SupervisorID),
		"fix_salary":       3000 + 100*p.ID,
		"dynamic_21827":    fmt.Sprintf("DE98 8989 9898 0000 %04d 00", p.ID),
	}
	for _, key := range s.Nulls[p.ID] {
		if _, ok := values[key]; ok && key != "id" {
			values[key] = nil
		}
	}
	for _, hidden := range s.opts.HiddenAttributes {
		delete(values, hidden)
	}
	attrs := make(map[string]any, len(values))
	for key, value := range values {
		if wanted == nil || wanted[key] {
			attrs[key] = s.attribute(key, value)
		}
	}
	return attrs
}

// Sensitive lists the attributes of the fake a sync has no use for (salary, bank details):
// tests assert they never leave the fake when the client asks with attributes[].
func Sensitive() []string { return slices.Clone([]string{"fix_salary", "dynamic_21827"}) }
