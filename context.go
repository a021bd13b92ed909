package parley

import "context"

type contextKey int

const (
	userContextKey contextKey = iota + 1
	requestIDContextKey
	clientContextKey
)

// NewContextWithUser returns a context carrying the signed-in user. Services read it to
// decide what the caller may do, so the API layer never makes permission decisions itself.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey, u)
}

// UserFromContext returns the signed-in user, or nil for an anonymous caller.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey).(*User)
	return u
}

// UserIDFromContext returns the signed-in user's ID, or "" for an anonymous caller.
func UserIDFromContext(ctx context.Context) string {
	if u := UserFromContext(ctx); u != nil {
		return u.ID
	}
	return ""
}

// NewContextWithRequestID returns a context carrying the request's ID, which ties log lines
// and internal-error answers together.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey, id)
}

// RequestIDFromContext returns the request ID, or "".
func RequestIDFromContext(ctx context.Context) string {
	id, _ := ctx.Value(requestIDContextKey).(string)
	return id
}

// Client describes where a request came from. The IP is only ever used for rate limiting
// and lockout keys; storage keeps a keyed hash of it, never the address.
type Client struct {
	IP     string
	Origin string
	// Language is the request's Accept-Language, the language mail is written in when the
	// reader names none.
	Language string
}

// NewContextWithClient returns a context carrying the request's client description.
func NewContextWithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientContextKey, c)
}

// ClientFromContext returns the request's client description, zero when unknown.
func ClientFromContext(ctx context.Context) Client {
	c, _ := ctx.Value(clientContextKey).(Client)
	return c
}
