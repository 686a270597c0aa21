// Endpoints of the oversight screens: 督办 (supervisions), 到资 (realised investment), the
// audit log and one's own settings. Kept beside index.js so those pages' calls live together.
import { api } from './client'

export const supervisions = {
  /** GET /supervisions?status=open|answered|overdue|closed → {items, total} */
  list: (status) => api.get('/supervisions', { status }),
  ofProject: (projectId) => api.get(`/projects/${projectId}/supervisions`),
  issue: (projectId, body) => api.post(`/projects/${projectId}/supervisions`, body),
  answer: (id, answer) => api.post(`/supervisions/${id}/answer`, { answer }),
  close: (id) => api.post(`/supervisions/${id}/close`),
}

export const investments = {
  /** → {items, planned_investment_wan, realised_investment_wan, signed_at, project_id} */
  ofProject: (projectId) => api.get(`/projects/${projectId}/investments`),
  record: (projectId, body) => api.post(`/projects/${projectId}/investments`, body),
  summary: (year) => api.get('/investments/summary', { year }),
}

export const audit = {
  /** → {items, total, page, page_size}, newest first */
  list: ({ page, pageSize, actor, action } = {}) => api.get('/audit', { page, page_size: pageSize, actor, action }),
}

export const settings = {
  /** PATCH /me/settings → the same body as GET /me */
  update: (body) => api.patch('/me/settings', body),
}
