// The offline outbox (issue 20, docs/offline.md): what a recruiter saves with no signal — a
// visit with its photos, a reminder marked done, a service request — is kept on the phone
// (IndexedDB, see idbstore.js) and shown as 待同步; when the connection returns the items are
// sent in the order they were made, each with its own Idempotency-Key, so that a retry after
// a lost answer never creates a second record (the server gives the first answer again).
//
// An item the server refuses (the project was dropped or is no longer the user's, a field is
// wrong, a version is stale) is kept as 'refused' with the server's reason, until the user
// fixes it (a new key: the body changed) or discards it. Nothing is dropped silently.
//
// This file is the logic only: the store and the sender are passed in, so that it runs in
// Vitest with an in-memory store and a fake server.

/** Item states. */
export const PENDING = 'pending' // 待同步
export const REFUSED = 'refused' // 被退回: waits for the user

/** Kinds of items. */
export const VISIT = 'visit'
export const REMINDER_DONE = 'reminder_done'
export const REQUEST = 'request'

/** A fresh Idempotency-Key. */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID()
  const b = new Uint8Array(16)
  globalThis.crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/**
 * Whether a failure means "try again later" rather than "the server refused this item":
 * no answer (offline, a connection cut mid-request), a server error, throttling, a duplicate
 * still in progress (409 idempotency_in_progress) or a session that expired (401: the item
 * waits for the next log-in).
 */
export function isTransient(err) {
  const st = err && typeof err.status === 'number' ? err.status : 0
  if (st === 0 || st >= 500 || st === 401 || st === 408 || st === 429) return true
  return st === 409 && err.code === 'idempotency_in_progress'
}

/**
 * Creates an outbox.
 * @param {object} deps
 * @param {{all(): Promise<object[]>, put(item): Promise<void>, remove(id): Promise<void>}} deps.store
 * @param {(item: object) => Promise<object|void>} deps.send sends one step of an item (see steps())
 * @param {() => string} [deps.key] makes Idempotency-Keys
 * @param {() => number} [deps.now]
 * @param {(items: object[]) => void} [deps.onChange] called with the items after every change
 */
export function createOutbox({ store, send, key = newKey, now = () => Date.now(), onChange = () => {} }) {
  let syncing = null
  let items = []

  async function reload() {
    items = (await store.all()).slice().sort((a, b) => a.seq - b.seq)
    onChange(items)
    return items
  }

  async function save(item) {
    await store.put(item)
    const i = items.findIndex((x) => x.id === item.id)
    if (i >= 0) items[i] = item
    else items.push(item)
    items.sort((a, b) => a.seq - b.seq)
    onChange(items)
  }

  /**
   * Adds an item: {kind, user, project_id?, reminder_id?, path?, body?, photos?: [{name, type, blob}], label?}.
   * Returns the stored item (with id, key, seq, state).
   */
  async function add(input) {
    await reload()
    const seq = items.reduce((m, x) => Math.max(m, x.seq), 0) + 1
    const item = {
      ...input,
      id: input.id || key(),
      seq,
      key: key(),
      state: PENDING,
      created_at: now(),
      tries: 0,
      error: null,
      done_steps: [], // the steps the server has answered ('main', then a visit's 'photo-0', …)
      result: null, // the visit's answer (its activity id names the photos)
      photos: (input.photos || []).map((p) => ({ ...p, key: key() })),
    }
    await save(item)
    return item
  }

  /** The steps of an item, each with its own Idempotency-Key: the item, then a visit's photos. */
  function steps(item) {
    const out = [{ id: 'main', step: 'main', key: item.key }]
    if (item.kind === VISIT) item.photos.forEach((p, i) => out.push({ id: 'photo-' + i, step: 'photo', photo: i, key: p.key }))
    return out
  }

  /** Sends one item, step by step; returns 'sent', 'refused' or 'later'. */
  async function sendItem(item) {
    for (const s of steps(item)) {
      if (item.done_steps.includes(s.id)) continue
      try {
        const answer = await send({ ...item, step: s.step, photo: s.photo, stepKey: s.key })
        if (s.step === 'main') item.result = answer ?? null
        item.done_steps = [...item.done_steps, s.id]
        item.error = null
        await save({ ...item })
      } catch (err) {
        item.tries += 1
        if (isTransient(err)) {
          item.last_try_error = { status: err?.status ?? 0, message: err?.message || '' }
          await save({ ...item })
          return 'later'
        }
        item.state = REFUSED
        item.error = { status: err?.status ?? 0, code: err?.code || '', message: err?.message || '', fields: err?.fields || {}, step: s.step, photo: s.photo }
        await save({ ...item })
        return 'refused'
      }
    }
    await store.remove(item.id)
    items = items.filter((x) => x.id !== item.id)
    onChange(items)
    return 'sent'
  }

  /**
   * Sends the pending items of user in order. A transient failure stops the run (the rest
   * waits: order is kept); a refusal marks that item and goes on with the next. Concurrent
   * calls share one run.
   */
  function sync(user) {
    if (syncing) return syncing
    syncing = (async () => {
      const result = { sent: 0, refused: 0, left: 0 }
      try {
        await reload()
        for (const item of items.filter((x) => x.state === PENDING && (!user || x.user === user))) {
          const r = await sendItem({ ...item })
          if (r === 'sent') result.sent++
          else if (r === 'refused') result.refused++
          else break
        }
        result.left = items.filter((x) => x.state === PENDING && (!user || x.user === user)).length
        return result
      } finally {
        syncing = null
      }
    })()
    return syncing
  }

  /**
   * Fixes a refused item with changes (none: to try again as it is) and puts it back to
   * 待同步 at its place in the order. The steps not yet done get new Idempotency-Keys: the old
   * key answers with the refusal it got, forever; the steps done (a visit already created,
   * whose photo was refused) keep theirs and are not sent again.
   */
  async function fix(id, changes = {}) {
    await reload()
    const item = items.find((x) => x.id === id)
    if (!item) return null
    const next = { ...item, ...changes, state: PENDING, error: null }
    if (!next.done_steps.includes('main')) next.key = key()
    next.photos = (changes.photos || item.photos).map((p, i) => (next.done_steps.includes('photo-' + i) ? p : { ...p, key: key() }))
    await save(next)
    return next
  }

  /** Discards an item (the user's decision; a refused item never goes away by itself). */
  async function discard(id) {
    await store.remove(id)
    items = items.filter((x) => x.id !== id)
    onChange(items)
  }

  return {
    add, sync, fix, discard, reload, steps,
    get items() { return items },
    /** 待同步: the items of user not yet sent (refused ones included: they are not on the server). */
    count(user) { return items.filter((x) => !user || x.user === user).length },
    pending(user) { return items.filter((x) => x.state === PENDING && (!user || x.user === user)) },
    refused(user) { return items.filter((x) => x.state === REFUSED && (!user || x.user === user)) },
    get syncing() { return !!syncing },
  }
}

/** An in-memory store (tests, and browsers without IndexedDB: the outbox then lasts the tab). */
export function memoryStore() {
  const m = new Map()
  const clone = (x) => ({ ...x })
  return {
    async all() { return [...m.values()].map(clone) },
    async put(item) { m.set(item.id, clone(item)) },
    async remove(id) { m.delete(id) },
  }
}
