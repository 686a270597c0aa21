// 群机器人: an administrator adds a WeCom group robot for the food chain, sends a test message
// (a fake WeCom group on a loopback port receives the platform's markdown JSON), edits it and
// deletes it; a chain chief enters the mobile the robots @ in 个人设置.
import http from 'node:http'
import { test, expect, shot, stamp } from './fixtures.js'

function fakeWeCom() {
  const got = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => { body += c })
    req.on('end', () => {
      try { got.push({ path: req.url, body: JSON.parse(body) }) } catch { got.push({ path: req.url, body: null }) }
      res.setHeader('Content-Type', 'application/json')
      res.end('{"errcode":0,"errmsg":"ok"}')
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, got, port: server.address().port })))
}

test('an administrator adds, tests, edits and deletes a group robot; a chief sets the mobile robots @', async ({ as, axe }) => {
  const group = await fakeWeCom()
  try {
    const page = await as('admin')
    await page.goto('/admin/robots')
    await page.locator('[data-test=page-admin-robots]').waitFor()
    await axe(page, 'robots')

    const name = `现代食品产业链工作群 ${stamp()}`
    await page.locator('[data-test=robot-add]').click()
    const dialog = page.locator('[data-test=robot-dialog]')
    await dialog.locator('input[data-test=robot-name]').fill(name)
    await dialog.locator('input[data-test=robot-webhook]').fill(`http://127.0.0.1:${group.port}/cgi-bin/webhook/send?key=e2e`)
    await dialog.locator('[data-test=robot-chain]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '食品' }).first().click()
    await dialog.locator('[data-test=robot-event-daily_summary]').click()
    await expect(dialog.locator('[data-test=robot-events]')).toContainText('项目待决策')
    await axe(page, 'robot dialog')
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/robots') && r.request().method() === 'POST'),
      dialog.locator('[data-test=robot-save]').click(),
    ])
    expect(created.status(), await created.text()).toBe(201)
    const robot = await created.json()
    expect(robot.chain).toBe('food')
    expect(robot.events).toEqual(['decision_waiting', 'supervision', 'daily_summary'])
    const row = page.locator('[data-test=robot-table] .el-table__body tr', { hasText: name })
    await expect(row).toContainText('企业微信')
    await expect(row).toContainText('每日待办摘要')
    await shot(page, 'admin-robots')

    // 发送测试: the fake group gets WeCom's markdown at once
    const [tested] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/robots/${robot.id}/test`)),
      row.locator(`[data-test=robot-test-${robot.id}]`).click(),
    ])
    expect((await tested.json()).ok, await tested.text()).toBe(true)
    await expect.poll(() => group.got.length).toBe(1)
    expect(group.got[0].path).toBe('/cgi-bin/webhook/send?key=e2e')
    expect(group.got[0].body.msgtype).toBe('markdown')
    expect(group.got[0].body.markdown.content).toContain('测试消息')

    // edit the name, then delete
    await row.locator(`[data-test=robot-edit-${robot.id}]`).click()
    await dialog.locator('input[data-test=robot-name]').fill(name + '（新）')
    const [patched] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/robots/${robot.id}`) && r.request().method() === 'PATCH'),
      dialog.locator('[data-test=robot-save]').click(),
    ])
    expect(patched.status(), await patched.text()).toBe(200)
    const edited = page.locator('[data-test=robot-table] .el-table__body tr', { hasText: name + '（新）' })
    await edited.locator(`[data-test=robot-remove-${robot.id}]`).click()
    const [removed] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/robots/${robot.id}`) && r.request().method() === 'DELETE'),
      page.locator('.el-message-box__btns .el-button--primary').click(),
    ])
    expect(removed.status()).toBe(204)
    await expect(page.locator('[data-test=robot-table]', { hasText: name })).toHaveCount(0)

    // 个人设置: the mobile the robots @
    const chief = await as('chief_food')
    await chief.goto('/settings#mobile')
    const input = chief.locator('input[data-test=mobile-input]')
    await input.fill('12345')
    await chief.locator('[data-test=mobile-save]').click()
    await expect(chief.locator('#mobile .el-form-item__error')).toContainText('11 位')
    await input.fill('138 0000 0001')
    const [saved] = await Promise.all([
      chief.waitForResponse((r) => r.url().endsWith('/api/v1/me/settings') && r.request().method() === 'PATCH' && r.status() === 200),
      chief.locator('[data-test=mobile-save]').click(),
    ])
    expect((await saved.json()).mobile).toBe('13800000001')
    await expect(input).toHaveValue('13800000001')
    await axe(chief, 'settings mobile')
  } finally {
    group.server.close()
  }
})
