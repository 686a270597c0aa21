// 长辈模式 (large text) on a phone: turned on in 个人设置, remembered for the user on the server
// and applied before the first paint on the next visit; text ≥ 18 px, touch targets ≥ 44 px, no
// accessibility finding; pages reflow at 320 px and at 200 % zoom. Screenshots for the docs.
// chief_mining is the user here (no other spec depends on their display).
import { test, expect, shot, toast } from './fixtures.js'

const USER = 'chief_mining'
const PAGES = ['/', '/projects', '/review', '/map/mining', '/reminders', '/settings']

async function open(page, path) {
  await page.goto(path)
  await page.locator('[data-test^=page-]:visible').first().waitFor({ timeout: 20_000 })
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForFunction(() => !document.querySelector('[data-test=state-loading], .el-loading-mask'), null, { timeout: 15_000 }).catch(() => {})
}

/** Visible text under 18 px and visible controls under 44 px in the main content. */
async function tooSmall(page) {
  return page.evaluate(() => {
    const seen = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.opacity !== '0' && !el.closest('.sr-only, [aria-hidden=true]') }
    const text = []
    const walker = document.createTreeWalker(document.querySelector('#main'), NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!n.textContent.trim() || !seen(el) || el.closest('canvas, svg, .el-tag, .nav-badge, sup, .el-badge__content')) continue
      const size = parseFloat(getComputedStyle(el).fontSize)
      if (size < 15.5) text.push(`${size}px "${n.textContent.trim().slice(0, 20)}"`) // small print (tags, notes) may be 16 px; body text is 18
    }
    const body = parseFloat(getComputedStyle(document.body).fontSize)
    const targets = []
    for (const el of document.querySelectorAll('#main button, #main a[href], #main input:not([type=hidden]):not(.el-select__input), #main select, #main .el-select__wrapper, #main [role=switch], #main [role=tab], .app-header button, .app-header a[href]')) {
      if (!seen(el)) continue
      const r = el.getBoundingClientRect()
      if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' && !el.closest('.el-button')) continue // a link in a sentence
      if (r.height < 43.5 && !el.closest('.el-input__wrapper, .el-select__wrapper, .el-switch')) targets.push(`${Math.round(r.width)}×${Math.round(r.height)} ${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 16)}"`)
    }
    return { body, text: text.slice(0, 8), targets: targets.slice(0, 8) }
  })
}

test('长辈模式: on a phone, remembered per user, large text and targets, reflows at 320 px and 200 % zoom', async ({ as, api, axe, browser, baseURL }) => {
  const page = await as(USER, { phone: true })
  await open(page, '/settings')
  const sw = page.locator('[data-test=elder-switch]')
  if (await sw.evaluate((el) => el.classList.contains('is-checked'))) { // left on by an earlier run against the same server
    await sw.click()
    await toast(page, '已关闭长辈模式')
  }
  await sw.click()
  await toast(page, '已开启长辈模式')
  expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true)
  expect((await api(USER, 'GET', '/me')).json.elder_mode, 'saved for the user').toBe(true)
  await shot(page, 'elder-settings-phone')

  for (const p of PAGES) {
    await open(page, p)
    await axe(page, 'elder mode')
    const small = await tooSmall(page)
    expect.soft(small.body, `${p}: body text size`).toBeGreaterThanOrEqual(18)
    expect.soft(small.text, `${p}: text under 16 px`).toEqual([])
    expect.soft(small.targets, `${p}: touch targets under 44 px`).toEqual([])
    if (p === '/') await shot(page, 'elder-dashboard-phone')
    if (p === '/projects') await shot(page, 'elder-projects-phone')
    if (p === '/review') await shot(page, 'elder-review-phone')
  }
  // the phone menu, large
  await open(page, '/')
  await page.locator('[data-test=open-menu]').click()
  await page.locator('.nav-drawer nav').waitFor()
  await page.waitForTimeout(300)
  await axe(page, 'elder mode menu')
  await shot(page, 'elder-menu-phone')
  await page.keyboard.press('Escape')

  // reflow: no sideways scrolling at 320 px, nor at 200 % zoom of a 1280 px window (640 CSS px)
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 800 })
    for (const p of PAGES) {
      await open(page, p)
      const w = await page.evaluate(() => document.documentElement.scrollWidth)
      expect.soft(w, `${p} is ${w}px wide at ${width}px in 长辈模式`).toBeLessThanOrEqual(width)
    }
  }

  // another device: the server's setting applies after log-in ...
  const state = await page.context().storageState() // the session, without this device's copy of the setting
  for (const o of state.origins) o.localStorage = o.localStorage.filter((e) => e.name !== 'chaincrm.elderMode')
  const fresh = await browser.newContext({ baseURL, viewport: { width: 375, height: 812 }, locale: 'zh-CN', storageState: state })
  const other = await fresh.newPage()
  await other.goto('/')
  await other.locator('[data-test=zone-name]').waitFor()
  await expect.poll(() => other.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true)
  // ... and on the next visit it is there before the app runs (the app's scripts blocked here)
  await other.route(/\/assets\/.*\.js$/, (r) => r.abort())
  await other.goto('/settings')
  expect(await other.evaluate(() => document.documentElement.classList.contains('elder')), 'large text before the first paint').toBe(true)
  await fresh.close()

  // off again: the next visit is in normal text
  await page.setViewportSize({ width: 375, height: 812 })
  await open(page, '/settings')
  await page.locator('[data-test=elder-switch]').click()
  await toast(page, '已关闭长辈模式')
  expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(false)
  expect((await api(USER, 'GET', '/me')).json.elder_mode).toBe(false)
  await page.reload()
  expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(false)
})
