package domain

import (
	"errors"
	"fmt"
)

// Error codes. Every failure the application reports carries exactly one of them; the API
// maps each to one HTTP status (api/errors.go), so a code is a promise to clients.
const (
	EINVALID     = "invalid"                // malformed input; Fields says which and why (400)
	EUNAUTH      = "unauthorized"           // not logged in or token no longer valid (401)
	EFORBIDDEN   = "forbidden"              // may see the object but may not do this (403)
	ENOTFOUND    = "not_found"              // does not exist, or lies outside the caller's scope (404)
	ECONFLICT    = "conflict"               // stale version or duplicate (409)
	EDUPLICATE   = "duplicate"              // an enterprise that exists already; Candidates names it (409)
	ETOOLARGE    = "too_large"              // a body or upload past its limit (413)
	EUNSUPPORTED = "unsupported_media_type" // a body of a content type the endpoint does not read, or an uploaded file of a type not accepted (415)
	ERULE        = "rule"                   // a stage move or business rule refused; Message says why (422)
	ETHROTTLED   = "throttled"              // too many attempts (429)
	EUNAVAILABLE = "unavailable"            // the database cannot be reached for now; try again (503)
	EINTERNAL    = "internal"               // a bug (500)
)

// Error is the one error type of the application. Message is for people (Chinese first);
// Fields maps a JSON field name to what is wrong with it.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Candidates are the existing enterprises an EDUPLICATE names.
	Candidates []Candidate
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("chaincrm: %s: %s %v", e.Code, e.Message, e.Fields)
	}
	return fmt.Sprintf("chaincrm: %s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of err; internal errors get a generic one so that
// nothing about the database leaks to clients.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "服务器内部错误 (internal error)"
}

// ErrorFields returns the per-field problems of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ErrorCandidates returns the candidates of an EDUPLICATE error, if any.
func ErrorCandidates(err error) []Candidate {
	var e *Error
	if errors.As(err, &e) {
		return e.Candidates
	}
	return nil
}

// FieldErrors collects per-field validation problems; Err returns nil when there are none.
type FieldErrors map[string]string

// Add records why a field is wrong; the first reason for a field wins.
func (f FieldErrors) Add(field, why string) {
	if _, ok := f[field]; !ok {
		f[field] = why
	}
}

// Err returns an EINVALID *Error listing every field, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "输入有误，请检查标出的字段 (invalid input)", Fields: map[string]string(f)}
}

// NotFound is the error for an object that is missing or outside the caller's scope; the two
// are deliberately indistinguishable.
func NotFound(what string) error {
	return Errorf(ENOTFOUND, "%s不存在或无权查看 (not found)", what)
}
