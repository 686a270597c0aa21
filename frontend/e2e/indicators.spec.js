// 经济指标: the director reads the seed's October figures with their growth, enters another
// month, and the page previews the annual report's sentence; a project's 运营数据 gives 亩均税收.
import { test, expect, fill, toast, shot, settled } from './fixtures.js'

const seedSentence = '入统企业43家，其中四上企业24家。1-10月份营业收入56.7559亿元，营业收入增长率35.92%；税收收入3.2061亿元，固定资产投资20.5017亿元'

test('经济指标: the seed\'s 2022 figures with growth, a month entered by the director, read-only for viewers, 亩均税收 on a project', async ({ as, api, axe }) => {
  const page = await as('director')
  await page.goto('/indicators?year=2022')
  await page.locator('[data-test=ind-2022-10-revenue_wan]').waitFor({ timeout: 45_000 })
  await settled(page)
  const oct = page.locator('[data-test=ind-2022-10-revenue_wan]')
  await expect(oct).toContainText('567,559')
  await expect(oct).toContainText('+35.92%')
  await expect(page.locator('[data-test=ind-2022-10-enterprises_in_statistics]')).toContainText('43')
  await expect(page.locator('[data-test=ind-preview]')).toContainText(seedSentence)
  await page.locator('[data-test=ind-chart] canvas').first().waitFor()
  // 项目质量: the three projects under construction with their completed investment
  await expect(page.locator('[data-test=ranking-table]')).toContainText('桃木疙瘩屠宰厂项目')
  await expect(page.locator('[data-test=ranking-table]')).toContainText('11,200')
  await axe(page, 'indicators')
  await shot(page, 'indicators')

  // September: entered in the dialog (blank = not reported), shown with its growth (none: 2021-09 is missing)
  await page.click('[data-test=ind-enter-2022-09]')
  await page.locator('[data-test=ind-dialog]').waitFor()
  await axe(page, 'indicators dialog')
  await fill(page, 'ind-input-revenue_wan', '501234.5')
  await fill(page, 'ind-input-tax_wan', '28000')
  await fill(page, 'ind-input-enterprises_in_statistics', '42')
  await fill(page, 'ind-input-above_scale_enterprises', '50')
  await page.click('[data-test=ind-save]')
  await expect(page.locator('[data-test=ind-dialog] .el-form-item__error')).toContainText('四上企业数不能多于入统企业数')
  await fill(page, 'ind-input-above_scale_enterprises', '23')
  const [saved] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/indicators/2022-09') && r.request().method() === 'PUT'),
    page.click('[data-test=ind-save]'),
  ])
  expect(saved.status(), await saved.text()).toBe(200)
  await toast(page, '已保存 2022-09 指标')
  await expect(page.locator('[data-test=ind-2022-09-revenue_wan]')).toContainText('501,234.5')
  await expect(page.locator('[data-test=ind-2022-09-revenue_wan]')).toContainText('—')
  const sep = (await api('viewer', 'GET', '/indicators?year=2022')).json.months.find((m) => m.month === '2022-09')
  expect(sep.output_wan, 'a blank figure is not reported').toBe(null)
  expect(sep.above_scale_enterprises).toBe(23)
  // the report still speaks from October, the latest month
  const report = await api('viewer', 'GET', '/reports/annual?year=2022')
  expect(report.json.text).toContain(seedSentence)
  expect(report.json.text).toContain('完成固定资产投资90859万元，其中政府财政性投资59917万元，占总投资65.95%，社会资本投资30942万元，占34.05%')

  // viewers read, without the entry buttons
  const viewer = await as('viewer')
  await viewer.goto('/indicators?year=2022')
  await viewer.locator('[data-test=ind-2022-10-revenue_wan]').waitFor({ timeout: 45_000 })
  expect(await viewer.locator('[data-test^=ind-enter-]').count()).toBe(0)
  await axe(viewer, 'indicators viewer')

  // 运营数据 on a project with 200 亩: 100万元 of tax is 0.5万元 per 亩
  const r = await api('director', 'GET', '/projects?q=' + encodeURIComponent('乾城绿色建材产业园项目'))
  const p = r.json.items.find((x) => x.name === '乾城绿色建材产业园项目')
  expect(p, 'demo project').toBeTruthy()
  await page.goto(`/projects/${p.id}?tab=operations`)
  await page.locator('[data-test=operations-form]').waitFor({ timeout: 20_000 })
  await fill(page, 'ops-tax_wan', '100')
  await fill(page, 'ops-employees', '40')
  await page.click('[data-test=ops-in-statistics]')
  await page.click('[data-test=ops-save]')
  await toast(page, '运营数据')
  await expect(page.locator('[data-test=operations-table]')).toContainText('0.5')
  await axe(page, 'project operations')
  await shot(page, 'project-operations')
})
