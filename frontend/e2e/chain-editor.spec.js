// The chain editor (产业链与环节): an administrator's edits, chain masters and referrals, and a
// chain chief's scope. The tests change the food and semiconductor chains, in order.
import { test, expect, fill, toast, shot, stamp as makeStamp } from './fixtures.js'

const stamp = makeStamp()

test('chain editor: admin creates, renames, links, is refused a delete, unlinks and deletes a node', async ({ as, api, axe }) => {
  const page = await as('admin')
  await page.goto('/admin/chains/food')
  await page.locator('[data-test=node-tree] [data-test=segment-midstream]').waitFor({ timeout: 20_000 })
  expect(!(await page.locator('.el-alert', { hasText: '系统初始化' }).count()), 'the old read-only notice is still there').toBeTruthy()
  const first = `E2E测试环节-${stamp}`
  const renamed = `E2E复合调味料-${stamp}`
  const row = (name) => page.locator(`[data-test=node-tree] .tree-row[data-name="${name}"]`)
  const confirm = () => page.locator('.el-message-box__btns .el-button--primary').click()

  // create in 中游
  await page.locator('[data-test=add-node-midstream]').click()
  await page.locator('[data-test=node-dialog]').waitFor()
  await axe(page, 'node dialog')
  await fill(page, 'node-name', first)
  await page.locator('[data-test=node-save]').click()
  await toast(page, `环节“${first}”已新增`)
  await row(first).waitFor()
  expect(await page.locator('[data-test=segment-midstream]').locator(`.tree-row[data-name="${first}"]`).count(), 'the new node is not under 中游').toBeTruthy()

  // rename
  await row(first).locator('[data-test=node-edit]').click()
  await fill(page, 'node-name', renamed)
  await page.locator('[data-test=node-save]').click()
  await toast(page, `环节“${renamed}”已保存`)
  await row(renamed).waitFor()
  expect(!(await row(first).count()), 'the old name is still in the tree').toBeTruthy()

  // link an enterprise to it
  await row(renamed).locator('[data-test=node-label]').click()
  await page.locator('[data-test=node-links] h2', { hasText: renamed }).waitFor()
  const ent = '涞源县桃木疙瘩食品有限公司'
  await page.locator('[data-test=link-enterprise-picker]').click()
  await page.keyboard.type('桃木疙瘩')
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: ent }).first()
  await opt.waitFor({ timeout: 15_000 })
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
  await axe(page, 'admin-chains')

  // delete refused: the server's message, as it wrote it
  await row(renamed).locator('[data-test=node-delete]').click()
  await confirm()
  const refusal = page.locator('[data-test=delete-refusal]')
  await refusal.waitFor()
  const shown = (await refusal.locator('.el-alert__title').textContent()).trim()
  const map = await api('admin', 'GET', '/chains/food/map')
  const node = map.json.nodes.find((n) => n.name === renamed)
  expect(node, 'the renamed node is not on the map').toBeTruthy()
  const direct = await api('admin', 'DELETE', `/chains/food/nodes/${node.id}`)
  expect(direct.status === 422, `DELETE a linked node: HTTP ${direct.status}`).toBeTruthy()
  expect(shown === direct.json.error.message, `refusal shown "${shown}", server says "${direct.json.error.message}"`).toBeTruthy()
  expect(shown.includes(renamed) && shown.includes('关联企业 1 家') && shown.includes(ent), `refusal does not name the links: ${shown}`).toBeTruthy()
  expect(await row(renamed).count(), 'the refused node left the tree').toBeTruthy()

  // unlink, then the delete goes through
  await page.locator('[data-test=linked-enterprises] [data-test=unlink-enterprise]').first().click()
  await confirm()
  await toast(page, `已解除关联“${ent}”`)
  await page.locator('[data-test=node-links] [data-test=state-empty]').waitFor()
  await row(renamed).locator('[data-test=node-delete]').click()
  await confirm()
  await toast(page, `环节“${renamed}”已删除`)
  await row(renamed).waitFor({ state: 'detached' })
  expect(!(await refusal.count()), 'the refusal is still shown after the delete').toBeTruthy()

  // the history, newest first, in words
  const lines = page.locator('[data-test=chain-history] [data-test=history-line]')
  await page.waitForFunction((n) => (document.querySelector('[data-test=chain-history] [data-test=history-line]') || {}).textContent === `删除环节“${n}”`, renamed)
  const text = (await lines.allTextContents()).slice(0, 5)
  const want = [`删除环节“${renamed}”`, `环节“${renamed}”解除关联企业“${ent}”`, `环节“${renamed}”关联企业“${ent}”`]
  expect(JSON.stringify(text.slice(0, 3)) === JSON.stringify(want), `history: ${JSON.stringify(text)}`).toBeTruthy()
  expect(text[3].includes(`环节名称由“${first}”改为“${renamed}”`) && /^新增环节“.+”（中游）$/.test(text[4]), `history: ${JSON.stringify(text)}`).toBeTruthy()
})

test('chain editor: admin marks and unmarks a chain master and records a referral', async ({ as, api }) => {
  const page = await as('admin')
  await page.goto('/admin/chains/semiconductor')
  const panel = page.locator('[data-test=masters-panel]')
  await panel.locator('[data-test=chain-masters]').waitFor({ timeout: 20_000 })
  const confirm = () => page.locator('.el-message-box__btns .el-button--primary').click()
  const pick = async (picker, typed, text) => {
    await panel.locator(`[data-test=${picker}]`).click()
    await page.keyboard.type(typed)
    const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
    await opt.waitFor({ timeout: 15_000 })
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
  await line.waitFor({ timeout: 15_000 })
  expect(/已关联：[^ ]*半导体/.test(await line.textContent()), `the referral line does not name its chain: ${await line.textContent()}`).toBeTruthy()
  await line.locator('[data-test=remove-referral]').click()
  await toast(page, `已移除：“${from}”引荐“${to}”`)
  await line.waitFor({ state: 'detached', timeout: 15_000 })
  await page.waitForFunction((want) => (document.querySelector('[data-test=chain-history] [data-test=history-line]') || {}).textContent === want,
    `移除链主“${from}”对“${to}”的引荐`)
  expect((await first.textContent()).startsWith('移除链主'), 'the history does not show the removal first').toBeTruthy()
})

test('chain editor: chief_food edits food only; the map links into the editor', async ({ as, api }) => {
  let page
  page = await as('chief_food')
  await page.goto('/')
  await page.locator('[data-test=nav]').waitFor()
  expect(await page.locator('[data-test=nav-admin-chains]').count(), 'chief_food has no 产业链与环节 menu entry').toBeTruthy()
  await page.goto('/admin/chains')
  await page.locator('[data-test=editor-chain-food]').waitFor({ timeout: 20_000 })
  expect(!(await page.locator('[data-test=editor-chain-mining], [data-test=editor-chain-semiconductor]').count()), 'chief_food is offered another chain').toBeTruthy()
  await page.locator('[data-test=node-tree] [data-test=segment-upstream]').waitFor()
  // another chain by its address: not offered
  await page.goto('/admin/chains/mining')
  await page.locator('[data-test=chain-out-of-scope]').waitFor()
  expect(!(await page.locator('[data-test=node-tree]').count()), 'the mining tree is shown to chief_food').toBeTruthy()
  // the map: 编辑 on food, not on mining
  await page.goto('/map/mining') // not chief_food's chain: no map, and no 编辑
  await page.locator('[data-test=page-map] [data-test=map-summary], [data-test=page-map] [data-test=state-error]').first().waitFor({ timeout: 20_000 })
  expect(!(await page.locator('[data-test=edit-chain]').count()), 'the mining map offers 编辑 to chief_food').toBeTruthy()
  await page.goto('/map/food')
  await page.locator('[data-test=map-summary]').waitFor({ timeout: 20_000 })
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
  const hist = await api('chief_food', 'GET', '/chains/food/history?page_size=1')
  expect(hist.json.items[0].actor === 'chief_food' && hist.json.items[0].subject_name === parentName, `history: ${hist.text.slice(0, 200)}`).toBeTruthy()
  await row.locator('[data-test=node-delete]').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await toast(page, `环节“${name}”已删除`)
  const other = await api('chief_food', 'POST', '/chains/mining/nodes', { name: 'x', segment: 'upstream' })
  expect(other.status === 404, `chief_food creating on mining: HTTP ${other.status}`).toBeTruthy()
  // on a 375 px phone the editor fits the screen
  await page.setViewportSize({ width: 375, height: 812 })
  try {
    await page.goto('/admin/chains/food')
    await page.locator('[data-test=node-tree] [data-test=segment-upstream]').waitFor()
    await page.waitForTimeout(300)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width <= 375, `the editor is ${width}px wide on a 375px screen`).toBeTruthy()
  } finally { await page.setViewportSize({ width: 1440, height: 900 }) }
  // the director reads maps but edits none
  page = await as('director')
  await page.goto('/map/food')
  await page.locator('[data-test=map-summary]').waitFor({ timeout: 20_000 })
  expect(!(await page.locator('[data-test=edit-chain]').count()), 'the director is offered 编辑').toBeTruthy()
  await page.goto('/admin/chains')
  await page.locator('[data-test=page-forbidden]').waitFor()
})

// --- oversight flows ---