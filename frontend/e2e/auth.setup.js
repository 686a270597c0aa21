// Logs every demo user in once and keeps the session (cookies and local storage) in
// e2e/.auth/<user>.json for the `as(user)` and `api(user, …)` fixtures. The first user logs in
// through the log-in form (the form itself is tested in app.spec.js for every user); the others
// through the same API the form calls, which is much quicker than a page load each.
// No test logs these sessions out.
import fs from 'node:fs'
import path from 'node:path'
import { test as setup, expect, USERS, PASSWORD, statePath, uiLogin } from './fixtures.js'

setup('log in once per demo user', async ({ page, playwright, baseURL }) => {
  fs.mkdirSync(path.dirname(statePath(USERS[0])), { recursive: true })
  const [first, ...rest] = USERS
  await uiLogin(page, first)
  await page.context().storageState({ path: statePath(first) })
  for (const u of rest) {
    const ctx = await playwright.request.newContext({ baseURL })
    const r = await ctx.post('/api/v1/auth/login', { data: { username: u, password: PASSWORD } })
    expect(r.status(), `log-in of ${u}`).toBe(200)
    await ctx.storageState({ path: statePath(u) })
    await ctx.dispose()
  }
})
