// The one way the app talks to the chaincrm API (/api/v1). Every failure becomes an ApiError
// carrying the server's Chinese message, its field errors and the HTTP status, so pages can
// show the message, map fields onto form items, and treat 401/409/422/429 specially.
//
// The session lives in cookies only (issue 12): the log-in sets chaincrm_session (HttpOnly:
// no script, and so no injected script, can read it) and chaincrm_csrf, which every
// state-changing request echoes in X-CSRF-Token. The app keeps no bearer token anywhere.

export const API_BASE = '/api/v1'
const CSRF_COOKIE = 'chaincrm_csrf'
const CSRF_HEADER = 'X-CSRF-Token'
const LEGACY_TOKEN_KEY = 'chaincrm.token' // where versions before issue 12 kept a bearer token

/** Fallback messages when the server sent no usable error body (e.g. an endpoint not yet there). */
const STATUS_MESSAGES = {
  0: '网络连接失败，请检查网络后重试',
  400: '提交的内容有误，请检查后重试',
  401: '登录已失效，请重新登录',
  403: '您没有执行此操作的权限',
  404: '请求的内容不存在，或该功能暂未开放',
  409: '数据已被他人修改，请刷新后再试',
  413: '文件太大，无法上传',
  422: '该操作未被允许',
  429: '尝试次数过多，请稍后再试',
  500: '服务器出错，请稍后再试',
}

export function defaultMessage(status) {
  if (STATUS_MESSAGES[status]) return STATUS_MESSAGES[status]
  if (status >= 500) return STATUS_MESSAGES[500]
  return `请求失败（${status}）`
}

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 for a network failure)
   * @param {any} data the parsed body, if any
   */
  constructor(status, data) {
    const e = data && typeof data === 'object' && data.error && typeof data.error === 'object' ? data.error : null
    const message = (e && e.message) || defaultMessage(status)
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = (e && e.code) || (status === 0 ? 'network' : `http_${status}`)
    this.fields = (e && e.fields && typeof e.fields === 'object') ? { ...e.fields } : {}
    this.data = data
  }

  get isUnauthorized() { return this.status === 401 }
  get isForbidden() { return this.status === 403 }
  get isNotFound() { return this.status === 404 }
  get isConflict() { return this.status === 409 }
  get isRefused() { return this.status === 422 }
  get isThrottled() { return this.status === 429 }
  get isNetwork() { return this.status === 0 }
}

// ---- session ------------------------------------------------------------------------------

// A bearer token left by an older version of the app is removed, not used.
try { globalThis.localStorage?.removeItem(LEGACY_TOKEN_KEY) } catch { /* no storage */ }

/** The CSRF token of the session (the chaincrm_csrf cookie), '' when there is none. */
export function csrfToken() {
  let cookies = ''
  try { cookies = globalThis.document?.cookie || '' } catch { return '' }
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === CSRF_COOKIE) return decodeURIComponent(v.join('='))
  }
  return ''
}

/** Whether the browser holds a session (its cookies; the session cookie itself is HttpOnly). */
export function hasSession() { return csrfToken() !== '' }

function sessionHeaders(method) {
  const m = (method || 'GET').toUpperCase()
  if (m === 'GET' || m === 'HEAD') return {}
  const t = csrfToken()
  return t ? { [CSRF_HEADER]: t } : {}
}

let unauthorizedHandler = null
/** Called (once per failing request) when the server answers 401 to a logged-in request. */
export function onUnauthorized(fn) { unauthorizedHandler = fn }

// ---- URLs --------------------------------------------------------------------------------

/** Builds /api/v1 + path + query, leaving out empty query values. */
export function buildUrl(path, query) {
  let url = path.startsWith('/api/') || /^https?:/.test(path) ? path : API_BASE + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)))
      else qs.append(k, String(v))
    }
    const s = qs.toString()
    if (s) url += (url.includes('?') ? '&' : '?') + s
  }
  return url
}

function parseBody(text, contentType) {
  if (!text) return null
  if ((contentType || '').includes('json') || /^[\s]*[{[]/.test(text)) {
    try { return JSON.parse(text) } catch { /* fall through */ }
  }
  return { __text: text }
}

function fail(status, data, path) {
  const err = new ApiError(status, data)
  if (status === 401 && !path.startsWith('/auth/') && unauthorizedHandler) unauthorizedHandler(err)
  return err
}

/**
 * Sends one JSON request.
 * @param {string} method
 * @param {string} path under /api/v1, e.g. "/projects"
 * @param {{body?: any, query?: object, signal?: AbortSignal, headers?: object}} [opts]
 */
export async function request(method, path, opts = {}) {
  const { body, query, signal } = opts
  const headers = { Accept: 'application/json', ...sessionHeaders(method), ...(opts.headers || {}) }
  let payload
  if (body instanceof FormData) payload = body
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(buildUrl(path, query), { method, headers, body: payload, signal, credentials: 'same-origin' })
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, null)
  }
  const text = res.status === 204 ? '' : await res.text()
  const data = parseBody(text, res.headers.get('content-type'))
  if (!res.ok) throw fail(res.status, data, path)
  if (data && data.__text !== undefined) {
    // A 200 that is not JSON: most likely the web app's index.html answering an API path the
    // server does not know yet.
    throw new ApiError(404, null)
  }
  return data
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}

/**
 * Uploads a file with progress (XMLHttpRequest, since fetch cannot report upload progress).
 * Resolves with the parsed body on 2xx; rejects with ApiError otherwise (data keeps the body,
 * e.g. the import's row errors on 422).
 */
export function upload(path, formData, { query, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path, query))
    xhr.setRequestHeader('Accept', 'application/json')
    for (const [k, v] of Object.entries(sessionHeaders('POST'))) xhr.setRequestHeader(k, v)
    if (onProgress && xhr.upload) {
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)) }
    }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.onload = () => {
      const data = parseBody(xhr.responseText, xhr.getResponseHeader('content-type'))
      if (xhr.status >= 200 && xhr.status < 300 && !(data && data.__text !== undefined)) resolve(data)
      else reject(fail(xhr.status >= 200 && xhr.status < 300 ? 404 : xhr.status, data, path))
    }
    xhr.send(formData)
  })
}

/**
 * Downloads a file that needs the session (exports, SVG map, template), reporting
 * progress when the server sends a length, and saves it under filename.
 */
export async function download(path, query, filename, { onProgress } = {}) {
  let res
  try {
    res = await fetch(buildUrl(path, query), { credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, null)
  }
  if (!res.ok) {
    const text = await res.text()
    throw fail(res.status, parseBody(text, res.headers.get('content-type')), path)
  }
  const type = res.headers.get('content-type') || ''
  if (type.includes('text/html')) throw new ApiError(404, null)
  const total = Number(res.headers.get('content-length')) || 0
  let blob
  if (res.body && onProgress && total) {
    const reader = res.body.getReader()
    const chunks = []
    let got = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      got += value.length
      onProgress(Math.round((got / total) * 100))
    }
    blob = new Blob(chunks, { type })
  } else {
    blob = await res.blob()
    onProgress && onProgress(100)
  }
  const disposition = res.headers.get('content-disposition') || ''
  const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition)
  const name = m ? decodeURIComponent(m[1]) : filename
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
  return { name, size: blob.size }
}
