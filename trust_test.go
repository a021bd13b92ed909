package parley_test

import (
	"testing"

	"github.com/parleyhq/parley"
)

func TestTrustSettings(t *testing.T) {
	t.Run("a site that never set thresholds has the defaults", func(t *testing.T) {
		if got := parley.TrustSettingsOf(parley.DefaultSiteSettings()); got != parley.DefaultTrustSettings() {
			t.Errorf("thresholds = %+v, want the defaults", got)
		}
	})
	t.Run("an update sets the site's thresholds", func(t *testing.T) {
		custom := parley.DefaultTrustSettings()
		custom.Basic.CommentsPublished = 3
		s, err := parley.SiteSettingsUpdate{Trust: &custom}.Apply(parley.Site{Settings: parley.DefaultSiteSettings()})
		if err != nil {
			t.Fatal(err)
		}
		if got := parley.TrustSettingsOf(s.Settings); got.Basic.CommentsPublished != 3 {
			t.Errorf("basic needs %d comments, want 3", got.Basic.CommentsPublished)
		}
	})
	t.Run("a negative threshold is invalid", func(t *testing.T) {
		bad := parley.DefaultTrustSettings()
		bad.Regular.DaysVisited = -1
		_, err := parley.SiteSettingsUpdate{Trust: &bad}.Apply(parley.Site{Settings: parley.DefaultSiteSettings()})
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("error = %v, want INVALID", err)
		}
	})
}
