package sources

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestBlockedAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1":        true,
		"10.1.2.3":         true,
		"172.20.0.1":       true,
		"192.168.1.1":      true,
		"169.254.169.254":  true,
		"100.100.100.200":  true,
		"0.0.0.0":          true,
		"::1":              true,
		"fd00:ec2::254":    true,
		"fe80::1":          true,
		"::ffff:127.0.0.1": true,
		"8.8.8.8":          false,
		"2001:4860::8888":  false,
		"172.32.0.1":       false,
	} {
		if got := BlockedAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("BlockedAddress(%s) = %v, want %v", addr, got, want)
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
