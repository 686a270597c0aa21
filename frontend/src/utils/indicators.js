// The economic indicators' page logic, kept pure for tests: the figures and their units, growth
// and 亿元 as the annual report writes them, a year's twelve months, the line chart's option, and
// the request bodies (an empty input is null: "not reported", never 0).

/** The monthly figures in the order the statistics bureau lists them. */
export const INDICATOR_FIELDS = [
  { key: 'enterprises_in_statistics', growth: 'enterprises_in_statistics', unit: 'count' },
  { key: 'above_scale_enterprises', growth: 'above_scale_enterprises', unit: 'count' },
  { key: 'output_wan', growth: 'output', unit: 'wan' },
  { key: 'revenue_wan', growth: 'revenue', unit: 'wan' },
  { key: 'tax_wan', growth: 'tax', unit: 'wan' },
  { key: 'fixed_asset_investment_wan', growth: 'fixed_asset_investment', unit: 'wan' },
  { key: 'government_investment_wan', growth: 'government_investment', unit: 'wan' },
  { key: 'social_investment_wan', growth: 'social_investment', unit: 'wan' },
]

/** The figures a project reports per period. */
export const OPERATION_FIELDS = [
  { key: 'output_wan', unit: 'wan' },
  { key: 'revenue_wan', unit: 'wan' },
  { key: 'tax_wan', unit: 'wan' },
  { key: 'employees', unit: 'count' },
  { key: 'investment_completed_wan', unit: 'wan' },
]

const isNum = (v) => typeof v === 'number' && Number.isFinite(v)

/** Growth (0.3592) as the report writes it: "35.92%", "-5.20%"; null → "—". */
export function growthText(g) {
  if (!isNum(g)) return '—'
  const bp = Math.round(g * 10000)
  const sign = bp < 0 ? '-' : bp > 0 ? '+' : ''
  const a = Math.abs(bp)
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}%`
}

/** A growth's tone for colour: up, down or flat (null when unknown). */
export function growthTone(g) {
  if (!isNum(g)) return null
  return g > 0 ? 'up' : g < 0 ? 'down' : 'flat'
}

/** An amount in 万元 written in 亿元 to four decimals, as the annual report does: 567559 → "56.7559". */
export function yi4(wan) {
  if (!isNum(wan)) return '—'
  const units = Math.round(Math.abs(wan)) // 1 万元 = 0.0001 亿元
  return `${wan < 0 ? '-' : ''}${Math.floor(units / 10000)}.${String(units % 10000).padStart(4, '0')}`
}

/** "YYYY-MM" of a year and month (1–12). */
export function monthKey(year, month) {
  return `${year}-${String(month).padStart(2, '0')}`
}

/** The year's twelve months, each with its record (or null) and whether it lies in the future. */
export function yearRows(year, months, today) {
  const byMonth = new Map((months || []).map((m) => [m.month, m]))
  const current = String(today || '').slice(0, 7)
  return Array.from({ length: 12 }, (_, i) => {
    const key = monthKey(year, i + 1)
    return { key, month: i + 1, record: byMonth.get(key) || null, future: !!current && key > current }
  })
}

/** The latest month of the year with a record, or null. */
export function latestMonth(months) {
  const list = (months || []).filter((m) => m && m.month)
  return list.length ? list.reduce((a, b) => (a.month > b.month ? a : b)) : null
}

/** Twelve values of one figure (null where not reported). */
export function series(year, months, key) {
  const byMonth = new Map((months || []).map((m) => [m.month, m]))
  return Array.from({ length: 12 }, (_, i) => {
    const r = byMonth.get(monthKey(year, i + 1))
    return r && isNum(r[key]) ? r[key] : null
  })
}

/**
 * The line chart of one figure for a year against the year before: months 1–12 on the x axis,
 * one line per year; a month not reported is a gap.
 */
export function lineOption({ year, months, lastMonths, key, monthLabels, yearLabel, unitLabel }) {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [yearLabel(year), yearLabel(year - 1)] },
    grid: { left: 56, right: 20, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: monthLabels, boundaryGap: false },
    yAxis: { type: 'value', name: unitLabel, nameTextStyle: { align: 'left' } },
    series: [
      { name: yearLabel(year), type: 'line', data: series(year, months, key), connectNulls: false, symbolSize: 7, lineStyle: { width: 3 }, itemStyle: { color: '#1f5fae' } },
      { name: yearLabel(year - 1), type: 'line', data: series(year - 1, lastMonths, key), connectNulls: false, symbolSize: 6, lineStyle: { type: 'dashed' }, itemStyle: { color: '#8a94a6' } },
    ],
  }
}

/** A form's values as a request body: empty → null, numbers as numbers. */
export function toBody(form, fields) {
  const out = {}
  for (const f of fields) {
    const v = form[f.key]
    out[f.key] = v === '' || v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v)
  }
  return out
}

/** Client-side checks mirroring the server's (it stays the judge): which fields are wrong. */
export function checkIndicators(body) {
  const errors = {}
  for (const f of INDICATOR_FIELDS) {
    const v = body[f.key]
    if (v === null) continue
    if (v < 0) errors[f.key] = 'negative'
    else if (f.unit === 'wan' && v > 10000000) errors[f.key] = 'tooLarge'
    else if (f.unit === 'count' && !Number.isInteger(v)) errors[f.key] = 'integer'
  }
  const a = body.enterprises_in_statistics
  const b = body.above_scale_enterprises
  if (!errors.above_scale_enterprises && a !== null && b !== null && b > a) errors.above_scale_enterprises = 'aboveScale'
  return errors
}

/** A period as the API names it: 2022, 2022-Q3 or 2022-10. */
export function periodKey(kind, year, index) {
  if (kind === 'quarter') return `${year}-Q${index}`
  if (kind === 'month') return monthKey(year, index)
  return String(year)
}

/** The parts of a period name: {kind, year, index}. */
export function parsePeriod(p) {
  const s = String(p || '')
  let m = /^(\d{4})$/.exec(s)
  if (m) return { kind: 'year', year: Number(m[1]), index: 1 }
  m = /^(\d{4})-Q([1-4])$/.exec(s)
  if (m) return { kind: 'quarter', year: Number(m[1]), index: Number(m[2]) }
  m = /^(\d{4})-(\d{2})$/.exec(s)
  if (m) return { kind: 'month', year: Number(m[1]), index: Number(m[2]) }
  return null
}

/** Whether a period starts after today (the server refuses those). */
export function periodInFuture(kind, year, index, today) {
  const first = kind === 'quarter' ? monthKey(year, 3 * index - 2) : kind === 'month' ? monthKey(year, index) : monthKey(year, 1)
  return first > String(today).slice(0, 7)
}
