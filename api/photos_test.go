package api

import (
	"testing"
	"time"

	"github.com/staffsync/staffsync/sources/bamboohr"
)

func TestPhotoCacheIsBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	photo := func(n int) bamboohr.Photo { return bamboohr.Photo{Data: make([]byte, n), ContentType: "image/jpeg"} }
	tests := []struct {
		name    string
		run     func(c *photoCache) bool
		entries int
	}{
		{"a hit within the time", func(c *photoCache) bool {
			c.put("a", photo(10), now)
			_, ok := c.get("a", now.Add(time.Minute))
			return ok
		}, 1},
		{"expired", func(c *photoCache) bool {
			c.put("a", photo(10), now)
			_, ok := c.get("a", now.Add(6*time.Minute))
			return !ok
		}, 0},
		{"count bound drops the least recently used", func(c *photoCache) bool {
			c.put("a", photo(1), now)
			c.put("b", photo(1), now)
			c.get("a", now)
			c.put("c", photo(1), now)
			c.put("d", photo(1), now)
			_, a := c.get("a", now)
			_, b := c.get("b", now)
			return a && !b
		}, 3},
		{"byte bound", func(c *photoCache) bool {
			c.put("a", photo(60), now)
			c.put("b", photo(60), now)
			_, a := c.get("a", now)
			return !a
		}, 1},
		{"a photo over the bound is not kept", func(c *photoCache) bool {
			c.put("a", photo(101), now)
			_, a := c.get("a", now)
			return !a
		}, 0},
	}
	for _, tt := range tests {
		c := newPhotoCache(3, 100, 5*time.Minute)
		if !tt.run(c) {
			t.Errorf("%s: unexpected result", tt.name)
		}
		if c.len() != tt.entries {
			t.Errorf("%s: %d entries, want %d", tt.name, c.len(), tt.entries)
		}
	}
}
