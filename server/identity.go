package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
)

// identify resolves "Authorization: Bearer <token>" to the signed-in user and puts it in the
// request's context, where the services read it. No header means an anonymous caller. A token
// that does not resolve is refused with 401 rather than treated as anonymous, so a client
// whose session expired learns to sign in again instead of silently losing its identity.
func identify(auth parley.AuthService, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := bearer(h)
		if !ok {
			writeError(w, r, http.StatusUnauthorized, parley.Errorf(parley.EUNAUTHENTICATED, "The Authorization header must be \"Bearer <token>\"."))
			return
		}
		u, err := auth.Authenticate(r.Context(), token)
		if err != nil {
			switch parley.ErrorCode(err) {
			case parley.EUNAUTHENTICATED, parley.ENOTFOUND, parley.EINVALID:
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				writeError(w, r, http.StatusUnauthorized, parley.Errorf(parley.EUNAUTHENTICATED, "Your session has expired or was revoked; please sign in again."))
			case parley.ERATELIMITED:
				writeError(w, r, http.StatusTooManyRequests, err)
			default:
				level := slog.LevelError
				if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
					level = slog.LevelDebug // the client hung up; nothing is wrong here
				}
				logger.Log(r.Context(), level, "server: authenticate", "error", err, "requestID", parley.RequestIDFromContext(r.Context()))
				writeError(w, r, http.StatusInternalServerError, err)
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(parley.NewContextWithUser(r.Context(), u)))
	})
}

// bearer extracts the token from an Authorization header value.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
