package api

import (
	"hash/maphash"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// failureLimiter counts unknown credentials per client address in a fixed-size table, so
// its memory does not grow with the addresses an attacker uses. Each address has a token
// bucket of perMinute tokens refilled over a minute; a failure takes one, and an address
// with none left is refused until one is back. Two addresses that share a slot replace
// each other: an attacker with many addresses gains nothing a per-address limit would stop.
type failureLimiter struct {
	mu        sync.Mutex
	seed      maphash.Seed
	slots     []failureSlot
	perMinute float64
	now       func() time.Time
}

type failureSlot struct {
	addr    netip.Prefix
	tokens  float64
	updated time.Time
}

// failureTableSize is the number of addresses tracked at once (about 200 KiB).
const failureTableSize = 4096

func newFailureLimiter(perMinute int) *failureLimiter {
	return &failureLimiter{seed: maphash.MakeSeed(), slots: make([]failureSlot, failureTableSize), perMinute: float64(perMinute), now: time.Now}
}

// slot returns addr's slot, refilled to now; a slot another address held starts afresh.
func (l *failureLimiter) slot(addr netip.Prefix) *failureSlot {
	b := addr.Addr().As16()
	s := &l.slots[maphash.Bytes(l.seed, b[:])%uint64(len(l.slots))]
	now := l.now()
	if s.addr != addr {
		*s = failureSlot{addr: addr, tokens: l.perMinute, updated: now}
		return s
	}
	s.tokens = min(l.perMinute, s.tokens+now.Sub(s.updated).Minutes()*l.perMinute)
	s.updated = now
	return s
}

// allowed reports whether addr may try a credential.
func (l *failureLimiter) allowed(addr netip.Prefix) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.slot(addr).tokens >= 1
}

// failed records an unknown credential from addr.
func (l *failureLimiter) failed(addr netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.slot(addr)
	s.tokens = max(0, s.tokens-1)
}

// clientAddress is the peer's address; IPv6 peers count per /64, which one host usually has
// whole. Proxies are not trusted: behind one, all callers share its address.
func clientAddress(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	ip = ip.Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}
