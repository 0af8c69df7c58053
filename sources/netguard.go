package sources

import (
	"net"
	"net/netip"
	"syscall"
	"time"
)

// blockedPrefixes are address ranges a source may not reach unless private networks are
// allowed: loopback, private, link-local (cloud metadata lives there), carrier-grade NAT
// (Alibaba metadata) and the unspecified and multicast ranges.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/128"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
}

// BlockedAddress reports whether a source may not connect to ip by default.
func BlockedAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Network is the server's policy for outgoing source connections.
type Network struct {
	// AllowPrivate lets sources reach loopback and private addresses (self-hosted installs, tests).
	AllowPrivate bool
	// ConnectTimeout bounds the TCP connect; zero means 10 seconds.
	ConnectTimeout time.Duration
}

// Dialer returns a dialer that checks every address it actually connects to, after DNS,
// so a name that resolves (or rebinds) to an internal address is refused.
func (n Network) Dialer() *net.Dialer {
	timeout := n.ConnectTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &net.Dialer{Timeout: timeout}
	if n.AllowPrivate {
		return d
	}
	d.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return Errorf(ErrConfig, "cannot check address %q: %v", address, err)
		}
		if BlockedAddress(ap.Addr()) {
			return Errorf(ErrConfig, "the address %s is internal (loopback, private, link-local or metadata); staffsync only connects to public addresses unless the server runs with STAFFSYNC_ALLOW_PRIVATE_NETWORKS=true", ap.Addr())
		}
		return nil
	}
	return d
}
