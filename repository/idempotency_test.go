package repository_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// A claim's writes commit with its answer or not at all; a claim whose request died (its
// transaction rolled back, its lease over) is taken over once; the old holder then loses;
// a released key is free; the purge removes what is older than the cut.
func TestIdempotencyClaims(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := dbtest.Migrated(t, driver, repository.Options{})
			clock := &fixedClock{t: time.Date(2023, 1, 16, 2, 0, 0, 0, time.UTC)}
			db.Clock = clock
			s := repository.NewIdempotencyService(db)
			const lease = 30 * time.Second

			claim, existing, err := s.Claim(ctx, 7, "k1", "fp1", lease)
			if err != nil || claim == nil || existing != nil {
				t.Fatalf("claim: %+v %+v %v", claim, existing, err)
			}
			again, existing, err := s.Claim(ctx, 7, "k1", "fp1", lease)
			if err != nil || again != nil || existing == nil || existing.Done || existing.Token != claim.Token {
				t.Fatalf("second claim: %+v %+v %v", again, existing, err)
			}
			if other, _, _ := s.Claim(ctx, 8, "k1", "fp1", lease); other == nil {
				t.Fatal("another user's key is not free")
			}

			// a request that fails: its writes are rolled back, the key stays pending
			kept, err := s.Run(ctx, claim, func(ctx context.Context) (domain.IdempotentAnswer, bool) {
				if err := db.WithTx(ctx, func(ctx context.Context) error {
					_, _, err := repository.NewIdempotencyService(db).Claim(ctx, 99, "inside", "x", lease)
					return err
				}); err != nil {
					t.Error(err)
				}
				return domain.IdempotentAnswer{Status: 500}, false
			})
			if kept || err != nil {
				t.Fatalf("run not kept: %v %v", kept, err)
			}
			if r, _ := s.Find(ctx, 99, "inside"); r != nil {
				t.Error("the rolled-back request's write stayed")
			}

			// not taken over while the lease runs; taken over once after
			if got, err := s.TakeOver(ctx, existing, lease); got != nil || err != nil {
				t.Fatalf("taken over within the lease: %+v %v", got, err)
			}
			clock.Add(lease + time.Second)
			got, err := s.TakeOver(ctx, existing, lease)
			if err != nil || got == nil || got.Token == claim.Token {
				t.Fatalf("take over: %+v %v", got, err)
			}
			if twice, _ := s.TakeOver(ctx, existing, lease); twice != nil {
				t.Fatal("taken over twice")
			}
			// the old holder has lost it
			if _, err := s.Run(ctx, claim, func(ctx context.Context) (domain.IdempotentAnswer, bool) {
				t.Error("the lost claim ran")
				return domain.IdempotentAnswer{}, true
			}); !errors.Is(err, domain.ErrIdempotencyClaimLost) {
				t.Fatalf("lost claim: %v", err)
			}
			kept, err = s.Run(ctx, got, func(ctx context.Context) (domain.IdempotentAnswer, bool) {
				return domain.IdempotentAnswer{Status: 201, ContentType: "application/json", Body: []byte(`{"id":1}`)}, true
			})
			if !kept || err != nil {
				t.Fatalf("run: %v %v", kept, err)
			}
			done, _ := s.Find(ctx, 7, "k1")
			if !done.Done || done.Answer.Status != 201 || string(done.Answer.Body) != `{"id":1}` || done.Answer.ContentType != "application/json" {
				t.Fatalf("kept answer: %+v", done)
			}

			// released keys are free again
			c2, _, _ := s.Claim(ctx, 7, "k2", "fp2", lease)
			if err := s.Release(ctx, c2); err != nil {
				t.Fatal(err)
			}
			if r, _ := s.Find(ctx, 7, "k2"); r != nil {
				t.Fatal("released key kept")
			}

			// a day later the key counts as absent; the purge removes old ones
			clock.Add(domain.IdempotencyTTL)
			fresh, existing, err := s.Claim(ctx, 7, "k1", "other", lease)
			if err != nil || fresh == nil || existing != nil {
				t.Fatalf("claim after a day: %+v %+v %v", fresh, existing, err)
			}
			n, err := s.Purge(ctx, clock.Now().Add(-time.Hour))
			if err != nil || n != 1 { // user 8's k1 (user 7's k1 was renewed)
				t.Fatalf("purge: %d %v", n, err)
			}
		})
	}
}
