import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { useAuthStore } from '../src/stores/auth'
import { sortParam, tableSort } from '../src/utils/sort'
import ProjectsView from '../src/views/ProjectsView.vue'
import { mockFetch, settle } from './helpers'

// Issue 13: the project table sorts on the server when a column header is clicked.

const blank = { template: '<div />' }
const row = (id, name, wan) => ({
  id, name, investor: '某投资有限公司', channel: 'direct', chain: 'food', asset_type: 'heavy', planned_investment_wan: wan,
  stage: 'lead', days_in_stage: 3, stale: 'green', owner: 'recruiter1', owner_name: '招商一', docked_at: '2024-05-01', sample: false,
})

async function mountView(path = '/projects') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.token = 'T'
  auth.me = { username: 'admin', roles: ['admin'], chains: [] }
  const mock = mockFetch([
    { match: ['GET', '/api/v1/projects'], respond: () => ({ body: { items: [row(1, '甲项目', 500), row(2, '乙项目', 9000)], total: 2, page: 1, page_size: 20 } }) },
  ])
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/projects', component: blank }, { path: '/projects/:id', component: blank }] })
  router.push(path)
  await router.isReady()
  const w = mount(ProjectsView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await settle(10)
  return { w, mock, router }
}

const listCalls = (mock) => mock.calls.filter((c) => c.method === 'GET' && c.url.includes('/api/v1/projects'))
const lastQuery = (mock) => new URL(listCalls(mock).at(-1).url, 'http://x').searchParams

function header(w, label) {
  const th = w.findAll('th').find((h) => h.text().includes(label))
  if (!th) throw new Error('no header ' + label + ' in ' + w.findAll('th').map((h) => h.text()).join(' | '))
  return th
}

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
})
afterEach(() => vi.restoreAllMocks())

describe('project list column sort', () => {
  it('maps the table sort to the API value and back', () => {
    expect(sortParam({ prop: 'planned_investment', order: 'descending' })).toBe('-planned_investment')
    expect(sortParam({ prop: 'name', order: 'ascending' })).toBe('name')
    expect(sortParam({ prop: 'name', order: null })).toBe('')
    expect(sortParam({ prop: 'investor', order: 'ascending' })).toBe('')
    expect(tableSort('-days_in_stage')).toEqual({ prop: 'days_in_stage', order: 'descending' })
    expect(tableSort('docked_at')).toEqual({ prop: 'docked_at', order: 'ascending' })
    expect(tableSort('bogus')).toEqual({})
  })

  it('asks the server for the order of a clicked header and keeps it in the URL', async () => {
    const { w, mock, router } = await mountView()
    expect(lastQuery(mock).get('sort')).toBeNull() // the default order
    await header(w, '计划投资').trigger('click')
    await settle(10)
    expect(lastQuery(mock).get('sort')).toBe('-planned_investment')
    expect(lastQuery(mock).get('page')).toBe('1')
    expect(router.currentRoute.value.query.sort).toBe('-planned_investment')
    await header(w, '计划投资').trigger('click')
    await settle(10)
    expect(lastQuery(mock).get('sort')).toBe('planned_investment')
    await header(w, '项目名称').trigger('click')
    await settle(10)
    expect(lastQuery(mock).get('sort')).toBe('name')
    // a third click on the same header goes back to the default order
    await header(w, '项目名称').trigger('click')
    await settle(10)
    await header(w, '项目名称').trigger('click')
    await settle(10)
    expect(lastQuery(mock).get('sort')).toBeNull()
    expect(router.currentRoute.value.query.sort).toBeUndefined()
    w.unmount()
  })

  it('opens sorted from the URL, the header showing it', async () => {
    const { w, mock } = await mountView('/projects?sort=-days_in_stage&page=2')
    expect(lastQuery(mock).get('sort')).toBe('-days_in_stage')
    expect(lastQuery(mock).get('page')).toBe('2')
    expect(header(w, '本阶段天数').classes()).toContain('descending')
    w.unmount()
  })
})
