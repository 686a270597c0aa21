// 全省概览 (issue 19): a province user — made with `chaincrm user create … --role province
// --zones laiyuan,xiongan` by e2e/server.mjs — logs in with a name and a password only, sees
// the menu of the platform alone, compares the two zones' figures (each equal to the zone's
// own dashboard) and their chains, and writes nothing.
import { test, expect, uiLogin, settled, shot, toast, fill } from './fixtures.js'

// The zone's own figures, read through the API, against what the platform's page shows. Other
// spec files run beside this one and write to laiyuan (new projects, chain nodes), so a count
// taken once can be one off the page's: the page must show a value between the API's answer
// taken before the page asked (`before`) and one taken after it answered (polled until so).
async function expectLive(locator, before, now, what, read = async (l) => Number((await l.innerText()).replace(/[^0-9]/g, ''))) {
  await expect.poll(async () => {
    if (!(await locator.count())) return `${what}: not shown yet`
    const shown = await read(locator)
    const after = await now()
    return shown >= Math.min(before, after) && shown <= Math.max(before, after) ? 'ok' : `${what}: page ${shown}, API ${before}…${after}`
  }, { message: what }).toBe('ok')
}

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

  // the zone's line is its own dashboard's figures for the year (read before the page asks and
  // after it answered: other spec files may add a 2022 project to laiyuan meanwhile)
  const figures = async () => {
    const own = await api('director', 'GET', '/stats/overview?year=2022')
    expect(own.status).toBe(200)
    return [own.json.docked_total, ...['entrusted', 'business_referral', 'self_sourced', 'resource_plus'].map((c) => own.json.by_channel[c]), own.json.signed.count]
  }
  const before = await figures()
  await page.goto('/platform?year=2022')
  await settled(page)
  const table = page.locator('[data-test=platform-zones]')
  const laiyuan = table.locator('.el-table__body tr', { hasText: 'laiyuan' })
  const xiongan = table.locator('.el-table__body tr', { hasText: 'xiongan' })
  await expect(laiyuan).toBeVisible()
  await expect(xiongan).toContainText('雄安新区开发区')
  const shown = (await laiyuan.locator('td').allTextContents()).map((s) => Number(s.trim())).slice(1, 7)
  const after = await figures()
  shown.forEach((v, i) => expect(v >= Math.min(before[i], after[i]) && v <= Math.max(before[i], after[i]),
    `cell ${i + 1}: page ${v}, API ${before[i]}…${after[i]}`).toBe(true))
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

test('a province user opens a granted zone: its figures, projects, a project and its chain maps, read-only', async ({ page, api, axe }) => {
  await uiLogin(page, PROVINCE_USER, PROVINCE_PASSWORD)
  await page.goto('/platform?year=2022')
  await settled(page)
  // the ranking: laiyuan first by dockings in 2022 (the other zone docked nothing that year)
  const ranking = page.locator('[data-test=ranking-table]')
  await expect(ranking.locator('.el-table__body tr').first()).toContainText('河北涞源经济开发区')
  await expect(ranking.locator('[data-test=rank-no]').first()).toHaveText('1')
  // the other zone's chains come from the templates: 矿业 is compared across both zones
  const chains = page.locator('[data-test=platform-page] section', { hasText: '同名产业链对比' })
  await chains.locator('[data-test=chart-table-toggle]').click()
  await expect(chains.locator('[data-test=chart-table]')).toContainText('矿业 · 雄安新区开发区')

  // into the zone from the table
  const overview = async () => (await api('director', 'GET', '/stats/overview?year=2022')).json
  const serviceFigures = async () => (await api('director', 'GET', '/stats/service?year=2022')).json
  const own = await overview()
  const service = await serviceFigures()
  await page.locator('[data-test=platform-zones] .el-table__body tr', { hasText: 'laiyuan' }).locator('[data-test=zone-row]').click()
  await expect(page).toHaveURL(/\/platform\/zones\/laiyuan\?year=2022/)
  await settled(page)
  await expectLive(page.locator('[data-test=zone-docked]'), own.docked_total, async () => (await overview()).docked_total, '已对接')
  await expectLive(page.locator('[data-test=zone-signed]'), own.signed.count, async () => (await overview()).signed.count, '已签约')
  await expectLive(page.locator('[data-test=zone-service-received]'), service.received, async () => (await serviceFigures()).received, '诉求受理')
  await expectLive(page.locator('[data-test=zone-service-overdue]'), service.overdue, async () => (await serviceFigures()).overdue, '诉求超期')
  await expect(page.locator('[data-test=zone-funnel]')).toBeVisible()
  await expect(page.locator('[data-test=zone-indicators]')).toBeVisible()
  await axe(page, '开发区详情 概况')
  await shot(page, 'platform-zone')

  // its projects, as the zone's own list counts them, and one project read-only
  const total = async (query) => (await api('director', 'GET', '/projects?page_size=20' + query)).json.total
  const listed = await total('')
  await page.getByRole('tab', { name: '招商项目' }).click()
  const table = page.locator('[data-test=zone-projects]')
  await expect(table.locator('.el-table__body tr').first()).toBeVisible()
  await expectLive(page.locator('[data-test=platform-zone-page] .el-pagination .el-pagination__total'), listed, () => total(''), '项目总数')
  const q = '&q=' + encodeURIComponent('誉柯')
  const found = await total(q)
  expect(found).toBeGreaterThan(0)
  await fill(page, 'zone-project-q', '誉柯')
  await page.locator('[data-test=zone-project-search]').click()
  await expectLive(table.locator('.el-table__body tr'), found, () => total(q), '搜索结果行数', (rows) => rows.count())
  await axe(page, '开发区详情 招商项目')
  // the seed's project (other spec files add projects whose investor is 华能誉柯, found too)
  await table.locator('.el-table__body tr', { hasText: '誉柯防水建材生产项目' }).locator('[data-test=zone-project-link]').click()
  await expect(page).toHaveURL(/\/platform\/zones\/laiyuan\/projects\/\d+/)
  await settled(page)
  await expect(page.locator('h1')).toContainText('誉柯')
  await expect(page.locator('[data-test=pf-investor]')).toContainText('誉柯')
  await expect(page.locator('[data-test=platform-project-page] button', { hasText: /编辑|修改|删除|推进|记录/ })).toHaveCount(0)
  await axe(page, '平台 项目详情')
  await page.locator('[data-test=back-zone]').click()
  await expect(page).toHaveURL(/\/platform\/zones\/laiyuan\?.*tab=projects/)

  // its chain maps
  await page.getByRole('tab', { name: '产业链图谱' }).click()
  await expect(page.locator('[data-test=zone-chain-tabs]')).toContainText('现代食品')
  const nodes = async () => (await api('director', 'GET', '/chains/food/map')).json.nodes.length
  await expectLive(page.locator('[data-test=zone-map-nodes] .el-table__body tr'), await nodes(), nodes, '图谱环节数', (rows) => rows.count())
  await expect(page.locator('[data-test=zone-map-chart]')).toBeVisible()
  await axe(page, '开发区详情 产业链图谱')
  // nothing to edit anywhere on the zone's page
  await expect(page.locator('[data-test=platform-zone-page] button', { hasText: /编辑|修改|删除|新建|录入/ })).toHaveCount(0)

  // an ungranted zone is not found; the zone's own routes stay refused
  const other = await page.request.get('/api/v1/platform/zones/nowhere/projects')
  expect(other.status()).toBe(404)
})

test('the platform administrator lists the zones and edits a province user\'s grants', async ({ page, api, axe }) => {
  await uiLogin(page, 'pingtai', PROVINCE_PASSWORD)
  await expect(page).toHaveURL(/\/platform\/admin/)
  const nav = page.locator('[data-test=nav]')
  await expect(nav.locator('a')).toHaveCount(1)
  await settled(page)
  const zones = page.locator('[data-test=admin-zones]')
  await expect(zones.locator('.el-table__body tr', { hasText: 'laiyuan' })).toContainText('河北涞源经济开发区')
  await expect(zones.locator('.el-table__body tr', { hasText: 'xiongan' })).toContainText('Asia/Shanghai')
  await expect(zones.locator('.el-table__body tr', { hasText: 'platform' })).toContainText('省市级平台')
  await axe(page, '开发区与授权')
  await shot(page, 'platform-admin')

  // revoke laiyuan from hebei_sw: the province user no longer reads it; laiyuan's own log says so
  const row = page.locator('[data-test=admin-users] .el-table__body tr', { hasText: PROVINCE_USER })
  await row.locator('[data-test=edit-grants]').click()
  const dialog = page.locator('[data-test=grants-dialog]')
  await expect(dialog.locator('[data-test=grant-laiyuan]')).toBeVisible()
  await axe(page, '修改授权')
  await dialog.locator('[data-test=grant-laiyuan]').click()
  await dialog.locator('[data-test=save-grants]').click()
  await toast(page, '已保存')
  await expect(row.locator('[data-test=granted-zone]')).toHaveText(['雄安新区开发区'])
  const log = await api('admin', 'GET', '/audit?action=zone_revoked')
  expect(log.status).toBe(200)
  expect(log.json.items.some((e) => e.actor === 'pingtai' && String(e.detail).includes(PROVINCE_USER))).toBe(true)

  // grant it back (the other tests read laiyuan as hebei_sw)
  await row.locator('[data-test=edit-grants]').click()
  await dialog.locator('[data-test=grant-laiyuan]').click()
  await dialog.locator('[data-test=save-grants]').click()
  await expect(row.locator('[data-test=granted-zone]')).toHaveText(['河北涞源经济开发区', '雄安新区开发区'])

  // the platform administrator reads no zone's data
  const projects = await page.request.get('/api/v1/projects')
  expect(projects.status()).toBe(403)
})
