// The enterprise profile's form and the changes a PATCH carries.

export const OWNERSHIPS = ['central_soe', 'local_soe', 'private', 'foreign', 'hk_macao_taiwan', 'listed', 'public_institution']
export const ENTERPRISE_KINDS = ['local', 'investor', 'referrer', 'friendly', 'target']
export const PROFILE_FIELDS = ['name', 'credit_code', 'kind', 'ownership', 'industry', 'region', 'address', 'website', 'tags', 'notes']

/** The editable profile of an enterprise as a form (tags as an array). */
export function profileForm(e) {
  const f = {}
  for (const k of PROFILE_FIELDS) f[k] = k === 'tags' ? [...((e && e.tags) || [])] : (e && e[k]) || ''
  return f
}

function same(a, b) {
  return Array.isArray(a) || Array.isArray(b) ? JSON.stringify(a || []) === JSON.stringify(b || []) : (a || '') === (b || '')
}

/** The fields that differ between two profiles. */
export function changedProfileFields(a, b) {
  return PROFILE_FIELDS.filter((k) => !same(a && a[k], b && b[k]))
}

/** The PATCH body: version and the fields the form changed from base. */
export function profilePatch(base, form, version) {
  const body = { version }
  for (const k of changedProfileFields(profileForm(base), form)) body[k] = form[k]
  return body
}

/** A duplicate refusal's candidates ([{id, name}]), or null when err is something else. */
export function duplicateCandidates(err) {
  if (!err || err.status !== 409 || err.code !== 'duplicate') return null
  const c = err.data && err.data.error && err.data.error.candidates
  return Array.isArray(c) ? c : []
}
