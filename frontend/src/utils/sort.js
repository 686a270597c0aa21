// The project list's column sort (GET /projects?sort=…, docs/api.md): the table's
// sort-change event ⇄ the API's sort value. Columns carry the API's field as their prop.

/** The sortable columns of the project list, by the API's sort field. */
export const SORT_FIELDS = ['docked_at', 'planned_investment', 'days_in_stage', 'name']

/** sortParam turns el-table's sort-change ({ prop, order }) into the sort query value ('' = the default order). */
export function sortParam({ prop, order } = {}) {
  if (!prop || !order || !SORT_FIELDS.includes(prop)) return ''
  return order === 'descending' ? '-' + prop : prop
}

/** tableSort turns a sort query value back into el-table's default-sort ({ prop, order }), or {} for the default order. */
export function tableSort(sort) {
  if (!sort) return {}
  const desc = sort.startsWith('-')
  const prop = desc ? sort.slice(1) : sort
  if (!SORT_FIELDS.includes(prop)) return {}
  return { prop, order: desc ? 'descending' : 'ascending' }
}
