package api

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/staffsync/staffsync/activities"
	"github.com/staffsync/staffsync/directory"
	v1 "github.com/staffsync/staffsync/proto/staffsync/v1"
	"github.com/staffsync/staffsync/secrets"
	"github.com/staffsync/staffsync/sources"
	"github.com/staffsync/staffsync/sources/bamboohr"
	"github.com/staffsync/staffsync/store"
)

// PhotoPath serves a person's HR photo: GET /v1/people/{id}/photo[?size=small].
const PhotoPath = "/v1/people/{id}/photo"

// Photo cache bounds: photos are shown, never stored, so they live in memory briefly.
const (
	photoCacheTTL     = 5 * time.Minute
	photoCacheEntries = 512
	photoCacheBytes   = 32 << 20
	photoFetchTimeout = 15 * time.Second
	defaultPhotoSize  = "small"
)

// photoHandler serves BambooHR employee photos through the integration's credentials.
// The API opens the integration's sealed API key for this only (the worker opens them for
// syncs); the photo is cached in memory for a few minutes and never written anywhere.
type photoHandler struct {
	store   *store.Store
	auth    *authInterceptor
	box     *secrets.Box
	network sources.Network
	log     *slog.Logger
	errors  *connect.ErrorWriter
	cache   *photoCache
	// fetch is replaced in tests; it fetches one photo from BambooHR.
	fetch func(ctx context.Context, cfg bamboohr.Config, employeeID, size string) (bamboohr.Photo, error)
}

func newPhotoHandler(cfg Config, auth *authInterceptor) *photoHandler {
	box := cfg.Secrets
	if box == nil {
		box, _ = secrets.FromEnv() // nil without a key: photos then fall back to the default
	}
	return &photoHandler{
		store: cfg.Store, auth: auth, box: box, log: cfg.Log, errors: connect.NewErrorWriter(),
		network: sources.Network{AllowPrivate: os.Getenv(activities.AllowPrivateNetworksEnv) == "true"},
		cache:   newPhotoCache(photoCacheEntries, photoCacheBytes, photoCacheTTL),
		fetch: func(ctx context.Context, cfg bamboohr.Config, employeeID, size string) (bamboohr.Photo, error) {
			return bamboohr.New(cfg).Photo(ctx, employeeID, size)
		},
	}
}

func (h *photoHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	_ = h.errors.Write(w, r, connectError(r.Context(), h.log, err))
}

func (h *photoHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, err := h.auth.principalOf(r.Context(), r.Header)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := WithPrincipal(r.Context(), p)
	personID, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || personID <= 0 {
		h.fail(w, r, directory.Errorf(directory.ErrInvalid, "the person id must be a number"))
		return
	}
	size := r.URL.Query().Get("size")
	if size == "" {
		size = defaultPhotoSize
	}
	valid := false
	for _, s := range bamboohr.PhotoSizes {
		valid = valid || s == size
	}
	if !valid {
		h.fail(w, r, directory.Errorf(directory.ErrInvalid, "size must be one of original, large, medium, small, xs or tiny"))
		return
	}
	src, err := h.store.GetPhotoSource(ctx, p.CompanyID, personID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The key names the integration's version, so new credentials or settings fetch again.
	key := fmt.Sprintf("%d/%d/%d/%s/%s", p.CompanyID, src.Integration.ID, src.Integration.UpdatedAt.UnixNano(), src.EmployeeID, size)
	photo, ok := h.cache.get(key, time.Now())
	if !ok {
		if photo, err = h.fetchPhoto(ctx, src, size); err != nil {
			if errors.Is(err, bamboohr.ErrNoPhoto) {
				h.fail(w, r, directory.Errorf(directory.ErrNotFound, "no photo in the HR system; show the default picture"))
				return
			}
			h.log.WarnContext(ctx, "HR photo", "company", p.CompanyID, "integration", src.Integration.ID, "error", err)
			h.fail(w, r, directory.Errorf(directory.ErrUnavailable, "the HR system's photo cannot be fetched now; show the default picture"))
			return
		}
		h.cache.put(key, photo, time.Now())
	}
	w.Header().Set("Content-Type", photo.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(photo.Data)))
	_, _ = w.Write(photo.Data)
}

func (h *photoHandler) fetchPhoto(ctx context.Context, src store.PhotoSource, size string) (bamboohr.Photo, error) {
	if h.box == nil {
		return bamboohr.Photo{}, errors.New("no STAFFSYNC_SECRET_KEY: the API cannot open the BambooHR key")
	}
	opened, err := h.box.OpenMap(src.Integration.SealedSecrets, store.SecretsAAD(src.Integration.CompanyID, src.Integration.ID))
	if err != nil {
		return bamboohr.Photo{}, fmt.Errorf("open the BambooHR key: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, photoFetchTimeout)
	defer cancel()
	return h.fetch(ctx, bamboohr.Config{
		Subdomain: src.Integration.Settings["subdomain"], BaseURL: src.Integration.Settings["base_url"], APIKey: opened["api_key"],
		HTTPClient: &http.Client{Timeout: photoFetchTimeout, Transport: &http.Transport{DialContext: h.network.Dialer().DialContext, TLSHandshakeTimeout: 10 * time.Second}},
	}, src.EmployeeID, size)
}

// photoCache keeps recent photos in memory, bounded by count and bytes, each for ttl;
// the least recently used go first.
type photoCache struct {
	mu       sync.Mutex
	max      int
	maxBytes int
	ttl      time.Duration
	bytes    int
	order    *list.List // of *photoEntry, most recent first
	entries  map[string]*list.Element
}

type photoEntry struct {
	key     string
	photo   bamboohr.Photo
	expires time.Time
}

func newPhotoCache(max, maxBytes int, ttl time.Duration) *photoCache {
	return &photoCache{max: max, maxBytes: maxBytes, ttl: ttl, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *photoCache) get(key string, now time.Time) (bamboohr.Photo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return bamboohr.Photo{}, false
	}
	e := el.Value.(*photoEntry)
	if now.After(e.expires) {
		c.remove(el)
		return bamboohr.Photo{}, false
	}
	c.order.MoveToFront(el)
	return e.photo, true
}

func (c *photoCache) put(key string, photo bamboohr.Photo, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(photo.Data) > c.maxBytes {
		return
	}
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	c.entries[key] = c.order.PushFront(&photoEntry{key: key, photo: photo, expires: now.Add(c.ttl)})
	c.bytes += len(photo.Data)
	for c.order.Len() > c.max || c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *photoCache) remove(el *list.Element) {
	e := el.Value.(*photoEntry)
	c.order.Remove(el)
	delete(c.entries, e.key)
	c.bytes -= len(e.photo.Data)
}

// len is how many photos are cached (tests).
func (c *photoCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// addPhotos gives the people linked to the HR system their photo's path when the company
// shows HR photos; the others keep the default picture (no photo_url).
func (s *DirectoryServer) addPhotos(ctx context.Context, people []directory.Person, out []*v1.Person) {
	shown, err := s.Store.PhotosShown(ctx, principal(ctx).CompanyID)
	if err != nil {
		s.Log.WarnContext(ctx, "photos shown", "error", err)
		return
	}
	if !shown {
		return
	}
	for i := range people {
		if people[i].SourceID != "" {
			out[i].PhotoUrl = fmt.Sprintf("/v1/people/%d/photo", people[i].ID)
		}
	}
}
