// The offline outbox's logic (issue 20): order, one key per step, what is retried and what is
// refused, fixing and discarding — against an in-memory store and a scripted server.
import { describe, it, expect } from 'vitest'
import { createOutbox, memoryStore, isTransient, PENDING, REFUSED, VISIT, REMINDER_DONE } from '../src/offline/outbox'

// a fake server: records every request (with its key) and answers per script; a key seen
// before gets the first answer again, as the real server does
function fakeServer() {
  const seen = new Map()
  const log = []
  let nextId = 100
  const plan = [] // functions (req) => answer | throw, used once each, in order
  return {
    log, plan,
    created: () => [...seen.values()].filter((a) => a && a.id).length,
    async send(item) {
      const req = { kind: item.kind, step: item.step, photo: item.photo, key: item.stepKey, body: item.body, activity: item.result?.id }
      log.push(req)
      if (seen.has(req.key)) return seen.get(req.key)
      const f = plan.shift()
      if (f) {
        const r = await f(req)
        if (r !== undefined) { seen.set(req.key, r); return r }
      }
      const answer = { id: nextId++ }
      seen.set(req.key, answer)
      return answer
    },
  }
}
const err = (status, code = '', message = '') => Object.assign(new Error(message || 'x'), { status, code, fields: {} })
let n = 0
const keys = () => 'k' + ++n

function setup() {
  const srv = fakeServer()
  const changes = []
  const box = createOutbox({ store: memoryStore(), send: (i) => srv.send(i), key: keys, onChange: (items) => changes.push(items.length) })
  return { srv, box, changes }
}

describe('outbox', () => {
  it('sends items in the order they were saved, a visit before its photos, each with its own key', async () => {
    const { srv, box } = setup()
    await box.add({ kind: VISIT, user: 'u', project_id: 1, body: { summary: 'a' }, photos: [{ name: 'p.jpg', type: 'image/jpeg', blob: 'B' }] })
    await box.add({ kind: REMINDER_DONE, user: 'u', reminder_id: 7 })
    await box.add({ kind: VISIT, user: 'u', project_id: 2, body: { summary: 'b' } })
    expect(box.count('u')).toBe(3)
    const r = await box.sync('u')
    expect(r).toEqual({ sent: 3, refused: 0, left: 0 })
    expect(srv.log.map((x) => [x.kind, x.step])).toEqual([[VISIT, 'main'], [VISIT, 'photo'], [REMINDER_DONE, 'main'], [VISIT, 'main']])
    expect(srv.log[1].activity).toBe(100) // the photo names the visit the server created
    expect(new Set(srv.log.map((x) => x.key)).size).toBe(4)
    expect(box.count('u')).toBe(0)
  })

  it('keeps an item and its key when the answer is lost, and the retry creates nothing new', async () => {
    const srv = fakeServer()
    // the server creates the first visit, but its answer never arrives
    const realSend = srv.send
    let cut = true
    const box2 = createOutbox({ store: memoryStore(), key: keys, send: async (i) => { const a = await realSend(i); if (cut) { cut = false; throw err(0) } return a } })
    await box2.add({ kind: VISIT, user: 'u', project_id: 1, body: { summary: 'a' } })
    await box2.add({ kind: VISIT, user: 'u', project_id: 1, body: { summary: 'b' } })
    const first = await box2.sync('u')
    expect(first).toEqual({ sent: 0, refused: 0, left: 2 }) // stopped at once: order is kept
    const second = await box2.sync('u')
    expect(second.sent).toBe(2)
    const firstKeys = srv.log.filter((x) => x.body?.summary === 'a').map((x) => x.key)
    expect(firstKeys.length).toBe(2)
    expect(firstKeys[0]).toBe(firstKeys[1]) // the retry carried the same key
    expect(srv.created()).toBe(2) // one record per visit
  })

  it('marks a refusal with the server reason and goes on with the next item', async () => {
    const { srv, box } = setup()
    await box.add({ kind: VISIT, user: 'u', project_id: 9, body: { summary: 'dropped project' } })
    await box.add({ kind: REMINDER_DONE, user: 'u', reminder_id: 3 })
    srv.plan.push(() => { throw Object.assign(err(404, 'not_found', '项目不存在或无权查看 (not found)'), { fields: {} }) })
    const r = await box.sync('u')
    expect(r).toEqual({ sent: 1, refused: 1, left: 0 })
    const [x] = box.refused('u')
    expect(x.state).toBe(REFUSED)
    expect(x.error).toMatchObject({ status: 404, code: 'not_found', message: '项目不存在或无权查看 (not found)', step: 'main' })
    expect(box.count('u')).toBe(1) // still shown: nothing is lost silently
    // a later sync leaves it alone until the user decides
    await box.sync('u')
    expect(srv.log.filter((l) => l.body?.summary === 'dropped project').length).toBe(1)
  })

  it('fixing a refused visit sends it again under a new key; discarding removes it', async () => {
    const { srv, box } = setup()
    const a = await box.add({ kind: VISIT, user: 'u', project_id: 1, body: { summary: '', kind: 'visit' } })
    srv.plan.push(() => { throw Object.assign(err(400, 'invalid', '输入有误'), { fields: { summary: '必填' } }) })
    await box.sync('u')
    expect(box.refused('u')[0].error.fields).toEqual({ summary: '必填' })
    const fixed = await box.fix(a.id, { body: { summary: '补写的纪要', kind: 'visit' } })
    expect(fixed.state).toBe(PENDING)
    expect(fixed.key).not.toBe(a.key)
    const r = await box.sync('u')
    expect(r.sent).toBe(1)
    expect(srv.log.at(-1)).toMatchObject({ key: fixed.key, body: { summary: '补写的纪要' } })

    const b = await box.add({ kind: REMINDER_DONE, user: 'u', reminder_id: 5 })
    srv.plan.push(() => { throw err(422, 'rule', '该待办的起因已消除') })
    await box.sync('u')
    await box.discard(b.id)
    expect(box.count('u')).toBe(0)
  })

  it('a refused photo keeps the visit that was created: fixing resends only the photo', async () => {
    const { srv, box } = setup()
    const a = await box.add({ kind: VISIT, user: 'u', project_id: 1, body: { summary: 'x' }, photos: [{ name: 'a.heic', blob: 'B' }] })
    srv.plan.push(undefined, () => { throw err(415, 'unsupported_media_type', '文件类型不支持') })
    await box.sync('u')
    const x = box.refused('u')[0]
    expect(x.done_steps).toEqual(['main'])
    expect(x.error.step).toBe('photo')
    await box.fix(a.id)
    await box.sync('u')
    expect(srv.log.filter((l) => l.step === 'main').length).toBe(1) // the visit was not sent again
    expect(srv.log.filter((l) => l.step === 'photo').map((l) => l.key)).toHaveLength(2)
    expect(box.count('u')).toBe(0)
  })

  it('waits on transient failures: offline, 5xx, 429, 401, a duplicate still in progress', () => {
    for (const e of [err(0), err(500), err(503), err(429), err(401), err(409, 'idempotency_in_progress')]) expect(isTransient(e)).toBe(true)
    for (const e of [err(400), err(403), err(404), err(409, 'conflict'), err(413), err(415), err(422)]) expect(isTransient(e)).toBe(false)
  })

  it('keeps each user to their own items and runs one sync at a time', async () => {
    const { srv, box } = setup()
    await box.add({ kind: REMINDER_DONE, user: 'a', reminder_id: 1 })
    await box.add({ kind: REMINDER_DONE, user: 'b', reminder_id: 2 })
    const [r1, r2] = await Promise.all([box.sync('a'), box.sync('a')])
    expect(r1).toBe(r2)
    expect(srv.log.length).toBe(1)
    expect(box.count('b')).toBe(1)
    expect(box.pending('b')[0].reminder_id).toBe(2)
  })
})
