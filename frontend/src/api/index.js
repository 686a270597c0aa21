// The endpoints of the chaincrm API contract, one function each.
import { api, upload, download, fetchBlob } from './client'

export { ApiError } from './client'

export const auth = {
  login: (username, password) => api.post('/auth/login', { username, password }),
  me: () => api.get('/me'),
  logout: () => api.post('/auth/logout'),
  changePassword: (current, next) => api.post('/me/password', { current, new: next }),
}

export const chains = {
  list: () => api.get('/chains'),
  map: (code) => api.get(`/chains/${encodeURIComponent(code)}/map`),
  downloadSvg: (code, opts) => download(`/chains/${encodeURIComponent(code)}/map.svg`, null, `${code}-产业链图谱.svg`, opts),
  downloadTargets: (code, opts) => download(`/chains/${encodeURIComponent(code)}/targets.xlsx`, null, `${code}-目标企业清单.xlsx`, opts),
}

// Editing a chain's map (admin: every chain; a chain chief: their own). Links answer
// {linked, changed, …}; history is paged {items, total, page, page_size}, newest first.
const chainPath = (code) => `/chains/${encodeURIComponent(code)}`
export const chainEdit = {
  createNode: (code, body) => api.post(`${chainPath(code)}/nodes`, body),
  updateNode: (code, id, body) => api.patch(`${chainPath(code)}/nodes/${id}`, body),
  deleteNode: (code, id) => api.del(`${chainPath(code)}/nodes/${id}`),
  setMaster: (code, enterpriseId, on) => (on ? api.put : api.del)(`${chainPath(code)}/masters/${enterpriseId}`),
  linkEnterprise: (code, nodeId, enterpriseId, on) => (on ? api.put : api.del)(`${chainPath(code)}/nodes/${nodeId}/enterprises/${enterpriseId}`),
  linkProject: (code, nodeId, projectId, on) => (on ? api.put : api.del)(`${chainPath(code)}/nodes/${nodeId}/projects/${projectId}`),
  setReferral: (fromId, toId, on) => (on ? api.put : api.del)(`/enterprises/${fromId}/referrals/${toId}`),
  referrals: (fromId) => api.get(`/enterprises/${fromId}/referrals`), // {items: [{id, name, kind, credit_code, chains}], total}
  history: (code, query) => api.get(`${chainPath(code)}/history`, query),
}

export const projects = {
  list: (filters) => api.get('/projects', filters),
  get: (id) => api.get(`/projects/${id}`),
  create: (body) => api.post('/projects', body),
  update: (id, body) => api.patch(`/projects/${id}`, body),
  remove: (id) => api.del(`/projects/${id}`),
  restore: (id) => api.post(`/projects/${id}/restore`),
  transition: (id, body) => api.post(`/projects/${id}/transition`, body),
  riskAssessment: (id, body) => api.post(`/projects/${id}/risk-assessment`, body),
  decision: (id, body) => api.post(`/projects/${id}/decision`, body),
  decisions: (id) => api.get(`/projects/${id}/decisions`),
  riskAssessments: (id) => api.get(`/projects/${id}/risk-assessments`),
  comments: (id) => api.get(`/projects/${id}/comments`),
  comment: (id, body) => api.post(`/projects/${id}/comments`, { body }),
  setMilestones: (id, body) => api.put(`/projects/${id}/milestones`, body),
  activities: (id) => api.get(`/projects/${id}/activities`),
  logActivity: (id, body) => api.post(`/projects/${id}/activities`, body),
  history: (id) => api.get(`/projects/${id}/history`),
  board: (filters) => api.get('/projects/board', filters),
  /** Paged (50 by default): {items, total, page, page_size}; counts come from total. */
  reviewQueue: (query) => api.get('/review-queue', query),
  exportXlsx: (filters, opts) => download('/export/projects.xlsx', filters, '招商项目.xlsx', opts),
}

// The projects export as a background job with progress (utils/exportJob.js drives it): start
// takes the list's filters in the query string and answers {id, total}; status answers
// {id, status: running|done|failed, rows, total, error?, file_name, size?}; file sends the
// workbook with a Content-Length (409 while running); cancel removes the job.
export const exportJobs = {
  start: (filters) => api.post('/export/projects', undefined, { query: filters }),
  status: (id) => api.get(`/export/jobs/${encodeURIComponent(id)}`),
  download: (id, opts) => download(`/export/jobs/${encodeURIComponent(id)}/file`, null, '招商项目.xlsx', opts),
  cancel: (id) => api.del(`/export/jobs/${encodeURIComponent(id)}`),
}

// The 客商库: an enterprise's page {…profile, version, contacts, projects, chain_nodes,
// referrals, referred_by, attachment_count, timeline: {items, total, page, page_size}};
// create answers 409 {error: {code: "duplicate", candidates: [{id, name}]}} for a likely
// duplicate (send confirm_new: true to create it anyway); update carries version (409 when
// stale); merge moves everything to {into} (admin, director).
export const enterprises = {
  list: (query) => api.get('/enterprises', query),
  get: (id, query) => api.get(`/enterprises/${id}`, query),
  create: (body) => api.post('/enterprises', body),
  update: (id, body) => api.patch(`/enterprises/${id}`, body),
  history: (id) => api.get(`/enterprises/${id}/history`),
  timeline: (id, query) => api.get(`/enterprises/${id}/timeline`, query),
  duplicates: () => api.get('/enterprises/duplicates'),
  merge: (id, into) => api.post(`/enterprises/${id}/merge`, { into }),
}

// Contact people (联系人); meetings are the activities a contact was met at.
export const contacts = {
  list: (enterpriseId) => api.get(`/enterprises/${enterpriseId}/contacts`),
  ofProject: (projectId) => api.get(`/projects/${projectId}/contacts`),
  create: (enterpriseId, body) => api.post(`/enterprises/${enterpriseId}/contacts`, body),
  update: (id, body) => api.patch(`/contacts/${id}`, body),
  remove: (id) => api.del(`/contacts/${id}`),
  meetings: (id) => api.get(`/contacts/${id}/activities`),
}

// Attachments on a project (optionally one of its activities) or an enterprise. parent is
// {type: 'project'|'enterprise', id}.
const parentPath = (parent) => `/${parent.type === 'enterprise' ? 'enterprises' : 'projects'}/${parent.id}/attachments`
export const attachments = {
  list: (parent) => api.get(parentPath(parent)),
  upload: (parent, file, { title, activityId, onProgress } = {}) => {
    const fd = new FormData()
    if (title) fd.append('title', title)
    if (activityId) fd.append('activity_id', String(activityId))
    fd.append('file', file, file.name || 'photo.jpg')
    return upload(parentPath(parent), fd, { onProgress })
  },
  download: (a, opts) => download(`/attachments/${a.id}`, null, a.name, opts),
  remove: (id) => api.del(`/attachments/${id}`),
  /** The thumbnail (or the file) as a blob, for an <img> that cannot send the token. */
  blob: (id, thumbnail = true) => fetchBlob(`/attachments/${id}${thumbnail ? '/thumbnail' : ''}`),
}

export const campaigns = {
  list: (query) => api.get('/campaigns', query),
  create: (body) => api.post('/campaigns', body),
}

export const reminders = {
  list: () => api.get('/reminders'),
  done: (id) => api.post(`/reminders/${id}/done`),
  snooze: (id, until) => api.post(`/reminders/${id}/snooze`, { until }),
}

export const stats = {
  overview: (year) => api.get('/stats/overview', { year }),
  annualReport: (year) => api.get('/reports/annual', { year }),
  annualReportDocx: (year, opts) => download('/reports/annual', { year, format: 'docx' }, `${year}年招商引资工作情况.docx`, opts),
}

// The provincial platform (issue 19): a province user's granted zones side by side.
export const platform = {
  zones: () => api.get('/platform/zones'),
  overview: (year) => api.get('/platform/overview', { year }),
  chains: (year) => api.get('/platform/chains', { year }),
  /** → {year, by, items: [{rank, code, name, docked_total, signed_count, investment_wan}]} */
  ranking: (year, by) => api.get('/platform/ranking', { year, by }),
  // the platform administrator's: every zone, the platform's users, a province user's grants
  adminZones: () => api.get('/platform/admin/zones'),
  adminUsers: () => api.get('/platform/admin/users'),
  setGrants: (userId, zones) => api.put(`/platform/admin/users/${userId}/grants`, { zones }),
  // a granted zone's own pages, read-only: the zone's read routes under /platform/zones/{code}
  zone: (code) => {
    const base = `/platform/zones/${encodeURIComponent(code)}`
    return {
      overview: (year) => api.get(`${base}/stats/overview`, { year }),
      service: (year) => api.get(`${base}/stats/service`, { year }),
      indicators: (year) => api.get(`${base}/indicators`, { year }),
      projects: (query) => api.get(`${base}/projects`, query),
      project: (id) => api.get(`${base}/projects/${id}`),
      activities: (id) => api.get(`${base}/projects/${id}/activities`),
      chains: () => api.get(`${base}/chains`),
      map: (chain) => api.get(`${base}/chains/${encodeURIComponent(chain)}/map`),
    }
  },
}

export const targets = {
  list: (year) => api.get('/targets', { year }),
  create: (body) => api.post('/targets', body),
  update: (id, body) => api.patch(`/targets/${id}`, body),
}

export const imports = {
  projects: (file, { dryRun, onProgress } = {}) => {
    const fd = new FormData()
    fd.append('file', file)
    return upload('/import/projects', fd, { query: dryRun ? { dry_run: 'true' } : undefined, onProgress })
  },
  template: (opts) => download('/import/template.xlsx', null, '招商项目导入模板.xlsx', opts),
}

export const admin = {
  users: () => api.get('/users'),
  createUser: (body) => api.post('/users', body),
  updateUser: (id, body) => api.patch(`/users/${id}`, body),
  resetPassword: (id, password) => api.post(`/users/${id}/password`, { password }),
  unlockUser: (id) => api.post(`/users/${id}/unlock`),
  jobs: () => api.get('/jobs'),
  runJob: (name) => api.post(`/jobs/${encodeURIComponent(name)}/run`),
  outbox: () => api.get('/outbox'),
}

/** Lists come back either as a bare array or as {items: [...]}; pages want the array. */
export function itemsOf(data) {
  if (Array.isArray(data)) return data
  if (data && Array.isArray(data.items)) return data.items
  return []
}
