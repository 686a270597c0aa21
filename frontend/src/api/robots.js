// Group robots (群机器人, administrators): WeCom and DingTalk group webhooks that hear the
// zone's events. The secret is write-only: lists carry has_secret, never the secret.
import { api } from './client'

export const ROBOT_EVENTS = ['decision_waiting', 'supervision', 'request_overdue', 'daily_summary', 'weekly_digest']

export const robots = {
  /** GET /robots → {items} */
  list: () => api.get('/robots'),
  /** POST /robots {kind, name, webhook, secret?, chain, events} */
  create: (body) => api.post('/robots', body),
  /** PATCH /robots/{id}: the fields given change; secret "" removes it */
  update: (id, body) => api.patch(`/robots/${id}`, body),
  remove: (id) => api.del(`/robots/${id}`),
  /** POST /robots/{id}/test → {ok, status, error, message_id} */
  test: (id) => api.post(`/robots/${id}/test`),
}

/** robotBody turns the form into the request body: an empty secret on an edit means "keep it". */
export function robotBody(form, editing) {
  const body = { kind: form.kind, name: form.name.trim(), webhook: form.webhook.trim(), chain: form.chain || null, events: [...form.events] }
  if (form.clearSecret) body.secret = ''
  else if (form.secret.trim()) body.secret = form.secret.trim()
  else if (!editing) body.secret = ''
  return body
}
