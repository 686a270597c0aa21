import { vi } from 'vitest'

/** Installs a fetch mock that answers from a list of [matcher, response] routes, in order. */
export function mockFetch(routes) {
  const calls = []
  const fn = vi.fn(async (url, init = {}) => {
    const method = (init.method || 'GET').toUpperCase()
    calls.push({ url: String(url), method, headers: init.headers || {}, body: init.body })
    for (const r of routes) {
      const [m, p] = r.match
      if (m !== method) continue
      if (typeof p === 'string' ? String(url).split('?')[0] === p : p.test(String(url))) {
        if (r.once && r.used) continue
        r.used = true
        const res = typeof r.respond === 'function' ? r.respond({ url: String(url), init }) : r.respond
        if (res instanceof Error) throw res
        const status = res.status || 200
        const body = res.raw !== undefined ? res.raw : res.body === undefined ? '' : JSON.stringify(res.body)
        return new Response(status === 204 ? null : body, { status, headers: { 'content-type': res.type || 'application/json' } })
      }
    }
    return new Response(JSON.stringify({ error: { code: 'ENOTFOUND', message: '未找到 (not found)' } }), { status: 404, headers: { 'content-type': 'application/json' } })
  })
  globalThis.fetch = fn
  return { fn, calls }
}

export const errorBody = (code, message, fields) => ({ error: { code, message, ...(fields ? { fields } : {}) } })

export const flush = () => new Promise((r) => setTimeout(r, 0))

export async function settle(n = 5) {
  for (let i = 0; i < n; i++) await flush()
}
