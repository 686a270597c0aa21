// Accessibility sweep: axe-core (WCAG 2.0/2.1 A and AA) finds no serious or critical problem on
// any page a role reaches — every menu page, the settings, a chain map, a project with each of its
// tabs, the quick visit form and the phone menu — at 1440 px and at 375 px. The flows in the other
// spec files call the same check on the pages they pass through.
import { test, expect, MENU_PATHS, PHONE, DESKTOP, navigate, axeFindings } from './fixtures.js'

// The sweep's tests only read and are independent: spread over both workers (the file alone is
// the longest in the suite; run in order it set the whole suite's length).
test.describe.configure({ mode: 'parallel' })

// one user of every role (recruiter1, chief_food and director first: the issue measured them)
const SWEEP = ['recruiter1', 'chief_food', 'director', 'admin', 'agent1', 'viewer']
const TABS = ['overview', 'activities', 'risk', 'decision', 'milestones', 'supervision', 'investment', 'history']

// in-app navigation (the router, as a click does): a full page load only for the first page
const open = navigate

test('axe: the log-in page at 1440 px and 375 px', async ({ page, axe }) => {
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size)
    await page.goto('/login')
    await page.locator('input[data-test=login-username]').waitFor()
    await axe(page, 'log-in')
    await page.click('[data-test=login-submit]') // the form's own field errors
    await page.locator('.el-form-item__error').first().waitFor()
    await axe(page, 'log-in with field errors')
  }
})

// The check itself can fail: problems planted in a page's content are found, the whole page's
// and within #main (axe runs in the page, only its violations collected).
test('axe: the check finds planted problems', async ({ as }) => {
  const page = await as('viewer')
  await navigate(page, '/settings')
  expect(await axeFindings(page, '#main'), 'the settings page as shipped').toEqual([])
  await page.evaluate(() => {
    const div = document.createElement('div')
    div.innerHTML = '<img src="/favicon.ico"><button></button>' +
      '<p style="color:#bbb;background:#fff">低对比度的说明文字</p>'
    document.querySelector('#main').appendChild(div)
  })
  for (const within of [undefined, '#main']) {
    const rules = new Set((await axeFindings(page, within)).map((f) => f.rule))
    expect([...rules].sort(), `planted problems ${within ? 'within ' + within : 'on the page'}`).toEqual(['button-name', 'color-contrast', 'image-alt'])
  }
})

for (const user of SWEEP) {
  for (const phone of [false, true]) {
    test(`axe: every page of ${user} at ${phone ? '375' : '1440'} px`, async ({ as, api, axe }) => {
      test.setTimeout(600_000) // some forty pages, each measured: long on a loaded 2-core machine
      // the pages: the user's menu, settings, a chain map, a project and its tabs
      const page = await as(user, { phone })
      const desk = phone ? await as(user) : page
      await desk.goto('/')
      await desk.locator('[data-test=nav]').waitFor()
      const links = await desk.locator('[data-test=nav] a[href]').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')).filter(Boolean))
      const paths = Object.keys(MENU_PATHS).filter((k) => links.includes(k)).map((k) => MENU_PATHS[k])
      paths.push('/settings')
      if (links.includes('nav-map')) paths.push(user === 'chief_food' ? '/map/food' : '/map/semiconductor')
      const signed = await api(user, 'GET', '/projects?stage=follow_up&page_size=1')
      const any = signed.json && signed.json.items && signed.json.items.length ? signed : await api(user, 'GET', '/projects?page_size=1')
      const project = any.json && any.json.items && any.json.items[0]
      if (project) for (const tab of TABS) if (tab !== 'investment' || project.signed_at) paths.push(`/projects/${project.id}?tab=${tab}`)
      expect(paths.length, 'pages to check').toBeGreaterThan(3)

      // The whole page on the first; then, as the app's frame (menu, header) does not change with
      // in-app navigation, the page's own content (#main) only — the frame is checked once per
      // role and size, the content of every page.
      for (const [i, p] of paths.entries()) {
        await open(page, p)
        await axe(page, user, i ? { within: '#main' } : {})
      }
      // the quick visit form, where the role may log visits
      await open(page, '/')
      const fab = page.locator('[data-test=fab-visit]')
      if (await fab.count()) {
        await fab.click()
        await page.locator('[data-test=quick-visit] [data-test=visit-form]').waitFor()
        await axe(page, `${user} quick visit`)
        await page.keyboard.press('Escape')
      }
      if (phone) { // the menu drawer
        await page.locator('[data-test=open-menu]').click()
        await page.locator('.nav-drawer nav').waitFor()
        await axe(page, `${user} menu drawer`)
        await page.keyboard.press('Escape')
      }
    })
  }
}
