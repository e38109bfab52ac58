package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"onramp.dev/onramp/api"
)

// Bounds on what a client may send. An unsigned request costs the service
// nothing it cannot bound: bodies are cut at their route's size and each
// field is checked for length before any lookup or limiter sees it.
const (
	maxLoginBytes    = 320  // an email address (RFC 5321) or a user ID
	maxPasswordBytes = 1024 // the service allows passwords of 256 characters
	maxTokenBytes    = 256  // tokens are 43 characters

	smallBody  = 8 << 10  // sign-in, refresh, password, seats, password resets
	jsonBody   = 1 << 20  // the other JSON requests
	importBody = 16 << 20 // a CSV of 50,000 users fits
)

// bodyLimit is the most bytes a request to path may send.
func bodyLimit(path string) int64 {
	switch path {
	case "/api/v1/users/import":
		return importBody
	case "/api/v1/session", "/api/v1/session/refresh", "/api/v1/password", "/api/v1/seats", "/api/v1/password-resets", "/reset":
		return smallBody
	}
	return jsonBody
}

// limitBodies bounds every request body by its route's limit.
func limitBodies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, bodyLimit(r.URL.Path))
		h.ServeHTTP(w, r)
	})
}

// writeBodyError answers a body that could not be read: too large (413)
// or malformed (400).
func writeBodyError(w http.ResponseWriter, err error) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		size := fmt.Sprintf("%d KiB", mb.Limit>>10)
		if mb.Limit >= 1<<20 {
			size = fmt.Sprintf("%d MiB", mb.Limit>>20)
		}
		writeProblem(w, http.StatusRequestEntityTooLarge, "too_large", "the request is larger than "+size+": send less (split a user list into several files)")
		return
	}
	writeProblem(w, http.StatusBadRequest, "bad_request", "request body: "+err.Error())
}

// field is one string of a request with its bound.
type field struct {
	name  string
	value string
	max   int
}

// fieldsFit answers 400 and reports false when a field is over its bound,
// naming each such field and its bound.
func fieldsFit(w http.ResponseWriter, fields ...field) bool {
	var long []api.FieldError
	var reasons []string
	for _, f := range fields {
		if len(f.value) > f.max {
			long = append(long, api.FieldError{Field: f.name, Code: api.FieldTooLong, Limit: f.max, Reason: fmt.Sprintf("%s: at most %d bytes", f.name, f.max)})
			reasons = append(reasons, long[len(long)-1].Reason)
		}
	}
	if len(long) > 0 {
		writeFieldProblem(w, http.StatusBadRequest, "too_long", strings.Join(reasons, "; "), long)
		return false
	}
	return true
}
