// The app as a whole: serving, log-in, each role's menus and every page of each menu.
import { test, expect, USERS, MENU_PATHS, uiLogin, settled, shot, navigate } from './fixtures.js'

test('the binary serves the web app with history-mode deep links', async ({ request }) => {
  const root = await request.get('/')
  const html = await root.text()
  expect(root.ok() && html.includes('id="app"'), `GET / did not return the app (HTTP ${root.status()})`).toBe(true)
  const deep = await request.get('/projects/12345?tab=history')
  expect(deep.ok() && (await deep.text()).includes('id="app"'), 'deep link did not return index.html').toBe(true)
  const asset = html.match(/\/assets\/[^"]+\.js/)
  expect(asset, 'no hashed asset in index.html').toBeTruthy()
  const a = await request.get(asset[0])
  expect(a.ok(), `asset ${asset[0]} HTTP ${a.status()}`).toBe(true)
  expect(a.headers()['cache-control'] || '', 'hashed asset long-cached').toMatch(/max-age=\d{6,}/)
  // a browser gets the scripts gzipped (compressed once by the server and kept)
  const zipped = await request.get(asset[0], { headers: { 'Accept-Encoding': 'gzip, deflate, br' } })
  expect(zipped.headers()['content-encoding'], 'script sent gzipped').toBe('gzip')
  expect((await zipped.body()).equals(await a.body()), 'the gzipped script decodes to the file').toBe(true)
})

test('log-in refuses a wrong password with a Chinese message', async ({ page, context, axe }) => {
  await page.goto('/login')
  await page.evaluate(() => localStorage.clear())
  // first page interactive: a cold load (no cache) until the log-in form takes input
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.clearBrowserCache')
  const t0 = Date.now()
  await page.goto('/login')
  await page.locator('input[data-test=login-username]').waitFor()
  const ms = Date.now() - t0
  console.log(`      first page interactive in ${ms} ms (target 1500 ms on an idle machine)`)
  expect(ms, 'log-in page load time (ms)').toBeLessThan(Number(process.env.E2E_FIRST_PAGE_MS || 5000))
  await shot(page, 'login')
  await axe(page, 'login')
  await page.fill('input[data-test=login-username]', 'recruiter2')
  await page.fill('input[data-test=login-password]', 'wrong-password')
  await page.click('[data-test=login-submit]')
  const err = page.locator('[data-test=login-error]')
  await err.waitFor()
  expect(await err.textContent(), 'error in Chinese').toMatch(/[\u4e00-\u9fff]/)
})

test('every demo role logs in and sees only its menus', async ({ page }) => {
  const want = {
    admin: { has: ['nav-admin-users', 'nav-projects'], not: ['nav-review'] },
    director: { has: ['nav-review', 'nav-admin-targets'], not: ['nav-admin-users'] },
    chief_food: { has: ['nav-review', 'nav-map'], not: ['nav-admin-users'] },
    chief_mining: { has: ['nav-review'], not: ['nav-admin-targets'] },
    chief_semi: { has: ['nav-review'], not: ['nav-admin-jobs'] },
    recruiter1: { has: ['nav-visit', 'nav-board'], not: ['nav-review', 'nav-admin-users'] },
    recruiter2: { has: ['nav-visit'], not: ['nav-review'] },
    agent1: { has: ['nav-projects', 'nav-visit'], not: ['nav-map', 'nav-reports', 'nav-admin-users'] },
    viewer: { has: ['nav-reports', 'nav-map'], not: ['nav-visit', 'nav-admin-users'] },
  }
  const problems = []
  for (const u of USERS) {
    try {
      await uiLogin(page, u)
      await page.locator('[data-test=nav]').waitFor()
      await page.waitForLoadState('networkidle').catch(() => {})
      await page.waitForFunction(() => !document.querySelector('[data-test=state-loading]'), null, { timeout: 15_000 }).catch(() => {})
      const errs = await page.locator('[data-test=state-error]').allTextContents()
      if (errs.length) problems.push(`${u}: dashboard shows an error: ${errs[0].replace(/\s+/g, ' ').slice(0, 80)}`)
      if (u === 'agent1' && !(await page.locator('[data-test=my-leads]').count())) problems.push('agent1: no 我提交的项目线索 panel')
      for (const id of want[u].has) if (!(await page.locator(`[data-test=${id}]`).count())) problems.push(`${u}: missing ${id}`)
      for (const id of want[u].not) if (await page.locator(`[data-test=${id}]`).count()) problems.push(`${u}: should not see ${id}`)
      if (u === 'viewer') {
        await page.goto('/projects')
        await page.locator('[data-test=page-projects]').waitFor()
        if (await page.locator('[data-test=new-project]').count()) problems.push('viewer: sees 新建项目')
        if (await page.locator('[data-test=fab-visit]').count()) problems.push('viewer: sees 记录走访')
        await page.goto('/admin/users')
        await page.locator('[data-test=page-forbidden]').waitFor()
      }
    } catch (e) { problems.push(`${u}: ${e.message.split('\n')[0]}`) }
  }
  expect(problems).toEqual([])
})

test('every page in each role\'s menu opens without an error state', async ({ as }) => {
  test.setTimeout(600_000) // six users, some fifty pages
  const problems = []
  for (const u of ['admin', 'director', 'chief_food', 'recruiter1', 'agent1', 'viewer']) { // one of each role
    const page = await as(u)
    await page.goto('/')
    await page.locator('[data-test=nav]').waitFor()
    const links = await page.locator('[data-test=nav] a[href], [data-test=nav] .el-menu-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')).filter(Boolean))
    const mine = Object.keys(MENU_PATHS).filter((k) => links.includes(k))
    for (const k of mine) {
      // in-app, as a click on the menu does (the log-in flow above loads pages in full)
      const shown = await navigate(page, MENU_PATHS[k]).then(() => true).catch(() => false)
      if (!shown) { problems.push(`${u} ${MENU_PATHS[k]}: page did not render`); continue }
      if (await page.locator('[data-test=page-forbidden]').count()) {
        problems.push(`${u} ${MENU_PATHS[k]}: in the menu but forbidden`)
        continue
      }
      const errs = await page.locator('[data-test=state-error]').allTextContents()
      if (errs.length) problems.push(`${u} ${MENU_PATHS[k]}: ${errs[0].replace(/\s+/g, ' ').slice(0, 90)}`)
    }
  }
  expect(problems).toEqual([])
})
