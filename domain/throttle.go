package domain

import (
	"context"
	"math"
	"net/netip"
	"strings"
	"time"
)

// Log-in throttling (issue 12). Failed log-ins are counted in fixed windows under three
// keys, so that nobody can lock out somebody else:
//
//   - pair: one user name from one address. Its limit is low (5): guessing one person's
//     password from one place stops quickly, and only that place is refused.
//   - address: one address, every name (20: an office shares one address). Spraying many
//     names from one place locks that place only.
//   - user: one name, every address (50). Guessing one person's password from many places
//     slows down, but the user is never refused at a place they logged in from before
//     (a known place, remembered 90 days), so an attacker elsewhere cannot lock the owner
//     out from their usual place.
//
// IPv6 addresses count by their /64 (one subscriber's network), known places by their /24
// (IPv4) or /64 (IPv6), so that a client cannot pick a fresh address for every attempt and
// a user keeps their place when their provider hands them a neighbouring address.
//
// The counters live in the database (repository/throttle.go), shared by every replica and
// kept across restarts.

// ThrottleKind names one kind of counter.
type ThrottleKind string

// The kinds of throttle counter.
const (
	ThrottlePair    ThrottleKind = "pair"
	ThrottleAddress ThrottleKind = "address"
	ThrottleUser    ThrottleKind = "user"
)

// ThrottlePolicy holds the limits: at most Limit(kind) failures per key in one Window.
type ThrottlePolicy struct {
	Window        time.Duration
	PairLimit     int
	AddressLimit  int
	UserLimit     int
	KnownPlaceTTL time.Duration // how long a successful log-in makes its place known
}

// DefaultThrottlePolicy is the policy unless configured otherwise.
var DefaultThrottlePolicy = ThrottlePolicy{Window: 15 * time.Minute, PairLimit: 5, AddressLimit: 20, UserLimit: 50,
	KnownPlaceTTL: 90 * 24 * time.Hour}

// Limit is the number of failures a key of kind k may have in one window.
func (p ThrottlePolicy) Limit(k ThrottleKind) int {
	switch k {
	case ThrottlePair:
		return p.PairLimit
	case ThrottleAddress:
		return p.AddressLimit
	}
	return p.UserLimit
}

// WindowStart is the start of the window holding t, in Unix seconds. Windows are aligned
// to the Unix epoch, so every replica agrees on them.
func (p ThrottlePolicy) WindowStart(t time.Time) int64 {
	w := int64(p.Window / time.Second)
	s := t.Unix()
	return s - ((s%w)+w)%w
}

// RetryAfter is how long from now until the window holding now ends, in whole seconds
// (at least one).
func (p ThrottlePolicy) RetryAfter(now time.Time) time.Duration {
	end := time.Unix(p.WindowStart(now), 0).Add(p.Window)
	secs := math.Ceil(end.Sub(now).Seconds())
	if secs < 1 {
		secs = 1
	}
	return time.Duration(secs) * time.Second
}

// LoginAttempt is one try at a password: a log-in, or the current password when changing
// one's own.
type LoginAttempt struct {
	ZoneID   int64  // the zone named (the default zone when the name is unknown): where refusals are audited
	Zone     string // the zone's code as named
	Username string // the name typed
	IP       string // the client's address
	Purpose  string // "login" or "password"

	// Window is the window Begin counted the attempt in (Unix seconds), so that Succeeded
	// and Abandon take it back from the same counters.
	Window int64
}

// ThrottleKey is one counter of an attempt.
type ThrottleKey struct {
	Kind     ThrottleKind
	Zone     string // pair, user
	Username string // pair, user: lower-cased
	Address  string // pair, address: the address's key (AddressKey)
}

// String is the key's identity, from which the stored key is derived.
func (k ThrottleKey) String() string {
	return string(k.Kind) + "\x00" + k.Zone + "\x00" + k.Username + "\x00" + k.Address
}

// Keys are the counters a attempt counts against: pair, address and user.
func (a LoginAttempt) Keys() []ThrottleKey {
	name := strings.ToLower(a.Username)
	addr := AddressKey(a.IP)
	return []ThrottleKey{
		{Kind: ThrottlePair, Zone: a.Zone, Username: name, Address: addr},
		{Kind: ThrottleAddress, Address: addr},
		{Kind: ThrottleUser, Zone: a.Zone, Username: name},
	}
}

// Place is the key of the place the attempt comes from, for known places.
func (a LoginAttempt) Place() string { return PlaceKey(a.IP) }

// AddressKey is what an address is counted as: IPv4 addresses as they are, IPv6 addresses
// by their /64 network. Anything unparseable counts as itself.
func AddressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, _ := addr.Prefix(64)
	return p.String()
}

// PlaceKey is the network a known place stands for: the /24 of an IPv4 address, the /64 of
// an IPv6 one.
func PlaceKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	bits := 64
	if addr.Is4() {
		bits = 24
	}
	p, _ := addr.Prefix(bits)
	return p.String()
}

// ThrottleVerdict is the answer to an attempt: allowed (RetryAfter 0) or refused until
// RetryAfter has passed because the key of Kind is at its limit. FirstRefusal is true for
// the first refusal of that key in its window (the one written to the audit log).
type ThrottleVerdict struct {
	RetryAfter   time.Duration
	Kind         ThrottleKind
	FirstRefusal bool
}

// Refused reports whether the attempt was refused.
func (v ThrottleVerdict) Refused() bool { return v.RetryAfter > 0 }

// LoginThrottle counts password attempts in the database, shared by every replica.
//
// Begin counts the attempt as a failure on every key before the password is checked, and
// refuses it when that takes a key past its limit, so that concurrent attempts cannot slip
// past the limit together; Succeeded then takes the count back. A refused attempt is not a
// failure: it is added to the refusal count of the key that refused it, and only the first
// refusal of a key in a window and the window's total are written to the audit log, so
// that refused attempts cannot grow the log.
type LoginThrottle interface {
	Begin(ctx context.Context, a *LoginAttempt) (ThrottleVerdict, error)
	// Succeeded: the password was right. The pair's failures are forgotten, the attempt
	// counted on the address and the user is taken back, and the place becomes known.
	Succeeded(ctx context.Context, a *LoginAttempt) error
	// Abandon takes back the attempt when it ended without a verdict on the password
	// (the database failed, the request was malformed).
	Abandon(ctx context.Context, a *LoginAttempt) error
	// Unlock forgets the failures counted against username in the zone, from every address
	// (an administrator's unlock), writing the audit line in the same transaction. It
	// returns how many counters it cleared.
	Unlock(ctx context.Context, u *User, zoneCode string) (int, error)
	// Locked names the zone's users (lower-cased) whose failures refuse them right now at
	// some address or at every unknown place.
	Locked(ctx context.Context, zoneCode string) (map[string]bool, error)
}

// AuditLoginThrottledTotal is written once per throttled key and window, when the window
// is over: how many attempts it refused.
const (
	AuditLoginThrottledTotal = "login_throttled_total"
	AuditUserUnlocked        = "user_unlocked"
)
