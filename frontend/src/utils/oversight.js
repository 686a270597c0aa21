// Pure helpers of the oversight screens (督办, 到资, audit log, report figures), kept apart
// from the components so they can be tested on their own.
import { daysUntil, zoneDate } from './format'

export const SUPERVISION_STATUSES = ['open', 'overdue', 'answered', 'closed']

export const AUDIT_ACTIONS = [
  'login', 'login_failed', 'login_throttled', 'logout', 'forbidden', 'password_changed', 'password_reset',
  'user_created', 'user_updated', 'user_disabled', 'user_enabled', 'role_granted', 'role_revoked',
  'chain_chief_assigned', 'chain_chief_unassigned', 'policy_added', 'token_created', 'token_revoked', 'token_used',
]

/**
 * Where a supervision's deadline stands on the zone's today. The server already says
 * "overdue" for an open one past its due date; this adds the days for the label.
 * @returns {{kind: 'overdue'|'today'|'left'|'none', days: number}}
 */
export function dueState(s, today = zoneDate()) {
  if (!s || !s.due || s.status === 'closed' || s.status === 'answered') return { kind: 'none', days: 0 }
  const d = daysUntil(s.due, today)
  if (d === null) return { kind: 'none', days: 0 }
  if (s.status === 'overdue' || d < 0) return { kind: 'overdue', days: Math.max(1, -d) }
  if (d === 0) return { kind: 'today', days: 0 }
  return { kind: 'left', days: d }
}

/** The tag colour of a supervision status. */
export function statusType(status) {
  return { open: 'primary', overdue: 'danger', answered: 'warning', closed: 'info' }[status] || 'info'
}

/**
 * Splits the caller's supervisions into what they must answer and what they issued (a
 * supervision can be in both when one issued it on a project of one's own).
 */
export function splitSupervisions(items, username) {
  const list = Array.isArray(items) ? items : []
  return {
    mine: list.filter((s) => s.owner === username),
    issued: list.filter((s) => s.issuer === username),
  }
}

/** The number of supervisions waiting for the user's answer (open or overdue). */
export function waitingFor(items, username) {
  return (Array.isArray(items) ? items : []).filter((s) => s.owner === username && (s.status === 'open' || s.status === 'overdue')).length
}

/** Realised as a share of planned, in whole percent (null without a plan). */
export function realisedShare(planned, realised) {
  const p = Number(planned)
  const r = Number(realised) || 0
  if (!Number.isFinite(p) || p <= 0) return null
  return Math.round((r / p) * 1000) / 10
}

/** A translated audit action, falling back to the raw code for an action not yet known. */
export function auditActionLabel(t, te, action) {
  const k = 'audit.actions.' + action
  return te(k) ? t(k) : action
}

/** An audit entry's detail (a JSON object string) as "key: value" pairs. */
export function auditDetailText(detail) {
  if (!detail) return ''
  let obj
  try { obj = typeof detail === 'string' ? JSON.parse(detail) : detail } catch { return String(detail) }
  if (!obj || typeof obj !== 'object') return String(obj)
  return Object.entries(obj).map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`).join('；')
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** A short name for an element of a list of objects: its label, name, key or code. */
function elementName(x, i) {
  for (const k of ['label', 'name', 'key', 'code']) if (x && typeof x[k] === 'string' && x[k]) return x[k]
  return String(i + 1)
}

/**
 * Flattens the annual report's figures into rows {key, value} for a table: nested objects
 * by dotted keys, lists of plain values joined with 、, lists of objects one element at a time
 * (named by its label or name), null as —. No value is ever an object.
 */
export function flattenFigures(figures) {
  const rows = []
  const walk = (prefix, v) => {
    if (isPlainObject(v)) {
      const entries = Object.entries(v)
      if (!entries.length) rows.push({ key: prefix, value: '—' })
      for (const [k, x] of entries) walk(prefix ? prefix + '.' + k : k, x)
    } else if (Array.isArray(v)) {
      if (!v.length) rows.push({ key: prefix, value: '—' })
      else if (v.every((x) => !isPlainObject(x) && !Array.isArray(x))) rows.push({ key: prefix, value: v.map((x) => (x === null ? '—' : String(x))).join('、') })
      else v.forEach((x, i) => walk(`${prefix}[${elementName(x, i)}]`, x))
    } else {
      rows.push({ key: prefix, value: v === null || v === undefined || v === '' ? '—' : String(v) })
    }
  }
  walk('', figures || {})
  return rows
}
