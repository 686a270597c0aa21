// Integration tokens (集成令牌): made in 个人设置 with the secret shown once, used by another
// system with Authorization: Bearer, refused on writes when read-only, revoked by an
// administrator in 系统管理 → 集成令牌.
import { test, expect, shot, stamp, baseUrl } from './fixtures.js'

test('a read-only token made in 个人设置 reads as its user, never writes, and an administrator revokes it', async ({ as, playwright }) => {
  const page = await as('viewer')
  await page.goto('/settings#tokens')
  const panel = page.locator('[data-test=token-panel]')
  await panel.waitFor()
  const name = `省平台对接 ${stamp()}`
  await panel.locator('input[data-test=token-name]').fill(name)
  const expires = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10)
  await panel.locator('[data-test=token-form] .el-date-editor input').fill(expires)
  await panel.locator('[data-test=token-form] .el-date-editor input').press('Enter')
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/tokens') && r.request().method() === 'POST'),
    panel.locator('[data-test=token-create]').click(),
  ])
  expect(created.status(), `POST /tokens: ${await created.text()}`).toBe(201)
  const secret = (await panel.locator('[data-test=token-secret]').textContent()).trim()
  expect(secret).toMatch(/^ccrm_[A-Za-z0-9_-]{40,}$/)
  await expect(panel.locator('[data-test=token-table]')).toContainText(name)
  await expect(panel.locator('[data-test=token-table]')).not.toContainText(secret)
  await shot(page, 'settings-tokens')

  // Another system uses it: no cookie, only the bearer token.
  const other = await playwright.request.newContext({ baseURL: baseUrl() })
  const list = await other.get('/api/v1/projects?page_size=5', { headers: { Authorization: `Bearer ${secret}` } })
  expect(list.status(), await list.text()).toBe(200)
  expect((await list.json()).total).toBeGreaterThan(0)
  const write = await other.post('/api/v1/projects', { headers: { Authorization: `Bearer ${secret}` }, data: { name: 'x' } })
  expect(write.status(), await write.text()).toBe(403)

  // The administrator sees it with its owner and revokes it.
  const admin = await as('admin')
  await admin.goto('/admin/tokens')
  const row = admin.locator('[data-test=token-table] .el-table__body tr', { hasText: name })
  await row.waitFor()
  await expect(row).toContainText('只读')
  await row.locator('[data-test^=token-revoke-]').click()
  const [revoked] = await Promise.all([
    admin.waitForResponse((r) => /\/api\/v1\/tokens\/\d+$/.test(r.url()) && r.request().method() === 'DELETE'),
    admin.locator('.el-message-box__btns .el-button--primary').click(),
  ])
  expect(revoked.status()).toBe(204)
  await expect(row.locator('[data-test=token-status]')).toHaveText('已撤销')
  const after = await other.get('/api/v1/projects?page_size=5', { headers: { Authorization: `Bearer ${secret}` } })
  expect(after.status()).toBe(401)
  await other.dispose()
})
