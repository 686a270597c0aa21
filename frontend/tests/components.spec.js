import { describe, it, expect, beforeEach } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { ApiError } from '../src/api/client'
import StateBlock from '../src/components/StateBlock.vue'
import StageTag from '../src/components/StageTag.vue'
import LoginView from '../src/views/LoginView.vue'
import ProjectDetailView from '../src/views/ProjectDetailView.vue'
import { useAuthStore } from '../src/stores/auth'
import { mockFetch, errorBody, settle } from './helpers'

function makeRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div>home</div>' } },
      { path: '/login', name: 'login', component: LoginView },
      { path: '/projects', component: { template: '<div>list</div>' } },
      { path: '/projects/:id', component: ProjectDetailView, props: true },
      { path: '/forbidden', name: 'forbidden', component: { template: '<div>403</div>' } },
    ],
  })
}

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
})

describe('StateBlock', () => {
  const g = { global: { plugins: [i18n] } }
  it('shows the skeleton while loading', () => {
    const w = mount(StateBlock, { ...g, props: { loading: true }, slots: { default: '<p class="content">x</p>' } })
    expect(w.find('[data-test=state-loading]').exists()).toBe(true)
    expect(w.find('.content').exists()).toBe(false)
  })
  it('shows the server message and a retry button on error', async () => {
    const w = mount(StateBlock, { ...g, props: { error: new ApiError(404, null) }, slots: { default: '<p class="content">x</p>' } })
    expect(w.find('[data-test=state-error]').text()).toContain('请求的内容不存在')
    expect(w.text()).toContain('HTTP 404')
    await w.find('button').trigger('click')
    expect(w.emitted('retry')).toHaveLength(1)
  })
  it('shows the empty text, then the content', async () => {
    const w = mount(StateBlock, { ...g, props: { empty: true, emptyText: '暂无待办' }, slots: { default: '<p class="content">x</p>' } })
    expect(w.text()).toContain('暂无待办')
    await w.setProps({ empty: false })
    expect(w.find('.content').exists()).toBe(true)
  })
})

describe('StageTag', () => {
  it('labels stages in Chinese and English', async () => {
    const w = mount(StageTag, { global: { plugins: [i18n] }, props: { stage: 'identification' } })
    expect(w.text()).toBe('项目识别')
    setLocale('en')
    await w.vm.$nextTick()
    expect(w.text()).toBe('Identification')
  })
})

describe('LoginView', () => {
  async function mountLogin() {
    const pinia = createPinia()
    setActivePinia(pinia)
    const router = makeRouter()
    router.push('/login')
    await router.isReady()
    const w = mount(LoginView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    return { w, router }
  }
  async function submit(w, username, password) {
    await w.find('input[data-test=login-username]').setValue(username)
    await w.find('input[data-test=login-password]').setValue(password)
    await w.find('form').trigger('submit')
    await settle()
  }

  it('asks for the username before calling the server', async () => {
    const { fn } = mockFetch([])
    const { w } = await mountLogin()
    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('.el-form-item').classes()).toContain('is-error')
    expect(fn).not.toHaveBeenCalled()
  })

  it('shows the server message when the password is wrong', async () => {
    mockFetch([{ match: ['POST', '/api/v1/auth/login'], respond: { status: 401, body: errorBody('EUNAUTHORIZED', '用户名或密码错误') } }])
    const { w } = await mountLogin()
    await submit(w, 'admin', 'bad')
    expect(w.find('[data-test=login-error]').text()).toContain('用户名或密码错误')
  })

  it('shows the throttling message on 429', async () => {
    mockFetch([{ match: ['POST', '/api/v1/auth/login'], respond: { status: 429, raw: '' } }])
    const { w } = await mountLogin()
    await submit(w, 'admin', 'bad')
    expect(w.find('[data-test=login-error]').text()).toContain('登录尝试次数过多')
  })

  it('goes to the redirect target after a good log-in', async () => {
    mockFetch([
      { match: ['POST', '/api/v1/auth/login'], respond: { body: { token: 'T', user: { username: 'admin' } } } },
      { match: ['GET', '/api/v1/me'], respond: { body: { username: 'admin', roles: ['admin'], chains: [] } } },
    ])
    const { w, router } = await mountLogin()
    await router.replace({ path: '/login', query: { redirect: '/projects' } })
    await submit(w, 'admin', 'Demo@2023')
    await settle()
    expect(localStorage.getItem('chaincrm.token')).toBe(null) // the bearer token is not kept
    expect(router.currentRoute.value.path).toBe('/projects')
  })
})

describe('ProjectDetailView', () => {
  const v1 = { id: 7, name: '千喜鹤食品项目', investor: '千喜鹤', channel: 'self_sourced', chain: 'food', chain_node_ids: [], asset_type: 'heavy',
    planned_investment_wan: 12000, land_area_mu: 150, stage: 'decision', owner: 'recruiter1', docked_at: '2022-05-01', signed_at: null,
    campaign_id: null, referrer: '', agency: '', notes: '', version: 1, days_in_stage: 3, stale: 'green', has_risk_assessment: true }

  async function mountDetail(me, routes) {
    const pinia = createPinia()
    setActivePinia(pinia)
    const auth = useAuthStore()
    auth.session = true
    auth.me = me
    const mock = mockFetch(routes)
    const router = makeRouter()
    router.push('/projects/7')
    await router.isReady()
    const w = mount(ProjectDetailView, { props: { id: '7' }, global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(8)
    return { w, mock }
  }

  it('on a 409 reloads the project and lists what changed, keeping the edit', async () => {
    const v2 = { ...v1, planned_investment_wan: 15000, notes: '投资方追加投资', version: 2 }
    let gets = 0
    const { w, mock } = await mountDetail({ username: 'recruiter1', roles: ['recruiter'], chains: [] }, [
      { match: ['GET', '/api/v1/projects/7'], respond: () => ({ body: gets++ === 0 ? v1 : v2 }) },
      { match: ['GET', /\/projects\/7\/(activities|history)$/], respond: { body: [] } },
      { match: ['PATCH', '/api/v1/projects/7'], respond: { status: 409, body: errorBody('ECONFLICT', '项目已被他人修改') } },
      { match: ['GET', /\/chains\/food\/map$/], respond: { body: { nodes: [] } } },
      { match: ['GET', /\/(chains|campaigns)$/], respond: { body: [] } },
    ])
    expect(w.find('[data-test=project-name]').text()).toBe('千喜鹤食品项目')
    await w.find('[data-test=edit-project]').trigger('click')
    await settle()
    await w.find('input[data-test=pf-name]').setValue('千喜鹤中央厨房项目')
    await settle()
    await w.find('[data-test=save-project]').trigger('click')
    await settle(10)
    const patch = mock.calls.find((c) => c.method === 'PATCH')
    expect(JSON.parse(patch.body)).toEqual({ version: 1, name: '千喜鹤中央厨房项目' })
    const alert = w.find('[data-test=conflict-alert]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain('第 2 版')
    const changes = w.findAll('[data-test=conflict-change]').map((x) => x.text())
    expect(changes.some((c) => c.includes('计划投资') && c.includes('1.2亿元') && c.includes('1.5亿元'))).toBe(true)
    expect(changes.some((c) => c.includes('备注'))).toBe(true)
    // the user's own edit survives and the next save carries the new version
    expect(w.find('input[data-test=pf-name]').element.value).toBe('千喜鹤中央厨房项目')
    mock.calls.length = 0
    await w.find('[data-test=save-project]').trigger('click')
    await settle(10)
    const again = mock.calls.find((c) => c.method === 'PATCH')
    expect(JSON.parse(again.body)).toEqual({ version: 2, name: '千喜鹤中央厨房项目' })
  })

  it('shows the decision panel to the chain chief of the project chain only', async () => {
    const routes = [
      { match: ['GET', '/api/v1/projects/7'], respond: { body: v1 } },
      { match: ['GET', /\/projects\/7\/(activities|history)$/], respond: { body: [] } },
    ]
    let { w } = await mountDetail({ username: 'chief_food', roles: ['chain_chief'], chains: ['food'] }, routes)
    await w.findAll('.el-tabs__item').find((x) => x.text() === '落地决策').trigger('click')
    await settle()
    expect(w.find('[data-test=decision-panel]').exists()).toBe(true)
    expect(w.find('[data-test=stage-actions]').exists()).toBe(false)
    w.unmount()
    ;({ w } = await mountDetail({ username: 'chief_mining', roles: ['chain_chief'], chains: ['mining'] }, routes))
    expect(w.find('[data-test=decision-panel]').exists()).toBe(false)
  })
})
