import { describe, it, expect, beforeEach, vi } from 'vitest'
import { request, api, upload, ApiError, buildUrl, csrfToken, hasSession, onUnauthorized, defaultMessage } from '../src/api/client'
import { mockFetch, errorBody } from './helpers'

function clearCookies() {
  for (const c of document.cookie.split(';')) {
    const name = c.split('=')[0].trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
}

beforeEach(() => {
  localStorage.clear()
  clearCookies()
  onUnauthorized(null)
})

describe('buildUrl', () => {
  it('prefixes /api/v1 and drops empty filters', () => {
    expect(buildUrl('/projects', { channel: 'entrusted', stage: '', chain: null, q: '誉柯', page: 1 }))
      .toBe('/api/v1/projects?channel=entrusted&q=%E8%AA%89%E6%9F%AF&page=1')
    expect(buildUrl('/me')).toBe('/api/v1/me')
  })
})

describe('request', () => {
  it('sends the session cookie, the CSRF token on writes and a JSON body; never a bearer token', async () => {
    localStorage.setItem('chaincrm.token', 'left-by-an-old-version')
    document.cookie = 'chaincrm_csrf=csrf-1; path=/'
    const { fn, calls } = mockFetch([
      { match: ['POST', '/api/v1/projects'], respond: { status: 201, body: { id: 5, version: 1 } } },
      { match: ['GET', '/api/v1/projects/5'], respond: { body: { id: 5 } } },
    ])
    const res = await api.post('/projects', { name: 'x' })
    expect(res).toEqual({ id: 5, version: 1 })
    expect(calls[0].headers.Authorization).toBe(undefined)
    expect(calls[0].headers['X-CSRF-Token']).toBe('csrf-1')
    expect(fn.mock.calls[0][1].credentials).toBe('same-origin')
    expect(calls[0].headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(calls[0].body)).toEqual({ name: 'x' })
    await api.get('/projects/5')
    expect(calls[1].headers['X-CSRF-Token']).toBe(undefined) // reads need no token
    expect(calls[1].headers.Authorization).toBe(undefined)
  })

  it('turns a 400 into an ApiError with the server message and fields', async () => {
    mockFetch([{ match: ['POST', '/api/v1/projects'], respond: { status: 400, body: errorBody('EINVALID', '输入有误', { name: '项目名称不能为空', land_area_mu: '占地面积不能为负' }) } }])
    const err = await api.post('/projects', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.code).toBe('EINVALID')
    expect(err.message).toBe('输入有误')
    expect(err.fields).toEqual({ name: '项目名称不能为空', land_area_mu: '占地面积不能为负' })
  })

  it('marks a 409 on PATCH as a version conflict', async () => {
    mockFetch([{ match: ['PATCH', '/api/v1/projects/7'], respond: { status: 409, body: errorBody('ECONFLICT', '项目已被他人修改') } }])
    const err = await api.patch('/projects/7', { version: 1, name: 'y' }).catch((e) => e)
    expect(err.isConflict).toBe(true)
    expect(err.isRefused).toBe(false)
    expect(err.message).toBe('项目已被他人修改')
  })

  it('keeps the reason of a 422 stage refusal', async () => {
    mockFetch([{ match: ['POST', '/api/v1/projects/7/transition'], respond: { status: 422, body: errorBody('ERULE', '进入落地决策前须提交风险评估') } }])
    const err = await api.post('/projects/7/transition', { to: 'decision' }).catch((e) => e)
    expect(err.isRefused).toBe(true)
    expect(err.status).toBe(422)
    expect(err.message).toBe('进入落地决策前须提交风险评估')
  })

  it('falls back to a Chinese message when the body is not the error shape', async () => {
    mockFetch([{ match: ['GET', '/api/v1/jobs'], respond: { status: 404, raw: '404 page not found', type: 'text/plain' } }])
    const err = await api.get('/jobs').catch((e) => e)
    expect(err.status).toBe(404)
    expect(err.message).toBe(defaultMessage(404))
    expect(err.message).toMatch(/不存在/)
  })

  it('treats an HTML 200 on an API path as a missing endpoint', async () => {
    mockFetch([{ match: ['GET', '/api/v1/outbox'], respond: { status: 200, raw: '<!doctype html><html></html>', type: 'text/html' } }])
    const err = await api.get('/outbox').catch((e) => e)
    expect(err.status).toBe(404)
  })

  it('reports a network failure as status 0', async () => {
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: new TypeError('Failed to fetch') }])
    const err = await api.get('/me').catch((e) => e)
    expect(err.isNetwork).toBe(true)
    expect(err.message).toMatch(/网络/)
  })

  it('calls the 401 handler for a logged-in request but not for the log-in itself', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch([
      { match: ['GET', '/api/v1/me'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '请先登录') } },
      { match: ['POST', '/api/v1/auth/login'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '用户名或密码错误') } },
    ])
    await api.get('/me').catch(() => {})
    expect(handler).toHaveBeenCalledTimes(1)
    const err = await api.post('/auth/login', { username: 'a', password: 'b' }).catch((e) => e)
    expect(err.message).toBe('用户名或密码错误')
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('returns null on 204', async () => {
    mockFetch([{ match: ['DELETE', '/api/v1/projects/3'], respond: { status: 204 } }])
    expect(await request('DELETE', '/projects/3')).toBe(null)
  })

  it('knows the session by its readable CSRF cookie only', () => {
    expect(hasSession()).toBe(false)
    document.cookie = 'other=1; path=/'
    document.cookie = 'chaincrm_csrf=a%2Bb; path=/'
    expect(csrfToken()).toBe('a+b')
    expect(hasSession()).toBe(true)
    clearCookies()
    expect(hasSession()).toBe(false)
  })

  it('sends the CSRF token with an upload', async () => {
    document.cookie = 'chaincrm_csrf=csrf-up; path=/'
    const sent = {}
    class FakeXHR {
      constructor() { this.headers = {}; this.upload = {} }
      open(method, url) { sent.method = method; sent.url = url }
      setRequestHeader(k, v) { this.headers[k] = v }
      getResponseHeader() { return 'application/json' }
      send() { sent.headers = this.headers; this.status = 200; this.responseText = '{"created":1}'; this.onload() }
    }
    const real = globalThis.XMLHttpRequest
    globalThis.XMLHttpRequest = FakeXHR
    try {
      expect(await upload('/import/projects', new FormData())).toEqual({ created: 1 })
    } finally { globalThis.XMLHttpRequest = real }
    expect(sent.headers['X-CSRF-Token']).toBe('csrf-up')
    expect(sent.headers.Authorization).toBe(undefined)
  })
})
