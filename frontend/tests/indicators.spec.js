import { describe, it, expect, beforeEach } from 'vitest'
import { mount } from '@vue/test-utils'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { mockFetch, settle } from './helpers'
import IndicatorPanel from '../src/components/IndicatorPanel.vue'
import {
  INDICATOR_FIELDS, checkIndicators, growthText, growthTone, latestMonth, lineOption, monthKey, parsePeriod, periodInFuture,
  periodKey, series, toBody, yearRows, yi4,
} from '../src/utils/indicators'
import { canManageIndicators, canSeeIndicators } from '../src/utils/permissions'
import zhCN from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

describe('growth and amounts as the report writes them', () => {
  it('writes growth to two decimals of a percent, null as a dash', () => {
    expect(growthText(0.3592)).toBe('+35.92%')
    expect(growthText(-0.052)).toBe('-5.20%')
    expect(growthText(0)).toBe('0.00%')
    expect(growthText(-0.3333)).toBe('-33.33%')
    expect(growthText(null)).toBe('—')
    expect(growthText(undefined)).toBe('—')
    expect(growthTone(0.1)).toBe('up')
    expect(growthTone(-0.1)).toBe('down')
    expect(growthTone(0)).toBe('flat')
    expect(growthTone(null)).toBe(null)
  })
  it('writes 亿元 to four decimals, keeping zeros', () => {
    expect(yi4(567559)).toBe('56.7559')
    expect(yi4(32061)).toBe('3.2061')
    expect(yi4(20000)).toBe('2.0000')
    expect(yi4(0.4999)).toBe('0.0000')
    expect(yi4(1234.565)).toBe('0.1235')
    expect(yi4(null)).toBe('—')
  })
})

describe('a year of months', () => {
  const months = [
    { month: '2022-10', revenue_wan: 567559, growth: { revenue: 0.3592 } },
    { month: '2022-03', revenue_wan: 100, growth: {} },
  ]
  it('lays out twelve months with their records and the future ones', () => {
    const rows = yearRows(2022, months, '2022-10-20')
    expect(rows).toHaveLength(12)
    expect(rows[9].key).toBe('2022-10')
    expect(rows[9].record.revenue_wan).toBe(567559)
    expect(rows[0].record).toBe(null)
    expect(rows[9].future).toBe(false)
    expect(rows[10].future).toBe(true)
    expect(monthKey(2022, 3)).toBe('2022-03')
  })
  it('finds the latest month and one figure per month', () => {
    expect(latestMonth(months).month).toBe('2022-10')
    expect(latestMonth([])).toBe(null)
    const s = series(2022, months, 'revenue_wan')
    expect(s[2]).toBe(100)
    expect(s[9]).toBe(567559)
    expect(s[0]).toBe(null)
  })
  it('draws this year against the last, with gaps where not reported', () => {
    const opt = lineOption({ year: 2022, months, lastMonths: [{ month: '2021-10', revenue_wan: 417568 }], key: 'revenue_wan',
      monthLabels: Array.from({ length: 12 }, (_, i) => `${i + 1}月`), yearLabel: (y) => `${y}年`, unitLabel: '万元' })
    expect(opt.series).toHaveLength(2)
    expect(opt.series[0].type).toBe('line')
    expect(opt.series[0].name).toBe('2022年')
    expect(opt.series[1].data[9]).toBe(417568)
    expect(opt.series[1].data[8]).toBe(null)
    expect(opt.series[0].connectNulls).toBe(false)
  })
})

describe('entering figures', () => {
  it('sends blanks as null, never 0', () => {
    const body = toBody({ revenue_wan: 12.5, tax_wan: '', output_wan: null, enterprises_in_statistics: 0 }, INDICATOR_FIELDS)
    expect(body.revenue_wan).toBe(12.5)
    expect(body.tax_wan).toBe(null)
    expect(body.output_wan).toBe(null)
    expect(body.enterprises_in_statistics).toBe(0)
    expect(body.social_investment_wan).toBe(null)
  })
  it('refuses what the server refuses', () => {
    const blank = toBody({}, INDICATOR_FIELDS)
    expect(checkIndicators(blank)).toEqual({})
    expect(checkIndicators({ ...blank, enterprises_in_statistics: 3, above_scale_enterprises: 4 })).toEqual({ above_scale_enterprises: 'aboveScale' })
    expect(checkIndicators({ ...blank, revenue_wan: -1 })).toEqual({ revenue_wan: 'negative' })
    expect(checkIndicators({ ...blank, tax_wan: 10000000.0001 })).toEqual({ tax_wan: 'tooLarge' })
    expect(checkIndicators({ ...blank, tax_wan: 10000000 })).toEqual({})
    expect(checkIndicators({ ...blank, enterprises_in_statistics: 2.5 })).toEqual({ enterprises_in_statistics: 'integer' })
  })
  it('names periods as the API does', () => {
    expect(periodKey('year', 2022, 1)).toBe('2022')
    expect(periodKey('quarter', 2022, 3)).toBe('2022-Q3')
    expect(periodKey('month', 2022, 9)).toBe('2022-09')
    expect(parsePeriod('2022-Q3')).toEqual({ kind: 'quarter', year: 2022, index: 3 })
    expect(parsePeriod('2022-10')).toEqual({ kind: 'month', year: 2022, index: 10 })
    expect(parsePeriod('2022')).toEqual({ kind: 'year', year: 2022, index: 1 })
    expect(parsePeriod('2022-Q5')).toBe(null)
    expect(periodInFuture('quarter', 2023, 1, '2023-01-16')).toBe(false)
    expect(periodInFuture('quarter', 2023, 2, '2023-01-16')).toBe(true)
    expect(periodInFuture('year', 2023, 1, '2023-01-16')).toBe(false)
    expect(periodInFuture('month', 2023, 2, '2023-01-16')).toBe(true)
  })
})

describe('who sees and enters indicators', () => {
  const u = (roles) => ({ roles })
  it('lets admin and director enter, staff and viewers read, agents neither', () => {
    expect(canManageIndicators(u(['director']))).toBe(true)
    expect(canManageIndicators(u(['admin']))).toBe(true)
    expect(canManageIndicators(u(['viewer']))).toBe(false)
    expect(canManageIndicators(u(['recruiter']))).toBe(false)
    expect(canSeeIndicators(u(['viewer']))).toBe(true)
    expect(canSeeIndicators(u(['chain_chief']))).toBe(true)
    expect(canSeeIndicators(u(['agent']))).toBe(false)
  })
  it('names every figure in both languages', () => {
    for (const f of INDICATOR_FIELDS) {
      expect(zhCN.indicators.field[f.key]).toBeTruthy()
      expect(en.indicators.field[f.key]).toBeTruthy()
    }
    expect(Object.keys(en.operations.field).sort()).toEqual(Object.keys(zhCN.operations.field).sort())
    expect(Object.keys(en.indicators).sort()).toEqual(Object.keys(zhCN.indicators).sort())
  })
})

describe('the dashboard panel', () => {
  beforeEach(() => { setLocale('zh-CN') })
  async function mountPanel(routes) {
    mockFetch(routes)
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: { template: '<div/>' } }, { path: '/indicators', component: { template: '<div/>' } }] })
    router.push('/')
    await router.isReady()
    const w = mount(IndicatorPanel, { props: { year: 2022 }, global: { plugins: [router, i18n] } })
    await settle(10)
    return w
  }
  it('states the latest month as the report does', async () => {
    const w = await mountPanel([{ match: ['GET', '/api/v1/indicators'], respond: { body: { year: 2022, months: [
      { month: '2022-09', revenue_wan: 1 },
      { month: '2022-10', enterprises_in_statistics: 43, above_scale_enterprises: 24, revenue_wan: 567559, tax_wan: 32061, fixed_asset_investment_wan: null, growth: { revenue: 0.3592, tax: null } },
    ] } } }])
    const text = w.text()
    expect(text).toContain('1-10月')
    expect(text).toContain('56.7559')
    expect(text).toContain('+35.92%')
    expect(text).toContain('3.2061')
    expect(w.find('[data-test=panel-fixed_asset_investment_wan]').text()).toContain('—')
    expect(text).toContain('43')
  })
  it('stays away when the year has nothing or the call fails', async () => {
    let w = await mountPanel([{ match: ['GET', '/api/v1/indicators'], respond: { body: { year: 2022, months: [] } } }])
    expect(w.find('[data-test=indicator-panel]').exists()).toBe(false)
    w = await mountPanel([])
    expect(w.find('[data-test=indicator-panel]').exists()).toBe(false)
  })
})
