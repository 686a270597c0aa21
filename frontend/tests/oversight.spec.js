import { describe, it, expect, beforeEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import zhCN from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import * as perm from '../src/utils/permissions'
import {
  AUDIT_ACTIONS, auditActionLabel, auditDetailText, dueState, flattenFigures, realisedShare, splitSupervisions, waitingFor,
} from '../src/utils/oversight'
import { useAuthStore } from '../src/stores/auth'
import SupervisionList from '../src/components/SupervisionList.vue'
import SupervisionsView from '../src/views/SupervisionsView.vue'
import SettingsView from '../src/views/SettingsView.vue'
import AuditView from '../src/views/admin/AuditView.vue'
import ReviewView from '../src/views/ReviewView.vue'
import TargetsView from '../src/views/admin/TargetsView.vue'
import InvestmentPanel from '../src/components/InvestmentPanel.vue'
import { mockFetch, errorBody, settle } from './helpers'

const u = (username, roles, chains = []) => ({ username, roles, chains })
const admin = u('admin', ['admin'])
const director = u('director', ['director'])
const chiefFood = u('chief_food', ['chain_chief'], ['food'])
const chiefMining = u('chief_mining', ['chain_chief'], ['mining'])
const rec1 = u('recruiter1', ['recruiter'])
const rec2 = u('recruiter2', ['recruiter'])
const viewer = u('viewer', ['viewer'])

const sup = (over = {}) => ({
  id: 1, project_id: 7, project_name: '千喜鹤中央厨房项目', instruction: '月底前完成土地摘牌', due: '2026-12-05', status: 'open',
  issuer: 'director', owner: 'recruiter1', answer: '', answered_at: null, closed_at: null, created_at: '2026-11-20T02:00:00Z', ...over,
})

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
})

async function mountWith(component, { me, routes, url = '/', props = {}, paths = [] }) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.session = true
  auth.me = me
  const mock = mockFetch(routes)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }, ...paths],
  })
  router.push(url)
  await router.isReady()
  const w = mount(component, { props, global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await settle(10)
  return { w, mock, router, auth }
}

describe('oversight helpers', () => {
  it('says how a deadline stands: left, today, overdue; nothing once answered or closed', () => {
    expect(dueState(sup({ due: '2026-12-05' }), '2026-12-01')).toEqual({ kind: 'left', days: 4 })
    expect(dueState(sup({ due: '2026-12-05' }), '2026-12-05')).toEqual({ kind: 'today', days: 0 })
    expect(dueState(sup({ due: '2026-12-05', status: 'overdue' }), '2026-12-08')).toEqual({ kind: 'overdue', days: 3 })
    expect(dueState(sup({ due: '2026-12-05', status: 'answered' }), '2026-12-08').kind).toBe('none')
    expect(dueState(sup({ due: '2026-12-05', status: 'closed' }), '2026-12-08').kind).toBe('none')
  })

  it('splits supervisions into mine and issued, and counts those waiting for my answer', () => {
    const items = [sup({ id: 1 }), sup({ id: 2, status: 'overdue' }), sup({ id: 3, status: 'answered' }), sup({ id: 4, owner: 'recruiter2' }),
      sup({ id: 5, issuer: 'chief_food', owner: 'recruiter1', status: 'closed' })]
    const s = splitSupervisions(items, 'recruiter1')
    expect(s.mine.map((x) => x.id)).toEqual([1, 2, 3, 5])
    expect(splitSupervisions(items, 'director').issued.map((x) => x.id)).toEqual([1, 2, 3, 4])
    expect(waitingFor(items, 'recruiter1')).toBe(2)
    expect(waitingFor(null, 'recruiter1')).toBe(0)
  })

  it('computes the realised share of the plan', () => {
    expect(realisedShare(20000, 1200)).toBe(6)
    expect(realisedShare(80500, 0)).toBe(0)
    expect(realisedShare(0, 100)).toBe(null)
    expect(realisedShare(3, 1)).toBe(33.3)
  })

  it('labels every audit action in Chinese and English', () => {
    for (const a of AUDIT_ACTIONS) {
      expect(zhCN.audit.actions[a], a).toMatch(/[\u4e00-\u9fff]/)
      expect(en.audit.actions[a], a).toMatch(/^[A-Z]/)
    }
    const { t, te } = i18n.global
    expect(auditActionLabel(t, te, 'login_failed')).toBe('登录失败')
    expect(auditActionLabel(t, te, 'something_new')).toBe('something_new')
    expect(auditDetailText('{"role":"viewer","zone":"laiyuan"}')).toBe('role: viewer；zone: laiyuan')
    expect(auditDetailText('not json')).toBe('not json')
  })

  it('flattens the report figures without a single [object Object]', () => {
    const figures = {
      year: 2022, zone: '河北涞源经济开发区', scope: 'zone', chains: null,
      overview: {
        docked_total: 87, by_channel: { entrusted: 26 },
        stage_days: { lead: { median_days: 12.5, samples: 40 } },
        channel_results: [{ kind: 'channel', key: 'entrusted', label: '委托招商', leads: 26, signed: 1, investment_wan: 38000 }],
        campaigns: { trip: 15, trip_cities: ['北京', '天津'], conference_cities: [] },
      },
      signed_projects: { count: 1, projects: [{ id: 3, name: '巽欣锂离子电池制造项目', chain: 'semiconductor', planned_investment_wan: 20000, signed_at: '2022-11-08' }] },
    }
    const rows = flattenFigures(figures)
    const text = JSON.stringify(rows)
    expect(text).not.toContain('[object Object]')
    for (const r of rows) expect(typeof r.value).toBe('string')
    const get = (k) => rows.find((r) => r.key === k)?.value
    expect(get('overview.docked_total')).toBe('87')
    expect(get('overview.stage_days.lead.median_days')).toBe('12.5')
    expect(get('overview.channel_results[委托招商].investment_wan')).toBe('38000')
    expect(get('overview.campaigns.trip_cities')).toBe('北京、天津')
    expect(get('overview.campaigns.conference_cities')).toBe('—')
    expect(get('signed_projects.projects[巽欣锂离子电池制造项目].signed_at')).toBe('2022-11-08')
    expect(get('chains')).toBe('—')
  })
})

describe('oversight permissions mirror the policy', () => {
  const food = { id: 7, chain: 'food', owner: 'recruiter1', stage: 'follow_up', signed_at: '2022-11-25' }
  it('who issues a 督办', () => {
    expect(perm.canIssueSupervision(director, food)).toBe(true)
    expect(perm.canIssueSupervision(chiefFood, food)).toBe(true)
    expect(perm.canIssueSupervision(chiefMining, food)).toBe(false)
    expect(perm.canIssueSupervision(admin, food)).toBe(false)
    expect(perm.canIssueSupervision(rec1, food)).toBe(false)
    expect(perm.canIssueSupervision(director, { ...food, stage: 'dropped' })).toBe(false)
  })
  it('who answers and who closes', () => {
    const s = sup()
    expect(perm.canAnswerSupervision(rec1, s)).toBe(true)
    expect(perm.canAnswerSupervision(rec2, s)).toBe(false)
    expect(perm.canAnswerSupervision(rec2, s, { owner: 'recruiter2' })).toBe(true) // the project changed hands
    expect(perm.canAnswerSupervision(rec1, { ...s, status: 'closed' })).toBe(false)
    expect(perm.canAnswerSupervision(viewer, { ...s, owner: 'viewer' })).toBe(false)
    expect(perm.canCloseSupervision(director, s)).toBe(true)
    expect(perm.canCloseSupervision(chiefFood, s)).toBe(false)
    expect(perm.canCloseSupervision(chiefFood, { ...s, issuer: 'chief_food' })).toBe(true)
    expect(perm.canCloseSupervision(director, { ...s, status: 'closed' })).toBe(false)
    expect(perm.canCloseSupervision(rec1, s)).toBe(false)
  })
  it('who records 到资, and who reads the audit log', () => {
    expect(perm.canRecordInvestment(rec1, food)).toBe(true)
    expect(perm.canRecordInvestment(director, food)).toBe(true)
    expect(perm.canRecordInvestment(rec2, food)).toBe(false)
    expect(perm.canRecordInvestment(chiefFood, food)).toBe(false)
    expect(perm.canRecordInvestment(viewer, food)).toBe(false)
    expect(perm.canRecordInvestment(rec1, { ...food, signed_at: null })).toBe(false)
    expect(perm.canReadAudit(admin)).toBe(true)
    expect(perm.canReadAudit(director)).toBe(false)
    expect(perm.canSeeSupervisions(viewer)).toBe(false)
    expect(perm.canSeeSupervisions(chiefFood)).toBe(true)
  })
})

describe('SupervisionList', () => {
  it('marks the overdue one and offers answer to the owner, close to the issuer', async () => {
    const items = [sup({ id: 1, status: 'overdue', due: '2020-01-01' }), sup({ id: 2, status: 'answered', answer: '已报送材料' })]
    let { w } = await mountWith(SupervisionList, { me: rec1, routes: [], props: { items } })
    const cards = w.findAll('[data-test=supervision]')
    expect(cards[0].classes()).toContain('overdue')
    expect(cards[0].find('[data-test=supervision-status]').text()).toBe('已逾期')
    expect(cards[0].find('[data-test=supervision-due]').text()).toMatch(/逾期 \d+ 天/)
    expect(cards[1].classes()).not.toContain('overdue')
    expect(cards[1].find('[data-test=supervision-answer]').text()).toContain('已报送材料')
    expect(w.findAll('[data-test=supervision-answer-btn]')).toHaveLength(2)
    expect(w.find('[data-test=supervision-close-btn]').exists()).toBe(false)
    w.unmount()
    ;({ w } = await mountWith(SupervisionList, { me: director, routes: [], props: { items } }))
    expect(w.findAll('[data-test=supervision-close-btn]')).toHaveLength(2)
    expect(w.find('[data-test=supervision-answer-btn]').exists()).toBe(false)
  })

  it('posts the answer and hands the updated supervision up', async () => {
    const answered = sup({ status: 'answered', answer: '已办理' })
    const { w, mock } = await mountWith(SupervisionList, {
      me: rec1, props: { items: [sup()] },
      routes: [{ match: ['POST', '/api/v1/supervisions/1/answer'], respond: { body: answered } }],
    })
    await w.find('[data-test=supervision-answer-btn]').trigger('click')
    await settle()
    const ta = document.querySelector('[data-test=answer-dialog] textarea, textarea[data-test=answer-input]')
    ta.value = '已办理'
    ta.dispatchEvent(new Event('input'))
    await settle()
    document.querySelector('[data-test=answer-submit]').click()
    await settle(8)
    const call = mock.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(call.body)).toEqual({ answer: '已办理' })
    expect(w.emitted('changed')[0][0]).toEqual(answered)
  })
})

describe('SupervisionsView', () => {
  it('gives the director tabs for issued and all, and filters by status on the server', async () => {
    const items = [sup({ id: 1 }), sup({ id: 2, issuer: 'chief_food' })]
    const { w, mock } = await mountWith(SupervisionsView, { me: director, url: '/supervisions', routes: [{ match: ['GET', '/api/v1/supervisions'], respond: { body: { items, total: 2 } } }] })
    expect(w.find('[data-test=supervision-tab-issued]').text()).toContain('1')
    expect(w.find('[data-test=supervision-tab-all]').text()).toContain('2')
    expect(w.findAll('[data-test=supervision]')).toHaveLength(1) // issued by the director
    w.vm.$.setupState.status = 'overdue'
    await settle(8)
    expect(mock.calls.at(-1).url).toContain('status=overdue')
  })

  it('shows the server error with a retry', async () => {
    const { w } = await mountWith(SupervisionsView, { me: rec1, url: '/supervisions', routes: [{ match: ['GET', '/api/v1/supervisions'], respond: { status: 500, body: errorBody('internal', '服务器出错') } }] })
    expect(w.find('[data-test=state-error]').text()).toContain('服务器出错')
  })
})

describe('SettingsView', () => {
  it('shows the digest as on unless opted out, and saves the opt-out', async () => {
    const me = { ...rec2, email: 'r2@example.cn', digest_opt_out: false }
    const { w, mock, auth } = await mountWith(SettingsView, {
      me, url: '/settings',
      routes: [{ match: ['PATCH', '/api/v1/me/settings'], respond: ({ init }) => ({ body: { ...me, ...JSON.parse(init.body) } }) }],
    })
    const sw = w.find('[data-test=digest-switch]')
    expect(sw.classes()).toContain('is-checked')
    await sw.trigger('click')
    await settle(8)
    expect(JSON.parse(mock.calls.find((c) => c.method === 'PATCH').body)).toEqual({ digest_opt_out: true })
    expect(auth.me.digest_opt_out).toBe(true)
    expect(w.find('[data-test=digest-switch]').classes()).not.toContain('is-checked')
    expect(w.find('[data-test=password-form]').exists()).toBe(true)
  })

  it('keeps the switch as it was when saving fails', async () => {
    const { w, auth } = await mountWith(SettingsView, {
      me: { ...rec2, digest_opt_out: true }, url: '/settings',
      routes: [{ match: ['PATCH', '/api/v1/me/settings'], respond: { status: 500, body: errorBody('internal', '服务器出错') } }],
    })
    await w.find('[data-test=digest-switch]').trigger('click')
    await settle(8)
    expect(auth.me.digest_opt_out).toBe(true)
    expect(w.find('[data-test=digest-switch]').classes()).not.toContain('is-checked')
  })

  it('changes the password from the settings page, mapping the server field errors', async () => {
    const { w, mock } = await mountWith(SettingsView, {
      me: rec2, url: '/settings',
      routes: [{ match: ['POST', '/api/v1/me/password'], respond: { status: 400, body: errorBody('invalid', '密码不符合要求', { new: '密码至少 8 个字符' }) } }],
    })
    await w.find('input[data-test=pw-current]').setValue('Demo@2023')
    await w.find('input[data-test=pw-next]').setValue('short')
    await w.find('input[data-test=pw-again]').setValue('short')
    await w.find('[data-test=password-form]').trigger('submit')
    await settle(8)
    expect(JSON.parse(mock.calls.find((c) => c.method === 'POST').body)).toEqual({ current: 'Demo@2023', new: 'short' })
    expect(w.vm.$.setupState.pwErrors.next).toBe('密码至少 8 个字符')
    expect(useAuthStore().loggedIn).toBe(true)
  })
})

describe('AuditView', () => {
  it('labels actions in Chinese, pages by the total and filters on the server', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: 200 - i, at: '2026-11-28T00:10:09Z', actor: i % 2 ? 'viewer' : 'admin', action: i % 2 ? 'login_failed' : 'login', object: 'zone:laiyuan', detail: '{}', ip: '127.0.0.1' }))
    const { w, mock } = await mountWith(AuditView, {
      me: admin, url: '/admin/audit',
      routes: [
        { match: ['GET', '/api/v1/audit'], respond: { body: { items, total: 163, page: 1, page_size: 50 } } },
        { match: ['GET', '/api/v1/users'], respond: { body: [{ username: 'director', display_name: '主任' }] } },
      ],
    })
    const labels = w.findAll('[data-test=audit-action-label]').map((x) => x.text())
    expect(labels).toContain('登录')
    expect(labels).toContain('登录失败')
    expect(w.find('[data-test=audit-total]').text()).toContain('163')
    expect(w.find('[data-test=audit-pager]').exists()).toBe(true)
    const first = mock.calls.find((c) => c.url.includes('/audit'))
    expect(first.url).toContain('page_size=50')
    w.vm.$.setupState.q.action = 'forbidden'
    w.vm.$.setupState.onFilter()
    await settle(8)
    expect(mock.calls.filter((c) => c.url.includes('/audit')).at(-1).url).toMatch(/action=forbidden/)
  })
})

describe('ReviewView', () => {
  it('counts the queue by its total, not by the 50 on the page', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `项目${i + 1}`, investor: 'x', chain: 'food', planned_investment_wan: 100, days_waiting: i, owner: 'recruiter1' }))
    const { w, mock } = await mountWith(ReviewView, {
      me: chiefFood, url: '/review',
      routes: [
        { match: ['GET', '/api/v1/review-queue'], respond: { body: { items, total: 73, page: 1, page_size: 50 } } },
        { match: ['GET', '/api/v1/projects/board'], respond: { body: { columns: [] } } },
      ],
    })
    expect(w.find('[data-test=review-total]').text()).toBe('73')
    expect(w.find('[data-test=review-pager]').exists()).toBe(true)
    expect(mock.calls.find((c) => c.url.includes('review-queue')).url).toContain('page_size=50')
  })

  it('splits a chain\'s pipeline by channel from the list totals, not from the capped board items', async () => {
    const totals = { entrusted: 120, business_referral: 7, self_sourced: 0, resource_plus: 64 }
    const items = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, name: `p${i}`, channel: 'entrusted', stage: 'lead' }))
    const { w } = await mountWith(ReviewView, {
      me: chiefFood, url: '/review',
      routes: [
        { match: ['GET', '/api/v1/review-queue'], respond: { body: { items: [], total: 0, page: 1, page_size: 50 } } },
        { match: ['GET', '/api/v1/projects/board'], respond: { body: { columns: [{ stage: 'lead', count: 191, items }] } } },
        { match: ['GET', '/api/v1/projects'], respond: ({ url }) => {
          const c = new URL(url, 'http://x').searchParams.get('channel')
          return { body: { items: [], total: totals[c], page: 1, page_size: 1 } }
        } },
      ],
    })
    await settle(8)
    const text = w.find('[data-test=review-chain-food]').text()
    expect(text).toContain('委托招商 120')
    expect(text).toContain('以商招商 7')
    expect(text).toContain('“资源+”招商 64')
    expect(text).toContain('191')
  })
})

describe('InvestmentPanel', () => {
  const project = { id: 3, chain: 'semiconductor', owner: 'recruiter1', stage: 'follow_up', signed_at: '2022-11-08' }
  const body = { items: [{ id: 1, project_id: 3, date: '2023-01-10', amount_wan: 800, notes: '首期', author: 'recruiter1' }], planned_investment_wan: 20000, realised_investment_wan: 800, signed_at: '2022-11-08', project_id: 3 }

  it('shows planned vs realised and lets the owner record an arrival', async () => {
    let posted = null
    const { w } = await mountWith(InvestmentPanel, {
      me: rec1, props: { project },
      routes: [
        { match: ['GET', '/api/v1/projects/3/investments'], respond: { body } },
        { match: ['POST', '/api/v1/projects/3/investments'], respond: ({ init }) => { posted = JSON.parse(init.body); return { status: 201, body: { id: 2 } } } },
      ],
    })
    expect(w.find('[data-test=inv-planned]').text()).toBe('2亿元')
    expect(w.find('[data-test=inv-realised]').text()).toBe('800万元')
    expect(w.find('[data-test=investment-table]').text()).toContain('首期')
    await w.find('[data-test=inv-amount] input').setValue('1200')
    await w.find('[data-test=inv-amount] input').trigger('change')
    await w.find('[data-test=investment-form]').trigger('submit')
    await settle(8)
    expect(posted).toMatchObject({ amount_wan: 1200, notes: '' })
    expect(posted.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(w.emitted('changed')).toHaveLength(1)
  })

  it('offers no form to someone who may not edit the project', async () => {
    const { w } = await mountWith(InvestmentPanel, { me: viewer, props: { project }, routes: [{ match: ['GET', '/api/v1/projects/3/investments'], respond: { body } }] })
    expect(w.find('[data-test=inv-realised]').exists()).toBe(true)
    expect(w.find('[data-test=investment-form]').exists()).toBe(false)
  })
})

describe('TargetsView', () => {
  it('offers the server metrics only, one target a metric a year, and saves an edit with PATCH', async () => {
    const year = new Date().getFullYear()
    const metrics = [{ code: 'signed_projects', label: '签约项目数', unit: '个' }, { code: 'trips_made', label: '外出招商次数', unit: '次' }]
    const items = [{ id: 5, year, metric: 'trips_made', target: 10, label: '外出招商不少于10次', notes: '', progress: 3, unit: '次' }]
    const { w, mock } = await mountWith(TargetsView, {
      me: director, url: '/admin/targets',
      routes: [
        { match: ['GET', '/api/v1/targets'], respond: { body: { year, items, metrics, total: 1 } } },
        { match: ['PATCH', '/api/v1/targets/5'], respond: { body: { ...items[0], target: 12 } } },
      ],
    })
    await w.find('[data-test=new-target]').trigger('click')
    await settle()
    const s = w.vm.$.setupState
    expect(s.form.metric).toBe('signed_projects') // the first metric still free this year
    expect([...s.taken]).toEqual(['trips_made'])
    await w.find('[data-test=edit-target]').trigger('click')
    await settle()
    s.form.target = 12
    await settle()
    document.querySelector('[data-test=target-save]').click()
    await settle(8)
    const patch = mock.calls.find((c) => c.method === 'PATCH')
    expect(JSON.parse(patch.body)).toEqual({ target: 12, label: '外出招商不少于10次', notes: '' })
  })
})
