import { describe, it, expect, beforeEach } from 'vitest'
import { setActivePinia, createPinia } from 'pinia'
import { useAuthStore } from '../src/stores/auth'
import { guard } from '../src/router'
import { mockFetch, errorBody } from './helpers'

const ME = { id: 3, username: 'chief_food', display_name: '食品链长', email: 'c@x', roles: ['chain_chief'], zone: { code: 'laiyuan', name: '涞源经济开发区' }, chains: ['food'] }

function setSessionCookie(on) {
  document.cookie = on ? 'chaincrm_csrf=C1; path=/' : 'chaincrm_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
}

beforeEach(() => {
  localStorage.clear()
  setSessionCookie(false)
  setActivePinia(createPinia())
})

describe('auth store', () => {
  it('logs in by cookie, keeps no token anywhere and loads /me', async () => {
    const { calls } = mockFetch([
      { match: ['POST', '/api/v1/auth/login'], respond: () => { setSessionCookie(true); return { body: { token: 'T1', user: { username: 'chief_food' } } } } },
      { match: ['GET', '/api/v1/me'], respond: { body: ME } },
    ])
    const auth = useAuthStore()
    await auth.login('chief_food', 'Demo@2023')
    expect(localStorage.getItem('chaincrm.token')).toBe(null)
    expect(JSON.stringify(localStorage)).not.toContain('T1')
    expect(auth.$state).not.toHaveProperty('token')
    expect(auth.loggedIn).toBe(true)
    expect(auth.zoneName).toBe('涞源经济开发区')
    expect(auth.myChains).toEqual(['food'])
    expect(calls[1].headers.Authorization).toBe(undefined)
    expect(auth.can('canDecide', { chain: 'food' })).toBe(true)
    expect(auth.can('canDecide', { chain: 'mining' })).toBe(false)
    // a new page load finds the session by its cookie
    setActivePinia(createPinia())
    expect(useAuthStore().loggedIn).toBe(true)
  })

  it('is not logged in when the password is wrong', async () => {
    mockFetch([{ match: ['POST', '/api/v1/auth/login'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '用户名或密码错误') } }])
    const auth = useAuthStore()
    const err = await auth.login('admin', 'nope').catch((e) => e)
    expect(err.message).toBe('用户名或密码错误')
    expect(auth.loggedIn).toBe(false)
  })

  it('passes the throttling answer through', async () => {
    mockFetch([{ match: ['POST', '/api/v1/auth/login'], respond: { status: 429, body: errorBody('ETOOMANY', '登录失败次数过多，请15分钟后再试') } }])
    const err = await useAuthStore().login('admin', 'x').catch((e) => e)
    expect(err.isThrottled).toBe(true)
    expect(err.message).toContain('15分钟')
  })

  it('forgets the session on a 401 from /me', async () => {
    setSessionCookie(true)
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '登录已过期') } }])
    const auth = useAuthStore()
    expect(auth.loggedIn).toBe(true)
    await expect(auth.ensureMe()).rejects.toMatchObject({ status: 401 })
    expect(auth.loggedIn).toBe(false)
  })

  it('logs out on the server, with the CSRF token', async () => {
    setSessionCookie(true)
    const { calls } = mockFetch([{ match: ['POST', '/api/v1/auth/logout'], respond: { status: 204 } }])
    const auth = useAuthStore()
    await auth.logout()
    expect(calls[0].headers['X-CSRF-Token']).toBe('C1')
    expect(auth.loggedIn).toBe(false)
  })
})

describe('changing one\'s password', () => {
  it('sends the CSRF token and keeps no token the server hands back', async () => {
    setSessionCookie(true)
    const { calls } = mockFetch([{ match: ['POST', '/api/v1/me/password'], respond: { body: { token: 'fresh', user: { username: 'recruiter1', roles: ['recruiter'], must_change_password: false } } } }])
    const auth = useAuthStore()
    auth.me = { username: 'recruiter1', roles: ['recruiter'], zone: { name: 'Z' }, must_change_password: true }
    expect(auth.mustChangePassword).toBe(true)
    await auth.changePassword('Demo@2023', 'N3w-passw0rd')
    expect(JSON.parse(calls[0].body)).toEqual({ current: 'Demo@2023', new: 'N3w-passw0rd' })
    expect(calls[0].headers['X-CSRF-Token']).toBe('C1')
    expect(localStorage.getItem('chaincrm.token')).toBe(null)
    expect(auth.zoneName).toBe('Z')
    expect(auth.mustChangePassword).toBe(false)
  })
  it('stays logged in when the current password is wrong', async () => {
    setSessionCookie(true)
    mockFetch([{ match: ['POST', '/api/v1/me/password'], respond: { status: 400, body: errorBody('invalid', '当前密码不正确', { current: '当前密码不正确' }) } }])
    const auth = useAuthStore()
    const err = await auth.changePassword('x', 'y').catch((e) => e)
    expect(err.fields.current).toBe('当前密码不正确')
    expect(auth.loggedIn).toBe(true)
  })
})

describe('router guard', () => {
  const route = (path, meta = {}, name) => ({ path, fullPath: path, meta, name })

  it('sends a visitor without a session to the log-in page with a redirect', async () => {
    mockFetch([])
    const res = await guard(route('/projects/5'), useAuthStore())
    expect(res).toEqual({ name: 'login', query: { redirect: '/projects/5' } })
  })

  it('keeps a viewer out of the admin pages and lets the admin in', async () => {
    setSessionCookie(true)
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { body: { ...ME, username: 'viewer', roles: ['viewer'], chains: [] } } }])
    const auth = useAuthStore()
    expect(await guard(route('/admin/users', { roles: ['admin'] }), auth)).toEqual({ name: 'forbidden' })
    expect(await guard(route('/reports', { roles: ['viewer', 'director'] }), auth)).toBe(true)
    auth.me = { ...ME, roles: ['admin'] }
    expect(await guard(route('/admin/users', { roles: ['admin'] }), auth)).toBe(true)
  })

  it('sends an expired session back to log in', async () => {
    setSessionCookie(true)
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '登录已过期') } }])
    const res = await guard(route('/board'), useAuthStore())
    expect(res).toEqual({ name: 'login', query: { redirect: '/board' } })
  })

  it('sends a user with a generated first password to change it first', async () => {
    setSessionCookie(true)
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { body: { ...ME, roles: ['admin'], must_change_password: true } } }])
    const auth = useAuthStore()
    expect(await guard(route('/projects'), auth)).toEqual({ name: 'settings', query: { password: 'required' } })
    expect(await guard(route('/settings', {}, 'settings'), auth)).toBe(true)
    auth.me = { ...auth.me, must_change_password: false }
    expect(await guard(route('/projects'), auth)).toBe(true)
  })
})
