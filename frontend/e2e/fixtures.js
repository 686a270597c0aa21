// Fixtures and helpers shared by every spec file.
//
//   import { test, expect } from './fixtures.js'
//   test('…', async ({ as, api }) => {
//     const page = await as('director')              // a logged-in page (the session of e2e/.auth/director.json)
//     const phone = await as('recruiter1', { phone: true })   // 375 × 812
//     const r = await api('director', 'GET', '/projects')      // { status, json, text } through the same session
//   })
//
// Sessions are cookies (kept by storageState together with local storage), so the fixtures do
// not depend on how the app keeps its session. Any uncaught error in any page of a test fails it.
import { test as base, expect } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

export { expect }
export const PASSWORD = process.env.CHAINCRM_DEMO_PASSWORD || 'Demo@2023'
export const USERS = ['admin', 'director', 'chief_food', 'chief_mining', 'chief_semi', 'recruiter1', 'recruiter2', 'agent1', 'viewer']
export const PHONE = { width: 375, height: 812 }
export const DESKTOP = { width: 1440, height: 900 }
export const SHOTS = path.resolve(here, '../../docs/screenshots')
export const statePath = (user) => path.join(here, '.auth', `${user}.json`)
// The menu entries and the page each opens.
export const MENU_PATHS = {
  'nav-dashboard': '/', 'nav-projects': '/projects', 'nav-board': '/board', 'nav-visit': '/visit', 'nav-map': '/map', 'nav-review': '/review',
  'nav-reminders': '/reminders', 'nav-reports': '/reports?year=2022', 'nav-enterprises': '/enterprises', 'nav-admin-users': '/admin/users',
  'nav-admin-chains': '/admin/chains', 'nav-admin-campaigns': '/admin/campaigns', 'nav-admin-targets': '/admin/targets', 'nav-admin-jobs': '/admin/jobs',
  'nav-supervisions': '/supervisions', 'nav-admin-audit': '/admin/audit', 'nav-admin-tokens': '/admin/tokens', 'nav-admin-robots': '/admin/robots',
  'nav-indicators': '/indicators?year=2022', // issue 17
  'nav-requests': '/requests', // issue 15: 企业诉求
}

const CSRF_COOKIE = 'chaincrm_csrf'
const CSRF_HEADER = 'X-CSRF-Token'

export function baseUrl() {
  return process.env.E2E_BASE_URL || `http://127.0.0.1:${process.env.CHAINCRM_E2E_PORT}`
}

// Every toast (ElMessage) a page shows is recorded, so that toast() finds one that came and went
// while the test was busy (they last 3 s; on a loaded machine a step can take longer).
function recordToasts() {
  window.__toasts = []
  const seen = new WeakSet()
  const look = () => {
    for (const el of document.querySelectorAll('.el-message')) {
      if (seen.has(el) || !el.textContent.trim()) continue
      seen.add(el)
      const type = ['success', 'error', 'warning', 'info'].find((t) => el.classList.contains('el-message--' + t)) || ''
      window.__toasts.push({ type, text: el.textContent.trim() })
    }
  }
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true })
}

export const test = base.extend({
  baseURL: async ({}, use) => { await use(baseUrl()) }, // the port comes from e2e/server.mjs
  pageErrors: [async ({}, use) => {
    const errors = []
    await use(errors)
    expect(errors, 'no uncaught errors in the browser').toEqual([])
  }, { auto: true }],
  page: async ({ page, pageErrors }, use) => {
    page.on('pageerror', (e) => pageErrors.push(String(e)))
    await page.addInitScript(recordToasts)
    await use(page)
  },
  /**
   * axe(page, label) runs axe-core (WCAG 2.0/2.1 A and AA rules) on what the page shows now and
   * keeps its serious and critical findings; the test fails at its end with the list of them,
   * page by page. Every spec calls it on each page (and open dialog) it visits.
   */
  axe: async ({}, use, testInfo) => {
    const found = []
    await use(async (page, label = '', { within } = {}) => {
      const where = `${label ? label + ' ' : ''}${new URL(page.url()).pathname}${new URL(page.url()).search} @${page.viewportSize().width}px${within ? ' in ' + within : ''}`
      const t0 = Date.now()
      const findings = await axeFindings(page, within)
      if (process.env.E2E_AXE_LOG) fs.appendFileSync(process.env.E2E_AXE_LOG, JSON.stringify({ test: testInfo.title, where, ms: Date.now() - t0, findings }) + '\n')
      if (findings.length) found.push({ where, findings })
    })
    if (found.length) throw new Error(`axe: ${found.reduce((n, f) => n + f.findings.length, 0)} serious or critical accessibility findings\n` + found.map(formatAxe).join('\n'))
  },
  /** as(user, {phone, viewport}) → a new page, logged in as user, in a context of its own. */
  as: async ({ browser, baseURL, locale, timezoneId, pageErrors }, use) => {
    const contexts = []
    await use(async (user, opts = {}) => {
      const context = await browser.newContext({
        baseURL, locale, timezoneId, acceptDownloads: true,
        viewport: opts.viewport || (opts.phone ? PHONE : DESKTOP),
        storageState: statePath(user),
      })
      context.setDefaultTimeout(15_000)
      await context.addInitScript(recordToasts)
      // the session is shared by every test of this user: should the app log out on its own
      // (a 401 somewhere), it must not revoke it for the others — that test fails by itself
      await context.route('**/api/v1/auth/logout', (r) => r.fulfill({ status: 204 }))
      contexts.push(context)
      // a stored session the server no longer knows (seen on a loaded machine after some
      // minutes): log in again through the form and keep the new one for the next tests
      if ((await context.request.get('/api/v1/me')).status() === 401) {
        const again = await context.newPage()
        await uiLogin(again, user)
        await context.storageState({ path: statePath(user) })
        await again.close()
      }
      const page = await context.newPage()
      page.on('pageerror', (e) => pageErrors.push(`${user}: ${e}`))
      return page
    })
    for (const c of contexts) await c.close()
  },
  /** api(user, method, path, body) → {status, json, text}, through user's session cookie. */
  api: async ({ playwright, baseURL }, use) => {
    const contexts = new Map()
    await use(async (user, method, p, body) => {
      if (!contexts.has(user)) {
        const c = await playwright.request.newContext({ baseURL, storageState: statePath(user) })
        if ((await c.get('/api/v1/me')).status() === 401) await c.post('/api/v1/auth/login', { data: { username: user, password: PASSWORD } }) // as as() does
        contexts.set(user, c)
      }
      const ctx = contexts.get(user)
      const state = await ctx.storageState()
      const csrf = (state.cookies.find((c) => c.name === CSRF_COOKIE) || {}).value
      const headers = { Accept: 'application/json' }
      if (csrf && method !== 'GET') headers[CSRF_HEADER] = csrf
      const r = await ctx.fetch('/api/v1' + p, { method, headers, data: body === undefined ? undefined : body })
      const text = await r.text()
      let json = null
      try { json = JSON.parse(text) } catch { /* not json */ }
      return { status: r.status(), json, text }
    })
    for (const c of contexts.values()) await c.dispose()
  },
})

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** The serious and critical findings of axe-core on the page as it is now, one per rule and element. */
/** within: a selector to check only that part of the page (e.g. '#main' when the rest is unchanged). */
export async function axeFindings(page, within) {
  // let transitions (dialogs, drawers, tags) settle before measuring colours: a frame for a
  // transition about to start, then until no finite animation is running (a fixed 250 ms before)
  await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity))))),
  null, { timeout: 2_000, polling: 50 }).catch(() => {})
  // Legacy mode: axe.run in the page itself. The default (runPartial, then finishRun in a blank
  // page opened for each check) opened a page per check: 2.4 s a check on average against 1.3 s
  // (30 checks of admin's sweep, quiet machine). The app has no frames, which is what legacy mode
  // gives up. Only violations are collected (passes and incomplete results are not built).
  const builder = new AxeBuilder({ page }).withTags(AXE_TAGS).options({ resultTypes: ['violations'] }).setLegacyMode()
  if (within) builder.include(within)
  const r = await builder.analyze()
  const out = []
  for (const v of r.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue
    for (const n of v.nodes) out.push({ rule: v.id, impact: v.impact, help: v.help, target: n.target.join(' '), html: n.html.slice(0, 160), why: (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 220) })
  }
  return out
}

function formatAxe({ where, findings }) {
  const lines = [`  ${where}: ${findings.length}`]
  for (const f of findings) lines.push(`    [${f.impact}] ${f.rule} (${f.help}) at ${f.target}\n      ${f.html}\n      ${f.why}`)
  return lines.join('\n')
}

/** A unique suffix for names a test creates, so that runs and tests never collide. */
export function stamp() {
  return Date.now().toString(36).slice(-5) + Math.random().toString(36).slice(2, 4)
}

/** Logs in through the log-in form (after dropping any session the page's context has). */
export async function uiLogin(page, username, password = PASSWORD) {
  await page.context().clearCookies()
  await page.goto('/login')
  await page.evaluate(() => localStorage.removeItem('chaincrm.token'))
  await page.goto('/login')
  await page.fill('input[data-test=login-username]', username)
  await page.fill('input[data-test=login-password]', password)
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=zone-name]', { timeout: 20_000 })
}

export async function fill(page, name, value) {
  const sel = `input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`
  await page.locator(sel).first().fill(String(value))
}

export async function pickOption(page, name, text) {
  await page.locator(`[data-test=${name}]`).first().click()
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await opt.waitFor({ timeout: 10_000 })
  await opt.click()
}

export async function toast(page, text, type = 'success') {
  await page.waitForFunction(([t, k]) => (window.__toasts || []).some((m) => m.type === k && m.text.includes(t)), [text, type], { timeout: 15_000 })
    .catch(async () => { throw new Error(`no ${type} toast "${text}"; toasts shown: ${JSON.stringify(await page.evaluate(() => window.__toasts || []))}`) })
}

export async function stageOf(page) {
  return (await page.locator('[data-test=project-stage]').first().textContent()).trim()
}

/** Waits until no skeleton or loading mask is left on the page. */
export async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('[data-test=state-loading], .el-loading-mask'), null, { timeout: 15_000 }).catch(() => {})
}

const inflight = new WeakMap()
function track(page) {
  if (inflight.has(page)) return inflight.get(page)
  const t = { n: 0, last: Date.now() }
  const done = () => { t.n = Math.max(0, t.n - 1); t.last = Date.now() }
  page.on('request', () => { t.n++; t.last = Date.now() })
  page.on('requestfinished', done)
  page.on('requestfailed', done)
  inflight.set(page, t)
  return t
}

/**
 * Waits until the page has had no request in flight for `ms` (the app's data has arrived) — the
 * in-app counterpart of waitForLoadState('networkidle'), which only knows full page loads and
 * always waits 500 ms.
 */
export async function quiet(page, ms = 150, timeout = 15_000) {
  const t = track(page)
  const end = Date.now() + timeout
  while (Date.now() < end) {
    if (t.n === 0 && Date.now() - t.last >= ms) return
    await page.waitForTimeout(25)
  }
}

/**
 * Opens path in the running app the way a user's click does (the router, no reload): a full
 * page load only the first time. Resolves when the new page is shown, its data loaded.
 */
export async function navigate(page, p) {
  track(page)
  const inApp = await page.evaluate(() => !!document.querySelector('#app')?.__vue_app__).catch(() => false)
  if (!inApp) await page.goto(p)
  else {
    await page.evaluate(async (to) => {
      const router = document.querySelector('#app').__vue_app__.config.globalProperties.$router
      await router.push(to)
      await new Promise((r) => requestAnimationFrame(() => r()))
    }, p)
  }
  await page.locator('[data-test^=page-]:visible').first().waitFor({ timeout: 20_000 })
  await quiet(page)
  await settled(page)
}

/** Saves a screenshot for the docs (docs/screenshots/NAME.png) unless E2E_SCREENSHOTS=0. */
export async function shot(page, name) {
  if (process.env.E2E_SCREENSHOTS === '0') return
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.waitForTimeout(400) // let charts finish their entry animation
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false })
}
