package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func TestFailureLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newFailureLimiter(3)
	l.now = func() time.Time { return now }
	guesser := netip.MustParsePrefix("203.0.113.7/32")
	neighbour := netip.MustParsePrefix("203.0.113.8/32")
	for i := range 3 {
		if !l.allowed(guesser) {
			t.Fatalf("attempt %d refused; the limit is 3", i+1)
		}
		l.failed(guesser)
	}
	if l.allowed(guesser) {
		t.Fatal("a 4th attempt within the minute allowed")
	}
	if !l.allowed(neighbour) {
		t.Fatal("another address refused")
	}
	now = now.Add(20 * time.Second) // a third of a minute gives one attempt back
	if !l.allowed(guesser) {
		t.Fatal("no attempt back after 20 s")
	}
	l.failed(guesser)
	if l.allowed(guesser) {
		t.Fatal("more than one attempt back after 20 s")
	}
	// Many addresses: the table stays its size, and a flood of them does not refuse a
	// newcomer (its slot starts afresh).
	for i := range 100_000 {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.failed(netip.PrefixFrom(a, 32))
	}
	if len(l.slots) != failureTableSize {
		t.Fatalf("table grew to %d", len(l.slots))
	}
	if !l.allowed(netip.MustParsePrefix("198.51.100.1/32")) {
		t.Fatal("a newcomer refused after a flood of other addresses")
	}
}

func TestClientAddress(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"203.0.113.7:5000", "203.0.113.7/32"},
		{"[::ffff:203.0.113.7]:5000", "203.0.113.7/32"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
	} {
		t.Run(tc.remote, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote}
			if got := clientAddress(r); fmt.Sprint(got) != tc.want {
				t.Fatalf("clientAddress(%s) = %s, want %s", tc.remote, got, tc.want)
			}
		})
	}
}
