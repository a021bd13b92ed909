package parley_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley"
)

// TestEveryCodeHasAnAnswer: each error code has its own API name, and an HTTP status of its
// own kind outside GraphQL; only an internal error is a 500.
func TestEveryCodeHasAnAnswer(t *testing.T) {
	codes := []string{parley.EINVALID, parley.ENOTFOUND, parley.ECONFLICT, parley.EUNAUTHENTICATED, parley.EFORBIDDEN,
		parley.ERATELIMITED, parley.ECLOSED, parley.EUNAVAILABLE}
	names := map[string]bool{}
	for _, code := range codes {
		name := parley.APICode(code)
		if name == "INTERNAL" || names[name] {
			t.Errorf("%s answers the API code %s", code, name)
		}
		names[name] = true
		if status := parley.HTTPStatus(code); status == http.StatusInternalServerError || status < 400 {
			t.Errorf("%s answers HTTP %d", code, status)
		}
	}
	if parley.APICode(parley.EINTERNAL) != "INTERNAL" || parley.APICode("made-up") != "INTERNAL" ||
		parley.HTTPStatus(parley.EINTERNAL) != http.StatusInternalServerError {
		t.Error("an internal or unknown code must answer INTERNAL and 500")
	}
}
