package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/federation"
)

func TestInstance(t *testing.T) {
	res := shared.anonymous().Do(t, `{ instance { name publicKey keyID fingerprint federationAddress } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	var got struct {
		Instance struct{ Name, PublicKey, KeyID, Fingerprint, FederationAddress string }
	}
	if err := json.Unmarshal(res.Data, &got); err != nil {
		t.Fatal(err)
	}
	pub, err := base64.StdEncoding.DecodeString(got.Instance.PublicKey)
	if err != nil || len(pub) != 32 {
		t.Fatalf("publicKey %q is not a base64 Ed25519 key", got.Instance.PublicKey)
	}
	if got.Instance.Name != "graphtest" || got.Instance.KeyID != federation.KeyID(pub) ||
		got.Instance.Fingerprint != federation.Fingerprint(pub) || got.Instance.FederationAddress != "127.0.0.1:7422" {
		t.Fatalf("instance = %+v", got.Instance)
	}
	t.Run("the well-known document names the same key", func(t *testing.T) {
		resp, err := http.Get(shared.Server.URL + "/.well-known/parley")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc federation.Document
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || doc.Name != "graphtest" || len(doc.Keys) != 1 || doc.Keys[0].ID != got.Instance.KeyID {
			t.Fatalf("status %d, document %+v", resp.StatusCode, doc)
		}
	})
	t.Run("other methods on the well-known path are refused", func(t *testing.T) {
		resp, err := http.Post(shared.Server.URL+"/.well-known/parley", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
