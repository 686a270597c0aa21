// Endpoints of the economic indicators (经济指标) and projects' operations (issue 17).
import { api } from './client'

export const indicators = {
  /** → {year, months: [{month, …figures, growth: {revenue, …}, updated_at, updated_by}]} */
  year: (year) => api.get('/indicators', { year }),
  /** PUT the month's year-to-date figures; null = not reported */
  put: (month, body) => api.put(`/indicators/${encodeURIComponent(month)}`, body),
  /** → {items: [{at, actor, field, from, to}], total} */
  history: (month) => api.get(`/indicators/${encodeURIComponent(month)}/history`),
}

export const operations = {
  /** → {project_id, land_area_mu, periods: [{period, kind, …figures, tax_per_mu_wan, output_per_mu_wan}]} */
  ofProject: (projectId) => api.get(`/projects/${projectId}/operations`),
  put: (projectId, period, body) => api.put(`/projects/${projectId}/operations/${encodeURIComponent(period)}`, body),
  /** → {year, sort, items, total}: landed projects ranked by tax per 亩 or completed share */
  ranking: (query) => api.get('/operations', query),
}
