// 企业诉求 (issue 15), the issue's "done when": a recruiter records 中材绿建's raw-material
// problem on its project, 自然资源和规划局's liaison (dept_land) accepts and answers it on a
// phone, the recruiter confirms the company is satisfied, and the director sees it counted in
// the service figures and the annual report, and downloads the joint meeting's agenda.
import { test, expect, fill, pickOption, toast, shot, uiLogin, stamp as makeStamp, PHONE } from './fixtures.js'

const stamp = makeStamp()
const title = `中材绿建原材料保障（E2E-${stamp}）`

test('requests: raised at the project, answered by the department on a phone, confirmed, counted', async ({ as, api, axe, browser, baseURL, pageErrors }) => {
  // the 中材绿建 project (recruiter1's)
  const list = await api('recruiter1', 'GET', '/projects?q=' + encodeURIComponent('中材绿建') + '&page_size=10')
  const project = (list.json.items || []).find((p) => p.name.startsWith('中材绿建超低能耗'))
  expect(project, 'the demo has 中材绿建').toBeTruthy()

  // 1. recruiter1 records the request on the project page
  let page = await as('recruiter1')
  await page.goto(`/projects/${project.id}?tab=requests`)
  await page.locator('[data-test=project-requests]').waitFor({ timeout: 20_000 })
  await page.click('[data-test=raise-request]')
  await page.locator('[data-test=request-dialog] [data-test=request-title]').waitFor()
  await pickOption(page, 'request-category', '原材料保障')
  await fill(page, 'request-title', title)
  await fill(page, 'request-detail', '投产后每年需砂石骨料约30万吨，请协调县内矿山资源保障供应。')
  await pickOption(page, 'request-department', '自然资源和规划局')
  await axe(page, 'request dialog')
  await page.click('[data-test=request-save]')
  await toast(page, '已保存')
  await page.locator('[data-test=project-requests] a', { hasText: title }).waitFor()
  await axe(page, 'project requests tab')

  const mine = await api('recruiter1', 'GET', `/requests?project_id=${project.id}&status=open`)
  const req = (mine.json.items || []).find((r) => r.title === title)
  expect(req && req.department === 'natural_resources' && req.status === 'open', `raised: ${JSON.stringify(req)}`).toBeTruthy()

  // 2. dept_land, on a phone: only the requests; accepts and answers
  const ctx = await browser.newContext({ baseURL, viewport: PHONE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const phone = await ctx.newPage()
  phone.on('pageerror', (e) => pageErrors.push(`dept_land: ${e}`))
  await uiLogin(phone, 'dept_land')
  await phone.locator('[data-test=page-requests]').waitFor({ timeout: 20_000 })
  const card = phone.locator(`[data-test=request-${req.id}]`)
  await card.waitFor({ timeout: 15_000 })
  await shot(phone, 'requests-liaison-phone')
  await axe(phone, 'liaison list')
  await phone.goto('/projects') // not theirs: back to their requests
  await phone.locator('[data-test=page-requests]').waitFor()
  await phone.locator(`[data-test=request-${req.id}] a`).click()
  await phone.locator('[data-test=page-request]').waitFor()
  await phone.click('[data-test=move-accept]')
  await expect(phone.locator('[data-test=request-detail-status]')).toHaveText('办理中')
  await phone.click('[data-test=move-reply]')
  await phone.locator('[data-test=move-dialog] textarea').waitFor()
  await axe(phone, 'reply dialog')
  await fill(phone, 'move-text', '已协调县内两家砂石企业签订长期供货协议，首批骨料下月到场。')
  await phone.click('[data-test=move-submit]')
  await expect(phone.locator('[data-test=request-detail-status]')).toHaveText('已解决')
  await axe(phone, 'liaison detail')
  await ctx.close()

  // 3. recruiter1 confirms the company is satisfied
  page = await as('recruiter1')
  await page.goto(`/requests/${req.id}`)
  await page.locator('[data-test=move-confirm]').click()
  await page.locator('[data-test=confirm-satisfaction]').waitFor()
  await page.locator('[data-test=satisfaction-satisfied]').click()
  await page.click('[data-test=move-submit]')
  await toast(page, '已保存')
  await expect(page.locator('[data-test=request-detail-status]')).toHaveText('已办结')
  await expect(page.locator('[data-test=request-replies]')).toContainText('长期供货协议')
  await shot(page, 'request-detail')
  await axe(page, 'request detail')

  // 4. the director: figures, agenda, annual report
  page = await as('director')
  await page.goto('/requests')
  await page.locator('[data-test=service-stats]').waitFor({ timeout: 20_000 })
  expect(Number(await page.locator('[data-test=stat-resolved]').textContent()) >= 1, 'resolved this year').toBeTruthy()
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=request-agenda]')])
  expect(download.suggestedFilename()).toContain('联席会议')
  await shot(page, 'requests')
  await axe(page, 'requests list')
  const year = new Date().getFullYear()
  const stats = await api('director', 'GET', `/stats/service?year=${year}`)
  expect(stats.json.resolved_titles.includes(title), `stats: ${stats.text.slice(0, 300)}`).toBeTruthy()
  const report = await api('director', 'GET', `/reports/annual?year=${year}`)
  expect(report.json.text.includes(`先后解决了`) && report.json.text.includes(title), `report: ${report.json.text.slice(-300)}`).toBeTruthy()
})
