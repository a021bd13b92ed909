package webhook_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/parleyhq/parley/webhook"
)

func TestCheckAddr(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		blocked bool
	}{
		{"93.184.215.14", false},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", false},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"fe80::1%eth0", true},
		{"fd00::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true},
		{"64:ff9b::5db8:d70e", false},
		{"255.255.255.255", true},
	} {
		name := tc.addr + " passes"
		if tc.blocked {
			name = tc.addr + " is refused"
		}
		t.Run(name, func(t *testing.T) {
			err := webhook.CheckAddr(netip.MustParseAddr(tc.addr))
			if got := errors.Is(err, webhook.ErrBlockedAddress); got != tc.blocked {
				t.Errorf("CheckAddr(%s) = %v", tc.addr, err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"x"}`)
	header := webhook.Sign("whsec_k", now, body)
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		at     time.Time
		want   error
	}{
		{"a fresh signature passes", "whsec_k", header, string(body), now.Add(time.Minute), nil},
		{"another secret fails", "whsec_j", header, string(body), now, webhook.ErrBadSignature},
		{"a changed body fails", "whsec_k", header, `{"id":"y"}`, now, webhook.ErrBadSignature},
		{"an old signature fails", "whsec_k", header, string(body), now.Add(10 * time.Minute), webhook.ErrStale},
		{"a moved timestamp fails", "whsec_k", "t=1800000001," + header[len("t=1800000000,"):], string(body), now, webhook.ErrBadSignature},
		{"a second v1 (a rotated secret) passes", "whsec_k", header + ",v1=00", string(body), now, nil},
		{"no signature fails", "whsec_k", "t=1800000000", string(body), now, webhook.ErrBadSignature},
		{"garbage fails", "whsec_k", "==,,v1", string(body), now, webhook.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := webhook.Verify(tc.secret, tc.header, []byte(tc.body), tc.at, 5*time.Minute); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzVerify: no header makes Verify panic, and only the true signature passes.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(webhook.Sign("whsec_k", now, []byte("{}")), []byte("{}"))
	f.Add("t=,v1=", []byte(""))
	f.Add("t=99999999999999999999,v1=ab", []byte("x"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := webhook.Verify("whsec_k", header, body, now, 5*time.Minute)
		if err == nil && header != webhook.Sign("whsec_k", now, body) {
			// A header with extra parts may pass; it must carry the true MAC.
			if want := webhook.Sign("whsec_k", now, body); !containsV1(header, want[len("t=1800000000,"):]) {
				t.Errorf("header %q passed for body %q", header, body)
			}
		}
	})
}

func containsV1(header, v1 string) bool {
	for i := 0; i+len(v1) <= len(header); i++ {
		if header[i:i+len(v1)] == v1 {
			return true
		}
	}
	return false
}
