// End-to-end flows of the web app against the real chaincrm binary on a fresh SQLite demo.
//
//   CHAINCRM_BIN=/path/to/chaincrm node e2e/run.mjs
//
// Builds nothing: the binary must already embed the built frontend. Starts `chaincrm serve`
// on a free loopback port with its own temporary database and data directory, drives Debian's
// /usr/bin/chromium through playwright-core, saves screenshots under docs/screenshots/, stops
// the server, and ends with the line "N passed, M failed" (exit 1 on any failure).
import { chromium } from 'playwright-core'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const SHOTS = path.resolve(here, '../../docs/screenshots')
const BIN = process.env.CHAINCRM_BIN
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const PASSWORD = process.env.CHAINCRM_DEMO_PASSWORD || 'Demo@2023'
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null
const USERS = ['admin', 'director', 'chief_food', 'chief_mining', 'chief_semi', 'recruiter1', 'recruiter2', 'agent1', 'viewer']

const results = []
let server = null
let browser = null
let tmp = null

function log(...a) { console.log(...a) }

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function waitReady(base, ms = 90000) {
  const until = Date.now() + ms
  let last = ''
  while (Date.now() < until) {
    if (server && server.exitCode !== null) throw new Error(`chaincrm exited with ${server.exitCode} before it was ready`)
    try {
      const r = await fetch(base + '/readyz')
      if (r.ok) return
      last = `HTTP ${r.status}`
    } catch (e) { last = e.message }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`/readyz not ready after ${ms} ms (${last})`)
}

async function stopServer() {
  if (!server || server.exitCode !== null) return
  server.kill('SIGTERM')
  const done = new Promise((r) => server.once('exit', r))
  const t = setTimeout(() => { try { server.kill('SIGKILL') } catch { /* gone */ } }, 5000)
  await done
  clearTimeout(t)
}

async function test(name, fn) {
  if (ONLY && !ONLY.test(name)) return
  const started = Date.now()
  try {
    await fn()
    results.push({ name, ok: true })
    log(`  ✓ ${name} (${Date.now() - started} ms)`)
  } catch (e) {
    results.push({ name, ok: false, error: e })
    log(`  ✗ ${name} (${Date.now() - started} ms)\n      ${String((e && e.stack) || e).split('\n').slice(0, 4).join('\n      ')}`)
  }
}

function assert(cond, msg) { if (!cond) throw new Error(msg) }

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true })
  await page.waitForTimeout(400) // let charts finish their entry animation
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: false })
}

// ---- page helpers --------------------------------------------------------------------------

let base = ''

async function login(page, username, password = PASSWORD) {
  await page.context().clearCookies() // the session lives in cookies only (issue 12)
  await page.goto(base + '/login')
  await page.fill('input[data-test=login-username]', username)
  await page.fill('input[data-test=login-password]', password)
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=zone-name]', { timeout: 20000 })
}

async function fill(page, name, value) {
  const sel = `input[data-test=${name}], textarea[data-test=${name}], [data-test=${name}] input, [data-test=${name}] textarea`
  const el = page.locator(sel).first()
  await el.fill(String(value))
}

async function pickOption(page, name, text) {
  await page.locator(`[data-test=${name}]`).first().click()
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await opt.waitFor({ timeout: 10000 })
  await opt.click()
}

async function toast(page, text, type = 'success') {
  await page.locator(`.el-message--${type}`, { hasText: text }).first().waitFor({ timeout: 15000 })
}

async function stageOf(page) {
  return (await page.locator('[data-test=project-stage]').first().textContent()).trim()
}

async function apiAs(username, method, p, body) {
  const lr = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })
  const { token } = await lr.json()
  const r = await fetch(base + '/api/v1' + p, { method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })
  const text = await r.text()
  let json = null
  try { json = JSON.parse(text) } catch { /* not json */ }
  return { status: r.status, json, text }
}

// ---- the flows -----------------------------------------------------------------------------

async function main() {
  if (!BIN) {
    log('CHAINCRM_BIN is not set: build the binary with the frontend embedded (npm run build, then go build ./cmd/chaincrm) and point CHAINCRM_BIN at it.')
    log('0 passed, 1 failed')
    process.exit(1)
  }
  if (!fs.existsSync(CHROMIUM)) {
    log(`${CHROMIUM} not found: apt-get install -y chromium`)
    log('0 passed, 1 failed')
    process.exit(1)
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chaincrm-e2e-'))
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  const logFile = fs.openSync(path.join(tmp, 'server.log'), 'a')
  server = spawn(path.resolve(BIN), ['serve'], {
    env: {
      ...process.env,
      CHAINCRM_DB_DRIVER: 'sqlite',
      CHAINCRM_DB_DSN: path.join(tmp, 'e2e.db'),
      CHAINCRM_HTTP_ADDR: `127.0.0.1:${port}`,
      CHAINCRM_DATA_DIR: tmp,
      CHAINCRM_DEMO_SEED_ON_START: 'true', // as `make run` does; a bare serve creates no demo (issue 12)
    },
    cwd: tmp,
    stdio: ['ignore', logFile, logFile],
  })
  log(`chaincrm serve on ${base} (log: ${path.join(tmp, 'server.log')})`)
  await waitReady(base)

  const profile = fs.mkdtempSync(path.join(tmp, 'chromium-profile-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  })
  browser = context
  context.setDefaultTimeout(15000)
  const page = context.pages()[0] || await context.newPage()
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))

  const stamp = Date.now().toString(36).slice(-5)
  const projectName = `E2E测试碳化硅外延项目-${stamp}`
  let projectId = null

  await test('the binary serves the web app with history-mode deep links', async () => {
    const root = await fetch(base + '/')
    const html = await root.text()
    assert(root.ok && html.includes('id="app"'), `GET / did not return the app (HTTP ${root.status})`)
    const deep = await fetch(base + '/projects/12345?tab=history')
    assert(deep.ok && (await deep.text()).includes('id="app"'), 'deep link did not return index.html')
    const asset = html.match(/\/assets\/[^"]+\.js/)
    assert(asset, 'no hashed asset in index.html')
    const a = await fetch(base + asset[0])
    assert(a.ok, `asset ${asset[0]} HTTP ${a.status}`)
    assert(/max-age=\d{6,}/.test(a.headers.get('cache-control') || ''), `hashed asset not long-cached: ${a.headers.get('cache-control')}`)
  })

  await test('log-in refuses a wrong password with a Chinese message', async () => {
    await page.goto(base + '/login')
    await page.evaluate(() => localStorage.clear())
    // first page interactive: a cold load (no cache) until the log-in form takes input
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.clearBrowserCache')
    const t0 = Date.now()
    await page.goto(base + '/login')
    await page.locator('input[data-test=login-username]').waitFor()
    const ms = Date.now() - t0
    log(`      first page interactive in ${ms} ms (target 1500 ms on an idle machine)`)
    assert(ms < Number(process.env.E2E_FIRST_PAGE_MS || 5000), `log-in page took ${ms} ms`)
    await shot(page, 'login')
    await page.fill('input[data-test=login-username]', 'recruiter2')
    await page.fill('input[data-test=login-password]', 'wrong-password')
    await page.click('[data-test=login-submit]')
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    const text = await err.textContent()
    assert(/[\u4e00-\u9fff]/.test(text), `error not in Chinese: ${text}`)
  })

  await test('every demo role logs in and sees only its menus', async () => {
    const expect = {
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
        await login(page, u)
        await page.locator('[data-test=nav]').waitFor()
        await page.waitForLoadState('networkidle').catch(() => {})
        await page.waitForFunction(() => !document.querySelector('[data-test=state-loading]'), null, { timeout: 15000 }).catch(() => {})
        const errs = await page.locator('[data-test=state-error]').allTextContents()
        if (errs.length) problems.push(`${u}: dashboard shows an error: ${errs[0].replace(/\s+/g, ' ').slice(0, 80)}`)
        if (u === 'agent1' && !(await page.locator('[data-test=my-leads]').count())) problems.push('agent1: no 我提交的项目线索 panel')
        for (const id of expect[u].has) if (!(await page.locator(`[data-test=${id}]`).count())) problems.push(`${u}: missing ${id}`)
        for (const id of expect[u].not) if (await page.locator(`[data-test=${id}]`).count()) problems.push(`${u}: should not see ${id}`)
        if (u === 'viewer') {
          await page.goto(base + '/projects')
          await page.locator('[data-test=page-projects]').waitFor()
          if (await page.locator('[data-test=new-project]').count()) problems.push('viewer: sees 新建项目')
          if (await page.locator('[data-test=fab-visit]').count()) problems.push('viewer: sees 记录走访')
          await page.goto(base + '/admin/users')
          await page.locator('[data-test=page-forbidden]').waitFor()
        }
      } catch (e) { problems.push(`${u}: ${e.message.split('\n')[0]}`) }
    }
    assert(!problems.length, problems.join('; '))
  })

  await test('dashboard shows 2022: 87 docked = 26/15/21/25, 4 signed for 8.05亿元', async () => {
    await login(page, 'director')
    await page.goto(base + '/?year=2022')
    await page.locator('[data-test=channel-summary]').waitFor({ timeout: 20000 })
    const kpi = await page.locator('[data-test=kpi-docked]').textContent()
    assert(/87/.test(kpi), `docked KPI: ${kpi}`)
    const want = { entrusted: 26, business_referral: 15, self_sourced: 21, resource_plus: 25 }
    for (const [c, n] of Object.entries(want)) {
      const t = await page.locator(`[data-test=channel-${c}]`).textContent()
      assert(new RegExp(`\\b${n}\\b`).test(t.replace(/\D+/g, ' ')), `${c}: ${t} (want ${n})`)
    }
    const signed = await page.locator('[data-test=kpi-signed]').textContent()
    assert(signed.includes('8.05亿元'), `signed: ${signed}`)
    assert(/^\s*签约项目\s*4/.test(signed), `signed count: ${signed}`)
    const intended = await page.locator('[data-test=kpi-intended]').textContent()
    assert(intended.includes('重资产 3 个、轻资产 3 个'), `intended: ${intended}`) // the report's 3 heavy + 3 light
    await page.locator('[data-test=page-dashboard] canvas').first().waitFor()
    await shot(page, 'dashboard')
  })

  await test('a recruiter creates a project (starts in 洽谈对接)', async () => {
    await login(page, 'recruiter1')
    await page.goto(base + '/projects')
    await page.locator('[data-test=projects-table]').waitFor({ timeout: 20000 })
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
    await page.waitForURL(/\/projects\/\d+/, { timeout: 20000 })
    projectId = Number(page.url().match(/\/projects\/(\d+)/)[1])
    await page.locator('[data-test=project-name]').waitFor()
    assert((await page.locator('[data-test=project-name]').textContent()).includes(projectName), 'name not shown')
    assert((await stageOf(page)) === '洽谈对接', `stage: ${await stageOf(page)}`)
    const inv = await page.locator('[data-test=field-investment]').textContent()
    assert(inv.includes('5,000万元'), `investment shown as ${inv}`)
  })

  await test('the project moves lead → identification → risk; decision refused without an assessment', async () => {
    assert(projectId, 'no project from the previous test')
    await page.goto(`${base}/projects/${projectId}`)
    await page.click('[data-test=move-identification]')
    await toast(page, '项目识别')
    await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '项目识别')
    await page.click('[data-test=move-risk]')
    await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '风险评估')
    await page.click('[data-test=move-decision]')
    const box = page.locator('.refusal-box')
    await box.waitFor()
    const msg = await box.textContent()
    assert(msg.includes('风险评估'), `refusal message: ${msg}`)
    await shot(page, 'stage-refused')
    await box.locator('.el-button--primary').click()
    assert((await stageOf(page)) === '风险评估', 'stage changed despite the refusal')
  })

  await test('a risk assessment is submitted and the project goes to 落地决策', async () => {
    assert(projectId, 'no project')
    await page.goto(`${base}/projects/${projectId}?tab=risk`)
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

  await test('the board refuses follow-up before a decision and shows the reason', async () => {
    assert(projectId, 'no project')
    await page.goto(base + '/board?chain=semiconductor')
    const card = page.locator(`[data-test=board-card][data-project-id="${projectId}"]`)
    await card.waitFor({ timeout: 20000 })
    await shot(page, 'board')
    await card.locator('[data-test=card-move]').selectOption('follow_up')
    const prompt = page.locator('.prompt-signed')
    if (await prompt.isVisible().catch(() => false) || await prompt.waitFor({ timeout: 3000 }).then(() => true).catch(() => false)) {
      await prompt.locator('.el-button--primary').click()
    }
    const box = page.locator('.refusal-box')
    await box.waitFor()
    const msg = await box.textContent()
    assert(/决策|批准/.test(msg), `refusal: ${msg}`)
    await box.locator('.el-button--primary').click()
  })

  await test('the chain chief sees the decision waiting on the review page', async () => {
    assert(projectId, 'no project')
    await login(page, 'chief_semi')
    await page.goto(base + '/review')
    await page.locator('[data-test=review-queue]').waitFor({ timeout: 20000 })
    const text = await page.locator('[data-test=review-queue]').textContent()
    assert(text.includes(projectName), 'project not in the review queue')
    await shot(page, 'review')
  })

  await test('another chain chief may not decide; the chief of the chain approves', async () => {
    assert(projectId, 'no project')
    await login(page, 'chief_food')
    await page.goto(`${base}/projects/${projectId}?tab=decision`)
    const visible = await page.locator('[data-test=page-project]').waitFor({ timeout: 10000 }).then(() => true).catch(() => false)
    if (visible && await page.locator('[data-test=project-name]').count()) {
      assert(!(await page.locator('[data-test=decision-panel]').count()), 'chief_food sees the decision panel on a semiconductor project')
    }
    await login(page, 'chief_semi')
    await page.goto(`${base}/projects/${projectId}?tab=decision`)
    await page.locator('[data-test=decision-panel]').waitFor()
    await page.locator('[data-test=decision-outcome-radio] label', { hasText: '同意落地' }).click()
    await fill(page, 'decision-notes', '同意落地，请抓紧推进土地摘牌。')
    await page.click('[data-test=decision-submit]')
    await page.locator('[data-test=decision-outcome]').waitFor()
    assert((await page.locator('[data-test=decision-outcome]').textContent()).includes('同意落地'), 'outcome not shown')
    await fill(page, 'comment-input', '请招商局抓紧对接土地指标，月底前完成摘牌准备。')
    await page.click('[data-test=comment-submit]')
    await page.locator('[data-test=comment-list] li', { hasText: '土地指标' }).waitFor()
  })

  await test('the owner records the signing and the project enters 跟踪服务', async () => {
    assert(projectId, 'no project')
    await login(page, 'recruiter1')
    await page.goto(`${base}/projects/${projectId}`)
    await page.click('[data-test=move-follow_up]')
    const prompt = page.locator('.prompt-signed')
    await prompt.waitFor()
    await prompt.locator('.el-button--primary').click()
    await page.waitForFunction(() => document.querySelector('[data-test=project-stage]')?.textContent.trim() === '跟踪服务', null, { timeout: 15000 })
    await page.goto(`${base}/projects/${projectId}?tab=milestones`)
    const planned = page.locator('[data-test=ms-land_listing_planned] input, input[data-test=ms-land_listing_planned]').first()
    await planned.fill('2027-03-01')
    await planned.press('Enter')
    await page.click('[data-test=ms-save]')
    await toast(page, '已保存')
    await page.goto(`${base}/projects/${projectId}?tab=history`)
    await page.locator('[data-test=history-table]').waitFor()
    const hist = await page.locator('[data-test=history-table]').textContent()
    assert(hist.includes('recruiter1'), 'history lacks the actor')
  })

  await test('import: a file with an error is previewed with the row and nothing is written', async () => {
    const csv = path.join(tmp, 'import.csv')
    fs.writeFileSync(csv, '\ufeff项目名称,投资主体,招商渠道,产业链,资产类型,计划投资(万元),占地面积(亩),阶段,对接日期\n'
      + `E2E导入项目甲-${stamp},石家庄某食品有限公司,自主招商,现代食品,重资产,3000,50,洽谈对接,2023-03-01\n`
      + `E2E导入项目乙-${stamp},天津某矿业有限公司,不存在的渠道,矿业,重资产,-5,20,洽谈对接,2023-03-02\n`)
    await login(page, 'admin')
    await page.goto(base + '/projects')
    await page.click('[data-test=open-import]')
    await page.locator('[data-test=import-dialog] input[type=file]').setInputFiles(csv)
    await page.click('[data-test=import-check]')
    await page.locator('[data-test=import-preview]').waitFor({ timeout: 20000 })
    const errs = page.locator('[data-test=import-errors]')
    await errs.waitFor()
    const t = await errs.textContent()
    assert(/\b3\b/.test(t), `row 3 not named: ${t}`)
    assert(await page.locator('[data-test=import-confirm]').isDisabled(), 'confirm not disabled with errors')
    await shot(page, 'import-preview')
    const r = await apiAs('admin', 'GET', `/projects?q=${encodeURIComponent('E2E导入项目甲-' + stamp)}`)
    assert(r.status === 200 && r.json && r.json.total === 0, `a row was written by a failing import: ${r.text.slice(0, 200)}`)
  })

  await test('export: the job shows rows of total with a bar, then the file downloads', async () => {
    await login(page, 'director')
    await page.goto(base + '/projects?chain=food')
    await page.locator('[data-test=page-projects]').waitFor()
    const want = (await apiAs('director', 'GET', '/projects?chain=food&page_size=1')).json.total
    const polled = []
    const onResponse = async (r) => {
      if (/\/api\/v1\/export\/jobs\/[0-9a-f]{32}$/.test(r.url())) polled.push(await r.json().catch(() => null))
    }
    page.on('response', onResponse)
    try {
      const downloading = page.waitForEvent('download', { timeout: 30000 })
      await page.click('[data-test=export]')
      const line = page.locator('[data-test=export-progress-text]', { hasText: /正在导出\s[\d\s]+\/\s[\d\s]+行（\d+%）/ })
      await line.waitFor({ timeout: 10000 })
      const text = (await line.textContent()).replace(/\s/g, '')
      const m = /\/([\d]+)行/.exec(text)
      assert(m && Number(m[1]) === want && want > 0, `progress line "${text}", the list has ${want}`)
      assert(await page.locator('[data-test=export-progress] .el-progress').count() === 1, 'no progress bar')
      assert(await page.locator('[data-test=export-cancel]').count() === 1, 'no cancel button')
      const dl = await downloading
      assert(/^招商项目-\d{8}\.xlsx$/.test(dl.suggestedFilename()), `file name ${dl.suggestedFilename()}`)
      const file = fs.readFileSync(await dl.path())
      assert(file.subarray(0, 2).toString() === 'PK', 'the download is not an .xlsx (zip)')
      await toast(page, '已下载')
      const last = polled.filter(Boolean).at(-1)
      assert(last && last.status === 'done' && last.rows === want && last.total === want, `last poll ${JSON.stringify(last)}, want ${want} rows`)
      assert(last.size === file.length, `downloaded ${file.length} bytes, the job wrote ${last.size}`)
      await page.locator('[data-test=export-progress]').waitFor({ state: 'detached' })
    } finally { page.off('response', onResponse) }
  })

  await test('the semiconductor chain map renders and a node opens its details', async () => {
    await login(page, 'chief_semi')
    await page.goto(base + '/map/semiconductor')
    await page.locator('[data-test=map-chart] canvas').first().waitFor({ timeout: 20000 })
    const rows = page.locator('[data-test=node-table] .el-table__body tr')
    await rows.first().waitFor()
    assert((await rows.count()) >= 3, `only ${await rows.count()} nodes`)
    const summary = await page.locator('[data-test=map-summary]').textContent()
    assert(/强链|补链|缺链/.test(summary), `summary: ${summary}`)
    await rows.nth(1).click()
    await page.locator('[data-test=node-panel] h2').waitFor()
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'chain-map')
    const svg = await apiAs('chief_semi', 'GET', '/chains/semiconductor/map.svg')
    assert(svg.status === 200 && svg.text.includes('<svg'), `map.svg HTTP ${svg.status}`)
  })

  await test('on a 375 px phone a visit is logged in two taps from the dashboard', async () => {
    const phone = await context.newPage()
    await phone.setViewportSize({ width: 375, height: 812 })
    await login(phone, 'recruiter1')
    await phone.goto(base + '/')
    await phone.locator('[data-test=fab-visit]').click() // tap 1
    const form = phone.locator('[data-test=quick-visit] [data-test=visit-form]')
    await form.waitFor()
    await phone.locator('[data-test=quick-visit] [data-test=project-picker]').click()
    await phone.keyboard.type(projectName.slice(0, 8))
    const opt = phone.locator('.el-select-dropdown__item:visible', { hasText: projectName }).first()
    await opt.waitFor({ timeout: 15000 })
    await opt.click()
    await fill(phone, 'visit-place', '北京')
    await fill(phone, 'visit-summary', '拜访投资方，对方确认将于下月来区实地考察。')
    await phone.waitForTimeout(500) // let the closed dropdown fade out
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert(overflow <= 375, `page is ${overflow}px wide on a 375px screen`)
    await shot(phone, 'visit-mobile')
    await phone.locator('[data-test=visit-submit]').click() // tap 2 (after typing)
    await toast(phone, '走访记录已保存')
    await phone.goto(`${base}/projects/${projectId || ''}?tab=activities`)
    if (projectId) {
      await phone.locator('[data-test=activity-timeline]').waitFor()
      assert((await phone.locator('[data-test=activity-timeline]').textContent()).includes('实地考察'), 'visit not in the timeline')
    }
    await shot(phone, 'project-mobile')
    await phone.close()
  })

  await test('reminders raised by the scheduler are done and snoozed by their owner', async () => {
    const run = await apiAs('admin', 'POST', '/jobs/reminders/run')
    assert(run.status === 200, `POST /jobs/reminders/run HTTP ${run.status}: ${run.text.slice(0, 200)}`)
    await login(page, 'recruiter1')
    await page.goto(base + '/reminders')
    const cards = page.locator('[data-test=reminder]')
    await cards.first().waitFor({ timeout: 20000 })
    const before = await cards.count()
    assert(before > 0, 'no reminders after running the job')
    await shot(page, 'reminders')
    const firstText = await cards.first().textContent()
    const [doneRes] = await Promise.all([
      page.waitForResponse((r) => /\/reminders\/\d+\/done$/.test(r.url()) && r.request().method() === 'POST'),
      cards.first().locator('[data-test=reminder-done]').click(),
    ])
    assert(doneRes.status() === 200, `done: HTTP ${doneRes.status()} ${await doneRes.text()}`)
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=reminder]').length === n - 1, before)
    await cards.first().locator('[data-test=reminder-snooze]').click()
    const [snRes] = await Promise.all([
      page.waitForResponse((r) => /\/reminders\/\d+\/snooze$/.test(r.url()) && r.request().method() === 'POST'),
      page.locator('[data-test=snooze-7]:visible').click(),
    ])
    assert(snRes.status() === 200, `snooze: HTTP ${snRes.status()} ${await snRes.text()}`)
    // the server either hides a snoozed reminder until its day or lists it as snoozed
    await page.waitForFunction((n) => {
      const cards = [...document.querySelectorAll('[data-test=reminder]')]
      return cards.length === n - 2 || cards.some((c) => c.textContent.includes('已推迟至'))
    }, before)
    const after = await cards.count()
    assert(after === before - 1 || after === before - 2, `done/snooze: ${before} → ${after} reminders`)
    assert(firstText.length > 0, 'empty reminder card')
  })

  await test('annual report and admin pages render without errors', async () => {
    await login(page, 'director')
    await page.goto(base + '/reports?year=2022')
    await page.locator('[data-test=report-text]').waitFor({ timeout: 20000 })
    const text = await page.locator('[data-test=report-text]').textContent()
    assert(text.includes('共对接项目87个'), `report text: ${text.slice(0, 120)}`)
    await page.locator('[data-test=report-signed_projects]').waitFor()
    assert((await page.locator('[data-test=report-signed_projects] .el-table__body tr').count()) === 4, 'signed projects table does not list 4')
    await shot(page, 'report')
    const wordFile = page.waitForEvent('download', { timeout: 30000 })
    await page.locator('[data-test=report-word]').click()
    const doc = await wordFile
    assert(doc.suggestedFilename() === '2022年招商引资工作情况.docx', `Word file named ${doc.suggestedFilename()}`)
    const docBytes = fs.readFileSync(await doc.path())
    assert(docBytes.subarray(0, 2).toString() === 'PK' && docBytes.includes(Buffer.from('word/document.xml')), 'the download is not a .docx')
    await login(page, 'admin')
    for (const [p, id] of [['/admin/users', 'users-table'], ['/admin/jobs', 'page-admin-jobs'], ['/admin/campaigns', 'page-admin-campaigns'], ['/admin/targets', 'page-admin-targets']]) {
      await page.goto(base + p)
      await page.locator(`[data-test=${id}]`).waitFor({ timeout: 15000 })
      const err = await page.locator('[data-test=state-error]').count()
      assert(!err, `${p} shows an error state: ${err ? await page.locator('[data-test=state-error]').first().textContent() : ''}`)
      if (p === '/admin/users') await shot(page, 'admin-users')
    }
  })

  // --- chain editor flows ---
  await test('chain editor: admin creates, renames, links, is refused a delete, unlinks and deletes a node', async () => {
    await login(page, 'admin')
    await page.goto(base + '/admin/chains/food')
    await page.locator('[data-test=node-tree] [data-test=segment-midstream]').waitFor({ timeout: 20000 })
    assert(!(await page.locator('.el-alert', { hasText: '系统初始化' }).count()), 'the old read-only notice is still there')
    const first = `E2E测试环节-${stamp}`
    const renamed = `E2E复合调味料-${stamp}`
    const row = (name) => page.locator(`[data-test=node-tree] .tree-row[data-name="${name}"]`)
    const confirm = () => page.locator('.el-message-box__btns .el-button--primary').click()

    // create in 中游
    await page.locator('[data-test=add-node-midstream]').click()
    await page.locator('[data-test=node-dialog]').waitFor()
    await fill(page, 'node-name', first)
    await page.locator('[data-test=node-save]').click()
    await toast(page, `环节“${first}”已新增`)
    await row(first).waitFor()
    assert(await page.locator('[data-test=segment-midstream]').locator(`.tree-row[data-name="${first}"]`).count(), 'the new node is not under 中游')

    // rename
    await row(first).locator('[data-test=node-edit]').click()
    await fill(page, 'node-name', renamed)
    await page.locator('[data-test=node-save]').click()
    await toast(page, `环节“${renamed}”已保存`)
    await row(renamed).waitFor()
    assert(!(await row(first).count()), 'the old name is still in the tree')

    // link an enterprise to it
    await row(renamed).locator('[data-test=node-label]').click()
    await page.locator('[data-test=node-links] h2', { hasText: renamed }).waitFor()
    const ent = '涞源县桃木疙瘩食品有限公司'
    await page.locator('[data-test=link-enterprise-picker]').click()
    await page.keyboard.type('桃木疙瘩')
    const opt = page.locator('.el-select-dropdown__item:visible', { hasText: ent }).first()
    await opt.waitFor({ timeout: 15000 })
    await opt.click()
    await page.locator('[data-test=link-enterprise]').click()
    await toast(page, `已关联“${ent}”`)
    await page.locator('[data-test=linked-enterprises]', { hasText: ent }).waitFor()
    await page.waitForFunction((n) => {
      const r = document.querySelector(`.tree-row[data-name="${n}"] .counts`)
      return r && r.textContent.trim().startsWith('1/')
    }, renamed) // the map was read again: the node now counts one enterprise
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'admin-chains')

    // delete refused: the server's message, as it wrote it
    await row(renamed).locator('[data-test=node-delete]').click()
    await confirm()
    const refusal = page.locator('[data-test=delete-refusal]')
    await refusal.waitFor()
    const shown = (await refusal.locator('.el-alert__title').textContent()).trim()
    const map = await apiAs('admin', 'GET', '/chains/food/map')
    const node = map.json.nodes.find((n) => n.name === renamed)
    assert(node, 'the renamed node is not on the map')
    const direct = await apiAs('admin', 'DELETE', `/chains/food/nodes/${node.id}`)
    assert(direct.status === 422, `DELETE a linked node: HTTP ${direct.status}`)
    assert(shown === direct.json.error.message, `refusal shown "${shown}", server says "${direct.json.error.message}"`)
    assert(shown.includes(renamed) && shown.includes('关联企业 1 家') && shown.includes(ent), `refusal does not name the links: ${shown}`)
    assert(await row(renamed).count(), 'the refused node left the tree')

    // unlink, then the delete goes through
    await page.locator('[data-test=linked-enterprises] [data-test=unlink-enterprise]').first().click()
    await confirm()
    await toast(page, `已解除关联“${ent}”`)
    await page.locator('[data-test=node-links] [data-test=state-empty]').waitFor()
    await row(renamed).locator('[data-test=node-delete]').click()
    await confirm()
    await toast(page, `环节“${renamed}”已删除`)
    await row(renamed).waitFor({ state: 'detached' })
    assert(!(await refusal.count()), 'the refusal is still shown after the delete')

    // the history, newest first, in words
    const lines = page.locator('[data-test=chain-history] [data-test=history-line]')
    await page.waitForFunction((n) => (document.querySelector('[data-test=chain-history] [data-test=history-line]') || {}).textContent === `删除环节“${n}”`, renamed)
    const text = (await lines.allTextContents()).slice(0, 5)
    const want = [`删除环节“${renamed}”`, `环节“${renamed}”解除关联企业“${ent}”`, `环节“${renamed}”关联企业“${ent}”`]
    assert(JSON.stringify(text.slice(0, 3)) === JSON.stringify(want), `history: ${JSON.stringify(text)}`)
    assert(text[3].includes(`环节名称由“${first}”改为“${renamed}”`) && /^新增环节“.+”（中游）$/.test(text[4]), `history: ${JSON.stringify(text)}`)
  })

  await test('chain editor: admin marks and unmarks a chain master and records a referral', async () => {
    await login(page, 'admin')
    await page.goto(base + '/admin/chains/semiconductor')
    const panel = page.locator('[data-test=masters-panel]')
    await panel.locator('[data-test=chain-masters]').waitFor({ timeout: 20000 })
    const confirm = () => page.locator('.el-message-box__btns .el-button--primary').click()
    const pick = async (picker, typed, text) => {
      await panel.locator(`[data-test=${picker}]`).click()
      await page.keyboard.type(typed)
      const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
      await opt.waitFor({ timeout: 15000 })
      await opt.click()
    }
    const master = '河北驷乾新能源科技有限公司'
    await pick('master-picker', '驷乾', master)
    await panel.locator('[data-test=add-master]').click()
    await toast(page, `已将“${master}”设为链主`)
    const tag = panel.locator('[data-test=chain-master]', { hasText: master })
    await tag.waitFor()
    await tag.locator('.el-tag__close').click()
    await confirm()
    await toast(page, `已取消“${master}”的链主身份`)
    await tag.waitFor({ state: 'detached' })

    const from = '河北同光晶体有限公司'
    const to = '江苏国科智能科技有限公司'
    await panel.locator('[data-test=referral-from]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: from }).first().click()
    await pick('referral-to', '国科', to)
    await panel.locator('[data-test=add-referral]').click()
    await toast(page, `已记录：“${from}”可引荐“${to}”`)
    const first = page.locator('[data-test=chain-history] [data-test=history-line]').first()
    await page.waitForFunction((want) => (document.querySelector('[data-test=chain-history] [data-test=history-line]') || {}).textContent === want,
      `记录链主“${from}”可引荐“${to}”`)
    // the master's list (GET /enterprises/{id}/referrals) shows it; its 移除 button removes it
    const line = panel.locator('[data-test=master-referrals]', { hasText: `“${from}”可引荐的企业` }).locator('[data-test=referral-line]', { hasText: to })
    await line.waitFor({ timeout: 15000 })
    assert(/已关联：[^ ]*半导体/.test(await line.textContent()), `the referral line does not name its chain: ${await line.textContent()}`)
    await line.locator('[data-test=remove-referral]').click()
    await toast(page, `已移除：“${from}”引荐“${to}”`)
    await line.waitFor({ state: 'detached', timeout: 15000 })
    await page.waitForFunction((want) => (document.querySelector('[data-test=chain-history] [data-test=history-line]') || {}).textContent === want,
      `移除链主“${from}”对“${to}”的引荐`)
    assert((await first.textContent()).startsWith('移除链主'), 'the history does not show the removal first')
  })

  await test('chain editor: chief_food edits food only; the map links into the editor', async () => {
    await login(page, 'chief_food')
    assert(await page.locator('[data-test=nav-admin-chains]').count(), 'chief_food has no 产业链与环节 menu entry')
    await page.goto(base + '/admin/chains')
    await page.locator('[data-test=editor-chain-food]').waitFor({ timeout: 20000 })
    assert(!(await page.locator('[data-test=editor-chain-mining], [data-test=editor-chain-semiconductor]').count()), 'chief_food is offered another chain')
    await page.locator('[data-test=node-tree] [data-test=segment-upstream]').waitFor()
    // another chain by its address: not offered
    await page.goto(base + '/admin/chains/mining')
    await page.locator('[data-test=chain-out-of-scope]').waitFor()
    assert(!(await page.locator('[data-test=node-tree]').count()), 'the mining tree is shown to chief_food')
    // the map: 编辑 on food, not on mining
    await page.goto(base + '/map/mining') // not chief_food's chain: no map, and no 编辑
    await page.locator('[data-test=page-map] [data-test=map-summary], [data-test=page-map] [data-test=state-error]').first().waitFor({ timeout: 20000 })
    assert(!(await page.locator('[data-test=edit-chain]').count()), 'the mining map offers 编辑 to chief_food')
    await page.goto(base + '/map/food')
    await page.locator('[data-test=map-summary]').waitFor({ timeout: 20000 })
    await page.locator('[data-test=edit-chain]').click()
    await page.waitForURL(/\/admin\/chains\/food$/)
    await page.locator('[data-test=node-tree] [data-test=segment-upstream]').waitFor()
    // a node of food: created under an existing one, moved to the top, deleted
    const name = `E2E链长环节-${stamp}`
    const parentRow = page.locator('[data-test=segment-upstream] .tree-row').first()
    const parentName = await parentRow.getAttribute('data-name')
    await parentRow.locator('[data-test=node-add-child]').click()
    await fill(page, 'node-name', name)
    await page.locator('[data-test=node-save]').click()
    await toast(page, `环节“${name}”已新增`)
    const row = page.locator(`[data-test=node-tree] .tree-row[data-name="${name}"]`)
    await row.waitFor()
    const hist = await apiAs('chief_food', 'GET', '/chains/food/history?page_size=1')
    assert(hist.json.items[0].actor === 'chief_food' && hist.json.items[0].subject_name === parentName, `history: ${hist.text.slice(0, 200)}`)
    await row.locator('[data-test=node-delete]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await toast(page, `环节“${name}”已删除`)
    const other = await apiAs('chief_food', 'POST', '/chains/mining/nodes', { name: 'x', segment: 'upstream' })
    assert(other.status === 404, `chief_food creating on mining: HTTP ${other.status}`)
    // on a 375 px phone the editor fits the screen
    await page.setViewportSize({ width: 375, height: 812 })
    try {
      await page.goto(base + '/admin/chains/food')
      await page.locator('[data-test=node-tree] [data-test=segment-upstream]').waitFor()
      await page.waitForTimeout(300)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert(width <= 375, `the editor is ${width}px wide on a 375px screen`)
    } finally { await page.setViewportSize({ width: 1440, height: 900 }) }
    // the director reads maps but edits none
    await login(page, 'director')
    await page.goto(base + '/map/food')
    await page.locator('[data-test=map-summary]').waitFor({ timeout: 20000 })
    assert(!(await page.locator('[data-test=edit-chain]').count()), 'the director is offered 编辑')
    await page.goto(base + '/admin/chains')
    await page.locator('[data-test=page-forbidden]').waitFor()
  })

  // --- oversight flows ---
  // 督办, 到资, the audit log, 个人设置, the review badge, report figures and targets.
  async function firstSigned(owner, skip = []) {
    const r = await apiAs('director', 'GET', `/projects?owner=${owner}&stage=follow_up&page_size=100`)
    assert(r.status === 200, `GET /projects HTTP ${r.status}`)
    const p = (r.json.items || []).find((x) => x.signed_at && !skip.includes(x.id))
    assert(p, `no signed project of ${owner} in the demo`)
    return p
  }
  const supText = `请于本月底前完成土地摘牌前置手续并报送进展（E2E-${stamp}）`

  await test('oversight: the director issues a 督办, recruiter1 answers it, the director closes it', async () => {
    const p = await firstSigned('recruiter1', [3])
    await login(page, 'director')
    await page.goto(`${base}/projects/${p.id}?tab=supervision`)
    await page.locator('[data-test=supervision-panel]').waitFor({ timeout: 20000 })
    await page.click('[data-test=issue-supervision]')
    await page.locator('[data-test=issue-dialog] textarea').waitFor()
    await fill(page, 'issue-instruction', supText)
    await page.click('[data-test=issue-submit]')
    await toast(page, '督办已发出')
    const card = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
    await card.waitFor()
    assert((await card.locator('[data-test=supervision-status]').textContent()).trim() === '办理中', 'new supervision is not 办理中')
    await shot(page, 'project-supervision')

    await login(page, 'recruiter1')
    const badge = page.locator('[data-test=badge-supervisions]')
    await badge.waitFor({ timeout: 15000 })
    assert(Number(await badge.textContent()) >= 1, `supervision badge: ${await badge.textContent()}`)
    await page.goto(base + '/supervisions')
    await page.locator('[data-test=page-supervisions]').waitFor()
    const mine = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
    await mine.waitFor({ timeout: 15000 })
    assert(!(await mine.locator('[data-test=supervision-close-btn]').count()), 'the owner is offered 办结')
    await mine.locator('[data-test=supervision-answer-btn]').click()
    await fill(page, 'answer-input', '已与自然资源局对接，土地摘牌材料已报送，预计下周完成。')
    await page.click('[data-test=answer-submit]')
    await toast(page, '答复已提交')
    await page.waitForFunction((s) => [...document.querySelectorAll('[data-test=supervision]')].some((c) => c.textContent.includes(s) && c.getAttribute('data-status') === 'answered'), `E2E-${stamp}`)
    await shot(page, 'supervisions')

    await login(page, 'director')
    await page.goto(base + '/supervisions?tab=issued&status=answered')
    const issued = page.locator('[data-test=supervision]', { hasText: `E2E-${stamp}` })
    await issued.waitFor({ timeout: 15000 })
    assert((await issued.locator('[data-test=supervision-answer]').textContent()).includes('土地摘牌材料已报送'), 'answer not shown to the issuer')
    await issued.locator('[data-test=supervision-close-btn]').click()
    await page.locator('.el-message-box .el-button--primary').click()
    await toast(page, '督办已办结')
    const r = await apiAs('director', 'GET', `/projects/${p.id}/supervisions`)
    const s = (r.json.items || []).find((x) => x.instruction === supText)
    assert(s && s.status === 'closed' && s.answer, `server state after close: ${JSON.stringify(s)}`)
  })

  await test('oversight: the owner records 到资 on a signed project and the totals follow', async () => {
    const p = await firstSigned('recruiter1')
    const before = await apiAs('recruiter1', 'GET', `/projects/${p.id}/investments`)
    assert(before.status === 200, `GET investments HTTP ${before.status}`)
    await login(page, 'recruiter1')
    await page.goto(`${base}/projects/${p.id}?tab=investment`)
    await page.locator('[data-test=investment-form]').waitFor({ timeout: 20000 })
    await fill(page, 'inv-amount', '1200')
    await fill(page, 'inv-notes', `首期注册资本金到位（E2E-${stamp}）`)
    await page.click('[data-test=inv-submit]')
    await toast(page, '到资已登记')
    await page.locator('[data-test=investment-table]', { hasText: `E2E-${stamp}` }).waitFor()
    const after = await apiAs('recruiter1', 'GET', `/projects/${p.id}/investments`)
    const gained = Number(after.json.realised_investment_wan) - Number(before.json.realised_investment_wan)
    assert(gained === 1200, `realised grew by ${gained}, not 1200`)
    const shown = await page.locator('[data-test=inv-realised]').textContent()
    assert(shown.replace(/,/g, '').includes(String(Number(after.json.realised_investment_wan) >= 10000 ? '' : after.json.realised_investment_wan)), `realised shown as ${shown}`)
    await shot(page, 'project-investment')
    // a viewer sees the list but no form
    await login(page, 'viewer')
    await page.goto(`${base}/projects/${p.id}?tab=investment`)
    await page.locator('[data-test=investment-panel]').waitFor({ timeout: 20000 })
    assert(!(await page.locator('[data-test=investment-form]').count()), 'viewer is offered 登记到资')
    // the dashboard's announced-vs-realised card
    await login(page, 'director')
    const year = Number(String(p.signed_at).slice(0, 4))
    await page.goto(`${base}/?year=${year}`)
    await page.locator('[data-test=investment-summary] [data-test=sum-realised]').waitFor({ timeout: 20000 })
    const sum = await apiAs('director', 'GET', `/investments/summary?year=${year}`)
    const cardText = await page.locator('[data-test=investment-summary]').textContent()
    assert(cardText.includes(`签约项目 ${sum.json.signed.projects} 个`), `summary card: ${cardText.slice(0, 120)}`)
    assert(Number(sum.json.signed.realised_investment_wan) >= 1200, `summary realised ${sum.json.signed.realised_investment_wan}`)
  })

  await test('oversight: admin filters the audit log by action and user', async () => {
    await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: 'wrong-password' }) })
    await login(page, 'admin')
    await page.goto(base + '/admin/audit')
    await page.locator('[data-test=audit-table]').waitFor({ timeout: 20000 })
    await shot(page, 'audit-log')
    await pickOption(page, 'audit-action', '登录失败')
    await page.waitForFunction(() => {
      const tags = [...document.querySelectorAll('[data-test=audit-table] [data-test=audit-action-label]')]
      return tags.length > 0 && tags.every((t) => t.textContent.trim() === '登录失败')
    }, null, { timeout: 15000 })
    assert(/action=login_failed/.test(page.url()), `filter not in the address: ${page.url()}`)
    await page.locator('[data-test=audit-action] .el-select__wrapper, [data-test=audit-action]').first().hover()
    await page.locator('[data-test=audit-action] .el-select__clear').click()
    await pickOption(page, 'audit-actor', '（director）')
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-test=audit-table] .el-table__body tr')]
      return rows.length > 0 && rows.every((r) => r.children[1] && r.children[1].textContent.trim() === 'director')
    }, null, { timeout: 15000 })
    const api = await apiAs('admin', 'GET', '/audit?actor=director&page_size=1')
    await page.waitForFunction((n) => (document.querySelector('[data-test=audit-total]')?.textContent || '').includes(String(n)), api.json.total - 0, { timeout: 5000 })
      .catch(async () => { throw new Error(`total shown ${await page.locator('[data-test=audit-total]').textContent()} vs API ${api.json.total}`) })
  })

  await test('oversight: the weekly digest opt-out is saved and survives a reload', async () => {
    await login(page, 'recruiter2')
    await page.click('[data-test=user-menu]')
    await page.locator('[data-test=user-settings]:visible').click()
    await page.waitForURL(/\/settings$/)
    const sw = page.locator('[data-test=digest-switch]')
    await sw.waitFor()
    assert(await sw.evaluate((el) => el.classList.contains('is-checked')), 'digest switch not on for a fresh user')
    await sw.click()
    await toast(page, '已关闭每周简报')
    await page.reload()
    await page.locator('[data-test=digest-switch]').waitFor()
    assert(!(await page.locator('[data-test=digest-switch]').evaluate((el) => el.classList.contains('is-checked'))), 'opt-out lost after reload')
    const me = await apiAs('recruiter2', 'GET', '/me')
    assert(me.json.digest_opt_out === true, `GET /me digest_opt_out = ${me.json.digest_opt_out}`)
    assert(await page.locator('[data-test=password-form]').count(), 'no password form on the settings page')
    await shot(page, 'settings')
    await page.locator('[data-test=digest-switch]').click()
    await toast(page, '已开启每周简报')
    const back = await apiAs('recruiter2', 'GET', '/me')
    assert(back.json.digest_opt_out === false, 'switching the digest back on did not save')
  })

  await test('oversight: the review badge counts the whole queue, not one page', async () => {
    const q = await apiAs('director', 'GET', '/review-queue?page_size=1')
    assert(q.status === 200 && typeof q.json.total === 'number', `review-queue: HTTP ${q.status}`)
    await login(page, 'director')
    await page.waitForLoadState('networkidle').catch(() => {})
    const badge = page.locator('[data-test=badge-review]')
    if (q.json.total > 0) {
      await badge.waitFor({ timeout: 15000 })
      assert(Number(await badge.textContent()) === Math.min(q.json.total, 99) || (q.json.total > 99 && (await badge.textContent()) === '99+'), `badge ${await badge.textContent()} vs total ${q.json.total}`)
      await page.goto(base + '/review')
      await page.locator('[data-test=review-total]').waitFor({ timeout: 15000 })
      assert(Number(await page.locator('[data-test=review-total]').textContent()) === q.json.total, 'review page count is not the total')
    } else assert(!(await badge.count()), 'badge shown for an empty queue')
  })

  await test('oversight: the 2022 report lists every figure and none reads [object Object]', async () => {
    await login(page, 'director')
    await page.goto(base + '/reports?year=2022')
    await page.locator('[data-test=report-text]').waitFor({ timeout: 20000 })
    await page.locator('.raw .el-collapse-item__header').click()
    const table = page.locator('[data-test=report-figures]')
    await table.waitFor()
    const text = await table.textContent()
    assert(!text.includes('[object Object]'), 'a figure shows as [object Object]')
    for (const k of ['overview.docked_total', 'overview.channel_results', 'signed_projects.projects', 'overview.stage_days']) assert(text.includes(k), `figure ${k} missing`)
  })

  await test('oversight: the targets page offers exactly the server metrics and saves an edit', async () => {
    const year = new Date().getFullYear()
    const api = await apiAs('director', 'GET', `/targets?year=${year}`)
    assert(api.status === 200 && Array.isArray(api.json.metrics), `GET /targets HTTP ${api.status}`)
    await login(page, 'director')
    await page.goto(base + '/admin/targets')
    await page.locator('[data-test=page-admin-targets]').waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-test=state-loading]'))
    await page.click('[data-test=new-target]')
    await page.locator('[data-test=target-metric]').click()
    const opts = page.locator('.el-select-dropdown__item:visible')
    await opts.first().waitFor()
    assert((await opts.count()) === api.json.metrics.length, `${await opts.count()} metrics offered, server has ${api.json.metrics.length}`)
    const free = api.json.metrics.find((m) => !(api.json.items || []).some((x) => x.metric === m.code))
    assert(free, 'every metric already has a target this year')
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
    const after = await apiAs('director', 'GET', `/targets?year=${year}`)
    const saved = after.json.items.find((x) => x.metric === free.code)
    assert(saved && saved.target === 9, `target after edit: ${JSON.stringify(saved)}`)
  })

  await test('every page in each role\'s menu opens without an error state', async () => {
    const problems = []
    for (const u of ['admin', 'director', 'chief_food', 'recruiter1', 'agent1', 'viewer']) { // one of each role
      await login(page, u)
      const links = await page.locator('[data-test=nav] a[href], [data-test=nav] .el-menu-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-test')).filter(Boolean))
      const paths = { 'nav-dashboard': '/', 'nav-projects': '/projects', 'nav-board': '/board', 'nav-visit': '/visit', 'nav-map': '/map', 'nav-review': '/review',
        'nav-reminders': '/reminders', 'nav-reports': '/reports?year=2022', 'nav-enterprises': '/enterprises', 'nav-admin-users': '/admin/users',
        'nav-admin-chains': '/admin/chains', 'nav-admin-campaigns': '/admin/campaigns', 'nav-admin-targets': '/admin/targets', 'nav-admin-jobs': '/admin/jobs',
        'nav-supervisions': '/supervisions', 'nav-admin-audit': '/admin/audit' }
      const mine = Object.keys(paths).filter((k) => links.includes(k))
      for (const k of mine) {
        await page.goto(base + paths[k])
        const shown = await page.locator('[data-test^=page-]:visible').first().waitFor({ timeout: 15000 }).then(() => true).catch(() => false)
        if (!shown) { problems.push(`${u} ${paths[k]}: page did not render`); continue }
        await page.waitForTimeout(300)
        await page.waitForFunction(() => !document.querySelector('[data-test=state-loading], .el-loading-mask'), null, { timeout: 15000 }).catch(() => {})
        if (await page.locator('[data-test=page-forbidden]').count()) {
          if (links.includes(k)) problems.push(`${u} ${paths[k]}: in the menu but forbidden`)
          continue
        }
        const errs = await page.locator('[data-test=state-error]').allTextContents()
        if (errs.length) problems.push(`${u} ${paths[k]}: ${errs[0].replace(/\s+/g, ' ').slice(0, 90)}`)
      }
    }
    assert(!problems.length, problems.join('; '))
  })

  await test('no uncaught errors in the browser', async () => {
    assert(!consoleErrors.length, consoleErrors.slice(0, 3).join(' | '))
  })
}

async function finish(code) {
  try { if (browser) await browser.close() } catch { /* ignore */ }
  await stopServer()
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed + (code ? 1 : 0)
  if (failed && tmp) log(`server log: ${path.join(tmp, 'server.log')}`)
  log(`${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
}

process.on('SIGINT', () => finish(1))
process.on('SIGTERM', () => finish(1))
main().then(() => finish(0)).catch((e) => { log('e2e setup failed:', e && e.stack ? e.stack : e); finish(1) })
