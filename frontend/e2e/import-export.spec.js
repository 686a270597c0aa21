// Importing projects from a spreadsheet and exporting the list.
import fs from 'node:fs'
import { test, expect, shot, stamp, toast } from './fixtures.js'

test('import: a file with an error is previewed with the row and nothing is written', async ({ as, api, axe }, testInfo) => {
  const s = stamp()
  const csv = testInfo.outputPath('import.csv')
  fs.writeFileSync(csv, '\ufeff项目名称,投资主体,招商渠道,产业链,资产类型,计划投资(万元),占地面积(亩),阶段,对接日期\n'
    + `E2E导入项目甲-${s},石家庄某食品有限公司,自主招商,现代食品,重资产,3000,50,洽谈对接,2023-03-01\n`
    + `E2E导入项目乙-${s},天津某矿业有限公司,不存在的渠道,矿业,重资产,-5,20,洽谈对接,2023-03-02\n`)
  const page = await as('admin')
  await page.goto('/projects')
  await page.click('[data-test=open-import]')
  await page.locator('[data-test=import-dialog] input[type=file]').setInputFiles(csv)
  await page.click('[data-test=import-check]')
  await page.locator('[data-test=import-preview]').waitFor({ timeout: 20_000 })
  const errs = page.locator('[data-test=import-errors]')
  await errs.waitFor()
  expect(await errs.textContent(), 'row 3 named').toMatch(/\b3\b/)
  expect(await page.locator('[data-test=import-confirm]').isDisabled(), 'confirm disabled with errors').toBe(true)
  await shot(page, 'import-preview')
  await axe(page, 'import-preview')
  const r = await api('admin', 'GET', `/projects?q=${encodeURIComponent('E2E导入项目甲-' + s)}`)
  expect(r.status === 200 && r.json && r.json.total === 0, `a row was written by a failing import: ${r.text.slice(0, 200)}`).toBe(true)
})

test('export: the job shows rows of total with a bar, then the file downloads', async ({ as, api }) => {
  const page = await as('director')
  await page.goto('/projects?chain=food')
  await page.locator('[data-test=page-projects]').waitFor()
  const want = (await api('director', 'GET', '/projects?chain=food&page_size=1')).json.total
  const polled = []
  page.on('response', async (r) => {
    if (/\/api\/v1\/export\/jobs\/[0-9a-f]{32}$/.test(r.url())) polled.push(await r.json().catch(() => null))
  })
  // record the progress line, the bar and the cancel button as they appear: a small export can
  // finish between two looks, so a watcher set up before the click keeps what was shown
  await page.evaluate(() => {
    window.__exportSeen = null
    const look = () => {
      const el = document.querySelector('[data-test=export-progress-text]')
      const t = el && el.textContent
      if (!window.__exportSeen && t && /正在导出\s[\d\s]+\/\s[\d\s]+行（\d+%）/.test(t)) {
        window.__exportSeen = { text: t, bars: document.querySelectorAll('[data-test=export-progress] .el-progress').length, cancel: document.querySelectorAll('[data-test=export-cancel]').length }
      }
    }
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
  const downloading = page.waitForEvent('download', { timeout: 30_000 })
  await page.click('[data-test=export]')
  const seen = await (await page.waitForFunction(() => window.__exportSeen, null, { timeout: 10_000 })).jsonValue()
  const text = seen.text.replace(/\s/g, '')
  const m = /\/([\d]+)行/.exec(text)
  expect(m && Number(m[1]) === want && want > 0, `progress line "${text}", the list has ${want}`).toBe(true)
  expect(seen.bars, 'a progress bar').toBe(1)
  expect(seen.cancel, 'a cancel button').toBe(1)
  const dl = await downloading
  expect(dl.suggestedFilename()).toMatch(/^招商项目-\d{8}\.xlsx$/)
  const file = fs.readFileSync(await dl.path())
  expect(file.subarray(0, 2).toString(), 'the download is an .xlsx (zip)').toBe('PK')
  await toast(page, '已下载')
  const last = polled.filter(Boolean).at(-1)
  expect(last && last.status === 'done' && last.rows === want && last.total === want, `last poll ${JSON.stringify(last)}, want ${want} rows`).toBe(true)
  expect(last.size, 'downloaded bytes = the job\'s size').toBe(file.length)
  await page.locator('[data-test=export-progress]').waitFor({ state: 'detached' })
})
