package api

import "sync"

// companyCounter caps what each company holds at once (streams, upload slots), so one
// company cannot take what the others need. It keeps an entry only while it is held.
type companyCounter struct {
	mu    sync.Mutex
	limit int
	held  map[int64]int
}

func newCompanyCounter(limit int) *companyCounter {
	return &companyCounter{limit: limit, held: map[int64]int{}}
}

// acquire takes one for company; false means the company holds its limit already.
func (c *companyCounter) acquire(company int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[company] >= c.limit {
		return false
	}
	c.held[company]++
	return true
}

// release gives back what acquire took.
func (c *companyCounter) release(company int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held[company]--; c.held[company] <= 0 {
		delete(c.held, company)
	}
}
