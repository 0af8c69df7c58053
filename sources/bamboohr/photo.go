package bamboohr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// ErrNoPhoto: the employee has no photo in BambooHR (the default picture applies).
var ErrNoPhoto = errors.New("bamboohr: the employee has no photo")

// MaxPhotoBytes bounds one photo; BambooHR's UI stores at most 600x600 pixels.
const MaxPhotoBytes = 2 << 20

// PhotoSizes are the sizes BambooHR serves ("Get an employee photo").
var PhotoSizes = []string{"original", "large", "medium", "small", "xs", "tiny"}

// Photo is one employee photo as BambooHR sent it.
type Photo struct {
	Data        []byte
	ContentType string
}

// Photo fetches an employee's photo in one of PhotoSizes. It is never stored by staffsync:
// the caller shows it and may keep it in memory briefly.
func (c *Client) Photo(ctx context.Context, employeeID, size string) (Photo, error) {
	if c.cfg.APIKey == "" || strings.TrimSpace(c.cfg.Subdomain) == "" {
		return Photo{}, authError("BambooHR: the integration has no subdomain or API key")
	}
	valid := false
	for _, s := range PhotoSizes {
		valid = valid || s == size
	}
	if !valid || employeeID == "" {
		return Photo{}, fmt.Errorf("bamboohr: photo size must be one of %s and the employee id set", strings.Join(PhotoSizes, ", "))
	}
	u := c.cfg.BaseURL + "/" + url.PathEscape(strings.TrimSpace(c.cfg.Subdomain)) + "/v1/employees/" + url.PathEscape(employeeID) + "/photo/" + size
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Photo{}, fmt.Errorf("bamboohr: build photo request: %w", c.redactErr(err))
	}
	req.Header.Set("User-Agent", "staffsync")
	req.SetBasicAuth(c.cfg.APIKey, "x")
	resp, err := c.http.Do(req)
	if err != nil {
		return Photo{}, fmt.Errorf("BambooHR cannot be reached: %w", c.redactErr(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Photo{}, ErrNoPhoto
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return Photo{}, authError(fmt.Sprintf("BambooHR refused the API key for photos (%d)", resp.StatusCode))
	case resp.StatusCode != http.StatusOK:
		return Photo{}, fmt.Errorf("BambooHR answered %d for a photo", resp.StatusCode)
	}
	contentType := resp.Header.Get("Content-Type")
	if media, _, err := mime.ParseMediaType(contentType); err != nil || !strings.HasPrefix(media, "image/") {
		return Photo{}, fmt.Errorf("BambooHR sent %q for a photo, not an image", contentType)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxPhotoBytes+1))
	if err != nil {
		return Photo{}, fmt.Errorf("BambooHR: reading a photo failed: %w", c.redactErr(err))
	}
	if len(data) > MaxPhotoBytes {
		return Photo{}, fmt.Errorf("BambooHR sent a photo over %d MiB", MaxPhotoBytes>>20)
	}
	return Photo{Data: data, ContentType: contentType}, nil
}
