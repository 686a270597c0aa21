// Accessibility behaviours: the live region behind toasts, 长辈模式, the side menu as links, the
// board's keyboard move, the stale mark's shape and words, the charts' data table.
import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { markRaw } from 'vue'
import { i18n, setLocale } from '../src/i18n'
import { useAuthStore } from '../src/stores/auth'
import { announce, ensureLiveRegions } from '../src/utils/announce'
import { applyElderMode, followMe, elderModeOn, ELDER_KEY } from '../src/utils/elder'
import { toastOk, toastError } from '../src/utils/ui'
import { mockFetch, settle } from './helpers'

const board = vi.fn()
const transition = vi.fn()
vi.mock('../src/api', async (orig) => {
  const real = await orig()
  return { ...real, projects: { ...real.projects, board: (...a) => board(...a), transition: (...a) => transition(...a) } }
})
// the chart component is ECharts on a canvas: stand in a plain element that shows its option
vi.mock('../src/charts', () => ({ default: { props: ['option'], template: '<div class="fake-chart" :data-desc="option.aria && option.aria.label.description" />' } }))
const { default: BoardView } = await import('../src/views/BoardView.vue')
const { default: AppNav } = await import('../src/components/AppNav.vue')
const { default: StaleDot } = await import('../src/components/StaleDot.vue')
const { default: ChartBlock } = await import('../src/components/ChartBlock.vue')
const { default: SettingsView } = await import('../src/views/SettingsView.vue')

const wait = (ms) => new Promise((r) => setTimeout(r, ms))

beforeEach(() => {
  setLocale('zh-CN')
  document.body.innerHTML = ''
  document.documentElement.className = ''
  localStorage.clear()
  board.mockReset(); transition.mockReset()
})

function routerFor(component, path = '/') {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: component || { template: '<div/>' } }] })
  router.push(path)
  return router
}

describe('live region', () => {
  it('exists before anything is said and reads a message, errors at once', async () => {
    ensureLiveRegions()
    const polite = document.getElementById('a11y-live-polite')
    const assertive = document.getElementById('a11y-live-assertive')
    expect(polite.getAttribute('aria-live')).toBe('polite')
    expect(polite.getAttribute('role')).toBe('status')
    expect(assertive.getAttribute('aria-live')).toBe('assertive')
    announce('已保存')
    expect(polite.textContent).toBe('') // emptied first, so the same message twice is read twice
    await wait(80)
    expect(polite.textContent).toBe('已保存')
    announce('保存失败', { assertive: true })
    await wait(80)
    expect(assertive.textContent).toBe('保存失败')
  })

  it('toasts go through it, and the toast itself is not a second alert', async () => {
    toastOk('走访记录已保存')
    await wait(80)
    expect(document.getElementById('a11y-live-polite').textContent).toBe('走访记录已保存')
    expect(document.querySelector('.el-message.crm-toast[role=alert]')).toBeNull()
    toastError(new Error('项目已被他人修改'))
    await wait(80)
    expect(document.getElementById('a11y-live-assertive').textContent).toBe('项目已被他人修改')
  })
})

describe('长辈模式', () => {
  it('sets the class on <html> and keeps a copy on this device, follows GET /me', () => {
    applyElderMode(true)
    expect(elderModeOn()).toBe(true)
    expect(localStorage.getItem(ELDER_KEY)).toBe('1')
    followMe({ username: 'chief_food', elder_mode: false })
    expect(elderModeOn()).toBe(false)
    expect(localStorage.getItem(ELDER_KEY)).toBeNull()
    applyElderMode(true)
    followMe({ username: 'old-server' }) // a server without the setting leaves it as it is
    expect(elderModeOn()).toBe(true)
  })

  it('public/prefs.js applies the device copy before the app runs', async () => {
    const fs = await import('node:fs')
    const path = await import('node:path')
    const src = fs.readFileSync(path.resolve('public/prefs.js'), 'utf8')
    localStorage.setItem(ELDER_KEY, '1')
    new Function(src)()
    expect(document.documentElement.classList.contains('elder')).toBe(true)
    expect(fs.readFileSync(path.resolve('index.html'), 'utf8')).toMatch(/<head>[\s\S]*<script src="\/prefs\.js"><\/script>[\s\S]*<\/head>/)
  })

  async function settings(me, respond) {
    const pinia = createPinia()
    setActivePinia(pinia)
    const auth = useAuthStore()
    auth.token = 'T'
    auth.me = me
    const mock = mockFetch([{ match: ['PATCH', '/api/v1/me/settings'], respond }])
    const router = routerFor(null, '/settings')
    await router.isReady()
    const w = mount(SettingsView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(4)
    return { w, mock, auth }
  }

  it('the settings switch turns it on at once and saves it for the user', async () => {
    const me = { username: 'chief_food', roles: ['chain_chief'], email: 'c@example.cn', digest_opt_out: false, elder_mode: false }
    const { w, mock, auth } = await settings(me, ({ init }) => ({ body: { ...me, ...JSON.parse(init.body) } }))
    const sw = w.find('[data-test=elder-switch]')
    expect(sw.classes()).not.toContain('is-checked')
    expect(w.find('[data-test=elder-switch] input').attributes('aria-label')).toBe('大字号、大按钮、高对比度显示')
    await sw.trigger('click')
    expect(elderModeOn()).toBe(true) // before the answer
    await settle(8)
    expect(JSON.parse(mock.calls.find((c) => c.method === 'PATCH').body)).toEqual({ elder_mode: true })
    expect(auth.me.elder_mode).toBe(true)
    expect(w.find('[data-test=elder-switch]').classes()).toContain('is-checked')
    expect(localStorage.getItem(ELDER_KEY)).toBe('1')
  })

  it('a failed save puts it back', async () => {
    const me = { username: 'chief_food', roles: ['chain_chief'], email: 'c@example.cn', elder_mode: false }
    const { w, auth } = await settings(me, () => ({ status: 500, body: { error: { code: 'EINTERNAL', message: '服务器出错' } } }))
    await w.find('[data-test=elder-switch]').trigger('click')
    await settle(8)
    expect(elderModeOn()).toBe(false)
    expect(auth.me.elder_mode).toBe(false)
    expect(w.find('[data-test=elder-switch]').classes()).not.toContain('is-checked')
  })
})

describe('AppNav', () => {
  const Icon = markRaw({ template: '<svg/>' })
  const items = [
    { name: 'dashboard', path: '/', label: '工作台', icon: Icon },
    { name: 'review', path: '/review', label: '链长审阅', icon: Icon },
  ]
  const adminItems = [{ name: 'admin-users', path: '/admin/users', label: '用户管理' }]

  it('is a labelled nav of links, marks the current page and reads badges in words', async () => {
    const router = routerFor()
    await router.isReady()
    const w = mount(AppNav, { props: { items, adminItems, active: '/review', badges: { review: 3 } }, global: { plugins: [router, i18n] } })
    expect(w.find('nav').attributes('aria-label')).toBe('主菜单')
    const links = w.findAll('a')
    expect(links.map((a) => a.attributes('href'))).toEqual(['/', '/review', '/admin/users'])
    expect(w.find('[data-test=nav-review]').attributes('aria-current')).toBe('page')
    expect(w.find('[data-test=nav-dashboard]').attributes('aria-current')).toBeUndefined()
    expect(w.find('[data-test=badge-review]').text()).toBe('3')
    expect(w.find('[data-test=nav-review]').text()).toContain('3 个项目待决策')
  })

  it('系统管理 is a disclosure button; collapsed, the names stay for screen readers', async () => {
    const router = routerFor()
    await router.isReady()
    const w = mount(AppNav, { props: { items, adminItems, active: '/' }, global: { plugins: [router, i18n] } })
    const toggle = w.find('[data-test=nav-admin-toggle]')
    expect(toggle.element.tagName).toBe('BUTTON')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(w.find('#nav-admin-list').element.style.display).toBe('none')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    expect(w.find('#nav-admin-list').element.style.display).toBe('')
    await w.setProps({ collapsed: true })
    expect(w.find('[data-test=nav-dashboard] .nav-label').classes()).toContain('sr-only')
    expect(w.find('[data-test=nav-dashboard]').attributes('title')).toBe('工作台')
  })

  it('opens 系统管理 by itself on an admin page', async () => {
    const router = routerFor()
    await router.isReady()
    const w = mount(AppNav, { props: { items, adminItems, active: '/admin/users' }, global: { plugins: [router, i18n] } })
    expect(w.find('[data-test=nav-admin-toggle]').attributes('aria-expanded')).toBe('true')
  })
})

describe('StaleDot', () => {
  it('tells the state by shape and in words, not by colour alone', () => {
    const w = mount(StaleDot, { props: { stale: 'red', days: 40 }, global: { plugins: [i18n] } })
    expect(w.find('.mark').text()).toBe('▲')
    expect(w.find('.mark').attributes('aria-hidden')).toBe('true')
    expect(w.find('.sr-only').text()).toBe('长期停滞')
    expect(w.text()).toContain('40 天')
    const y = mount(StaleDot, { props: { stale: 'yellow', days: 9 }, global: { plugins: [i18n] } })
    expect(y.find('.mark').text()).toBe('◆')
  })
})

describe('BoardView keyboard move', () => {
  const card = (id, stage, owner = 'recruiter1') => ({ id, name: `项目${id}`, investor: `企业${id}`, channel: 'self_sourced', chain: 'food', stage, owner,
    planned_investment_wan: 800, days_in_stage: 3, stale: 'green', version: 1 })

  async function mountBoard(me, columns) {
    board.mockResolvedValue({ columns })
    const pinia = createPinia()
    setActivePinia(pinia)
    useAuthStore().me = me
    const router = routerFor(null, '/board')
    await router.isReady()
    const w = mount(BoardView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(6)
    return w
  }

  it('each movable card has a named "下一阶段" button that moves it one stage on', async () => {
    transition.mockResolvedValue({ ...card(1, 'identification'), version: 2 })
    const w = await mountBoard({ username: 'recruiter1', roles: ['recruiter'] }, [
      { stage: 'lead', count: 1, items: [card(1, 'lead')] }, { stage: 'follow_up', count: 1, items: [card(2, 'follow_up')] }])
    const next = w.find('[data-project-id="1"] [data-test=card-next]')
    expect(next.element.tagName).toBe('BUTTON')
    expect(next.attributes('aria-label')).toBe('将“项目1”移到下一阶段：项目识别')
    expect(w.find('[data-project-id="1"] [data-test=card-move]').attributes('aria-label')).toBe('将“项目1”移至其他阶段')
    expect(w.find('[data-project-id="2"] [data-test=card-next]').exists()).toBe(false) // nothing after 跟踪服务
    await next.trigger('click')
    await settle(8)
    expect(transition).toHaveBeenCalledTimes(1)
    expect(transition.mock.calls[0][0]).toBe(1)
    expect(JSON.stringify(transition.mock.calls[0])).toContain('identification')
    expect(board).toHaveBeenCalledTimes(2) // the board is read again
  })

  it('no button on another recruiter\'s card', async () => {
    const w = await mountBoard({ username: 'recruiter2', roles: ['recruiter'] }, [{ stage: 'lead', count: 1, items: [card(1, 'lead', 'recruiter1')] }])
    expect(w.find('[data-test=card-next]').exists()).toBe(false)
  })

  it('columns are headed regions', async () => {
    const w = await mountBoard({ username: 'recruiter1', roles: ['recruiter'] }, [{ stage: 'lead', count: 1, items: [card(1, 'lead')] }])
    const col = w.find('[data-test=board-column][data-stage=lead]')
    expect(col.attributes('aria-labelledby')).toBe('board-col-lead')
    expect(w.find('#board-col-lead').text()).toBe('洽谈对接')
  })
})

describe('ChartBlock', () => {
  const rows = [{ label: '委托招商', value: 26, text: '26个' }, { label: '以商招商', value: 15, text: '15个' }]
  it('gives the chart a description and shows the figures as a table on demand', async () => {
    const w = mount(ChartBlock, { props: { option: { series: [] }, title: '按招商渠道', rows, labelHeader: '招商渠道' }, global: { plugins: [i18n] } })
    await settle(6)
    expect(w.find('.fake-chart').attributes('data-desc')).toBe('按招商渠道：委托招商 26个、以商招商 15个。')
    const toggle = w.find('[data-test=chart-table-toggle]')
    expect(toggle.attributes('aria-pressed')).toBe('false')
    expect(toggle.text()).toBe('数据表')
    await toggle.trigger('click')
    const table = w.find('[data-test=chart-table]')
    expect(table.find('caption').text()).toBe('按招商渠道')
    expect(table.findAll('thead th').map((th) => th.text())).toEqual(['招商渠道', '数量'])
    expect(table.findAll('tbody tr').map((tr) => tr.text())).toEqual(['委托招商26个', '以商招商15个'])
    expect(w.find('.fake-chart').exists()).toBe(false)
    expect(w.find('[data-test=chart-table-toggle]').attributes('aria-pressed')).toBe('true')
    expect(w.find('[data-test=chart-table-toggle]').text()).toBe('图表')
  })
})

describe('v-valid-activedescendant', () => {
  it('drops an aria-activedescendant that names no element and keeps one that does', async () => {
    const { vValidActivedescendant } = await import('../src/utils/activedescendant')
    const w = mount({ directives: { validActivedescendant: vValidActivedescendant }, template: '<div v-valid-activedescendant><input aria-activedescendant="list-item--1" /></div>' }, { attachTo: document.body })
    const input = w.find('input').element
    expect(input.hasAttribute('aria-activedescendant')).toBe(false)
    const li = document.createElement('li')
    li.id = 'list-item-0'
    document.body.appendChild(li)
    input.setAttribute('aria-activedescendant', 'list-item-0')
    await wait(0)
    expect(input.getAttribute('aria-activedescendant')).toBe('list-item-0')
    input.setAttribute('aria-activedescendant', 'list-item--1')
    await wait(0)
    expect(input.hasAttribute('aria-activedescendant')).toBe(false)
    w.unmount()
  })
})
