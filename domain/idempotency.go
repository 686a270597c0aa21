package domain

import (
	"context"
	"errors"
	"time"
)

// Idempotency keys (issue 20, offline visits). A client that may lose the answer to a
// creating request — a phone syncing its outbox on a weak signal — sends an
// Idempotency-Key header with it (IETF draft "The Idempotency-Key HTTP Header Field"). The
// server keeps, per user and key, a fingerprint of the request and the first answer it
// gave: the same key from the same user within IdempotencyTTL gets that answer again and
// creates nothing; the same key with another request is refused (422).
//
// The record is written in the same database transaction as the request's own writes, so
// that a crash cannot leave a record created with no answer kept, nor an answer kept for
// writes that were rolled back. A request that finds the key held by another still running
// waits for its answer; a holder that died (its transaction rolled back, its lease over)
// is taken over, once.

// IdempotencyTTL is how long a key's answer is kept and replayed.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyKeyMaxLen is the longest key accepted.
const IdempotencyKeyMaxLen = 255

// ErrIdempotencyClaimLost reports that a request's claim on its key was taken over by
// another request (its lease ran out): the request's writes were rolled back.
var ErrIdempotencyClaimLost = errors.New("idempotency: the key's claim was taken over")

// IdempotentAnswer is an answer kept for replay.
type IdempotentAnswer struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdempotencyRecord is one user's key: pending while its first request runs, then done
// with that request's answer.
type IdempotencyRecord struct {
	ID          int64
	UserID      int64
	Key         string
	Fingerprint string // SHA-256 (hex) of method, path, query and body
	Token       string // who holds a pending claim
	Done        bool
	Answer      IdempotentAnswer
	CreatedAt   time.Time
	LeaseUntil  time.Time // a pending claim older than this is abandoned
}

// IdempotencyStore keeps the keys in the database, shared by every replica.
type IdempotencyStore interface {
	// Claim reserves key for the user with the request's fingerprint. It returns the new
	// claim (held by the caller for lease), or, when a live record exists (done, or
	// pending under another request), that record. A record older than IdempotencyTTL
	// counts as absent and is replaced.
	Claim(ctx context.Context, userID int64, key, fingerprint string, lease time.Duration) (claim, existing *IdempotencyRecord, err error)
	// TakeOver claims a pending record whose lease is over; nil when the record is done,
	// gone, or another request took it first.
	TakeOver(ctx context.Context, rec *IdempotencyRecord, lease time.Duration) (*IdempotencyRecord, error)
	// Find reloads a user's record (nil when there is none).
	Find(ctx context.Context, userID int64, key string) (*IdempotencyRecord, error)
	// Run runs fn in one transaction that first re-asserts the claim (holding its row) and,
	// when fn returns keep, stores fn's answer with fn's writes in the same commit; when fn
	// returns !keep its writes are rolled back and the claim stays pending. A claim taken
	// over meanwhile is ErrIdempotencyClaimLost.
	Run(ctx context.Context, claim *IdempotencyRecord, fn func(ctx context.Context) (answer IdempotentAnswer, keep bool)) (kept bool, err error)
	// Keep stores the answer of a claim whose request wrote nothing (a refusal).
	Keep(ctx context.Context, claim *IdempotencyRecord, answer IdempotentAnswer) error
	// Release forgets a pending claim, so that the key can be used again (an answer that
	// depends on the moment: a 5xx, 401, 429).
	Release(ctx context.Context, claim *IdempotencyRecord) error
	// Purge removes records created before the given time; it returns how many.
	Purge(ctx context.Context, before time.Time) (int64, error)
}
