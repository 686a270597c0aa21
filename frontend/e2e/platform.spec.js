// 全省概览 (issue 19): a province user — made with `chaincrm user create … --role province
// --zones laiyuan,xiongan` by e2e/server.mjs — logs in with a name and a password only, sees
// the menu of the platform alone, compares the two zones' figures (each equal to the zone's
// own dashboard) and their chains, and writes nothing.
import { test, expect, uiLogin, settled, shot } from './fixtures.js'

const PROVINCE_USER = 'hebei_sw'
const PROVINCE_PASSWORD = 'cloud ferry lantern orchard' // e2e/server.mjs

test('a province user compares the granted zones on 全省概览, read-only', async ({ page, api, axe }) => {
  await uiLogin(page, PROVINCE_USER, PROVINCE_PASSWORD)
  await expect(page).toHaveURL(/\/platform/)
  // the menu shows only what a province user may see
  const nav = page.locator('[data-test=nav]')
  await expect(nav.locator('[data-test=nav-platform]')).toBeVisible()
  await expect(nav.locator('a')).toHaveCount(1)
  await expect(page.locator('[data-test=header-reminders]')).toHaveCount(0)

  await page.goto('/platform?year=2022')
  await settled(page)
  const table = page.locator('[data-test=platform-zones]')
  const laiyuan = table.locator('.el-table__body tr', { hasText: 'laiyuan' })
  const xiongan = table.locator('.el-table__body tr', { hasText: 'xiongan' })
  await expect(laiyuan).toBeVisible()
  await expect(xiongan).toContainText('雄安新区开发区')
  // the zone's line is its own dashboard's figures for the year
  const own = await api('director', 'GET', '/stats/overview?year=2022')
  expect(own.status).toBe(200)
  const cells = (await laiyuan.locator('td').allTextContents()).map((s) => s.trim())
  expect(cells[1]).toBe(String(own.json.docked_total))
  expect(cells.slice(2, 6)).toEqual(['entrusted', 'business_referral', 'self_sourced', 'resource_plus'].map((c) => String(own.json.by_channel[c])))
  expect(cells[6]).toBe(String(own.json.signed.count))
  await expect(laiyuan.locator('[data-test=zone-signed-wan]')).toContainText('8.05')
  await expect(table.locator('.el-table__footer')).toContainText('2 个开发区')

  // the chains compared: the chart, and the same figures as a table
  const chains = page.locator('[data-test=platform-page] section', { hasText: '同名产业链对比' })
  await expect(chains.locator('[data-test=platform-chains]')).toBeVisible()
  await axe(page, '全省概览')
  await shot(page, 'platform-overview')
  await chains.locator('[data-test=chart-table-toggle]').click()
  await expect(chains.locator('[data-test=chart-table]')).toContainText('现代食品')
  await axe(page, '全省概览 数据表')

  // a zone's pages lead back to the platform; every write is refused
  await page.goto('/projects')
  await expect(page).toHaveURL(/\/platform/)
  const csrf = (await page.context().cookies()).find((c) => c.name === 'chaincrm_csrf').value
  const write = await page.request.post('/api/v1/projects', { headers: { 'X-CSRF-Token': csrf },
    data: { name: '省里建的项目', investor: '某公司', channel: 'self_sourced', asset_type: 'heavy', planned_investment_wan: 1, docked_at: '2023-01-05' } })
  expect(write.status(), await write.text()).toBe(403)
})
