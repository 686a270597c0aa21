// 企业诉求 (issue 15): the pure helpers of the request pages and the liaison's narrow routing.
import { describe, it, expect } from 'vitest'
import { statusTag, isLiaisonOnly, canRaiseRequest, defaultDue, orderedMoves, rateText, REQUEST_CATEGORIES, DEFAULT_DAYS } from '../src/utils/requests'
import { guard, LIAISON_PAGES } from '../src/router'

describe('request helpers', () => {
  it('tags overdue requests as danger whatever their status', () => {
    expect(statusTag({ status: 'open', overdue: true })).toBe('danger')
    expect(statusTag({ status: 'open' })).toBe('warning')
    expect(statusTag({ status: 'closed' })).toBe('success')
    expect(statusTag({ status: 'returned' })).toBe('info')
  })
  it('knows a liaison from zone staff', () => {
    expect(isLiaisonOnly({ roles: ['department'] })).toBe(true)
    expect(isLiaisonOnly({ roles: ['department', 'viewer'] })).toBe(false)
    expect(isLiaisonOnly({ roles: ['recruiter'] })).toBe(false)
    expect(canRaiseRequest({ roles: ['recruiter'] })).toBe(true)
    expect(canRaiseRequest({ roles: ['viewer'] })).toBe(false)
    expect(canRaiseRequest({ roles: ['department'] })).toBe(false)
  })
  it('counts the default deadline by category as the server does', () => {
    expect(REQUEST_CATEGORIES.every((c) => DEFAULT_DAYS[c] > 0)).toBe(true)
    expect(defaultDue('land', new Date(2023, 0, 16))).toBe('2023-02-15')
    expect(defaultDue('utilities', new Date(2023, 0, 16))).toBe('2023-01-26')
    expect(defaultDue('weather', new Date(2023, 0, 16))).toBe('')
  })
  it('orders the moves the server offers and drops unknown ones', () => {
    expect(orderedMoves(['return', 'accept', 'bogus'])).toEqual(['accept', 'return'])
    expect(orderedMoves(undefined)).toEqual([])
  })
  it('writes rates as percentages', () => {
    expect(rateText(null)).toBe('—')
    expect(rateText(2 / 3)).toBe('66.7%')
    expect(rateText(1)).toBe('100.0%')
  })
})

describe('the liaison guard', () => {
  const auth = (roles) => ({ loggedIn: true, me: { roles }, ensureMe: async () => {}, mustChangePassword: false })
  it('sends a liaison from the rest of the app to their requests', async () => {
    expect(await guard({ name: 'dashboard', meta: {}, fullPath: '/' }, auth(['department']))).toEqual({ name: 'requests' })
    expect(await guard({ name: 'projects', meta: {}, fullPath: '/projects' }, auth(['department']))).toEqual({ name: 'requests' })
    expect(await guard({ name: 'request', meta: { roles: ['department'] }, fullPath: '/requests/1' }, auth(['department']))).toBe(true)
    expect(LIAISON_PAGES).toContain('reminders')
  })
  it('leaves zone staff where they go', async () => {
    expect(await guard({ name: 'dashboard', meta: {}, fullPath: '/' }, auth(['recruiter']))).toBe(true)
    expect(await guard({ name: 'requests', meta: { roles: ['admin', 'recruiter'] }, fullPath: '/requests' }, auth(['agent']))).toEqual({ name: 'forbidden' })
  })
})
