// The 客商库 (issue 14) in the browser: a recruiter on a phone logs a visit with the contacts
// met and a photo and sees its thumbnail; a chain chief reads the agreement attached to a
// project in 落地决策; an administrator merges 同光晶体（河北）有限公司 into 河北同光晶体有限公司
// and nothing is lost.
import { test, expect, PHONE, fill, toast, shot, settled, stamp } from './fixtures.js'

// a 96 × 64 JPEG, as a phone camera would hand it over (smaller)
const PHOTO = Buffer.from('/9j/2wCEAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9PjsBCgsLDg0OHBAQHDsoIig7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7O//AABEIAEAAYAMBIgACEQEDEQH/xAGiAAABBQEBAQEBAQAAAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+gEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoLEQACAQIEBAMEBwUEBAABAncAAQIDEQQFITEGEkFRB2FxEyIygQgUQpGhscEJIzNS8BVictEKFiQ04SXxFxgZGiYnKCkqNTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqCg4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2dri4+Tl5ufo6ery8/T19vf4+fr/2gAMAwEAAhEDEQA/AMZVqRVoUVIorJs8WDBVqRVpFFSKtZNnZBgq1Iq0KtSKtZtnbBgoqRRQq1Iq1m2dsGCinqtCrUirWbZ2wYKtSKtCrUirWTZ2wZzKrT1WhRUiivSbPzmDBVqRVoVakVaybO2DBVqRRQq09VrNs7YMVRT1FCrUirWbZ2wYKtSKtCrUirWTZ2QYKtSKtCrT1FZtnbBnMqtSKtCipFFei2fnUGCrUirSKtSKtZtnbBgq1IooVakVazbO2DBRUiihVqRVrJs7IMFWnqtCrUirWbZ2wYKtSKtCrUiis2ztgzmVWnqtCipFWvRbPzqDBVqRVoVakVazbOyDBRUiihVp6rWTZ2wYqinqtCrUirWbZ2wYKtSKtCrUirWbZ2wYKtSKtCinqKzbO2DP/9k=', 'base64')

test('on a 375 px phone a visit is logged with the contacts met and a photo, and its thumbnail shows', async ({ as, api }) => {
  const name = '手机拍照走访测试' + stamp()
  const created = await api('recruiter1', 'POST', '/projects', { name, investor: '华能誉柯防水材料有限公司', channel: 'business_referral',
    asset_type: 'heavy', docked_at: '2023-01-10', referrer: '中国华能集团有限公司' })
  expect(created.status, created.text).toBe(201)
  const id = created.json.id
  const phone = await as('recruiter1', { phone: true })
  await phone.goto(`/projects/${id}?tab=activities`)
  const form = phone.locator('[data-test=visit-form]')
  await form.waitFor()
  await fill(phone, 'visit-summary', '与吴经理、周主任现场查看厂房，对方认可选址。')
  // the contacts met: the investor's and the referrer's people
  await phone.locator('[data-test=visit-contacts]').click()
  for (const who of ['吴经理', '周主任']) {
    const opt = phone.locator('.el-select-dropdown__item:visible', { hasText: who }).first()
    await opt.waitFor()
    await opt.click()
  }
  await phone.keyboard.press('Escape')
  // tap 1: 拍照 — the phone's camera hands the picture to the file input
  const input = phone.locator('input[data-test=visit-photo-input]')
  expect(await input.getAttribute('capture')).toBe('environment')
  expect(await input.getAttribute('accept')).toBe('image/*')
  await input.setInputFiles({ name: 'IMG_20230116_101500.jpg', mimeType: 'image/jpeg', buffer: PHOTO })
  await expect(phone.locator('[data-test=visit-photo-preview]')).toHaveCount(1)
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth)
  expect(overflow, `page width on a ${PHONE.width}px screen`).toBeLessThanOrEqual(PHONE.width)
  await shot(phone, 'visit-photo-mobile')
  // tap 2: 保存
  await phone.locator('[data-test=visit-submit]').click()
  await toast(phone, '走访记录和 1 张照片已保存')
  const activity = phone.locator('[data-test=activity-timeline] .act').filter({ hasText: '现场查看厂房' }).first()
  await expect(activity.locator('[data-test=activity-contacts]')).toContainText('吴经理')
  await expect(activity.locator('[data-test=activity-contacts]')).toContainText('周主任')
  const thumb = activity.locator('[data-test=activity-photos] img[data-test=thumbnail]').first()
  await expect(thumb).toBeVisible()
  await expect.poll(() => thumb.evaluate((img) => img.complete && img.naturalWidth)).toBeGreaterThan(0)
  await shot(phone, 'visit-photo-thumbnail-mobile')
  // who did we meet at 华能誉柯, and when
  const contacts = await api('recruiter1', 'GET', `/projects/${id}/contacts`)
  const wu = contacts.json.items.find((c) => c.name === '吴经理')
  const met = await api('viewer', 'GET', `/contacts/${wu.id}/activities`)
  expect(met.json.items.some((m) => m.project_id === id)).toBe(true)
})

test('a chain chief opens a project in 落地决策 and reads its attached agreement', async ({ as, api }) => {
  const list = await api('chief_semi', 'GET', '/projects?stage=decision&chain=semiconductor')
  const project = list.json.items[0]
  expect(project, 'a semiconductor project waits for a decision').toBeTruthy()
  // the recruiter attaches the signed agreement (a PDF) through the page
  const rec = await as('director')
  await rec.goto(`/projects/${project.id}?tab=files`)
  await rec.locator('input[data-test=attachment-title]').fill('投资合作协议（草签）')
  await rec.locator('input[data-test=attachment-file]').setInputFiles({ name: '投资合作协议.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') })
  await toast(rec, '已上传 1 个文件')
  const chief = await as('chief_semi')
  await chief.goto(`/projects/${project.id}?tab=files`)
  const doc = chief.locator('[data-test=attachment-doc]', { hasText: '投资合作协议.pdf' }).first()
  await doc.waitFor()
  const [download] = await Promise.all([chief.waitForEvent('download'), doc.locator('button').first().click()])
  expect(download.suggestedFilename()).toBe('投资合作协议.pdf')
  await shot(chief, 'project-files')
})

test('an administrator merges 同光晶体（河北）有限公司 into 河北同光晶体有限公司 and nothing is lost', async ({ as, api }) => {
  const find = async (q) => (await api('admin', 'GET', '/enterprises?page_size=200&q=' + encodeURIComponent(q))).json.items
  const [keep] = (await find('河北同光晶体有限公司')).filter((e) => e.name === '河北同光晶体有限公司')
  const [dup] = (await find('同光晶体（河北）')).filter((e) => e.name === '同光晶体（河北）有限公司')
  expect(keep && dup, 'the demo has both').toBeTruthy()
  const before = (await api('admin', 'GET', `/enterprises/${dup.id}`)).json
  expect(before.projects.length).toBeGreaterThan(0)
  const page = await as('admin')
  await page.goto('/enterprises')
  await page.getByRole('tab', { name: '疑似重复' }).click()
  const group = page.locator('[data-test=duplicate-group]', { hasText: '同光晶体（河北）有限公司' }).first()
  await group.waitFor()
  await group.locator(`[data-test=duplicate-keep-${keep.id}]`).click()
  await expect(group).toContainText('保留')
  await shot(page, 'enterprise-duplicates')
  await group.locator('button', { hasText: '合并其余到所选' }).click()
  await page.locator('.el-message-box .el-button--primary').click()
  await toast(page, '已合并')
  // the survivor's page has the project, the contact and the visit that met him
  await page.goto(`/enterprises/${keep.id}?tab=projects`)
  await settled(page)
  for (const p of before.projects) await expect(page.locator('[data-test=enterprise-projects]')).toContainText(p.name)
  await page.getByRole('tab', { name: /联系人/ }).click()
  await expect(page.locator('[data-test=contact]', { hasText: '刘经理' })).toContainText('最近见面')
  await shot(page, 'enterprise-page')
  const gone = await api('admin', 'GET', `/enterprises/${dup.id}`)
  expect(gone.status).toBe(404)
  expect(gone.json.error.message).toContain('河北同光晶体有限公司')
})
