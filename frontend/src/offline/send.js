// How each kind of outbox item reaches the server: the very endpoints the online forms use,
// with the item's Idempotency-Key.
import { request } from '../api/client'
import { VISIT, REMINDER_DONE, REQUEST } from './outbox'

const keyed = (k) => ({ 'Idempotency-Key': k })

/** Sends one step of an item (outbox.js calls it). */
export async function sendStep(item) {
  switch (item.kind) {
    case VISIT:
      if (item.step === 'photo') {
        const p = item.photos[item.photo]
        const fd = new FormData()
        fd.append('file', new File([p.blob], p.name, { type: p.type || 'application/octet-stream' }))
        fd.append('activity_id', String(item.result.id))
        return request('POST', `/projects/${item.project_id}/attachments`, { body: fd, headers: keyed(item.stepKey) })
      }
      return request('POST', `/projects/${item.project_id}/activities`, { body: item.body, headers: keyed(item.stepKey) })
    case REMINDER_DONE:
      return request('POST', `/reminders/${item.reminder_id}/done`, { headers: keyed(item.stepKey) })
    case REQUEST: // 企业诉求: POST /projects/{id}/requests
      return request('POST', `/projects/${item.project_id}/requests`, { body: item.body, headers: keyed(item.stepKey) })
    default:
      throw Object.assign(new Error('未知的待同步类型'), { status: 400, code: 'unknown_kind' })
  }
}
