// The provincial platform's pages (issue 19): the router keeps province users and the
// platform administrator on their own pages; a granted zone's page shows the zone's figures
// read-only; the administrator's page edits a province user's grants.
import { describe, it, expect, beforeEach } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import ElementPlus from 'element-plus'
import { i18n, setLocale } from '../src/i18n'
import zhCN from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { guard } from '../src/router'
import { useAuthStore } from '../src/stores/auth'
import PlatformAdminView from '../src/views/PlatformAdminView.vue'
import PlatformZoneView from '../src/views/PlatformZoneView.vue'
import { mockFetch, settle } from './helpers'

const ME = { id: 9, username: 'hebei_sw', display_name: '省商务厅', email: 'h@x', roles: ['province'], zone: { code: 'platform', name: '省市级平台' }, chains: [] }

beforeEach(() => {
  localStorage.clear()
  document.cookie = 'chaincrm_csrf=C1; path=/'
  setActivePinia(createPinia())
  setLocale('zh-CN')
})

async function mountView(component, props, routes) {
  mockFetch(routes)
  const router = createRouter({ history: createMemoryHistory(), routes: [
    { path: '/', component: { template: '<div/>' } },
    { path: '/platform', name: 'platform', component: { template: '<div/>' } },
    { path: '/platform/zones/:code', name: 'platform-zone', component: { template: '<div/>' } },
    { path: '/platform/zones/:code/projects/:id', name: 'platform-project', component: { template: '<div/>' } },
  ] })
  router.push('/')
  await router.isReady()
  const w = mount(component, { props, global: { plugins: [router, i18n, ElementPlus] }, attachTo: document.body })
  await settle(15)
  return w
}

describe('the router', () => {
  const route = (name, path, roles) => ({ name, path, fullPath: path, meta: roles ? { roles } : {} })
  it('keeps a province user on the platform, its zone pages and project pages', async () => {
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { body: ME } }])
    const auth = useAuthStore()
    expect(await guard(route('platform-zone', '/platform/zones/laiyuan', ['province']), auth)).toBe(true)
    expect(await guard(route('platform-project', '/platform/zones/laiyuan/projects/5', ['province']), auth)).toBe(true)
    expect(await guard(route('projects', '/projects'), auth)).toEqual({ name: 'platform' })
    expect(await guard(route('platform-admin', '/platform/admin', ['platform_admin']), auth)).toEqual({ name: 'platform' })
  })
  it('keeps the platform administrator on 开发区与授权', async () => {
    mockFetch([{ match: ['GET', '/api/v1/me'], respond: { body: { ...ME, username: 'pingtai', roles: ['platform_admin'] } } }])
    const auth = useAuthStore()
    expect(await guard(route('platform-admin', '/platform/admin', ['platform_admin']), auth)).toBe(true)
    expect(await guard(route('platform', '/platform', ['province']), auth)).toEqual({ name: 'platform-admin' })
    expect(await guard(route('dashboard', '/'), auth)).toEqual({ name: 'platform-admin' })
    expect(await guard(route('settings', '/settings'), auth)).toBe(true)
  })
})

describe('the words', () => {
  it('has every platform word in both languages', () => {
    for (const k of ['platform', 'platformZone', 'platformAdmin']) {
      expect(Object.keys(en[k]).sort()).toEqual(Object.keys(zhCN[k]).sort())
    }
    expect(zhCN.role.platform_admin).toBe('平台管理员')
    expect(zhCN.nav.platformAdmin).toBeTruthy()
  })
})

describe('a granted zone, read-only', () => {
  it('shows the zone\'s funnel figures, service figures and indicators, with nothing to edit', async () => {
    const base = '/api/v1/platform/zones/laiyuan'
    const { calls } = await mountView(PlatformZoneView, { code: 'laiyuan' }, [
      { match: ['GET', '/api/v1/platform/zones'], respond: { body: { items: [{ code: 'laiyuan', name: '河北涞源经济开发区', time_zone: 'Asia/Shanghai' }] } } },
      { match: ['GET', base + '/stats/overview'], respond: { body: { year: 2022, docked_total: 87, by_stage: { lead: 40 }, conversion: { lead: 87, identification: 30, risk: 12, decision: 8, follow_up: 4 }, signed: { count: 4, total_wan: 80500 } } } },
      { match: ['GET', base + '/stats/service'], respond: { body: { year: 2022, received: 12, resolved: 9, overdue: 2, on_time_rate: 0.75, satisfaction_rate: null } } },
      { match: ['GET', base + '/indicators'], respond: { body: { year: 2022, months: [{ month: '2022-06', revenue_wan: 10000, growth: { revenue: 0.1 } }, { month: '2022-10', revenue_wan: 567559, enterprises_in_statistics: 31, growth: { revenue: 0.3592 } }] } } },
      { match: ['GET', base + '/chains'], respond: { body: [{ code: 'food', name: '现代食品' }] } },
    ]).then((w) => ({ w, calls: globalThis.fetch.mock.calls })).then(async ({ w }) => {
      expect(w.find('[data-test=zone-docked]').text()).toBe('87')
      expect(w.find('[data-test=zone-signed]').text()).toBe('4')
      expect(w.find('[data-test=zone-service-received]').text()).toBe('12')
      expect(w.find('[data-test=zone-service-resolved]').text()).toBe('9')
      expect(w.find('[data-test=zone-service-overdue]').text()).toBe('2')
      // the latest month, in 亿元 as the report writes it
      expect(w.find('[data-test=zone-ind-revenue_wan]').text()).toContain('56.7559')
      expect(w.find('[data-test=zone-ind-revenue_wan]').text()).toContain('+35.92%')
      expect(w.find('[data-test=zone-ind-enterprises_in_statistics]').text()).toContain('31')
      expect(w.text()).toContain('河北涞源经济开发区')
      // read-only: no edit, save, delete or new buttons
      const buttons = w.findAll('button').map((b) => b.text())
      expect(buttons.filter((b) => /编辑|修改|保存|删除|新建|录入/.test(b))).toEqual([])
      return { calls: globalThis.fetch.mock.calls }
    })
    const urls = calls.map(([u, init]) => `${(init && init.method) || 'GET'} ${String(u).split('?')[0]}`)
    expect(urls.every((u) => u.startsWith('GET /api/v1/platform/'))).toBe(true)
  })
})

describe('the platform administrator\'s page', () => {
  it('lists the zones and saves a province user\'s grants', async () => {
    let put = null
    const w = await mountView(PlatformAdminView, {}, [
      { match: ['GET', '/api/v1/platform/admin/zones'], respond: { body: { items: [
        { code: 'laiyuan', name: '河北涞源经济开发区', time_zone: 'Asia/Shanghai', kind: 'zone', users: 11, projects: 91, grants: 1, created_at: '2023-01-01T00:00:00Z' },
        { code: 'xiongan', name: '雄安新区开发区', time_zone: 'Asia/Shanghai', kind: 'zone', users: 1, projects: 0, grants: 0, created_at: '2023-02-01T00:00:00Z' },
        { code: 'platform', name: '省市级平台', time_zone: 'Asia/Shanghai', kind: 'platform', users: 2, projects: 0, grants: 0, created_at: '2023-02-01T00:00:00Z' },
      ], total: 3 } } },
      { match: ['GET', '/api/v1/platform/admin/users'], respond: { body: { items: [
        { id: 9, username: 'hebei_sw', display_name: '省商务厅', roles: ['province'], zones: ['laiyuan'], disabled: false, created_at: '2023-02-01T00:00:00Z' },
        { id: 10, username: 'pingtai', display_name: '平台管理员', roles: ['platform_admin'], zones: [], disabled: false, created_at: '2023-02-01T00:00:00Z' },
      ], total: 2 } } },
      { match: ['PUT', '/api/v1/platform/admin/users/9/grants'], respond: ({ init }) => { put = JSON.parse(init.body); return { body: { user_id: 9, username: 'hebei_sw', zones: ['laiyuan', 'xiongan'] } } } },
    ])
    const zones = w.find('[data-test=admin-zones]')
    expect(zones.text()).toContain('河北涞源经济开发区')
    expect(zones.text()).toContain('91')
    expect(zones.text()).toContain('省市级平台')
    // only province users have grants to edit
    const users = w.find('[data-test=admin-users]')
    expect(users.text()).toContain('hebei_sw')
    expect(users.text()).not.toContain('pingtai')
    await w.find('[data-test=edit-grants]').trigger('click')
    await settle(5)
    const box = document.querySelector('[data-test=grant-xiongan] input')
    expect(box).toBeTruthy()
    box.click()
    await settle(5)
    document.querySelector('[data-test=save-grants]').click()
    await settle(10)
    expect(put).toEqual({ zones: ['laiyuan', 'xiongan'] })
    expect(w.findAll('[data-test=granted-zone]').map((t) => t.text())).toEqual(['河北涞源经济开发区', '雄安新区开发区'])
    w.unmount()
  })
})
