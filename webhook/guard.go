package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrBlockedAddress is the error, matched with errors.Is, of a request refused because its
// address is one a webhook may not reach: without it anyone who may add an endpoint could
// make the server call its own network (the cloud's metadata service, an admin port).
var ErrBlockedAddress = errors.New("address not allowed for webhooks")

// blockedPrefixes are the networks that are not the public internet: private, loopback,
// link-local, shared (CGNAT), multicast, unspecified, reserved and documentation ranges.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// nat64 is the well-known NAT64 prefix: its addresses carry an IPv4 address, checked in turn.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckAddr returns an error matching ErrBlockedAddress when ip is not a public address.
func CheckAddr(ip netip.Addr) error {
	ip = ip.WithZone("").Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if !ip.IsValid() {
		return fmt.Errorf("%w: no address", ErrBlockedAddress)
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is in %s, which is not a public network", ErrBlockedAddress, ip, p)
		}
	}
	return nil
}

// dialControl checks the address a connection is about to be made to, after name
// resolution: a name that resolves to a private address (DNS rebinding included) is caught
// here, where the address is the one actually dialled.
func dialControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBlockedAddress, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrBlockedAddress, host)
	}
	return CheckAddr(ip)
}
