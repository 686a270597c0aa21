// One project's life, in order: created by a recruiter, moved through the stages (with refusals),
// decided by the chief of its chain, signed, and a visit logged on it from a phone.
import { test, expect, fill, pickOption, toast, stageOf, shot, stamp, PHONE } from './fixtures.js'

test.describe.configure({ mode: 'serial' })

const projectName = `E2E测试碳化硅外延项目-${stamp()}`
let projectId = null

test('a recruiter creates a project (starts in 洽谈对接)', async ({ as }) => {
  const page = await as('recruiter1')
  await page.goto('/projects')
  await page.locator('[data-test=projects-table]').waitFor({ timeout: 20_000 })
  await shot(page, 'projects')
  await page.click('[data-test=new-project]')
  await page.locator('[data-test=create-dialog] [data-test=project-form]').waitFor()
  await fill(page, 'pf-name', projectName)
  await fill(page, 'pf-investor', '北京某半导体材料有限公司')
  await page.locator('[data-test=create-dialog] .el-dialog__title').click() // close the suggestions
  await pickOption(page, 'pf-chain', '第三代半导体')
  await fill(page, 'pf-investment', '5000')
  await fill(page, 'pf-land', '60')
  await page.click('[data-test=create-submit]')
  await page.waitForURL(/\/projects\/\d+/, { timeout: 20_000 })
  projectId = Number(page.url().match(/\/projects\/(\d+)/)[1])
  await page.locator('[data-test=project-name]').waitFor()
  expect(await page.locator('[data-test=project-name]').textContent(), 'name shown').toContain(projectName)
  expect(await stageOf(page)).toBe('洽谈对接')
  expect(await page.locator('[data-test=field-investment]').textContent(), 'investment shown').toContain('5,000万元')
})

test('the project moves lead → identification → risk; decision refused without an assessment', async ({ as }) => {
  expect(projectId, 'a project from the previous test').toBeTruthy()
  const page = await as('recruiter1')
  await page.goto(`/projects/${projectId}`)
  await page.click('[data-test=move-identification]')
  await toast(page, '项目识别')
  await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '项目识别')
  await page.click('[data-test=move-risk]')
  await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '风险评估')
  await page.click('[data-test=move-decision]')
  const box = page.locator('.refusal-box')
  await box.waitFor()
  expect(await box.textContent(), 'refusal message').toContain('风险评估')
  await shot(page, 'stage-refused')
  await box.locator('.el-button--primary').click()
  expect(await stageOf(page), 'stage unchanged after the refusal').toBe('风险评估')
})

test('a risk assessment is submitted and the project goes to 落地决策', async ({ as }) => {
  expect(projectId, 'a project').toBeTruthy()
  const page = await as('recruiter1')
  await page.goto(`/projects/${projectId}?tab=risk`)
  await page.locator('[data-test=risk-form]').waitFor()
  await page.locator('[data-test=risk-level] label', { hasText: '低风险' }).click()
  await fill(page, 'risk-summary', '投资方资金实力较强，用地需求明确，能耗与环保可控。')
  await fill(page, 'risk-finance', '自有资金 60%')
  await fill(page, 'risk-tax_per_mu', '预计亩均税收 30 万元')
  await page.click('[data-test=risk-submit]')
  await page.locator('[data-test=risk-done]').waitFor()
  await page.click('[data-test=move-decision]')
  await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '落地决策')
  await shot(page, 'project-detail')
})

test('the board refuses follow-up before a decision and shows the reason', async ({ as }) => {
  expect(projectId, 'a project').toBeTruthy()
  const page = await as('recruiter1')
  await page.goto('/board?chain=semiconductor')
  const card = page.locator(`[data-test=board-card][data-project-id="${projectId}"]`)
  await card.waitFor({ timeout: 20_000 })
  await shot(page, 'board')
  await card.locator('[data-test=card-move]').selectOption('follow_up')
  const prompt = page.locator('.prompt-signed')
  if (await prompt.isVisible().catch(() => false) || await prompt.waitFor({ timeout: 3000 }).then(() => true).catch(() => false)) {
    await prompt.locator('.el-button--primary').click()
  }
  const box = page.locator('.refusal-box')
  await box.waitFor()
  expect(await box.textContent(), 'refusal').toMatch(/决策|批准/)
  await box.locator('.el-button--primary').click()
})

test('the chain chief sees the decision waiting on the review page', async ({ as }) => {
  expect(projectId, 'a project').toBeTruthy()
  const page = await as('chief_semi')
  await page.goto('/review')
  await page.locator('[data-test=review-queue]').waitFor({ timeout: 20_000 })
  expect(await page.locator('[data-test=review-queue]').textContent(), 'project in the review queue').toContain(projectName)
  await shot(page, 'review')
})

test('another chain chief may not decide; the chief of the chain approves', async ({ as }) => {
  expect(projectId, 'a project').toBeTruthy()
  const food = await as('chief_food')
  await food.goto(`/projects/${projectId}?tab=decision`)
  const visible = await food.locator('[data-test=page-project]').waitFor({ timeout: 10_000 }).then(() => true).catch(() => false)
  if (visible && await food.locator('[data-test=project-name]').count()) {
    expect(await food.locator('[data-test=decision-panel]').count(), 'chief_food sees the decision panel on a semiconductor project').toBe(0)
  }
  const page = await as('chief_semi')
  await page.goto(`/projects/${projectId}?tab=decision`)
  await page.locator('[data-test=decision-panel]').waitFor()
  await page.locator('[data-test=decision-outcome-radio] label', { hasText: '同意落地' }).click()
  await fill(page, 'decision-notes', '同意落地，请抓紧推进土地摘牌。')
  await page.click('[data-test=decision-submit]')
  await page.locator('[data-test=decision-outcome]').waitFor()
  expect(await page.locator('[data-test=decision-outcome]').textContent(), 'outcome shown').toContain('同意落地')
  await fill(page, 'comment-input', '请招商局抓紧对接土地指标，月底前完成摘牌准备。')
  await page.click('[data-test=comment-submit]')
  await page.locator('[data-test=comment-list] li', { hasText: '土地指标' }).waitFor()
})

test('the owner records the signing and the project enters 跟踪服务', async ({ as }) => {
  expect(projectId, 'a project').toBeTruthy()
  const page = await as('recruiter1')
  await page.goto(`/projects/${projectId}`)
  await page.click('[data-test=move-follow_up]')
  const prompt = page.locator('.prompt-signed')
  await prompt.waitFor()
  await prompt.locator('.el-button--primary').click()
  await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '跟踪服务', null, { timeout: 15_000 })
  await page.goto(`/projects/${projectId}?tab=milestones`)
  const planned = page.locator('[data-test=ms-land_listing_planned] input, input[data-test=ms-land_listing_planned]').first()
  await planned.fill('2027-03-01')
  await planned.press('Enter')
  await page.click('[data-test=ms-save]')
  await toast(page, '已保存')
  await page.goto(`/projects/${projectId}?tab=history`)
  await page.locator('[data-test=history-table]').waitFor()
  expect(await page.locator('[data-test=history-table]').textContent(), 'history names the actor').toContain('recruiter1')
})

test('on a 375 px phone a visit is logged in two taps from the dashboard', async ({ as }) => {
  const phone = await as('recruiter1', { phone: true })
  await phone.goto('/')
  await phone.locator('[data-test=fab-visit]').click() // tap 1
  const form = phone.locator('[data-test=quick-visit] [data-test=visit-form]')
  await form.waitFor()
  await phone.locator('[data-test=quick-visit] [data-test=project-picker]').click()
  await phone.keyboard.type(projectName.slice(0, 8))
  const opt = phone.locator('.el-select-dropdown__item:visible', { hasText: projectName }).first()
  await opt.waitFor({ timeout: 15_000 })
  await opt.click()
  await fill(phone, 'visit-place', '北京')
  await fill(phone, 'visit-summary', '拜访投资方，对方确认将于下月来区实地考察。')
  await phone.waitForTimeout(500) // let the closed dropdown fade out
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth)
  expect(overflow, `page width on a ${PHONE.width}px screen`).toBeLessThanOrEqual(PHONE.width)
  await shot(phone, 'visit-mobile')
  await phone.locator('[data-test=visit-submit]').click() // tap 2 (after typing)
  await toast(phone, '走访记录已保存')
  await phone.goto(`/projects/${projectId || ''}?tab=activities`)
  if (projectId) {
    await phone.locator('[data-test=activity-timeline]').waitFor()
    expect(await phone.locator('[data-test=activity-timeline]').textContent(), 'visit in the timeline').toContain('实地考察')
  }
  await shot(phone, 'project-mobile')
})
