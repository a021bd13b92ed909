package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// Code returns the extensions.code for err, INTERNAL for errors without a parley code. The
// server uses it for the few errors it answers before GraphQL runs (a bad token, a body too
// large), so that every answer speaks the same codes.
func Code(err error) string { return parley.APICode(parley.ErrorCode(err)) }

// internalMessage is all a client learns about an internal error; the request ID in the
// same answer finds the details in the log.
const internalMessage = "Internal error."

// CodeCanceled is the outcome of an error that happened because the client hung up (its
// request's context was canceled): a reader closing the tab, a load balancer giving up.
// No client ever receives it, since no one is left to read the answer; it is what the
// metrics (parley_graphql_errors_total{code="CANCELED"}) and the debug log call those
// errors, so that INTERNAL keeps meaning a bug and an alert on it keeps meaning something.
const CodeCanceled = "CANCELED"

// clientGone reports whether ctx, a request's or a subscription's, ended because its client
// went away. The server's own deadlines end contexts with DeadlineExceeded instead, and
// those still count as errors.
func clientGone(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// gqlgen's own error codes for requests it refuses before execution: they are the client's
// mistake, so they answer INVALID.
var requestErrorCodes = map[string]bool{
	errcode.ValidationFailed:    true,
	errcode.ParseFailed:         true,
	"COMPLEXITY_LIMIT_EXCEEDED": true,
}

// panicError carries a recovered panic to the error presenter, which logs it once with its
// stack.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

func recoverFunc(ctx context.Context, v any) error {
	return &panicError{value: v, stack: debug.Stack()}
}

// errorPresenter turns every error an operation produces into the API's shape: a message a
// person can act on and extensions.code from the table above. Internal errors are logged
// with the request ID and shown only as "Internal error.".
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		// DefaultErrorPresenter returns gqlgen's own errors as they are; copy before changing.
		out := &gqlerror.Error{Message: gqlErr.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Rule: gqlErr.Rule}
		out.Extensions = map[string]any{}
		var perr *parley.Error
		var pan *panicError
		switch {
		case errors.As(err, &pan):
			logInternal(ctx, logger, err, slog.String("stack", string(pan.stack)))
			internal(ctx, out)
		case errors.As(err, &perr) && perr.Code != parley.EINTERNAL:
			out.Message = perr.Message
			out.Extensions["code"] = Code(perr)
			if perr.Field != "" {
				out.Extensions["field"] = perr.Field
			}
			if perr.RetryAfter > 0 {
				out.Extensions["retryAfter"] = perr.RetryAfterSeconds()
			}
		case gqlErr.Extensions["code"] == CodePersistedQueryNotFound:
			// Not a failure: the APQ protocol's ask for the full query.
			out.Message = gqlErr.Message
			out.Extensions["code"] = CodePersistedQueryNotFound
		case isRequestError(gqlErr):
			out.Message = requestErrorMessage(gqlErr.Message)
			out.Extensions["code"] = parley.APICode(parley.EINVALID)
		case clientGone(ctx):
			// Whatever failed, it failed because the client left: a query cut short, a
			// connection taken back. Logged for whoever debugs, counted apart.
			logger.DebugContext(ctx, "graphql: client went away", errorAttrs(ctx, err)...)
			out.Message = "The request was canceled."
			out.Extensions["code"] = CodeCanceled
		default:
			logInternal(ctx, logger, err)
			internal(ctx, out)
		}
		return out
	}
}

func internal(ctx context.Context, out *gqlerror.Error) {
	out.Message = internalMessage
	out.Extensions["code"] = parley.APICode(parley.EINTERNAL)
	out.Extensions["requestID"] = parley.RequestIDFromContext(ctx)
}

func logInternal(ctx context.Context, logger *slog.Logger, err error, attrs ...any) {
	logger.ErrorContext(ctx, "graphql: internal error", append(attrs, errorAttrs(ctx, err)...)...)
}

// errorAttrs are what a log line about err says: the request ID, the error and the field.
func errorAttrs(ctx context.Context, err error) []any {
	attrs := []any{slog.String("requestID", parley.RequestIDFromContext(ctx)), slog.Any("error", err)}
	if p := graphql.GetPath(ctx); len(p) > 0 {
		attrs = append(attrs, slog.String("path", p.String()))
	}
	return attrs
}

// isRequestError tells the errors gqlgen makes about the request itself (a parse or
// validation failure, a limit, an undecodable body) from errors that come out of
// resolvers: the former carry a gqlgen code or wrap nothing and point at no field.
func isRequestError(e *gqlerror.Error) bool {
	if code, ok := e.Extensions["code"].(string); ok {
		return requestErrorCodes[code]
	}
	return e.Unwrap() == nil && len(e.Path) == 0
}

// requestErrorMessage shortens gqlgen's messages that would echo the whole request body.
func requestErrorMessage(msg string) string {
	if strings.HasPrefix(msg, "json request body could not be decoded") {
		return "Request body is not valid JSON: send {\"query\": ..., \"variables\": {...}}."
	}
	return msg
}
