import { describe, it, expect, beforeEach } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { useAuthStore } from '../src/stores/auth'
import UsersView from '../src/views/admin/UsersView.vue'
import { mockFetch, settle } from './helpers'

// The administrators' user page: an account locked by failed log-ins is marked, and 解除锁定
// clears it on the server (issue 12).
beforeEach(() => {
  setLocale('zh-CN')
  document.body.innerHTML = ''
  document.cookie = 'chaincrm_csrf=C9; path=/'
})

describe('UsersView', () => {
  it('marks a locked user and unlocks them with the CSRF token', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const auth = useAuthStore()
    auth.session = true
    auth.me = { username: 'admin', roles: ['admin'], chains: [] }
    const mock = mockFetch([
      { match: ['GET', '/api/v1/users'], respond: { body: { items: [
        { id: 4, username: 'recruiter1', display_name: '招商专员一', email: 'r1@x', roles: ['recruiter'], chains: [], login_locked: true },
        { id: 5, username: 'viewer', display_name: '统计督查', email: 'v@x', roles: ['viewer'], chains: [], login_locked: false },
      ], total: 2 } } },
      { match: ['POST', '/api/v1/users/4/unlock'], respond: { status: 204 } },
    ])
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
    router.push('/admin/users')
    await router.isReady()
    const w = mount(UsersView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(10)
    expect(w.findAll('[data-test=user-locked]').length).toBe(1)
    expect(w.find('[data-test=user-locked]').text()).toBe('登录已锁定')
    expect(w.findAll('[data-test=unlock-user]').length).toBe(1) // offered for the locked user only
    await w.find('[data-test=unlock-user]').trigger('click')
    await settle(10)
    const call = mock.calls.find((c) => c.method === 'POST')
    expect(call.url).toBe('/api/v1/users/4/unlock')
    expect(call.headers['X-CSRF-Token']).toBe('C9')
    expect(w.findAll('[data-test=user-locked]').length).toBe(0)
    expect(w.findAll('[data-test=unlock-user]').length).toBe(0)
  })
})
