// Oversight: 督办, 到资, the audit log, 个人设置, the review badge, the report's figures and targets.
import { test, expect, fill, pickOption, toast, shot, stamp as makeStamp } from './fixtures.js'

const stamp = makeStamp()

// A signed demo project of owner's (never one another spec made: those change under it).
async function firstSigned(api, owner, skip = []) {
  const r = await api('director', 'GET', `/projects?owner=${owner}&stage=follow_up&page_size=100`)
  expect(r.status === 200, `GET /projects HTTP ${r.status}`).toBeTruthy()
  const p = (r.json.items || []).find((x) => x.signed_at && !skip.includes(x.id) && !x.name.startsWith('E2E'))
  expect(p, `no signed project of ${owner} in the demo`).toBeTruthy()
  return p
}
const supText = `请于本月底前完成土地摘牌前置手续并报送进展（E2E-${stamp}）`

test('oversight: the director issues a 督办, recruiter1 answers it, the director closes it', async ({ as, api, axe }) => {
  let page
  const p = await firstSigned(api, 'recruiter1', [3])
  page = await as('director')
  await page.goto(`/projects/${p.id}?tab=supervision`)
  await page.locator('[data-test=supervision-panel]').waitFor({ timeout: 20_000 })
  await page.click('[data-test=issue-supervision]')
  await page.locator('[data-test=issue-dialog] textarea').waitFor()
  await axe(page, 'issue dialog')
  await fill(page, 'issue-instruction', supText)
  await page.click('[data-test=issue-submit]')
  await toast(page, '督办已发出')
  const card = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
  await card.waitFor()
  expect((await card.locator('[data-test=supervision-status]').textContent()).trim() === '办理中', 'new supervision is not 办理中').toBeTruthy()
  await shot(page, 'project-supervision')
  await axe(page, 'project-supervision')

  page = await as('recruiter1')
  await page.goto('/')
  const badge = page.locator('[data-test=badge-supervisions]')
  await badge.waitFor({ timeout: 15_000 })
  expect(Number(await badge.textContent()) >= 1, `supervision badge: ${await badge.textContent()}`).toBeTruthy()
  await page.goto('/supervisions')
  await page.locator('[data-test=page-supervisions]').waitFor()
  const mine = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
  await mine.waitFor({ timeout: 15_000 })
  expect(!(await mine.locator('[data-test=supervision-close-btn]').count()), 'the owner is offered 办结').toBeTruthy()
  await mine.locator('[data-test=supervision-answer-btn]').click()
  await fill(page, 'answer-input', '已与自然资源局对接，土地摘牌材料已报送，预计下周完成。')
  await page.click('[data-test=answer-submit]')
  await toast(page, '答复已提交')
  await page.waitForFunction((s) => [...document.querySelectorAll('[data-test=supervision]')].some((c) => c.textContent.includes(s) && c.getAttribute('data-status') === 'answered'), `E2E-${stamp}`)
  await shot(page, 'supervisions')
  await axe(page, 'supervisions')

  page = await as('director')
  await page.goto('/supervisions?tab=issued&status=answered')
  const issued = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
  await issued.waitFor({ timeout: 15_000 })
  expect((await issued.locator('[data-test=supervision-answer]').textContent()).includes('土地摘牌材料已报送'), 'answer not shown to the issuer').toBeTruthy()
  await issued.locator('[data-test=supervision-close-btn]').click()
  await page.locator('.el-message-box .el-button--primary').click()
  await toast(page, '督办已办结')
  const r = await api('director', 'GET', `/projects/${p.id}/supervisions`)
  const s = (r.json.items || []).find((x) => x.instruction === supText)
  expect(s && s.status === 'closed' && s.answer, `server state after close: ${JSON.stringify(s)}`).toBeTruthy()
})

test('oversight: the owner records 到资 on a signed project and the totals follow', async ({ as, api, axe }) => {
  let page
  const p = await firstSigned(api, 'recruiter1')
  const before = await api('recruiter1', 'GET', `/projects/${p.id}/investments`)
  expect(before.status === 200, `GET investments HTTP ${before.status}`).toBeTruthy()
  page = await as('recruiter1')
  await page.goto(`/projects/${p.id}?tab=investment`)
  await page.locator('[data-test=investment-form]').waitFor({ timeout: 20_000 })
  await fill(page, 'inv-amount', '1200')
  await fill(page, 'inv-notes', `首期注册资本金到位（E2E-${stamp}）`)
  await page.click('[data-test=inv-submit]')
  await toast(page, '到资已登记')
  await page.locator('[data-test=investment-table]', { hasText: `E2E-${stamp}` }).waitFor()
  const after = await api('recruiter1', 'GET', `/projects/${p.id}/investments`)
  const gained = Number(after.json.realised_investment_wan) - Number(before.json.realised_investment_wan)
  expect(gained === 1200, `realised grew by ${gained}, not 1200`).toBeTruthy()
  const shown = await page.locator('[data-test=inv-realised]').textContent()
  expect(shown.replace(/,/g, '').includes(String(Number(after.json.realised_investment_wan) >= 10000 ? '' : after.json.realised_investment_wan)), `realised shown as ${shown}`).toBeTruthy()
  await shot(page, 'project-investment')
  await axe(page, 'project-investment')
  // a viewer sees the list but no form
  page = await as('viewer')
  await page.goto(`/projects/${p.id}?tab=investment`)
  await page.locator('[data-test=investment-panel]').waitFor({ timeout: 20_000 })
  expect(!(await page.locator('[data-test=investment-form]').count()), 'viewer is offered 登记到资').toBeTruthy()
  // the dashboard's announced-vs-realised card
  page = await as('director')
  const year = Number(String(p.signed_at).slice(0, 4))
  await page.goto(`/?year=${year}`)
  await page.locator('[data-test=investment-summary] [data-test=sum-realised]').waitFor({ timeout: 20_000 })
  const sum = await api('director', 'GET', `/investments/summary?year=${year}`)
  const cardText = await page.locator('[data-test=investment-summary]').textContent()
  expect(cardText.includes(`签约项目 ${sum.json.signed.projects} 个`), `summary card: ${cardText.slice(0, 120)}`).toBeTruthy()
  expect(Number(sum.json.signed.realised_investment_wan) >= 1200, `summary realised ${sum.json.signed.realised_investment_wan}`).toBeTruthy()
})

test('oversight: admin filters the audit log by action and user', async ({ as, api, request, axe }) => {
  await request.post('/api/v1/auth/login', { data: { username: 'viewer', password: 'wrong-password' } })
  const page = await as('admin')
  await page.goto('/admin/audit')
  await page.locator('[data-test=audit-table]').waitFor({ timeout: 20_000 })
  await shot(page, 'audit-log')
  await axe(page, 'audit-log')
  await pickOption(page, 'audit-action', '登录失败')
  await page.waitForFunction(() => {
    const tags = [...document.querySelectorAll('[data-test=audit-table] [data-test=audit-action-label]')]
    return tags.length > 0 && tags.every((t) => t.textContent.trim() === '登录失败')
  }, null, { timeout: 15_000 })
  expect(/action=login_failed/.test(page.url()), `filter not in the address: ${page.url()}`).toBeTruthy()
  await page.locator('[data-test=audit-action] .el-select__wrapper, [data-test=audit-action]').first().hover()
  await page.locator('[data-test=audit-action] .el-select__clear').click()
  await pickOption(page, 'audit-actor', '（director）')
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__body tr')]
    return rows.length > 0 && rows.every((r) => r.children[1] && r.children[1].textContent.trim() === 'director')
  }, null, { timeout: 15_000 })
  const srv = await api('admin', 'GET', '/audit?actor=director&page_size=1')
  await page.waitForFunction((n) => (document.querySelector('[data-test=audit-total]')?.textContent || '').includes(String(n)), srv.json.total - 0, { timeout: 5000 })
    .catch(async () => { throw new Error(`total shown ${await page.locator('[data-test=audit-total]').textContent()} vs API ${srv.json.total}`) })
})

test('oversight: the weekly digest opt-out is saved and survives a reload', async ({ as, api, axe }) => {
  const page = await as('recruiter2')
  await page.goto('/')
  await page.click('[data-test=user-menu]')
  await page.locator('[data-test=user-settings]:visible').click()
  await page.waitForURL(/\/settings$/)
  const sw = page.locator('[data-test=digest-switch]')
  await sw.waitFor()
  expect(await sw.evaluate((el) => el.classList.contains('is-checked')), 'digest switch not on for a fresh user').toBeTruthy()
  await sw.click()
  await toast(page, '已关闭每周简报')
  await page.reload()
  await page.locator('[data-test=digest-switch]').waitFor()
  expect(!(await page.locator('[data-test=digest-switch]').evaluate((el) => el.classList.contains('is-checked'))), 'opt-out lost after reload').toBeTruthy()
  const me = await api('recruiter2', 'GET', '/me')
  expect(me.json.digest_opt_out === true, `GET /me digest_opt_out = ${me.json.digest_opt_out}`).toBeTruthy()
  expect(await page.locator('[data-test=password-form]').count(), 'no password form on the settings page').toBeTruthy()
  await shot(page, 'settings')
  await axe(page, 'settings')
  await page.locator('[data-test=digest-switch]').click()
  await toast(page, '已开启每周简报')
  const back = await api('recruiter2', 'GET', '/me')
  expect(back.json.digest_opt_out === false, 'switching the digest back on did not save').toBeTruthy()
})

test('oversight: the review badge counts the whole queue, not one page', async ({ as, api }) => {
  // Another spec may move a project into or out of 落地决策 meanwhile: compare the page with the
  // server's total read just before and just after it, until the queue held still.
  const page = await as('director')
  const badge = page.locator('[data-test=badge-review]')
  const total = async () => {
    const q = await api('director', 'GET', '/review-queue?page_size=1')
    expect(q.status === 200 && typeof q.json.total === 'number', `review-queue: HTTP ${q.status}`).toBeTruthy()
    return q.json.total
  }
  await expect.poll(async () => {
    const before = await total()
    await page.goto('/')
    await page.locator('[data-test=nav]').waitFor()
    await page.waitForLoadState('networkidle').catch(() => {})
    if (before > 0) await badge.waitFor({ timeout: 15_000 }).catch(() => {})
    const shown = (await badge.count()) ? (await badge.textContent()).trim() : ''
    if (await total() !== before) return 'the queue changed while reading'
    const want = before === 0 ? '' : before > 99 ? '99+' : String(before)
    return shown === want ? 'badge = total' : `badge "${shown}" vs total ${before}`
  }, { timeout: 90_000, intervals: [1000] }).toBe('badge = total')
  await expect.poll(async () => {
    const before = await total()
    await page.goto('/review')
    await page.locator('[data-test=review-total]').waitFor({ timeout: 15_000 })
    const shown = Number(await page.locator('[data-test=review-total]').textContent())
    if (await total() !== before) return 'the queue changed while reading'
    return shown === before ? 'page count = total' : `review page count ${shown} vs total ${before}`
  }, { timeout: 90_000, intervals: [1000] }).toBe('page count = total')
})

test('oversight: the 2022 report lists every figure and none reads [object Object]', async ({ as, api }) => {
  const page = await as('director')
  await page.goto('/reports?year=2022')
  await page.locator('[data-test=report-text]').waitFor({ timeout: 20_000 })
  await page.locator('.raw .el-collapse-item__header').click()
  const table = page.locator('[data-test=report-figures]')
  await table.waitFor()
  const text = await table.textContent()
  expect(!text.includes('[object Object]'), 'a figure shows as [object Object]').toBeTruthy()
  for (const k of ['overview.docked_total', 'overview.channel_results', 'signed_projects.projects', 'overview.stage_days']) expect(text, `figure ${k}`).toContain(k)
})

test('oversight: the targets page offers exactly the server metrics and saves an edit', async ({ as, api }) => {
  const year = new Date().getFullYear()
  const srv = await api('director', 'GET', `/targets?year=${year}`)
  expect(srv.status === 200 && Array.isArray(srv.json.metrics), `GET /targets HTTP ${srv.status}`).toBeTruthy()
  const page = await as('director')
  await page.goto('/admin/targets')
  await page.locator('[data-test=page-admin-targets]').waitFor()
  await page.waitForFunction(() => !document.querySelector('[data-test=state-loading]'))
  await page.click('[data-test=new-target]')
  await page.locator('[data-test=target-metric]').click()
  const opts = page.locator('.el-select-dropdown__item:visible')
  await opts.first().waitFor()
  expect((await opts.count()) === srv.json.metrics.length, `${await opts.count()} metrics offered, server has ${srv.json.metrics.length}`).toBeTruthy()
  const free = srv.json.metrics.find((m) => !(srv.json.items || []).some((x) => x.metric === m.code))
  expect(free, 'every metric already has a target this year').toBeTruthy()
  await opts.filter({ hasText: free.label }).first().click()
  await fill(page, 'target-value', '7')
  await page.click('[data-test=target-save]')
  await toast(page, '目标已保存')
  const row = page.locator('[data-test=targets-table] .el-table__body tr', { hasText: free.label }).first()
  await row.waitFor()
  await row.locator('[data-test=edit-target]').click()
  await fill(page, 'target-value', '9')
  await page.click('[data-test=target-save]')
  await toast(page, '目标已保存')
  const after = await api('director', 'GET', `/targets?year=${year}`)
  const saved = after.json.items.find((x) => x.metric === free.code)
  expect(saved && saved.target === 9, `target after edit: ${JSON.stringify(saved)}`).toBeTruthy()
})
