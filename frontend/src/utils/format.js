// Display helpers: money in 万元/亿元, areas, dates in the zone's time zone.

const ZONE_TZ = 'Asia/Shanghai'

function toNumber(v) {
  if (v === null || v === undefined || v === '') return null
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : null
}

/** Rounds to at most `digits` decimals and drops trailing zeros: 3.8000 → "3.8". */
export function trimDecimal(n, digits = 2) {
  const f = Math.pow(10, digits)
  const r = Math.round((n + Number.EPSILON * Math.sign(n)) * f) / f
  return String(r)
}

/** Groups thousands: 38000 → "38,000". */
export function groupThousands(n, digits = 2) {
  const s = trimDecimal(n, digits)
  const [int, frac] = s.split('.')
  const sign = int.startsWith('-') ? '-' : ''
  const body = sign ? int.slice(1) : int
  return sign + body.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac ? '.' + frac : '')
}

/**
 * Formats an amount given in 万元 the way a county report writes it: ≥ 1 亿 as 亿元
 * (80500 → "8.05亿元"), below as 万元 (500 → "500万元"). English: CNY millions.
 */
export function formatWan(wan, locale = 'zh-CN') {
  const n = toNumber(wan)
  if (n === null) return '—'
  if (locale.startsWith('en')) {
    // 1 万元 = 10,000 yuan = 0.01 million
    const m = n / 100
    return `CNY ${groupThousands(m, Math.abs(m) >= 100 ? 0 : 2)} M`
  }
  if (Math.abs(n) >= 10000) return `${trimDecimal(n / 10000, 2)}亿元`
  return `${groupThousands(n, 2)}万元`
}

/** Plain 万元 figure with grouping for tables: 38000 → "38,000". */
export function formatWanPlain(wan) {
  const n = toNumber(wan)
  return n === null ? '—' : groupThousands(n, 2)
}

export function formatMu(mu, locale = 'zh-CN') {
  const n = toNumber(mu)
  if (n === null) return '—'
  return locale.startsWith('en') ? `${groupThousands(n, 2)} mu` : `${groupThousands(n, 2)}亩`
}

/** "YYYY-MM-DD" of a Date (or now) in the zone's time zone. */
export function zoneDate(d = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

export function zoneYear(d = new Date()) {
  return Number(zoneDate(d).slice(0, 4))
}

/** A date or timestamp from the API shown as YYYY-MM-DD; empty → "—". */
export function formatDate(v) {
  if (!v) return '—'
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? String(v) : zoneDate(d)
}

/** A timestamp shown as YYYY-MM-DD HH:mm in the zone's time zone. */
export function formatDateTime(v) {
  if (!v) return '—'
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d)
  const get = (t) => parts.find((p) => p.type === t)?.value
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour') === '24' ? '00' : get('hour')}:${get('minute')}`
}

/** Progress towards a target as a whole percentage, capped at 100 for the bar. */
export function percent(progress, target) {
  const p = toNumber(progress) || 0
  const t = toNumber(target)
  if (!t || t <= 0) return p > 0 ? 100 : 0
  return Math.min(100, Math.round((p / t) * 100))
}

/** Days between today (zone) and a YYYY-MM-DD date; negative when past. */
export function daysUntil(date, today = zoneDate()) {
  if (!date) return null
  const a = Date.parse(today + 'T00:00:00Z')
  const b = Date.parse(String(date).slice(0, 10) + 'T00:00:00Z')
  if (Number.isNaN(a) || Number.isNaN(b)) return null
  return Math.round((b - a) / 86400000)
}
