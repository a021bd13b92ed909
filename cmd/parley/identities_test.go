package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// metricValue reads one unlabelled metric from a server's /metrics.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("/metrics lacks %s", name)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// viewerStatus asks a server who the token's owner is and returns the HTTP status.
func viewerStatus(t *testing.T, base, token string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `{ viewer { id } }`})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// TestTokenRevocationAcrossReplicas runs two replicas on one database and one NATS, with a
// token cache that would keep an entry for an hour: a token signed out through one replica
// must be refused by the other as soon as the revocation's event reaches it, although the
// other had the token in its cache.
func TestTokenRevocationAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	natsURL := MustNATS(t)
	nc, err := natsgo.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	instance := fmt.Sprintf("test%d", time.Now().UnixNano())
	t.Cleanup(func() {
		if js, err := nc.JetStream(); err == nil {
			_ = js.PurgeStream("PARLEY_EVENTS", &natsgo.StreamPurgeRequest{Subject: "parley." + instance + ".>"})
		}
		nc.Close()
	})
	env := func(dir string) map[string]string {
		return map[string]string{"DATABASE_URL": dsn, "NATS_URL": natsURL, "PARLEY_INSTANCE": instance,
			"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir, "PARLEY_PUBLIC_URL": "http://localhost:8080",
			"PARLEY_IDENTITY_CACHE_TTL": "1h"}
	}
	a := startServe(t, env(t.TempDir()))
	b := startServe(t, env(t.TempDir()))

	signUp := func(name string) string {
		var up struct{ SignUp struct{ Token string } }
		mustGQL(t, a, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": name + "@example.org", "username": name, "password": "a long enough password"}}, &up)
		return up.SignUp.Token
	}
	// waitDrop waits until b has forgotten something since drops was read: the event arrived.
	waitDrop := func(drops float64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for metricValue(t, b, "parley_identity_cache_drops_total") <= drops {
			if time.Now().After(deadline) {
				t.Fatal("the revocation's event did not reach the other replica")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	t.Run("a token signed out through one replica is refused by the other from its cache's next read", func(t *testing.T) {
		token := signUp("ann")
		for range 2 {
			if s := viewerStatus(t, b, token); s != http.StatusOK {
				t.Fatalf("before signing out: %d", s)
			}
		}
		if metricValue(t, b, "parley_identity_cache_hits_total") < 1 {
			t.Fatal("the other replica did not answer the token from its cache")
		}
		drops := metricValue(t, b, "parley_identity_cache_drops_total")
		mustGQL(t, a, token, `mutation { signOut }`, nil, nil)
		if s := viewerStatus(t, a, token); s != http.StatusUnauthorized {
			t.Errorf("the replica that signed out answered %d", s)
		}
		waitDrop(drops)
		if s := viewerStatus(t, b, token); s != http.StatusUnauthorized {
			t.Fatalf("the other replica answered %d after the revocation's event", s)
		}
	})

	t.Run("a session revoked from the account's list is refused by both replicas", func(t *testing.T) {
		keeper := signUp("cy")
		var in struct{ SignIn struct{ Token string } }
		mustGQL(t, a, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"login": "cy", "password": "a long enough password"}}, &in)
		other := in.SignIn.Token
		for range 2 {
			if s := viewerStatus(t, b, other); s != http.StatusOK {
				t.Fatalf("before revoking: %d", s)
			}
		}
		var v struct {
			Viewer struct {
				Sessions []struct {
					ID      string
					Current bool
				}
			}
		}
		mustGQL(t, a, keeper, `{ viewer { sessions { id current } } }`, nil, &v)
		var id string
		for _, s := range v.Viewer.Sessions {
			if !s.Current {
				id = s.ID
			}
		}
		drops := metricValue(t, b, "parley_identity_cache_drops_total")
		mustGQL(t, a, keeper, `mutation($i: RevokeSessionInput!) { revokeSession(input: $i) }`, map[string]any{"i": map[string]any{"sessionID": id}}, nil)
		if s := viewerStatus(t, a, other); s != http.StatusUnauthorized {
			t.Errorf("the replica that revoked answered %d", s)
		}
		waitDrop(drops)
		if s := viewerStatus(t, b, other); s != http.StatusUnauthorized {
			t.Fatalf("the other replica answered %d after the revocation's event", s)
		}
	})

	t.Run("signing out everywhere is refused by both replicas", func(t *testing.T) {
		token := signUp("dee")
		for range 2 {
			if s := viewerStatus(t, b, token); s != http.StatusOK {
				t.Fatalf("before signing out: %d", s)
			}
		}
		drops := metricValue(t, b, "parley_identity_cache_drops_total")
		mustGQL(t, a, token, `mutation { signOutEverywhere }`, nil, nil)
		if s := viewerStatus(t, a, token); s != http.StatusUnauthorized {
			t.Errorf("the replica that signed out answered %d", s)
		}
		waitDrop(drops)
		if s := viewerStatus(t, b, token); s != http.StatusUnauthorized {
			t.Fatalf("the other replica answered %d after the event", s)
		}
	})

	t.Run("a deleted account's token is refused by the other replica", func(t *testing.T) {
		token := signUp("bob")
		for range 2 {
			if s := viewerStatus(t, b, token); s != http.StatusOK {
				t.Fatalf("before deleting: %d", s)
			}
		}
		drops := metricValue(t, b, "parley_identity_cache_drops_total")
		mustGQL(t, a, token, `mutation($i: DeleteAccountInput!) { deleteAccount(input: $i) }`,
			map[string]any{"i": map[string]any{"password": "a long enough password"}}, nil)
		waitDrop(drops)
		if s := viewerStatus(t, b, token); s != http.StatusUnauthorized {
			t.Fatalf("the other replica answered %d after the account's deletion", s)
		}
	})

	t.Run("the cache is live on both replicas", func(t *testing.T) {
		for _, base := range []string{a, b} {
			if v := metricValue(t, base, "parley_identity_cache_live"); v != 1 {
				t.Errorf("%s: parley_identity_cache_live = %v", base, v)
			}
		}
	})
}
