// Integration tokens (集成令牌): personal tokens other systems use to call the API as their
// user. The secret is in create's answer only; lists never carry it.
import { api } from './client'

export const tokens = {
  /** GET /tokens → {items, total}: the caller's tokens, newest first */
  mine: () => api.get('/tokens'),
  /** GET /tokens/all → {items, total}: every token of the zone (administrators) */
  all: () => api.get('/tokens/all'),
  /** POST /tokens {name, expires_on, read_only} → the token with its secret `token` (shown once) */
  create: (body) => api.post('/tokens', body),
  revoke: (id) => api.del(`/tokens/${id}`),
}
