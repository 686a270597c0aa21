// chaincrm's service worker (issue 20, docs/offline.md). The build (scripts/pwa.mjs) puts
// VERSION and PRECACHE (every file of the build, plus the public files) in front of this file.
//
//   - the app shell (index.html, scripts, styles, icons) is cached at install, so that the app
//     opens with no signal; hashed assets already cached by an older version are copied, not
//     downloaded again;
//   - GET requests for the user's own data (me, projects and their activities and contacts,
//     reminders, chains) go to the network first and fall back to the last answer seen, so
//     that the visit form and the reminders work offline;
//   - writes are never touched: the page's outbox (src/offline) keeps what cannot be sent.
/* global VERSION, PRECACHE */
const SHELL = 'chaincrm-shell-' + VERSION
const DATA = 'chaincrm-data'
const API_TIMEOUT_MS = 6000

// the API answers kept for offline use: the user's own projects, reminders and contacts
const DATA_PATHS = [
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/projects$/,
  /^\/api\/v1\/projects\/\d+$/,
  /^\/api\/v1\/projects\/\d+\/(activities|contacts|attachments)$/,
  /^\/api\/v1\/reminders$/,
  /^\/api\/v1\/enterprises\/\d+\/contacts$/,
  /^\/api\/v1\/chains$/,
  /^\/api\/v1\/campaigns$/,
]

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL)
    const older = (await caches.keys()).filter((k) => k.startsWith('chaincrm-shell-') && k !== SHELL)
    for (const url of PRECACHE) {
      let res
      if (url.startsWith('/assets/')) {
        for (const k of older) {
          res = await (await caches.open(k)).match(url)
          if (res) break
        }
      }
      if (!res) res = await fetch(url, { cache: 'reload', credentials: 'same-origin' })
      if (res.ok) await cache.put(url, res)
    }
    await self.skipWaiting()
  })())
})

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('chaincrm-shell-') && k !== SHELL) await caches.delete(k)
    await self.clients.claim()
  })())
})

function offlineAnswer() {
  const body = JSON.stringify({ error: { code: 'offline', message: '当前没有网络，本机也没有这部分数据的缓存 (offline, nothing cached)' } })
  return new Response(body, { status: 503, headers: { 'Content-Type': 'application/json; charset=utf-8' } })
}

function withTimeout(p, ms) {
  return Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))])
}

async function networkFirst(req) {
  const cache = await caches.open(DATA)
  const fresh = fetch(req).then(async (res) => {
    if (res.status === 200) await cache.put(req, res.clone())
    return res
  })
  try {
    return await withTimeout(fresh, API_TIMEOUT_MS)
  } catch {
    const kept = await cache.match(req)
    if (kept) return kept
    try { return await fresh } catch { return offlineAnswer() }
  }
}

async function shellFirst(req, key) {
  const cache = await caches.open(SHELL)
  const kept = await cache.match(key || req)
  if (kept) return kept
  const res = await fetch(req)
  if (res.ok && new URL(req.url).pathname.startsWith('/assets/')) await cache.put(req, res.clone())
  return res
}

async function page(req) {
  try {
    const res = await withTimeout(fetch(req), API_TIMEOUT_MS)
    if (res.ok) {
      const cache = await caches.open(SHELL)
      await cache.put('/', res.clone())
    }
    return res
  } catch {
    const kept = await (await caches.open(SHELL)).match('/')
    return kept || Response.error()
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/api/')) {
    if (DATA_PATHS.some((re) => re.test(url.pathname))) event.respondWith(networkFirst(req))
    return
  }
  if (req.mode === 'navigate') {
    event.respondWith(page(req))
    return
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(shellFirst(req))
    return
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fetch(req).catch(() => shellFirst(req, url.pathname)))
  }
})

// the page asks to forget the cached data (log-out, another user)
self.addEventListener('message', (event) => {
  if (event.data === 'chaincrm:clear-data') event.waitUntil(caches.delete(DATA))
})
