package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// JobIdempotency purges the idempotency keys of creating requests older than a day
// (issue 20, offline visits): their answers are no longer replayed, and the table stays
// the size of one day's writes.
const JobIdempotency = "idempotency"

// IdempotencyJob removes expired idempotency keys.
type IdempotencyJob struct {
	Store domain.IdempotencyStore
}

// Run removes the keys created more than domain.IdempotencyTTL before at.
func (j *IdempotencyJob) Run(ctx context.Context, at time.Time) (string, error) {
	before := at.UTC().Add(-domain.IdempotencyTTL)
	n, err := j.Store.Purge(ctx, before)
	return fmt.Sprintf("删除 %s 之前的幂等键 %d 个 (purged %d idempotency keys created before %s)",
		before.Format(time.RFC3339), n, n, before.Format(time.RFC3339)), err
}
