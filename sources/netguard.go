package sources

import (
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// privatePrefixes are address ranges a source may not reach unless private networks are
// allowed: loopback, private, link-local, carrier-grade NAT, the unspecified, reserved and
// multicast ranges, and the IPv6 forms that carry or route to an IPv4 address (NAT64, 6to4,
// Teredo, IPv4-compatible), because those can reach an internal IPv4 through a translator.
var privatePrefixes = []netip.Prefix{
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
	netip.MustParsePrefix("::/96"), // unspecified, loopback and IPv4-compatible (deprecated)
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64, well-known prefix
	netip.MustParsePrefix("64:ff9b:1::/48"), // NAT64, local-use prefix
	netip.MustParsePrefix("2001::/32"),      // Teredo
	netip.MustParsePrefix("2002::/16"),      // 6to4
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("fec0::/10"), // site-local (deprecated, still routed by some stacks)
	netip.MustParsePrefix("ff00::/8"),
}

// metadataAddresses are the cloud instance-metadata and credential endpoints. They hand
// out the machine's cloud credentials, so they have their own switch: allowing private
// networks for a self-hosted HR system must not also open them.
var metadataAddresses = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, Oracle, OpenStack, DigitalOcean
	netip.MustParseAddr("169.254.169.253"), // AWS VPC DNS
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task credentials
	netip.MustParseAddr("169.254.170.23"),  // AWS EKS pod identity
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IMDS over IPv6
	netip.MustParseAddr("fd00:ec2::253"),   // AWS VPC DNS over IPv6
	netip.MustParseAddr("fd00:ec2::23"),    // AWS EKS pod identity over IPv6
}

// AddressClass says what kind of destination an address is, for the network policy.
type AddressClass int

const (
	// PublicAddress may always be reached.
	PublicAddress AddressClass = iota
	// PrivateAddress needs private networks allowed.
	PrivateAddress
	// MetadataAddress needs metadata addresses allowed.
	MetadataAddress
)

// ClassifyAddress tells public, private and cloud-metadata addresses apart. An IPv6 address
// that embeds an IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) counts as metadata when
// the IPv4 it carries is one, and as private otherwise (see privatePrefixes).
func ClassifyAddress(ip netip.Addr) AddressClass {
	ip = ip.WithZone("")
	if v4, ok := embeddedIPv4(ip); ok && isMetadata(v4) {
		return MetadataAddress
	}
	ip = ip.Unmap()
	if isMetadata(ip) {
		return MetadataAddress
	}
	for _, p := range privatePrefixes {
		if p.Contains(ip) {
			return PrivateAddress
		}
	}
	return PublicAddress
}

// BlockedAddress reports whether a source may not connect to ip by default.
func BlockedAddress(ip netip.Addr) bool { return ClassifyAddress(ip) != PublicAddress }

func isMetadata(ip netip.Addr) bool {
	for _, m := range metadataAddresses {
		if ip == m {
			return true
		}
	}
	return false
}

var (
	ipv4Compatible = netip.MustParsePrefix("::/96")
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
)

// embeddedIPv4 returns the IPv4 address an IPv6 transition address carries.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	last4 := func() netip.Addr { return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}) }
	switch {
	case ip.Is4In6(), ipv4Compatible.Contains(ip), nat64WellKnown.Contains(ip):
		return last4(), true
	case nat64Local.Contains(ip):
		// RFC 6052 lets a local NAT64 prefix put the IPv4 in several places; the /96 form is
		// the common one, and the whole range is private anyway.
		return last4(), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	case teredo.Contains(ip):
		// Teredo: the client's IPv4 is the last 32 bits, inverted.
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), true
	}
	return netip.Addr{}, false
}

// Network is the server's policy for outgoing source connections.
type Network struct {
	// AllowPrivate lets sources reach loopback and private addresses (self-hosted installs, tests).
	AllowPrivate bool
	// AllowMetadata lets sources reach the cloud metadata addresses. Separate from
	// AllowPrivate and off by default: they hand out the server's own cloud credentials.
	AllowMetadata bool
	// ConnectTimeout bounds the TCP connect; zero means 10 seconds.
	ConnectTimeout time.Duration
	// Trace (optional) wraps the HTTP sources' transport to trace their calls.
	Trace func(http.RoundTripper) http.RoundTripper
}

// RoundTripper is t, traced when the policy says so.
func (n Network) RoundTripper(t *http.Transport) http.RoundTripper {
	if n.Trace == nil {
		return t
	}
	return n.Trace(t)
}

// Allows reports whether the policy lets a source connect to ip.
func (n Network) Allows(ip netip.Addr) bool {
	switch ClassifyAddress(ip) {
	case MetadataAddress:
		return n.AllowMetadata
	case PrivateAddress:
		return n.AllowPrivate
	}
	return true
}

// Dialer returns a dialer that checks every address it actually connects to, after DNS,
// so a name that resolves (or rebinds) to an internal address is refused.
func (n Network) Dialer() *net.Dialer {
	timeout := n.ConnectTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := &net.Dialer{Timeout: timeout}
	d.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return Errorf(ErrConfig, "cannot check address %q: %v", address, err)
		}
		if n.Allows(ap.Addr()) {
			return nil
		}
		if ClassifyAddress(ap.Addr()) == MetadataAddress {
			return Errorf(ErrConfig, "the address %s is a cloud metadata address; staffsync never connects to it unless the server runs with STAFFSYNC_ALLOW_METADATA_ADDRESSES=true", ap.Addr())
		}
		return Errorf(ErrConfig, "the address %s is internal (loopback, private, link-local, NAT64/6to4/Teredo or reserved); staffsync only connects to public addresses unless the server runs with STAFFSYNC_ALLOW_PRIVATE_NETWORKS=true", ap.Addr())
	}
	return d
}
