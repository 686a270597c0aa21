// Pure helpers of the 企业诉求 pages (issue 15): labels, tags, who does what.
import { hasRole } from './permissions'

export const REQUEST_STATUSES = ['open', 'in_progress', 'resolved', 'returned', 'closed']
export const REQUEST_CATEGORIES = ['land', 'planning', 'environment', 'energy', 'utilities', 'finance',
  'labour', 'policy', 'supply', 'permits', 'infrastructure', 'other']
export const SATISFACTIONS = ['satisfied', 'basic', 'unsatisfied']

/** Days a department has by default, as the server counts them (domain/request.go). */
export const DEFAULT_DAYS = { land: 30, planning: 20, environment: 20, energy: 15, utilities: 10, finance: 30,
  labour: 15, policy: 10, supply: 15, permits: 15, infrastructure: 30, other: 15 }

/** Element Plus tag type of a status; overdue wins. */
export function statusTag(r) {
  if (r && r.overdue) return 'danger'
  return { open: 'warning', in_progress: 'primary', resolved: 'success', returned: 'info', closed: 'success' }[r && r.status] || 'info'
}

/** A department liaison and nothing else: the narrow view (their requests and reminders). */
export function isLiaisonOnly(me) {
  return hasRole(me, 'department') && !hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'agent', 'viewer')
}

/** Zone staff who raise requests: admin, director, recruiters (the server also checks the project). */
export function canRaiseRequest(me) {
  return hasRole(me, 'admin', 'director', 'recruiter')
}

/** Who may download the joint meeting's agenda and read the figures. */
export function canSeeServiceStats(me) {
  return hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'viewer')
}

/** The default deadline (YYYY-MM-DD) of a category counted from today (a Date). */
export function defaultDue(category, today = new Date()) {
  const days = DEFAULT_DAYS[category]
  if (!days) return ''
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days)
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** The moves the detail page offers, in the order of the work; the server says which are open. */
export function orderedMoves(moves) {
  const order = ['accept', 'reply', 'return', 'edit', 'resend', 'confirm', 'meeting']
  return order.filter((m) => (moves || []).includes(m))
}

/** A rate (0..1 or null) as a percentage text. */
export function rateText(v) {
  if (v === null || v === undefined) return '—'
  return `${(Math.round(v * 1000) / 10).toFixed(1)}%`
}
