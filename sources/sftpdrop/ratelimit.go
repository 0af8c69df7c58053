package sftpdrop

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// Failed-login limits: an address (an IPv6 /64) whose connections ended without logging in
// this many times within the window is refused at once, before any handshake or database
// lookup, until the window has passed.
const (
	DefaultFailedLoginLimit  = 10
	DefaultFailedLoginWindow = 5 * time.Minute
	// maxTrackedAddresses bounds the limiter's memory (about 100 bytes an address) however
	// many addresses try.
	maxTrackedAddresses = 10_000
)

type failures struct {
	count int
	since time.Time
}

// loginLimiter counts failed logins per client address in bounded memory.
type loginLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	byAddr map[netip.Prefix]*failures
}

func newLoginLimiter(limit int, window time.Duration) *loginLimiter {
	if limit <= 0 {
		limit = DefaultFailedLoginLimit
	}
	if window <= 0 {
		window = DefaultFailedLoginWindow
	}
	return &loginLimiter{limit: limit, window: window, now: time.Now, byAddr: map[netip.Prefix]*failures{}}
}

// clientKey is the address a limit applies to: the IPv4 address, or the IPv6 /64 (one
// customer usually holds a whole /64, so single IPv6 addresses would be free to rotate).
func clientKey(addr net.Addr) (netip.Prefix, bool) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return netip.Prefix{}, false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.Prefix(bits)
	return p, err == nil
}

// allowed reports whether addr may try to log in now.
func (l *loginLimiter) allowed(addr net.Addr) bool {
	key, ok := clientKey(addr)
	if !ok {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.byAddr[key]
	if f == nil {
		return true
	}
	if l.now().Sub(f.since) >= l.window {
		delete(l.byAddr, key)
		return true
	}
	return f.count < l.limit
}

// failed counts a connection of addr that ended without logging in.
func (l *loginLimiter) failed(addr net.Addr) {
	key, ok := clientKey(addr)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.byAddr[key]
	if f != nil && now.Sub(f.since) >= l.window {
		f = nil
	}
	if f == nil {
		if len(l.byAddr) >= maxTrackedAddresses {
			l.makeRoom(now)
		}
		f = &failures{since: now}
		l.byAddr[key] = f
	}
	f.count++
}

// makeRoom drops expired entries, and if that is not enough a tenth of the others: under
// a flood from more addresses than it tracks the limiter forgets some rather than grow,
// and the scan runs once per tenth of the table, not on every failure.
func (l *loginLimiter) makeRoom(now time.Time) {
	for k, f := range l.byAddr {
		if now.Sub(f.since) >= l.window {
			delete(l.byAddr, k)
		}
	}
	for k := range l.byAddr {
		if len(l.byAddr) < maxTrackedAddresses*9/10 {
			return
		}
		delete(l.byAddr, k)
	}
}

// tracked is how many addresses the limiter holds (for tests).
func (l *loginLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byAddr)
}
