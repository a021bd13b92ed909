package parley

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error codes. Every error that crosses a package boundary carries one of these, so that the
// API layer can answer with a stable, typed code instead of guessing from message text.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	EUNAUTHENTICATED = "unauthenticated"
	EFORBIDDEN       = "forbidden"
	ERATELIMITED     = "rate_limited"
	ECLOSED          = "closed"
	EINTERNAL        = "internal"
	// EUNAVAILABLE is a service outside Parley that an answer depends on (an OpenID Connect
	// provider) not answering, or answering what it must not: not a bug of Parley's, and
	// worth trying again later. Pages answer it with 502.
	EUNAVAILABLE = "unavailable"
)

// Error is an application error: a code for machines and a message a person can act on.
// Errors without a code are internal and their text is never shown to users.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one.
	Field string
	// RetryAfter says, for ERATELIMITED, how long until the same attempt may succeed, so a
	// client can tell its user and wait rather than retry blindly.
	RetryAfter time.Duration
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("parley error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitedf returns an ERATELIMITED error saying when to try again.
func RateLimitedf(retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Code: ERATELIMITED, RetryAfter: retryAfter, Message: fmt.Sprintf(format, args...)}
}

// RetryAfterSeconds is e's RetryAfter in whole seconds, rounded up; 0 when it has none.
func (e *Error) RetryAfterSeconds() int {
	return int((e.RetryAfter + time.Second - 1) / time.Second)
}

// FieldErrorf returns an EINVALID error naming the input field at fault.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// apiCodes is the one table from the error codes to the API's extensions.code (the contract
// in DESIGN.md §9), which every answer speaks: GraphQL, the pages, the import upload.
var apiCodes = map[string]string{
	EINVALID:         "INVALID",
	ENOTFOUND:        "NOT_FOUND",
	ECONFLICT:        "CONFLICT",
	EUNAUTHENTICATED: "UNAUTHENTICATED",
	EFORBIDDEN:       "FORBIDDEN",
	ERATELIMITED:     "RATE_LIMITED",
	ECLOSED:          "CLOSED",
	EINTERNAL:        "INTERNAL",
	EUNAVAILABLE:     "UNAVAILABLE",
}

// APICode is the extensions.code of an error code (ErrorCode's), INTERNAL for one unknown.
func APICode(code string) string {
	if c, ok := apiCodes[code]; ok {
		return c
	}
	return apiCodes[EINTERNAL]
}

// HTTPStatus is the status of an answer that failed with an error code (ErrorCode's) outside
// GraphQL, which answers 200 with the code: a page, a download, an upload.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return http.StatusBadRequest
	case EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case EFORBIDDEN:
		return http.StatusForbidden
	case ENOTFOUND:
		return http.StatusNotFound
	case ECONFLICT, ECLOSED:
		return http.StatusConflict
	case ERATELIMITED:
		return http.StatusTooManyRequests
	case EUNAVAILABLE:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// ErrorMessage returns the message of the first *Error in err's chain, and a generic message
// for any other error so that internal details never reach users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
