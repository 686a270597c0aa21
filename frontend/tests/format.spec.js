import { describe, it, expect } from 'vitest'
import { formatWan, formatWanPlain, formatMu, trimDecimal, groupThousands, percent, daysUntil, formatDate, zoneDate, formatDateTime } from '../src/utils/format'

describe('formatWan (万元 → 亿元 display)', () => {
  it.each([
    [80500, '8.05亿元'],   // the four 2022 signings together
    [38000, '3.8亿元'],    // 誉柯
    [10500, '1.05亿元'],   // 氢阳
    [20000, '2亿元'],      // 巽欣
    [12000, '1.2亿元'],    // 千喜鹤
    [10000, '1亿元'],
    [9999, '9,999万元'],
    [500, '500万元'],
    [0, '0万元'],
    [1234.5, '1,234.5万元'],
    [123456, '12.35亿元'],
  ])('%s 万元 → %s', (wan, want) => {
    expect(formatWan(wan)).toBe(want)
  })
  it('accepts numeric strings and rejects junk', () => {
    expect(formatWan('38000')).toBe('3.8亿元')
    expect(formatWan(null)).toBe('—')
    expect(formatWan(undefined)).toBe('—')
    expect(formatWan('abc')).toBe('—')
  })
  it('writes CNY millions in English', () => {
    expect(formatWan(80500, 'en')).toBe('CNY 805 M')
    expect(formatWan(500, 'en')).toBe('CNY 5 M')
    expect(formatWan(1234, 'en')).toBe('CNY 12.34 M')
  })
  it('formats plain 万元 figures and areas for tables', () => {
    expect(formatWanPlain(38000)).toBe('38,000')
    expect(formatWanPlain(null)).toBe('—')
    expect(formatMu(200)).toBe('200亩')
    expect(formatMu(1500.25, 'en')).toBe('1,500.25 mu')
  })
})

describe('number helpers', () => {
  it('trims decimals without float noise', () => {
    expect(trimDecimal(8.05)).toBe('8.05')
    expect(trimDecimal(1.005, 2)).toBe('1.01')
    expect(trimDecimal(3.8)).toBe('3.8')
  })
  it('groups thousands, also negative', () => {
    expect(groupThousands(1234567)).toBe('1,234,567')
    expect(groupThousands(-1234.5)).toBe('-1,234.5')
  })
  it('computes capped target progress', () => {
    expect(percent(2, 5)).toBe(40)
    expect(percent(7, 5)).toBe(100)
    expect(percent(0, 0)).toBe(0)
    expect(percent(3, 0)).toBe(100)
  })
})

describe('dates in Asia/Shanghai', () => {
  it('uses the zone day, not UTC', () => {
    // 2022-12-31T17:00Z is already 2023-01-01 01:00 in Beijing
    expect(zoneDate(new Date('2022-12-31T17:00:00Z'))).toBe('2023-01-01')
    expect(formatDate('2022-12-31T17:00:00Z')).toBe('2023-01-01')
    expect(formatDateTime('2022-12-31T17:05:00Z')).toBe('2023-01-01 01:05')
  })
  it('keeps plain dates and marks empty ones', () => {
    expect(formatDate('2022-03-01')).toBe('2022-03-01')
    expect(formatDate(null)).toBe('—')
  })
  it('counts days until a due date', () => {
    expect(daysUntil('2023-01-10', '2023-01-01')).toBe(9)
    expect(daysUntil('2022-12-30', '2023-01-01')).toBe(-2)
    expect(daysUntil(null)).toBe(null)
  })
})
