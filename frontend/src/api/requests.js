// Endpoints of 企业诉求 (enterprise service requests, issue 15) and the departments they go to.
import { api, download } from './client'

export const departments = {
  /** GET /departments → [{code, name}] */
  list: () => api.get('/departments'),
}

export const requests = {
  /** GET /requests?status=&department=&project_id=&overdue=true → {items, total} */
  list: ({ status, department, projectId, overdue } = {}) =>
    api.get('/requests', { status, department, project_id: projectId, overdue: overdue ? 'true' : undefined }),
  get: (id) => api.get(`/requests/${id}`),
  raise: (projectId, body) => api.post(`/projects/${projectId}/requests`, body),
  update: (id, body) => api.patch(`/requests/${id}`, body),
  accept: (id) => api.post(`/requests/${id}/accept`),
  reply: (id, reply, resolved) => api.post(`/requests/${id}/reply`, { reply, resolved }),
  return: (id, reason) => api.post(`/requests/${id}/return`, { reason }),
  resend: (id) => api.post(`/requests/${id}/resend`),
  confirm: (id, satisfaction, notes) => api.post(`/requests/${id}/confirm`, { satisfaction, notes }),
  meeting: (id, decision) => api.post(`/requests/${id}/meeting`, { decision }),
  /** the joint meeting's agenda as .xlsx, optionally one department's */
  agenda: (department) => download('/requests/agenda.xlsx', { department }, '联席会议议题清单.xlsx'),
  /** GET /stats/service?year= */
  stats: (year) => api.get('/stats/service', { year }),
}
