package fake

import (
	"net/http"
	"strings"
	"sync"
)

// PhotoSizes are the sizes BambooHR's "Get an employee photo" accepts.
var PhotoSizes = []string{"original", "large", "medium", "small", "xs", "tiny"}

// PhotoServer adds BambooHR's photo endpoint to a fake company:
// GET [/api/gateway.php]/{company}/v1/employees/{id}/photo/{size} answers the photo as
// image/jpeg, 404 when the employee has none, 401 without the API key, 400 for an
// unknown size. Every other request goes to the Server.
type PhotoServer struct {
	*Server
	apiKey string

	mu       sync.Mutex
	photos   map[string][]byte
	requests int
}

// NewPhotoServer serves photos for s, checking apiKey as s does.
func NewPhotoServer(s *Server, apiKey string) *PhotoServer {
	return &PhotoServer{Server: s, apiKey: apiKey, photos: map[string][]byte{}}
}

// SetPhoto gives employee id a photo (any size answers the same bytes); nil removes it.
func (p *PhotoServer) SetPhoto(id string, jpeg []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if jpeg == nil {
		delete(p.photos, id)
		return
	}
	p.photos[id] = jpeg
}

// PhotoRequests counts the photo requests answered so far.
func (p *PhotoServer) PhotoRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

func (p *PhotoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/gateway.php"), "/"), "/")
	if len(parts) != 6 || parts[1] != "v1" || parts[2] != "employees" || parts[4] != "photo" {
		p.Server.ServeHTTP(w, r)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if parts[0] != p.Company() {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if user, _, ok := r.BasicAuth(); !ok || user != p.apiKey {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	known := false
	for _, s := range PhotoSizes {
		known = known || s == parts[5]
	}
	if !known {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	photo, ok := p.photos[parts[3]]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(photo)
}
