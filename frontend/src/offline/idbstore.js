// The outbox's store in IndexedDB (database chaincrm-offline, object store outbox, one record
// per item, photos kept as Blobs). A few lines over the raw API, promise-wrapped.
const DB = 'chaincrm-offline'
const STORE = 'outbox'

function req(r) {
  return new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
}

let opening = null
function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1)
      r.onupgradeneeded = () => { if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: 'id' }) }
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => { opening = null; reject(r.error) }
    })
  }
  return opening
}

async function tx(mode, fn) {
  const db = await open()
  const t = db.transaction(STORE, mode)
  const out = await fn(t.objectStore(STORE))
  await new Promise((resolve, reject) => { t.oncomplete = resolve; t.onerror = () => reject(t.error); t.onabort = () => reject(t.error) })
  return out
}

export const idbStore = {
  all: () => tx('readonly', (s) => req(s.getAll())),
  put: (item) => tx('readwrite', (s) => req(s.put(item))),
  remove: (id) => tx('readwrite', (s) => req(s.delete(id))),
}

/** Whether this browser has IndexedDB. */
export const hasIndexedDB = () => typeof indexedDB !== 'undefined'
