package domain

import (
	"context"
	"strings"
	"time"
)

// Integration tokens (集成令牌) let another system — the province's platform, the statistics
// bureau, a data exchange — call the API as one of the zone's users without a password. A
// token is shown once, when it is made; only its SHA-256 hash is stored. It acts as its user,
// within the user's roles and scope as they are at each request; a read-only token may only
// read (every write is 403). It ends on its expiry day, when revoked, or when its user is
// disabled.

// TokenPrefix starts every integration token, so that a leaked one is recognisable (and
// told apart from a session token).
const TokenPrefix = "ccrm_"

// IsIntegrationToken tells an integration token from a session token.
func IsIntegrationToken(s string) bool { return strings.HasPrefix(s, TokenPrefix) }

// APIToken is an integration token as listed: never its secret.
type APIToken struct {
	ID         int64      `json:"id"`
	ZoneID     int64      `json:"-"`
	UserID     int64      `json:"-"`
	User       *UserRef   `json:"user"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint" description:"the token's first characters, to recognise it"`
	ReadOnly   bool       `json:"read_only"`
	ExpiresOn  Date       `json:"expires_on" description:"the last day it works (the zone's calendar)"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	RevokedBy  string     `json:"revoked_by,omitempty" description:"the username who revoked it"`
	// Status is active, expired or revoked as of the request.
	Status string `json:"status" enum:"active,expired,revoked"`
}

// Token statuses.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// NewAPIToken is a token just made: the only time its secret is shown.
type NewAPIToken struct {
	APIToken
	Token string `json:"token" description:"the secret, shown this once: send it as Authorization: Bearer ccrm_…"`
}

// APITokenInput is what making a token takes.
type APITokenInput struct {
	Name      string `json:"name" required:"true" minLength:"1" maxLength:"100"`
	ExpiresOn Date   `json:"expires_on" required:"true" description:"the last day the token works: today or later"`
	ReadOnly  bool   `json:"read_only" description:"true: the token may only read (GET); every write is 403"`
}

// Validate checks the input against today's date in the zone.
func (in *APITokenInput) Validate(today Date) error {
	in.Name = strings.TrimSpace(in.Name)
	fe := FieldErrors{}
	checkText(fe, "name", in.Name, MaxShortLen, true)
	switch {
	case in.ExpiresOn.IsZero():
		fe.Add("expires_on", "请填写有效期至 (required: YYYY-MM-DD)")
	case in.ExpiresOn.Before(today):
		fe.Add("expires_on", "有效期不能早于今天 (must be today or later)")
	case in.ExpiresOn.After(MustDate("2100-12-31")):
		fe.Add("expires_on", "有效期不能晚于 2100-12-31 (must be on or before 2100-12-31)")
	}
	CheckLimits(fe, in)
	return fe.Err()
}

// TokenUse is what authenticating with a token found.
type TokenUse struct {
	Token *APIToken
	// FirstToday is true for the first use of the day (the zone's calendar), which the API
	// writes to the audit log; later uses that day are not, so as not to flood it.
	FirstToday bool
}

// TokenService makes, lists, revokes and resolves integration tokens.
type TokenService interface {
	// CreateToken makes a token for the caller (EINVALID for a bad name or expiry); the
	// creation is audited.
	CreateToken(ctx context.Context, in APITokenInput) (*NewAPIToken, error)
	// FindMyTokens lists the caller's tokens, newest first.
	FindMyTokens(ctx context.Context) ([]*APIToken, error)
	// FindZoneTokens lists every token of the caller's zone (administrators; else
	// EFORBIDDEN), newest first.
	FindZoneTokens(ctx context.Context) ([]*APIToken, error)
	// RevokeToken ends a token of the caller's, or for an administrator any of the zone;
	// another's is ENOTFOUND. Revoking a revoked token changes nothing. Audited.
	RevokeToken(ctx context.Context, id int64) error
	// TokenActor resolves a token to its user, zone and token, recording its use (the
	// last-used time at most once a minute); unknown, revoked, expired or a disabled user
	// → EUNAUTH.
	TokenActor(ctx context.Context, token string) (*User, *Zone, *TokenUse, error)
}
