// Keyboard only: after the page is opened, no mouse — page.keyboard alone. A recruiter skips to
// the content, opens 记录走访 from the menu, logs a visit, opens the quick visit sheet and closes
// it again (focus goes back), and moves a project to the next stage on the board.
import { test, expect, stamp, toast } from './fixtures.js'

/** Presses Tab (or Shift+Tab) until the focused element matches selector; fails after max presses. */
async function tabTo(page, selector, { max = 250, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector)) return
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`${selector} not reached with ${max} presses of Tab; focus is on ${await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 160))}`)
}

/** The focused element shows a focus indicator (an outline or a box-shadow ring). */
async function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement
    const s = getComputedStyle(el)
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== 'none')
  })
}

test('keyboard only: a recruiter logs a visit and moves a project to the next stage', async ({ as, api, axe }) => {
  const name = `E2E键盘项目-${stamp()}`
  const created = await api('recruiter1', 'POST', '/projects', {
    name, investor: '保定某机械制造有限公司', channel: 'self_sourced', chain: 'mining', asset_type: 'heavy', planned_investment_wan: 3000, land_area_mu: 20,
    docked_at: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10), // today in Asia/Shanghai
  })
  expect(created.status, created.text.slice(0, 200)).toBe(201)
  const id = created.json.id

  const page = await as('recruiter1')
  await page.goto('/')
  await page.locator('[data-test=zone-name]').waitFor()

  // the first Tab reaches 跳到主要内容, which moves focus to the page's content
  await page.keyboard.press('Tab')
  await expect(page.locator('[data-test=skip-link]')).toBeFocused()
  await expect(page.locator('[data-test=skip-link]')).toBeInViewport()
  expect(await focusVisible(page), 'the skip link shows focus').toBe(true)
  await page.keyboard.press('Enter')
  await expect(page.locator('#main')).toBeFocused()

  // 记录走访 from the menu
  await tabTo(page, '[data-test=nav-visit]', { back: true })
  expect(await focusVisible(page), 'the menu link shows focus').toBe(true)
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/visit$/)
  await page.locator('[data-test=visit-form]').waitFor()
  await axe(page, 'keyboard visit form')
  await tabTo(page, '[data-test=visit-form] [data-test=project-picker] input')
  await page.keyboard.type(name.slice(0, 8))
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: name })
  await option.waitFor()
  for (let i = 0; i < 30 && !(await option.evaluate((el) => el.classList.contains('is-hovering'))); i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await expect(page.locator('[data-test=visit-form] [data-test=project-picker]')).toContainText(name)
  await tabTo(page, '[data-test=visit-form] input[data-test=visit-place], [data-test=visit-form] [data-test=visit-place] input')
  await page.keyboard.type('保定')
  await tabTo(page, '[data-test=visit-form] [data-test=visit-summary] textarea, [data-test=visit-form] textarea[data-test=visit-summary]')
  await page.keyboard.type('键盘走访：与投资方确认下月实地考察。')
  await tabTo(page, '[data-test=visit-submit]')
  expect(await focusVisible(page), 'the submit button shows focus').toBe(true)
  await page.keyboard.press('Enter')
  await toast(page, '走访记录已保存')
  await expect(page.locator('[data-test=a11y-live-polite]')).toHaveText('走访记录已保存') // read out by screen readers
  const acts = await api('recruiter1', 'GET', `/projects/${id}/activities`)
  expect(JSON.stringify(acts.json), 'the visit is on the project').toContain('键盘走访')

  // the quick visit sheet holds focus and gives it back to its button on Escape
  await tabTo(page, '[data-test=nav-dashboard]', { back: true })
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/$/)
  await tabTo(page, '[data-test=fab-visit]', { back: true })
  await page.keyboard.press('Enter')
  const sheet = page.locator('.quick-visit')
  await sheet.waitFor()
  await expect.poll(() => page.evaluate(() => !!document.activeElement.closest('.quick-visit'))).toBe(true)
  for (let i = 0; i < 25; i++) { // Tab stays inside the sheet
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => !!document.activeElement.closest('.quick-visit')), `focus left the sheet after ${i + 1} Tabs`).toBe(true)
  }
  await page.keyboard.press('Escape')
  await sheet.waitFor({ state: 'hidden' })
  await expect(page.locator('[data-test=fab-visit]')).toBeFocused()

  // the board: 下一阶段 on the card, from the keyboard
  await page.goto('/board?chain=mining&owner=recruiter1')
  const card = page.locator(`[data-test=board-card][data-project-id="${id}"]`)
  await card.waitFor()
  await axe(page, 'keyboard board')
  await tabTo(page, `[data-test=board-card][data-project-id="${id}"] [data-test=card-next]`, { max: 400 })
  expect(await focusVisible(page), 'the card button shows focus').toBe(true)
  await page.keyboard.press('Enter')
  await toast(page, '项目识别')
  await expect(page.locator(`[data-test=board-column][data-stage=identification] [data-project-id="${id}"]`)).toBeVisible()
  const after = await api('recruiter1', 'GET', `/projects/${id}`)
  expect(after.json.stage).toBe('identification')
})
