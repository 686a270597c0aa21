import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { mockFetch, settle } from './helpers'
import { useAuthStore } from '../src/stores/auth'

// ECharts needs a real canvas; the figures under test are the text beside the charts.
vi.mock('../src/charts', async () => {
  const { h } = await import('vue')
  return { default: { name: 'VChart', props: ['option'], render: () => h('div', { class: 'chart-stub' }) } }
})
const { default: DashboardView } = await import('../src/views/DashboardView.vue')

const Y2022 = {
  docked_total: 87,
  by_channel: { entrusted: 26, business_referral: 15, self_sourced: 21, resource_plus: 25 },
  by_stage: { lead: 60, identification: 10, risk: 5, decision: 2, follow_up: 4, dropped: 6 },
  by_chain: { food: 20, mining: 15, semiconductor: 18 },
  by_asset_type: { heavy: 46, light: 41 },
  intended_by_asset_type: { heavy: 3, light: 3 },
  signed: { count: 4, planned_investment_wan: 80500 },
  trips: 15,
}

async function mountAt(url, routes, me = { username: 'director', roles: ['director'], chains: [] }) {
  setActivePinia(createPinia())
  useAuthStore().me = me
  const mock = mockFetch(routes)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: DashboardView }, { path: '/reminders', component: { template: '<div/>' } }, { path: '/projects/:id', component: { template: '<div/>' } }] })
  router.push(url)
  await router.isReady()
  const w = mount(DashboardView, { global: { plugins: [router, i18n] } })
  await settle(10)
  return { w, mock }
}

beforeEach(() => { localStorage.clear(); setLocale('zh-CN') })

describe('DashboardView', () => {
  it('shows the 2022 figures: 87 = 26/15/21/25 and 8.05亿元 signed', async () => {
    const { w } = await mountAt('/?year=2022', [
      { match: ['GET', '/api/v1/stats/overview'], respond: { body: Y2022 } },
      { match: ['GET', '/api/v1/targets'], respond: { body: [{ id: 1, year: 2022, metric: 'conferences', target: 3, progress: 1, label: '举办推介会' }] } },
      { match: ['GET', '/api/v1/reminders'], respond: { body: { items: [] } } },
    ])
    expect(w.find('[data-test=kpi-docked]').text()).toContain('87')
    expect(w.find('[data-test=channel-entrusted]').text()).toBe('委托招商26个、')
    expect(w.find('[data-test=channel-business_referral]').text()).toContain('15')
    expect(w.find('[data-test=channel-self_sourced]').text()).toContain('21')
    expect(w.find('[data-test=channel-resource_plus]').text()).toBe('“资源+”招商25个')
    expect(w.find('[data-test=signed-investment]').text()).toBe('8.05亿元')
    expect(w.find('[data-test=kpi-assets]').text()).toMatch(/46\s*\/\s*41/)
    expect(w.find('[data-test=kpi-intended]').text()).toContain('重资产 3 个、轻资产 3 个')
    expect(w.find('[data-test=kpi-trips]').text()).toContain('15')
    expect(w.find('[data-test=target-row]').text()).toContain('1 / 3')
    expect(w.text()).toContain('暂无待办')
    await vi.waitFor(() => expect(w.findAll('.chart-stub')).toHaveLength(3)) // the charts load after the figures
    expect(w.findAll('.chart-stub')).toHaveLength(3)
  })

  it('falls back to the latest year with data and says so', async () => {
    const { w, mock } = await mountAt('/', [
      { match: ['GET', '/api/v1/stats/overview'], respond: ({ url }) => ({ body: url.includes('year=2022') ? Y2022 : { docked_total: 0, by_channel: {} } }) },
      { match: ['GET', '/api/v1/targets'], respond: { body: [] } },
      { match: ['GET', '/api/v1/reminders'], respond: { body: { items: [] } } },
    ])
    expect(w.find('[data-test=kpi-docked]').text()).toContain('87')
    expect(w.text()).toMatch(/暂无对接项目，已显示 2022 年数据/)
    expect(mock.calls.some((c) => c.url.includes('/targets?year=2022'))).toBe(true)
  })

  it('shows an agency its own leads by stage instead of zone statistics', async () => {
    const { w, mock } = await mountAt('/', [
      { match: ['GET', '/api/v1/projects/board'], respond: { body: { columns: [{ stage: 'lead', count: 6, items: [] }, { stage: 'identification', count: 1, items: [] }] } } },
      { match: ['GET', '/api/v1/reminders'], respond: { body: { items: [] } } },
    ], { username: 'agent1', roles: ['agent'], chains: [] })
    expect(mock.calls.some((c) => c.url.includes('/stats/') || c.url.includes('/targets'))).toBe(false)
    const leads = w.find('[data-test=my-leads]')
    expect(leads.text()).toContain('洽谈对接6')
    expect(leads.text()).toContain('项目识别1')
    expect(w.find('[data-test=kpi-docked]').exists()).toBe(false)
  })

  it('tells a chain chief the figures cover their chain', async () => {
    const { w } = await mountAt('/?year=2022', [
      { match: ['GET', '/api/v1/stats/overview'], respond: { body: { ...Y2022, docked_total: 25 } } },
    ], { username: 'chief_food', roles: ['chain_chief'], chains: ['food'] })
    expect(w.find('[data-test=stats-scope]').text()).toContain('现代食品')
    expect(w.find('[data-test=kpi-docked]').text()).toContain('25')
  })

  it('shows an error state, not a crash, when the statistics endpoint is missing', async () => {
    const { w } = await mountAt('/?year=2022', [])
    expect(w.findAll('[data-test=state-error]').length).toBe(3)
    expect(w.find('[data-test=state-error]').text()).toContain('未找到')
  })
})
