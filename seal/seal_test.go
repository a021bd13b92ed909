package seal_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/seal"
)

func TestBox(t *testing.T) {
	const secret = "an operator secret of some length"
	box, err := seal.New(secret, "purpose one")
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Text("row-1", "whsec_plain")
	t.Run("text opens for its row", func(t *testing.T) {
		if !seal.IsSealedText(sealed) || strings.Contains(sealed, "plain") {
			t.Fatalf("sealed = %q", sealed)
		}
		if got, err := box.OpenText("row-1", sealed); err != nil || got != "whsec_plain" {
			t.Errorf("open = %q, %v", got, err)
		}
	})
	other, _ := seal.New(secret, "purpose two")
	wrong, _ := seal.New("another operator secret entirely", "purpose one")
	for name, open := range map[string]func() (string, error){
		"another row":      func() (string, error) { return box.OpenText("row-2", sealed) },
		"another purpose":  func() (string, error) { return other.OpenText("row-1", sealed) },
		"another secret":   func() (string, error) { return wrong.OpenText("row-1", sealed) },
		"no key":           func() (string, error) { return (*seal.Box)(nil).OpenText("row-1", sealed) },
		"a damaged value":  func() (string, error) { return box.OpenText("row-1", sealed[:len(sealed)-4]) },
		"a non-base64 one": func() (string, error) { return box.OpenText("row-1", "sealed:v1:!!!") },
	} {
		t.Run(name+" does not open", func(t *testing.T) {
			if got, err := open(); err == nil {
				t.Errorf("opened as %q", got)
			}
		})
	}
	t.Run("plain text stored before sealing reads as it is, with or without a key", func(t *testing.T) {
		for _, b := range []*seal.Box{box, nil} {
			if got, err := b.OpenText("row-1", "whsec_old"); err != nil || got != "whsec_old" {
				t.Errorf("open = %q, %v", got, err)
			}
		}
		if got := (*seal.Box)(nil).Text("row-1", "whsec_new"); got != "whsec_new" {
			t.Errorf("a nil box sealed: %q", got)
		}
	})
	t.Run("a short secret is refused and none means no box", func(t *testing.T) {
		if _, err := seal.New("short", "p"); err == nil {
			t.Error("a 5-character secret was accepted")
		}
		if b, err := seal.New("", "p"); b != nil || err != nil {
			t.Errorf("no secret = %v, %v", b, err)
		}
	})
}
