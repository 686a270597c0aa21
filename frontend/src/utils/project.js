// Project form helpers: blank values, which fields a PATCH sends, what changed between versions.

export const EDITABLE_FIELDS = [
  'name', 'investor', 'channel', 'chain', 'chain_node_ids', 'asset_type', 'planned_investment_wan', 'land_area_mu',
  'owner', 'docked_at', 'campaign_id', 'referrer', 'agency', 'notes',
]
// signed_at and stage are not here: they change only through a stage move (/transition).

export function blankProject(today) {
  return {
    name: '', investor: '', channel: 'self_sourced', chain: null, chain_node_ids: [], asset_type: 'heavy',
    planned_investment_wan: 0, land_area_mu: 0, owner: '', docked_at: today, campaign_id: null,
    referrer: '', agency: '', notes: '',
  }
}

/** The form model for editing p: a copy of its editable fields. */
export function formFromProject(p) {
  const f = {}
  for (const k of EDITABLE_FIELDS) {
    const v = p[k]
    f[k] = Array.isArray(v) ? [...v] : v === undefined ? null : v
  }
  if (!Array.isArray(f.chain_node_ids)) f.chain_node_ids = []
  return f
}

function norm(v) {
  if (v === undefined || v === '') return null
  if (Array.isArray(v)) return JSON.stringify([...v].sort())
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v)
  return v
}

export function sameValue(a, b) {
  return norm(a) === norm(b)
}

/** The fields whose values differ between two project snapshots. */
export function changedFields(before, after, fields = EDITABLE_FIELDS) {
  return fields.filter((k) => !sameValue(before ? before[k] : null, after ? after[k] : null))
}

/** The PATCH body: only the fields the user changed from base, plus base's version. */
export function patchBody(base, form, version) {
  const body = { version }
  for (const k of changedFields(base, form)) {
    let v = form[k]
    if (k === 'chain' && (v === null || v === undefined)) v = ''
    body[k] = v === undefined ? null : v
  }
  return body
}

/** The create body: drops empty optional fields. */
export function createBody(form) {
  const body = {}
  for (const k of EDITABLE_FIELDS) {
    const v = form[k]
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue
    body[k] = v
  }
  if (body.land_area_mu === undefined && form.land_area_mu === 0) body.land_area_mu = 0
  if (body.planned_investment_wan === undefined) body.planned_investment_wan = form.planned_investment_wan ?? 0
  return body
}
