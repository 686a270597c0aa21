import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { ApiError } from '../src/api/client'
import { useAuthStore } from '../src/stores/auth'
import { settle } from './helpers'

const board = vi.fn()
const transition = vi.fn()
const importProjects = vi.fn()
vi.mock('../src/api', async (orig) => {
  const real = await orig()
  return {
    ...real,
    projects: { ...real.projects, board: (...a) => board(...a), transition: (...a) => transition(...a) },
    imports: { ...real.imports, projects: (...a) => importProjects(...a) },
  }
})
const { default: BoardView } = await import('../src/views/BoardView.vue')
const { default: ImportWizard } = await import('../src/components/ImportWizard.vue')

const card = (id, stage, owner = 'recruiter1') => ({ id, name: `项目${id}`, investor: `企业${id}`, channel: 'self_sourced', chain: 'food', stage, owner,
  planned_investment_wan: 12000, days_in_stage: 9, stale: 'yellow' })

function setup(me) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useAuthStore().me = me
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/board', component: BoardView }, { path: '/projects/:id', component: { template: '<div/>' } }] })
  return { pinia, router }
}

beforeEach(() => {
  setLocale('zh-CN')
  document.body.innerHTML = ''
  board.mockReset(); transition.mockReset(); importProjects.mockReset()
})

describe('BoardView', () => {
  it('puts cards in stage columns with counts and days in stage', async () => {
    board.mockResolvedValue({ columns: [{ stage: 'lead', count: 2, items: [card(1, 'lead'), card(2, 'lead')] }, { stage: 'risk', count: 1, items: [card(3, 'risk')] }] })
    const { pinia, router } = setup({ username: 'recruiter1', roles: ['recruiter'] })
    router.push('/board'); await router.isReady()
    const w = mount(BoardView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(6)
    const cols = w.findAll('[data-test=board-column]')
    expect(cols.map((c) => c.attributes('data-stage'))).toEqual(['lead', 'identification', 'risk', 'decision', 'follow_up', 'dropped'])
    expect(cols[0].find('[data-test=column-count]').text()).toBe('2')
    expect(cols[0].findAll('[data-test=board-card]')).toHaveLength(2)
    expect(cols[0].text()).toContain('9 天')
    expect(cols[0].text()).toContain('1.2亿元')
    expect(cols[1].text()).toContain('暂无项目')
  })

  it('a dropped card runs the transition and shows the server refusal', async () => {
    board.mockResolvedValue({ columns: [{ stage: 'lead', count: 1, items: [card(1, 'lead')] }] })
    transition.mockRejectedValue(new ApiError(422, { error: { code: 'ERULE', message: '不能跳过阶段：“洽谈对接”之后应为“项目识别”' } }))
    const { pinia, router } = setup({ username: 'recruiter1', roles: ['recruiter'] })
    router.push('/board'); await router.isReady()
    const w = mount(BoardView, { global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
    await settle(6)
    const data = { setData: vi.fn(), effectAllowed: '' }
    await w.find('[data-test=board-card]').trigger('dragstart', { dataTransfer: data })
    await w.find('[data-stage=risk]').trigger('drop')
    await settle(10)
    expect(transition).toHaveBeenCalledWith(1, { to: 'risk' })
    expect(document.body.textContent).toContain('不能跳过阶段')
    expect(board).toHaveBeenCalledTimes(1) // refused: nothing to reload
  })

  it('lets no one but the owner move a recruiter card', async () => {
    board.mockResolvedValue({ columns: [{ stage: 'lead', count: 1, items: [card(1, 'lead', 'recruiter2')] }] })
    const { pinia, router } = setup({ username: 'recruiter1', roles: ['recruiter'] })
    router.push('/board'); await router.isReady()
    const w = mount(BoardView, { global: { plugins: [pinia, router, i18n] } })
    await settle(6)
    expect(w.find('[data-test=board-card]').attributes('draggable')).toBe('false')
    expect(w.find('[data-test=card-move]').exists()).toBe(false)
  })
})

describe('ImportWizard', () => {
  async function chooseFile(w) {
    const input = w.find('input[type=file]')
    const file = new File(['项目名称,投资主体\nA,B\n'], 'projects.csv', { type: 'text/csv' })
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await settle()
    return file
  }
  function mountWizard() {
    const pinia = createPinia()
    setActivePinia(pinia)
    return mount(ImportWizard, { props: { modelValue: true }, global: { plugins: [pinia, i18n] }, attachTo: document.body })
  }

  it('previews the row errors of a dry run and will not import', async () => {
    importProjects.mockRejectedValue(new ApiError(422, { created: 0, updated: 0, errors: [{ row: 3, column: '招商渠道', message: '未知的招商渠道“不存在”' }] }))
    const w = mountWizard()
    await settle()
    const file = await chooseFile(w)
    document.querySelector('[data-test=import-check]').click()
    await settle(8)
    expect(importProjects).toHaveBeenCalledWith(file, expect.objectContaining({ dryRun: true }))
    const preview = document.querySelector('[data-test=import-preview]')
    expect(preview.textContent).toContain('1 处错误')
    expect(preview.textContent).toContain('未知的招商渠道')
    expect(document.querySelector('[data-test=import-confirm]').disabled).toBe(true)
    w.unmount()
  })

  it('imports after a clean dry run', async () => {
    importProjects.mockResolvedValueOnce({ created: 2, updated: 1, errors: [] }).mockResolvedValueOnce({ created: 2, updated: 1, errors: [] })
    const w = mountWizard()
    await settle()
    await chooseFile(w)
    document.querySelector('[data-test=import-check]').click()
    await settle(8)
    expect(document.querySelector('[data-test=import-preview]').textContent).toContain('将新建 2 个项目，更新 1 个项目')
    document.querySelector('[data-test=import-confirm]').click()
    await settle(8)
    expect(importProjects).toHaveBeenCalledTimes(2)
    expect(importProjects.mock.calls[1][1].dryRun).toBeFalsy()
    expect(document.querySelector('[data-test=import-done]').textContent).toContain('新建 2 个项目')
    expect(w.emitted('imported')[0][0]).toEqual({ created: 2, updated: 1 })
    w.unmount()
  })
})
