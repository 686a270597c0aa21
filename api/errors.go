package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	domain.EINVALID:     http.StatusBadRequest,
	domain.EUNAUTH:      http.StatusUnauthorized,
	domain.EFORBIDDEN:   http.StatusForbidden,
	domain.ENOTFOUND:    http.StatusNotFound,
	domain.ECONFLICT:    http.StatusConflict,
	domain.EDUPLICATE:   http.StatusConflict,
	domain.ETOOLARGE:    http.StatusRequestEntityTooLarge,
	domain.EUNSUPPORTED: http.StatusUnsupportedMediaType,
	domain.ERULE:        http.StatusUnprocessableEntity,
	domain.ETHROTTLED:   http.StatusTooManyRequests,
	domain.EUNAVAILABLE: http.StatusServiceUnavailable,
	domain.EINTERNAL:    http.StatusInternalServerError,
}

// ErrorBody is the contract's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error" required:"true"`
}

// ErrorDetail says what went wrong; Fields maps JSON field names to reasons.
type ErrorDetail struct {
	Code    string            `json:"code" required:"true" description:"invalid, unauthorized, forbidden, not_found, conflict, duplicate, too_large, rule, throttled, unavailable, internal …"`
	Message string            `json:"message" required:"true" description:"in Chinese, English in brackets"`
	Fields  map[string]string `json:"fields,omitempty" description:"JSON field name → why it was refused"`
	// Candidates are the existing enterprises a "duplicate" names.
	Candidates []domain.Candidate `json:"candidates,omitempty" description:"with code duplicate: the existing enterprises (id, name) the new one likely duplicates"`
}

// Abort answers with err in the contract's shape and stops the handler chain. Internal
// errors are logged with the request id and never shown to the client.
func Abort(c *gin.Context, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = domain.Errorf(domain.ETOOLARGE, "请求内容过大（上限 %d 字节）(request too large)", mbe.Limit)
	}
	code := domain.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == domain.EUNAVAILABLE {
		c.Header("Retry-After", "5")
		slog.WarnContext(c.Request.Context(), "database unavailable", "err", err, "request_id", c.GetString(requestIDKey),
			"method", c.Request.Method, "path", c.Request.URL.Path)
	}
	if code == domain.EINTERNAL {
		slog.ErrorContext(c.Request.Context(), "internal error", "err", err, "request_id", c.GetString(requestIDKey),
			"method", c.Request.Method, "path", c.Request.URL.Path)
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: domain.ErrorMessage(err), Fields: domain.ErrorFields(err),
		Candidates: domain.ErrorCandidates(err)}})
}
