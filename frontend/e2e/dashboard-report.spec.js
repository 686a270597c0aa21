// The dashboard's 2022 figures, the annual report and the admin pages.
import fs from 'node:fs'
import { test, expect, shot } from './fixtures.js'

test('dashboard shows 2022: 87 docked = 26/15/21/25, 4 signed for 8.05亿元', async ({ as, axe }) => {
  const page = await as('director')
  await page.goto('/?year=2022')
  await page.locator('[data-test=channel-summary]').waitFor({ timeout: 20_000 })
  expect(await page.locator('[data-test=kpi-docked]').textContent(), 'docked KPI').toMatch(/87/)
  const want = { entrusted: 26, business_referral: 15, self_sourced: 21, resource_plus: 25 }
  for (const [c, n] of Object.entries(want)) {
    const t = await page.locator(`[data-test=channel-${c}]`).textContent()
    expect(t.replace(/\D+/g, ' '), `${c}: ${t} (want ${n})`).toMatch(new RegExp(`\\b${n}\\b`))
  }
  const signed = await page.locator('[data-test=kpi-signed]').textContent()
  expect(signed, 'signed amount').toContain('8.05亿元')
  expect(signed, 'signed count').toMatch(/^\s*签约项目\s*4/)
  const intended = await page.locator('[data-test=kpi-intended]').textContent()
  expect(intended, 'intended').toContain('重资产 3 个、轻资产 3 个') // the report's 3 heavy + 3 light
  await page.locator('[data-test=page-dashboard] canvas').first().waitFor()
  await shot(page, 'dashboard')
  await axe(page, 'dashboard')
})

test('annual report and admin pages render without errors', async ({ as, axe }) => {
  const page = await as('director')
  await page.goto('/reports?year=2022')
  await page.locator('[data-test=report-text]').waitFor({ timeout: 20_000 })
  expect(await page.locator('[data-test=report-text]').textContent(), 'report text').toContain('共对接项目87个')
  await page.locator('[data-test=report-signed_projects]').waitFor()
  expect(await page.locator('[data-test=report-signed_projects] .el-table__body tr').count(), 'signed projects in the table').toBe(4)
  await shot(page, 'report')
  await axe(page, 'report')
  const wordFile = page.waitForEvent('download', { timeout: 30_000 })
  await page.locator('[data-test=report-word]').click()
  const doc = await wordFile
  expect(doc.suggestedFilename()).toBe('2022年招商引资工作情况.docx')
  const docBytes = fs.readFileSync(await doc.path())
  expect(docBytes.subarray(0, 2).toString() === 'PK' && docBytes.includes(Buffer.from('word/document.xml')), 'the download is a .docx').toBe(true)
  const admin = await as('admin')
  for (const [p, id] of [['/admin/users', 'users-table'], ['/admin/jobs', 'page-admin-jobs'], ['/admin/campaigns', 'page-admin-campaigns'], ['/admin/targets', 'page-admin-targets']]) {
    await admin.goto(p)
    await admin.locator(`[data-test=${id}]`).waitFor({ timeout: 15_000 })
    const err = await admin.locator('[data-test=state-error]').count()
    expect(err, `${p} shows an error state: ${err ? await admin.locator('[data-test=state-error]').first().textContent() : ''}`).toBe(0)
    if (p === '/admin/users') await shot(admin, 'admin-users')
  }
})
