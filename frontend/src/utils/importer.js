/**
 * The import answers 200 {created, updated, errors: []} or 422 when any row is invalid. The
 * 422 body may be that same shape, or the contract's error envelope with the rows inside;
 * this reads either.
 */
export function importOutcome(err) {
  const d = (err && err.data) || {}
  const e = (d && d.error) || {}
  const rows = d.errors || e.errors || e.rows || e.details || (e.fields && e.fields.rows) || []
  return { created: d.created || 0, updated: d.updated || 0, errors: Array.isArray(rows) ? rows : [] }
}
