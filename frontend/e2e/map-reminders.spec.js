// The chain map and the reminders the scheduler raises.
import { test, expect, shot } from './fixtures.js'

test('the semiconductor chain map renders and a node opens its details', async ({ as, api, axe }) => {
  const page = await as('chief_semi')
  await page.goto('/map/semiconductor')
  await page.locator('[data-test=map-chart] canvas').first().waitFor({ timeout: 20_000 })
  const rows = page.locator('[data-test=node-table] .el-table__body tr')
  await rows.first().waitFor()
  expect(await rows.count(), 'nodes in the table').toBeGreaterThanOrEqual(3)
  expect(await page.locator('[data-test=map-summary]').textContent(), 'summary').toMatch(/强链|补链|缺链/)
  await rows.nth(1).click()
  await page.locator('[data-test=node-panel] h2').waitFor()
  await page.evaluate(() => window.scrollTo(0, 0))
  await shot(page, 'chain-map')
  await axe(page, 'chain-map')
  const svg = await api('chief_semi', 'GET', '/chains/semiconductor/map.svg')
  expect(svg.status === 200 && svg.text.includes('<svg'), `map.svg HTTP ${svg.status}`).toBe(true)
})

test('reminders raised by the scheduler are done and snoozed by their owner', async ({ as, api, axe }) => {
  const run = await api('admin', 'POST', '/jobs/reminders/run')
  expect(run.status, `POST /jobs/reminders/run: ${run.text.slice(0, 200)}`).toBe(200)
  const page = await as('recruiter1')
  await page.goto('/reminders')
  const cards = page.locator('[data-test=reminder]')
  await cards.first().waitFor({ timeout: 20_000 })
  const before = await cards.count()
  expect(before, 'reminders after running the job').toBeGreaterThan(0)
  await shot(page, 'reminders')
  await axe(page, 'reminders')
  const firstText = await cards.first().textContent()
  const [doneRes] = await Promise.all([
    page.waitForResponse((r) => /\/reminders\/\d+\/done$/.test(r.url()) && r.request().method() === 'POST'),
    cards.first().locator('[data-test=reminder-done]').click(),
  ])
  expect(doneRes.status(), `done: ${await doneRes.text()}`).toBe(200)
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=reminder]').length === n - 1, before)
  await cards.first().locator('[data-test=reminder-snooze]').click()
  const [snRes] = await Promise.all([
    page.waitForResponse((r) => /\/reminders\/\d+\/snooze$/.test(r.url()) && r.request().method() === 'POST'),
    page.locator('[data-test=snooze-7]:visible').click(),
  ])
  expect(snRes.status(), `snooze: ${await snRes.text()}`).toBe(200)
  // the server either hides a snoozed reminder until its day or lists it as snoozed
  await page.waitForFunction((n) => {
    const cards = [...document.querySelectorAll('[data-test=reminder]')]
    return cards.length === n - 2 || cards.some((c) => c.textContent.includes('已推迟至'))
  }, before)
  const after = await cards.count()
  expect(after === before - 1 || after === before - 2, `done/snooze: ${before} → ${after} reminders`).toBe(true)
  expect(firstText.length, 'reminder card text').toBeGreaterThan(0)
})
