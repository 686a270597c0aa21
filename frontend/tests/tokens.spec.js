import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { ElMessageBox } from 'element-plus'
import { i18n, setLocale } from '../src/i18n'
import { useAuthStore } from '../src/stores/auth'
import TokenPanel from '../src/components/TokenPanel.vue'
import TokensView from '../src/views/admin/TokensView.vue'
import { mockFetch, errorBody, settle } from './helpers'

const SECRET = 'ccrm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg'
const tok = (over = {}) => ({
  id: 3, name: '省平台对接', hint: 'ccrm_AbCd…', read_only: true, expires_on: '2023-12-31', created_at: '2023-01-16T02:00:00Z',
  last_used_at: null, revoked_at: null, status: 'active', user: { id: 6, username: 'recruiter1', display_name: '招商专员（一组）' }, ...over,
})

async function mountWith(component, routes) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.token = 'T'
  auth.me = { username: 'admin', roles: ['admin'], chains: [] }
  const mock = mockFetch(routes)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  await router.push('/settings')
  const w = mount(component, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await settle(8)
  return { w, mock }
}

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
})

describe('TokenPanel (个人设置 → 集成令牌)', () => {
  it('makes a token, shows its secret once with a copy button, and lists it without the secret', async () => {
    let list = []
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('isSecureContext', true)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const { w, mock } = await mountWith(TokenPanel, [
      { match: ['GET', '/api/v1/tokens'], respond: () => ({ body: { items: list, total: list.length } }) },
      { match: ['POST', '/api/v1/tokens'], respond: ({ init }) => { list = [tok()]; return { status: 201, body: { ...tok(), ...JSON.parse(init.body), token: SECRET } } } },
    ])
    expect(w.text()).toContain('您还没有创建集成令牌')
    await w.find('[data-test=token-create]').trigger('submit')
    await settle()
    expect(mock.calls.filter((c) => c.method === 'POST')).toHaveLength(0) // name and date are required first
    await w.find('input[data-test=token-name]').setValue('省平台对接')
    w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2023-12-31')
    await w.find('[data-test=token-form]').trigger('submit')
    await settle(10)
    const post = mock.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(post.body)).toEqual({ name: '省平台对接', expires_on: '2023-12-31', read_only: true })
    expect(w.find('[data-test=token-secret]').text()).toBe(SECRET)
    await w.find('[data-test=token-copy]').trigger('click')
    await settle()
    expect(writeText).toHaveBeenCalledWith(SECRET)
    expect(w.find('[data-test=token-table]').text()).toContain('省平台对接')
    expect(w.find('[data-test=token-table]').text()).not.toContain(SECRET)
    expect(w.find('[data-test=token-status]').text()).toBe('有效')
    // closing the note drops the secret for good
    await w.find('[data-test=token-created] .el-alert__close-btn').trigger('click')
    await settle()
    expect(w.html()).not.toContain(SECRET)
    vi.unstubAllGlobals()
  })

  it('shows the server\'s field error on a past expiry', async () => {
    const { w } = await mountWith(TokenPanel, [
      { match: ['GET', '/api/v1/tokens'], respond: { body: { items: [], total: 0 } } },
      { match: ['POST', '/api/v1/tokens'], respond: { status: 400, body: errorBody('invalid', '输入有误', { expires_on: '有效期不能早于今天 (must be today or later)' }) } },
    ])
    await w.find('input[data-test=token-name]').setValue('x')
    w.findComponent({ name: 'ElDatePicker' }).vm.$emit('update:modelValue', '2020-01-01')
    await w.find('[data-test=token-form]').trigger('submit')
    await settle(10)
    expect(w.vm.$.setupState.errors.expires_on).toContain('有效期不能早于今天')
    expect(w.find('[data-test=token-secret]').exists()).toBe(false)
  })
})

describe('TokensView (系统管理 → 集成令牌)', () => {
  it('lists the zone\'s tokens with their owners and revokes one', async () => {
    vi.spyOn(ElMessageBox, 'confirm').mockResolvedValue('confirm')
    let revoked = false
    const { w, mock } = await mountWith(TokensView, [
      { match: ['GET', '/api/v1/tokens/all'], respond: () => ({ body: { items: [tok({ status: revoked ? 'revoked' : 'active' }), tok({ id: 4, name: '统计局', status: 'expired', read_only: false })], total: 2 } }) },
      { match: ['DELETE', '/api/v1/tokens/3'], respond: () => { revoked = true; return { status: 204 } } },
    ])
    const table = w.find('[data-test=token-table]').text()
    expect(table).toContain('招商专员（一组）')
    expect(table).toContain('已过期')
    expect(table).toContain('读写')
    await w.find('[data-test=token-revoke-3]').trigger('click')
    await settle(10)
    expect(mock.calls.some((c) => c.method === 'DELETE' && c.url.endsWith('/api/v1/tokens/3'))).toBe(true)
    expect(w.find('[data-test=token-table]').text()).toContain('已撤销')
    expect(w.find('[data-test=token-revoke-3]').exists()).toBe(false)
  })
})
