package sources

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// TestClassifyAddress covers every blocked range (its first and a middle address), the
// IPv4-carrying IPv6 forms of blocked IPv4s, and the metadata addresses in each disguise.
func TestClassifyAddress(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want AddressClass
	}{
		// IPv4 ranges
		{"0.0.0.0", PrivateAddress},
		{"0.1.2.3", PrivateAddress},
		{"10.0.0.1", PrivateAddress},
		{"10.255.255.255", PrivateAddress},
		{"100.64.0.1", PrivateAddress},
		{"100.127.255.254", PrivateAddress},
		{"127.0.0.1", PrivateAddress},
		{"127.255.0.9", PrivateAddress},
		{"169.254.1.1", PrivateAddress},
		{"172.16.0.1", PrivateAddress},
		{"172.31.255.255", PrivateAddress},
		{"192.0.0.8", PrivateAddress},
		{"192.168.1.1", PrivateAddress},
		{"198.18.0.1", PrivateAddress},
		{"198.19.255.255", PrivateAddress},
		{"224.0.0.1", PrivateAddress},
		{"239.255.255.255", PrivateAddress},
		{"240.0.0.1", PrivateAddress},
		{"255.255.255.255", PrivateAddress},
		// IPv6 ranges
		{"::", PrivateAddress},
		{"::1", PrivateAddress},
		{"::a00:1", PrivateAddress},        // IPv4-compatible 10.0.0.1
		{"::808:808", PrivateAddress},      // IPv4-compatible, even of a public IPv4
		{"64:ff9b::a00:1", PrivateAddress}, // NAT64 of 10.0.0.1
		{"64:ff9b::808:808", PrivateAddress},
		{"64:ff9b:1::1", PrivateAddress},
		{"64:ff9b:1:ffff::7f00:1", PrivateAddress},
		{"2001::1", PrivateAddress}, // Teredo
		{"2001:0:4136:e378::1", PrivateAddress},
		{"2002::1", PrivateAddress},        // 6to4
		{"2002:7f00:1::1", PrivateAddress}, // 6to4 of 127.0.0.1
		{"fc00::1", PrivateAddress},
		{"fd12:3456::1", PrivateAddress},
		{"fe80::1", PrivateAddress},
		{"fe80::1%eth0", PrivateAddress},
		{"fec0::1", PrivateAddress},
		{"feff::1", PrivateAddress},
		{"ff02::1", PrivateAddress},
		// IPv4-mapped forms of blocked IPv4s
		{"::ffff:127.0.0.1", PrivateAddress},
		{"::ffff:10.1.2.3", PrivateAddress},
		{"::ffff:192.168.0.1", PrivateAddress},
		{"::ffff:0.0.0.0", PrivateAddress},
		// metadata, plain and disguised
		{"169.254.169.254", MetadataAddress},
		{"169.254.169.253", MetadataAddress},
		{"169.254.170.2", MetadataAddress},
		{"169.254.170.23", MetadataAddress},
		{"100.100.100.200", MetadataAddress},
		{"fd00:ec2::254", MetadataAddress},
		{"fd00:ec2::253", MetadataAddress},
		{"fd00:ec2::23", MetadataAddress},
		{"::ffff:169.254.169.254", MetadataAddress},
		{"::169.254.169.254", MetadataAddress},
		{"64:ff9b::169.254.169.254", MetadataAddress},
		{"64:ff9b:1::a9fe:a9fe", MetadataAddress},
		{"2002:a9fe:a9fe::1", MetadataAddress},
		{"2001:0:4136:e378:8000:63bf:5601:5601", MetadataAddress}, // Teredo client 169.254.169.254 (inverted)
		// public
		{"8.8.8.8", PublicAddress},
		{"1.1.1.1", PublicAddress},
		{"172.32.0.1", PublicAddress},
		{"100.128.0.1", PublicAddress},
		{"::ffff:8.8.8.8", PublicAddress},
		{"2001:4860::8888", PublicAddress},
		{"2606:4700:4700::1111", PublicAddress},
		{"2003::1", PublicAddress},
	} {
		if got := ClassifyAddress(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("ClassifyAddress(%s) = %v, want %v", tc.addr, got, tc.want)
		}
		if got, want := BlockedAddress(netip.MustParseAddr(tc.addr)), tc.want != PublicAddress; got != want {
			t.Errorf("BlockedAddress(%s) = %v, want %v", tc.addr, got, want)
		}
	}
}

// TestNetworkSwitchesAreSeparate: allowing private networks never opens metadata, and the
// other way round.
func TestNetworkSwitchesAreSeparate(t *testing.T) {
	private := netip.MustParseAddr("10.0.0.1")
	metadata := []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("::ffff:169.254.169.254")}
	public := netip.MustParseAddr("8.8.8.8")
	for _, tc := range []struct {
		name                      string
		n                         Network
		wantPrivate, wantMetadata bool
	}{
		{"default", Network{}, false, false},
		{"private only", Network{AllowPrivate: true}, true, false},
		{"metadata only", Network{AllowMetadata: true}, false, true},
		{"both", Network{AllowPrivate: true, AllowMetadata: true}, true, true},
	} {
		if got := tc.n.Allows(private); got != tc.wantPrivate {
			t.Errorf("%s: Allows(%s) = %v", tc.name, private, got)
		}
		for _, m := range metadata {
			if got := tc.n.Allows(m); got != tc.wantMetadata {
				t.Errorf("%s: Allows(%s) = %v", tc.name, m, got)
			}
		}
		if !tc.n.Allows(public) {
			t.Errorf("%s: public address refused", tc.name)
		}
	}
}

func TestDialerRefusesLoopbackAfterDNS(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	// "localhost" only becomes 127.0.0.1 in DNS: the check runs on the resolved address.
	_, err = Network{}.Dialer().DialContext(context.Background(), "tcp", net.JoinHostPort("localhost", port))
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "is internal") {
		t.Fatalf("dial localhost: err = %v", err)
	}
	conn, err := Network{AllowPrivate: true}.Dialer().DialContext(context.Background(), "tcp", net.JoinHostPort("localhost", port))
	if err != nil {
		t.Fatalf("with private networks allowed: %v", err)
	}
	conn.Close()
}

// TestDialerRefusesMetadataWithPrivateAllowed dials the AWS metadata address with private
// networks allowed: the check refuses it before any packet is sent.
func TestDialerRefusesMetadataWithPrivateAllowed(t *testing.T) {
	_, err := Network{AllowPrivate: true}.Dialer().DialContext(context.Background(), "tcp", "169.254.169.254:80")
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "STAFFSYNC_ALLOW_METADATA_ADDRESSES") {
		t.Fatalf("dial metadata: err = %v", err)
	}
}
