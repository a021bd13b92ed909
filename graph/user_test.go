package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const signUpMutation = `mutation($in: SignUpInput!) { signUp(input: $in) { ` + authFields + ` } }`

func TestSignUp(t *testing.T) {
	t.Parallel()
	s := shared

	t.Run("creates an account and a session", func(t *testing.T) {
		name := unique("signup")
		var out struct{ SignUp authPayload }
		s.anonymous().MustDo(t, signUpMutation, map[string]any{"in": map[string]any{
			"email": name + "@example.org", "username": name, "password": "correct horse battery"}}, &out)
		p := out.SignUp
		if p.Token == "" || p.User.ID == "" || p.User.Username != name || p.User.Admin {
			t.Fatalf("payload = %+v", p)
		}
		if p.User.Email == nil || *p.User.Email != name+"@example.org" {
			t.Errorf("own email = %v, want it shown to its owner", p.User.Email)
		}
		if time.Until(p.ExpiresAt) < time.Hour {
			t.Errorf("expiresAt = %v, want a session that lasts", p.ExpiresAt)
		}
		var viewer struct{ Viewer userJSON }
		(&client{s: s, token: p.Token}).MustDo(t, `{ viewer { id username email } }`, nil, &viewer)
		if viewer.Viewer.ID != p.User.ID {
			t.Errorf("viewer = %+v, want %s", viewer.Viewer, p.User.ID)
		}
	})
	t.Run("taken username is a conflict", func(t *testing.T) {
		u := s.MustSignUp(t)
		s.anonymous().MustFail(t, "CONFLICT", signUpMutation, map[string]any{"in": map[string]any{
			"email": unique("x") + "@example.org", "username": u.User.Username, "password": "correct horse battery"}})
	})
	t.Run("bad email names the field", func(t *testing.T) {
		r := s.anonymous().MustFail(t, "INVALID", signUpMutation, map[string]any{"in": map[string]any{
			"email": "nope", "username": unique("u"), "password": "correct horse battery"}})
		if r.Errors[0].Extensions["field"] != "email" {
			t.Errorf("extensions = %v, want field email", r.Errors[0].Extensions)
		}
	})
	t.Run("short password is invalid", func(t *testing.T) {
		s.anonymous().MustFail(t, "INVALID", signUpMutation, map[string]any{"in": map[string]any{
			"email": unique("x") + "@example.org", "username": unique("u"), "password": "short"}})
	})
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	s := shared
	u := s.MustSignUp(t)
	const q = `mutation($in: SignInInput!) { signIn(input: $in) { ` + authFields + ` } }`

	for _, login := range []string{u.User.Username, u.User.Email} {
		t.Run("succeeds with "+login, func(t *testing.T) {
			var out struct{ SignIn authPayload }
			s.anonymous().MustDo(t, q, map[string]any{"in": map[string]any{"login": login, "password": "correct horse battery"}}, &out)
			if out.SignIn.User.ID != u.User.ID || out.SignIn.Token == "" {
				t.Errorf("signIn = %+v", out.SignIn)
			}
		})
	}
	t.Run("wrong password is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, map[string]any{"in": map[string]any{"login": u.User.Username, "password": "wrong horse battery"}})
	})
	t.Run("unknown login is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, map[string]any{"in": map[string]any{"login": unique("nobody"), "password": "correct horse battery"}})
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	s := shared
	u := s.MustSignUp(t)

	t.Run("revokes the session", func(t *testing.T) {
		var out struct{ SignOut bool }
		u.MustDo(t, `mutation { signOut }`, nil, &out)
		if !out.SignOut {
			t.Fatal("signOut = false")
		}
		r := u.Do(t, `{ viewer { id } }`, nil)
		if r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" {
			t.Errorf("after sign-out: status %d, %s; want 401 UNAUTHENTICATED", r.Status, r.Raw)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", `mutation { signOut }`, nil)
	})
}

func TestCreateAPIToken(t *testing.T) {
	t.Parallel()
	s := shared
	u := s.MustSignUp(t)
	const q = `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) { token apiToken { id name createdAt lastUsedAt } } }`

	t.Run("issues a token that signs in", func(t *testing.T) {
		var out struct {
			CreateAPIToken struct {
				Token    string
				APIToken struct{ ID, Name string }
			}
		}
		u.MustDo(t, q, map[string]any{"in": map[string]any{"name": "CI export"}}, &out)
		if out.CreateAPIToken.Token == "" || out.CreateAPIToken.APIToken.Name != "CI export" || out.CreateAPIToken.APIToken.ID == "" {
			t.Fatalf("createAPIToken = %+v", out.CreateAPIToken)
		}
		var viewer struct{ Viewer struct{ ID string } }
		(&client{s: s, token: out.CreateAPIToken.Token}).MustDo(t, `{ viewer { id } }`, nil, &viewer)
		if viewer.Viewer.ID != u.User.ID {
			t.Errorf("viewer with API token = %q, want %q", viewer.Viewer.ID, u.User.ID)
		}
	})
	t.Run("empty name is invalid", func(t *testing.T) {
		u.MustFail(t, "INVALID", q, map[string]any{"in": map[string]any{"name": " "}})
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, map[string]any{"in": map[string]any{"name": "x"}})
	})
}

func TestViewerAndEmailVisibility(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	author := func(c *client) (email *string, role string) {
		var out struct {
			Comment struct {
				Author struct {
					Email *string
					Role  string
				}
			}
		}
		c.MustDo(t, `query($id: ID!, $site: ID!) { comment(id: $id) { author { id username email admin role(siteID: $site) } } }`,
			map[string]any{"id": w.CommentID, "site": w.Site.ID}, &out)
		return out.Comment.Author.Email, out.Comment.Author.Role
	}

	t.Run("anonymous viewer is null", func(t *testing.T) {
		var out struct{ Viewer *userJSON }
		s.anonymous().MustDo(t, `{ viewer { id } }`, nil, &out)
		if out.Viewer != nil {
			t.Errorf("viewer = %+v, want null", out.Viewer)
		}
	})
	t.Run("email is shown to its owner", func(t *testing.T) {
		if email, _ := author(w.Author); email == nil || *email != w.Author.User.Email {
			t.Errorf("email = %v, want %s", email, w.Author.User.Email)
		}
	})
	t.Run("email is shown to admins", func(t *testing.T) {
		if email, _ := author(w.Admin); email == nil {
			t.Error("email = null for an admin")
		}
	})
	for name, c := range map[string]*client{"anonymous": s.anonymous(), "another user": w.Other, "a moderator": w.Moderator} {
		t.Run("email is hidden from "+name, func(t *testing.T) {
			if email, role := author(c); email != nil || role != "COMMENTER" {
				t.Errorf("email, role = %v, %q; want null, COMMENTER", email, role)
			}
		})
	}
	t.Run("role shows moderators", func(t *testing.T) {
		var out struct{ Viewer struct{ Role string } }
		w.Moderator.MustDo(t, `query($s: ID!) { viewer { role(siteID: $s) } }`, map[string]any{"s": w.Site.ID}, &out)
		if out.Viewer.Role != "MODERATOR" {
			t.Errorf("role = %q, want MODERATOR", out.Viewer.Role)
		}
	})
	t.Run("role on an unknown site is not found", func(t *testing.T) {
		w.Moderator.MustFail(t, "NOT_FOUND", `{ viewer { role(siteID: "not-an-id") } }`, nil)
	})
}

// ssoToken signs claims the way a host site does.
func ssoToken(t testing.TB, secret string, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSignInWithSSO(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustSSOSite(t, admin)
	const secret = testSSOSecret
	const q = `mutation($in: SSOInput!) { signInWithSSO(input: $in) { ` + authFields + ` } }`
	claims := func() jwt.MapClaims {
		name := unique("sso")
		now := time.Now()
		return jwt.MapClaims{"sub": name, "email": name + "@host.example", "username": name, "jti": unique("jti"),
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	}
	signIn := func(token string) map[string]any {
		return map[string]any{"in": map[string]any{"siteID": st.ID, "token": token}}
	}

	t.Run("creates the linked account", func(t *testing.T) {
		c := claims()
		var out struct{ SignInWithSSO authPayload }
		s.anonymous().MustDo(t, q, signIn(ssoToken(t, secret, c)), &out)
		if out.SignInWithSSO.Token == "" || out.SignInWithSSO.User.Username != c["username"] {
			t.Errorf("signInWithSSO = %+v", out.SignInWithSSO)
		}
	})
	t.Run("replayed jti is unauthenticated", func(t *testing.T) {
		c := claims()
		s.anonymous().MustDo(t, q, signIn(ssoToken(t, secret, c)), nil)
		c2 := claims()
		c2["jti"] = c["jti"]
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, signIn(ssoToken(t, secret, c2)))
	})
	t.Run("wrong signature is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, signIn(ssoToken(t, "another secret of thirty-two bytes", claims())))
	})
	t.Run("expired token is unauthenticated", func(t *testing.T) {
		c := claims()
		c["iat"], c["exp"] = time.Now().Add(-10*time.Minute).Unix(), time.Now().Add(-5*time.Minute).Unix()
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, signIn(ssoToken(t, secret, c)))
	})
	t.Run("alg none is unauthenticated", func(t *testing.T) {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims()).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, signIn(tok))
	})
	t.Run("site without SSO is forbidden", func(t *testing.T) {
		other := s.MustCreateSite(t, admin)
		s.anonymous().MustFail(t, "FORBIDDEN", q, map[string]any{"in": map[string]any{"siteID": other.ID, "token": ssoToken(t, secret, claims())}})
	})
	t.Run("unknown site is not found", func(t *testing.T) {
		s.anonymous().MustFail(t, "NOT_FOUND", q, map[string]any{"in": map[string]any{"siteID": "0190a4e2-0000-7000-8000-000000000000", "token": ssoToken(t, secret, claims())}})
	})
}

// TestRoles reads roles through the batched loader: several sites and users in one
// operation, each answered as UserService.SiteRole would.
func TestRoles(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	other := s.MustCreateSite(t, w.Admin)
	const q = `query($a: ID!, $b: ID!, $mod: ID!, $admin: ID!) {
		mod: user(id: $mod) { here: role(siteID: $a) there: role(siteID: $b) }
		admin: user(id: $admin) { here: role(siteID: $a) there: role(siteID: $b) } }`
	var out struct{ Mod, Admin struct{ Here, There string } }
	s.anonymous().MustDo(t, q, map[string]any{"a": w.Site.ID, "b": other.ID, "mod": w.Moderator.User.ID, "admin": w.Admin.User.ID}, &out)
	if out.Mod.Here != "MODERATOR" || out.Mod.There != "COMMENTER" || out.Admin.Here != "ADMIN" || out.Admin.There != "ADMIN" {
		t.Errorf("roles = %+v", out)
	}
	t.Run("an unknown site fails only its own field", func(t *testing.T) {
		r := w.Moderator.Do(t, `query($a: ID!) { viewer { here: role(siteID: $a) gone: role(siteID: "0190a4e2-0000-7000-8000-000000000000") } }`,
			map[string]any{"a": w.Site.ID})
		if r.Code() != "NOT_FOUND" || len(r.Errors) != 1 {
			t.Errorf("answer = %s, want one NOT_FOUND", r.Raw)
		}
	})
}
