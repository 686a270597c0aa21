// Logs every demo user in once, through the log-in form, and keeps the session (cookies and
// local storage) in e2e/.auth/<user>.json for the `as(user)` and `api(user, …)` fixtures.
// No test logs these sessions out.
import fs from 'node:fs'
import path from 'node:path'
import { test as setup, USERS, statePath, uiLogin } from './fixtures.js'

setup('log in once per demo user', async ({ page }) => {
  fs.mkdirSync(path.dirname(statePath(USERS[0])), { recursive: true })
  for (const u of USERS) {
    await uiLogin(page, u)
    await page.context().storageState({ path: statePath(u) })
  }
})
