package graph_test

import (
	"slices"
	"testing"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

const (
	muteUser   = `mutation($in: MuteInput!) { muteUser(input: $in) { id username } }`
	unmuteUser = `mutation($in: MuteInput!) { unmuteUser(input: $in) { id username } }`
	mutedUsers = `{ viewer { mutedUsers { id username } } }`
)

// muted returns the IDs c's viewer muted, most recent first.
func (c *client) muted(tb testing.TB) []string {
	tb.Helper()
	var out struct {
		Viewer struct{ MutedUsers []struct{ ID string } }
	}
	c.MustDo(tb, mutedUsers, nil, &out)
	ids := []string{}
	for _, u := range out.Viewer.MutedUsers {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestMuteUser(t *testing.T) {
	t.Parallel()
	s := shared
	reader, loud, louder := s.MustSignUp(t), s.MustSignUp(t), s.MustSignUp(t)

	t.Run("a new reader has muted no one", func(t *testing.T) {
		if got := reader.muted(t); len(got) != 0 {
			t.Errorf("mutedUsers = %v, want []", got)
		}
	})
	t.Run("answers the muted user and lists them, most recent first", func(t *testing.T) {
		var out struct{ MuteUser struct{ ID, Username string } }
		reader.MustDo(t, muteUser, in("userID", loud.User.ID), &out)
		if out.MuteUser.ID != loud.User.ID || out.MuteUser.Username != loud.User.Username {
			t.Errorf("muteUser = %+v, want %s", out.MuteUser, loud.User.ID)
		}
		reader.MustDo(t, muteUser, in("userID", louder.User.ID), nil)
		if got, want := reader.muted(t), []string{louder.User.ID, loud.User.ID}; !slices.Equal(got, want) {
			t.Errorf("mutedUsers = %v, want %v", got, want)
		}
	})
	t.Run("muting twice changes nothing", func(t *testing.T) {
		before := reader.muted(t)
		reader.MustDo(t, muteUser, in("userID", loud.User.ID), nil)
		if got := reader.muted(t); !slices.Equal(got, before) {
			t.Errorf("mutedUsers = %v, want %v", got, before)
		}
	})
	t.Run("unmute takes the mute back, and twice changes nothing", func(t *testing.T) {
		var out struct{ UnmuteUser struct{ ID string } }
		reader.MustDo(t, unmuteUser, in("userID", louder.User.ID), &out)
		if out.UnmuteUser.ID != louder.User.ID {
			t.Errorf("unmuteUser = %+v", out.UnmuteUser)
		}
		reader.MustDo(t, unmuteUser, in("userID", louder.User.ID), nil)
		if got, want := reader.muted(t), []string{loud.User.ID}; !slices.Equal(got, want) {
			t.Errorf("mutedUsers = %v, want %v", got, want)
		}
	})
	t.Run("a mute is one reader's own", func(t *testing.T) {
		if got := loud.muted(t); len(got) != 0 {
			t.Errorf("the muted user's own mutedUsers = %v, want []", got)
		}
	})
	t.Run("a deleted account leaves the list", func(t *testing.T) {
		gone := s.MustSignUp(t)
		reader.MustDo(t, muteUser, in("userID", gone.User.ID), nil)
		postgrestest.Exec(t, s.DB, `DELETE FROM users WHERE id = $1`, gone.User.ID)
		if got, want := reader.muted(t), []string{loud.User.ID}; !slices.Equal(got, want) {
			t.Errorf("mutedUsers = %v, want %v", got, want)
		}
	})

	for name, q := range map[string]string{"muteUser": muteUser, "unmuteUser": unmuteUser} {
		t.Run(name+"/anonymous is unauthenticated", func(t *testing.T) {
			s.anonymous().MustFail(t, "UNAUTHENTICATED", q, in("userID", loud.User.ID))
		})
		t.Run(name+"/yourself is invalid", func(t *testing.T) {
			r := reader.MustFail(t, "INVALID", q, in("userID", reader.User.ID))
			if r.Errors[0].Extensions["field"] != "userID" {
				t.Errorf("extensions = %v, want field userID", r.Errors[0].Extensions)
			}
		})
		t.Run(name+"/unknown user is not found", func(t *testing.T) {
			reader.MustFail(t, "NOT_FOUND", q, in("userID", "0190a4e2-0000-7000-8000-000000000000"))
			reader.MustFail(t, "NOT_FOUND", q, in("userID", "not-an-id"))
		})
	}
	t.Run("a failed mute writes nothing", func(t *testing.T) {
		before := reader.muted(t)
		reader.MustFail(t, "NOT_FOUND", muteUser, in("userID", "0190a4e2-0000-7000-8000-000000000000"))
		reader.MustFail(t, "INVALID", muteUser, in("userID", reader.User.ID))
		if got := reader.muted(t); !slices.Equal(got, before) {
			t.Errorf("mutedUsers = %v, want %v", got, before)
		}
	})
}

// TestMutedUsersPrivacy pins the rule of parley.User.MutesVisibleTo at the API: a reader's
// mutes are null to everyone else, admins included, as a private email is.
func TestMutedUsersPrivacy(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	w.Author.MustDo(t, muteUser, in("userID", w.Other.User.ID), nil)
	const q = `query($id: ID!) { user(id: $id) { id mutedUsers { id } } }`
	read := func(t *testing.T, c *client) *[]struct{ ID string } {
		t.Helper()
		var out struct {
			User struct{ MutedUsers *[]struct{ ID string } }
		}
		c.MustDo(t, q, map[string]any{"id": w.Author.User.ID}, &out)
		return out.User.MutedUsers
	}

	t.Run("the user sees their own list", func(t *testing.T) {
		if got := read(t, w.Author); got == nil || len(*got) != 1 || (*got)[0].ID != w.Other.User.ID {
			t.Errorf("mutedUsers = %v, want [%s]", got, w.Other.User.ID)
		}
	})
	for _, name := range []string{"anonymous", "other commenter", "moderator", "admin"} {
		t.Run("null to "+name, func(t *testing.T) {
			if got := read(t, w.actor(s, name)); got != nil {
				t.Errorf("mutedUsers = %v, want null", *got)
			}
		})
	}
	t.Run("null on the muted user's side", func(t *testing.T) {
		var out struct {
			User struct{ MutedUsers *[]struct{ ID string } }
		}
		w.Author.MustDo(t, q, map[string]any{"id": w.Other.User.ID}, &out)
		if out.User.MutedUsers != nil {
			t.Errorf("mutedUsers of another user = %v, want null", *out.User.MutedUsers)
		}
	})
}
