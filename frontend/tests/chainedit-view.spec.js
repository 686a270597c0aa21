import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { useAuthStore } from '../src/stores/auth'
import ChainsView from '../src/views/admin/ChainsView.vue'
import NodeDialog from '../src/components/chainedit/NodeDialog.vue'
import { mockFetch, errorBody, settle } from './helpers'

// el-form-item shows its error after a 100 ms debounce
const errorsShown = async () => { await new Promise((r) => setTimeout(r, 150)); await settle() }

// Confirmations answer "yes" at once.
vi.mock('element-plus', async (orig) => ({ ...(await orig()), ElMessageBox: { confirm: vi.fn(() => Promise.resolve('confirm')) } }))

const N = (id, name, segment, parent_id = null, sort_order = 0, extra = {}) => ({
  id, name, segment, parent_id, sort_order, status: 'missing', enterprises: [], targets: [], projects: [], ...extra,
})
const foodMap = {
  chain: { code: 'food', name: '现代食品' },
  nodes: [N(1, '种植养殖', 'upstream', null, 1), N(2, '饲料加工', 'upstream', 1, 1), N(3, '屠宰与肉类加工', 'midstream', null, 1, { status: 'weak' }), N(4, '冷鲜肉分割', 'midstream', 3, 1)],
  summary: { chain_masters: [{ id: 50, name: '涞源县桃木疙瘩食品有限公司' }], recommendations: [] },
}
const chains = [{ code: 'food', name: '现代食品', node_count: 4 }, { code: 'mining', name: '矿业', node_count: 9 }]
const refusal = '环节“屠宰与肉类加工”不能删除：仍有下级环节 1 个（冷鲜肉分割）；关联企业 1 家（涞源县桃木疙瘩食品有限公司）。请先移走下级环节、解除关联后再删除(node still has children or links)'

function routesFor(extra = []) {
  return [
    ...extra,
    { match: ['GET', '/api/v1/chains'], respond: { body: chains } },
    { match: ['GET', '/api/v1/chains/food/map'], respond: { body: foodMap } },
    { match: ['GET', '/api/v1/chains/food/history'], respond: { body: { items: [{ id: 1, at: '2023-01-16T02:00:00Z', actor: 'chief_food', action: 'master_added', object_name: '涞源县桃木疙瘩食品有限公司' }], total: 1, page: 1, page_size: 20 } } },
    { match: ['GET', '/api/v1/enterprises'], respond: { body: { items: [], total: 0 } } },
    { match: ['GET', '/api/v1/projects'], respond: { body: { items: [], total: 0 } } },
  ]
}

async function mountEditor(me, routes, path = '/admin/chains') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.session = true
  auth.me = me
  const mock = mockFetch(routes)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/admin/chains/:code?', name: 'admin-chains', component: ChainsView },
      { path: '/map/:code?', name: 'map', component: { template: '<div>map</div>' } },
      { path: '/projects/:id', component: { template: '<div>p</div>' } },
    ],
  })
  router.push(path)
  await router.isReady()
  const w = mount(ChainsView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await settle(12)
  return { w, mock, router }
}

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
})

describe('ChainsView (chain editor)', () => {
  const chief = { username: 'chief_food', roles: ['chain_chief'], chains: ['food'] }

  it('offers a chief only their own chain, with the tree by segment and the history in words', async () => {
    const { w, router } = await mountEditor(chief, routesFor())
    expect(w.find('[data-test=editor-chain-food]').exists()).toBe(true)
    expect(w.find('[data-test=editor-chain-mining]').exists()).toBe(false)
    expect(router.currentRoute.value.params.code).toBe('food')
    const up = w.find('[data-test=segment-upstream]').findAll('.tree-row').map((r) => r.attributes('data-name'))
    expect(up).toEqual(['种植养殖', '饲料加工'])
    expect(w.find('[data-test=segment-midstream]').text()).toContain('冷鲜肉分割')
    expect(w.find('[data-test=segment-downstream]').text()).toContain('该链段暂无环节')
    expect(w.find('[data-test=chain-masters]').text()).toContain('涞源县桃木疙瘩食品有限公司')
    expect(w.find('[data-test=history-line]').text()).toBe('将“涞源县桃木疙瘩食品有限公司”设为链主')
    expect(w.text()).not.toContain('系统初始化')
  })

  it('shows a chain outside the chief\'s scope as not theirs, without a tree', async () => {
    const { w, mock } = await mountEditor(chief, routesFor(), '/admin/chains/mining')
    expect(w.find('[data-test=chain-out-of-scope]').exists()).toBe(true)
    expect(w.find('[data-test=node-tree]').exists()).toBe(false)
    expect(mock.calls.some((c) => c.url.includes('/chains/mining/'))).toBe(false)
  })

  it('shows a refused delete with the server\'s message as written, and reloads after a delete', async () => {
    let deletes = 0
    const { w, mock } = await mountEditor({ username: 'admin', roles: ['admin'], chains: [] }, routesFor([
      { match: ['DELETE', '/api/v1/chains/food/nodes/3'], respond: () => { deletes++; return { status: 422, body: errorBody('rule', refusal) } } },
      { match: ['DELETE', '/api/v1/chains/food/nodes/2'], respond: { status: 204 } },
    ]))
    expect(w.find('[data-test=editor-chain-mining]').exists()).toBe(true) // admin: every chain
    await w.find('[data-test=segment-midstream] .tree-row[data-name="屠宰与肉类加工"] [data-test=node-delete]').trigger('click')
    await settle(8)
    expect(deletes).toBe(1)
    expect(w.find('[data-test=delete-refusal]').text()).toContain(refusal)
    const maps = () => mock.calls.filter((c) => c.method === 'GET' && c.url.endsWith('/chains/food/map')).length
    const before = maps()
    await w.find('[data-test=segment-upstream] .tree-row[data-name="饲料加工"] [data-test=node-delete]').trigger('click')
    await settle(10)
    expect(mock.calls.some((c) => c.method === 'DELETE' && c.url.endsWith('/chains/food/nodes/2'))).toBe(true)
    expect(maps()).toBe(before + 1) // the map was read again
    expect(w.find('[data-test=delete-refusal]').exists()).toBe(false)
  })

  it('moves a node down by swapping sort orders with its neighbour', async () => {
    const map = { ...foodMap, nodes: [N(1, 'a', 'upstream', null, 1), N(2, 'b', 'upstream', null, 5)] }
    const { w, mock } = await mountEditor({ username: 'admin', roles: ['admin'], chains: [] }, [
      { match: ['GET', '/api/v1/chains/food/map'], respond: { body: map } },
      { match: ['PATCH', /\/chains\/food\/nodes\/\d+$/], respond: ({ init }) => ({ body: JSON.parse(init.body) }) },
      ...routesFor(),
    ])
    const rows = w.findAll('[data-test=segment-upstream] .tree-row')
    expect(rows[0].find('[data-test=node-up]').attributes('disabled')).toBeDefined()
    await rows[0].find('[data-test=node-down]').trigger('click')
    await settle(10)
    const patches = mock.calls.filter((c) => c.method === 'PATCH').map((c) => [c.url.split('/').pop(), JSON.parse(c.body)])
    expect(patches).toEqual([['1', { sort_order: 5 }], ['2', { sort_order: 1 }]])
  })
})

describe('NodeDialog', () => {
  const nodes = foodMap.nodes
  async function open(props, routes = []) {
    const mock = mockFetch(routes)
    const w = mount(NodeDialog, { props: { modelValue: true, code: 'food', nodes, ...props }, global: { plugins: [i18n] }, attachTo: document.body })
    await settle()
    return { w, mock }
  }

  it('does not offer the node itself or its descendants as a parent', async () => {
    const { w } = await open({ node: nodes[2] })
    const offered = w.vm.$.setupState.choices.map((c) => c.name)
    expect(offered).toEqual(['种植养殖', '饲料加工'])
  })

  it('sends only the changed fields and puts the server\'s field errors under the fields', async () => {
    const { mock } = await open({ node: nodes[3] }, [
      { match: ['PATCH', '/api/v1/chains/food/nodes/4'], respond: { status: 409, body: errorBody('conflict', '环节名称已被使用 (name taken)', { name: '本产业链已有同名环节' }) } },
    ])
    document.querySelector('input[data-test=node-name]').value = '饲料加工'
    document.querySelector('input[data-test=node-name]').dispatchEvent(new Event('input'))
    await settle()
    document.querySelector('[data-test=node-save]').click()
    await settle(8)
    const patch = mock.calls.find((c) => c.method === 'PATCH')
    expect(JSON.parse(patch.body)).toEqual({ name: '饲料加工' })
    await errorsShown()
    expect(document.body.textContent).toContain('本产业链已有同名环节')
    expect(document.querySelector('[data-test=node-refusal]').textContent).toContain('环节名称已被使用')
  })

  it('creates a node under a parent in the parent\'s segment', async () => {
    const { w, mock } = await open({ node: null, preset: { parent_id: 3 } }, [
      { match: ['POST', '/api/v1/chains/food/nodes'], respond: { status: 201, body: { id: 9, name: '分割包装', segment: 'midstream', parent_id: 3 } } },
    ])
    const name = document.querySelector('input[data-test=node-name]')
    name.value = ' 分割包装 '
    name.dispatchEvent(new Event('input'))
    await settle()
    document.querySelector('[data-test=node-save]').click()
    await settle(8)
    const post = mock.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(post.body)).toEqual({ name: '分割包装', segment: 'midstream', parent_id: 3, description: '' })
    expect(w.emitted('saved')[0][0]).toMatchObject({ id: 9 })
  })

  it('refuses an empty name before sending anything', async () => {
    const { mock } = await open({ node: null, preset: { segment: 'upstream' } })
    document.querySelector('[data-test=node-save]').click()
    await settle(4)
    expect(mock.calls.length).toBe(0)
    await errorsShown()
    expect(document.body.textContent).toContain('请填写环节名称')
  })
})
