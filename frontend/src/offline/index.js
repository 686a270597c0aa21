// The app's one outbox and connection state (docs/offline.md): reactive, for the header's
// 待同步 badge, the outbox page and the forms that queue when there is no signal.
import { reactive } from 'vue'
import { createOutbox, VISIT, REMINDER_DONE, REQUEST } from './outbox'
import { idbStore, hasIndexedDB } from './idbstore'
import { memoryStore } from './outbox'
import { sendStep } from './send'

export { VISIT, REMINDER_DONE, REQUEST }

export const offline = reactive({
  online: typeof navigator === 'undefined' ? true : navigator.onLine !== false,
  items: [],
  syncing: false,
  lastSync: null, // {sent, refused, left, at}
  user: '',
})

export const outbox = createOutbox({
  store: hasIndexedDB() ? idbStore : memoryStore(),
  send: sendStep,
  onChange: (items) => { offline.items = items.map((x) => ({ ...x })) },
})

/** The items of the logged-in user. */
export function myItems() { return offline.items.filter((x) => x.user === offline.user) }

/** Queues an item for the logged-in user. */
export function queue(item) { return outbox.add({ ...item, user: offline.user }) }

/** Whether a failure means the request never got an answer (offline, cut off). */
export function isNetworkError(e) { return !!e && e.status === 0 }

const LAST_USER = 'chaincrm.offlineUser'
let timer = null
/** Sends what waits, when online. */
export async function syncNow() {
  if (!offline.user || !offline.online) return null
  offline.syncing = true
  try {
    const r = await outbox.sync(offline.user)
    offline.lastSync = { ...r, at: Date.now() }
    if (r.sent) window.dispatchEvent(new Event('chaincrm:outbox-synced'))
    return r
  } finally {
    offline.syncing = false
  }
}

/** Starts watching the connection for user (after log-in); sends at once when online. */
export async function startOffline(user) {
  offline.user = user || ''
  try { // another user on this phone: the last one's cached data goes
    const last = localStorage.getItem(LAST_USER)
    if (last && last !== offline.user) clearOfflineData()
    localStorage.setItem(LAST_USER, offline.user)
  } catch { /* no storage */ }
  await outbox.reload().catch(() => {})
  if (!timer && typeof window !== 'undefined') {
    window.addEventListener('online', () => { offline.online = true; syncNow() })
    window.addEventListener('offline', () => { offline.online = false })
    // a retry now and then while items wait (a lost answer, a server that was busy)
    timer = setInterval(() => { if (offline.online && outbox.pending(offline.user).length) syncNow() }, 30000)
  }
  offline.online = navigator.onLine !== false
  if (offline.online) syncNow()
}

/** Forgets the cached API data (log-out): the next user of the phone must not see it. */
export async function clearOfflineData() {
  try { if (typeof caches !== 'undefined') await caches.delete('chaincrm-data') } catch { /* no cache storage */ }
}
