// 企业诉求 raised with no signal (issues 15 + 20): the form keeps the request in the offline
// outbox instead of losing it, whether the phone knows it is offline or the signal drops
// while sending; with a signal it posts as usual and queues nothing.
import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, setLocale } from '../src/i18n'
import RequestForm from '../src/components/RequestForm.vue'
import { mockFetch, settle } from './helpers'

const state = vi.hoisted(() => ({ offline: { online: true }, queue: null }))
vi.mock('../src/offline', async (orig) => {
  const real = await orig()
  const { reactive } = await import('vue')
    state.queue = vi.fn(async () => {})
  return { ...real, offline: state.offline, queue: state.queue }
})

async function mountForm(routes) {
  setActivePinia(createPinia())
  const mock = mockFetch([{ match: ['GET', '/api/v1/departments'], respond: { body: [{ code: 'power', name: '供电公司' }] } }, ...routes])
  const w = mount(RequestForm, { props: { modelValue: true, projectId: 7 }, global: { plugins: [i18n] }, attachTo: document.body })
  await settle(6)
  Object.assign(w.vm.$.setupState.form, { category: 'energy', title: '临时用电接入', detail: '施工用电', department: 'power' })
  return { w, mock }
}

beforeEach(() => {
  setLocale('zh-CN')
  document.body.innerHTML = ''
  state.queue.mockClear()
})

describe('RequestForm offline', () => {
  it('queues the request when the phone is offline and posts nothing', async () => {
    state.offline.online = false
    const { w, mock } = await mountForm([])
    await w.vm.$.setupState.save()
    await settle()
    expect(mock.calls.some((c) => c.method === 'POST')).toBe(false)
    expect(state.queue).toHaveBeenCalledTimes(1)
    expect(state.queue.mock.calls[0][0]).toMatchObject({ kind: 'request', project_id: 7, label: '临时用电接入',
      body: { category: 'energy', title: '临时用电接入', department: 'power' } })
    expect(w.emitted('saved')[0][0]).toEqual({ queued: true })
  })
  it('queues the request when the signal drops while sending', async () => {
    state.offline.online = true
    const { w, mock } = await mountForm([{ match: ['POST', '/api/v1/projects/7/requests'], respond: new TypeError('Failed to fetch') }])
    await w.vm.$.setupState.save()
    await settle()
    expect(mock.calls.filter((c) => c.method === 'POST')).toHaveLength(1)
    expect(state.queue).toHaveBeenCalledTimes(1)
  })
  it('posts with a signal and queues nothing; a refusal stays on the form', async () => {
    state.offline.online = true
    const { w } = await mountForm([{ match: ['POST', '/api/v1/projects/7/requests'], respond: { status: 201, body: { id: 12, status: 'open' } } }])
    await w.vm.$.setupState.save()
    await settle()
    expect(state.queue).not.toHaveBeenCalled()
    expect(w.emitted('saved')[0][0]).toMatchObject({ id: 12 })
    const r = await mountForm([{ match: ['POST', '/api/v1/projects/7/requests'], respond: { status: 400, body: { error: { code: 'EINVALID', message: '标题不能为空', fields: { title: '标题不能为空' } } } } }])
    await r.w.vm.$.setupState.save()
    await settle()
    expect(state.queue).not.toHaveBeenCalled()
    expect(r.w.vm.$.setupState.errors.title).toBe('标题不能为空')
  })
})
