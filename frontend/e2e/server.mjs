// The server the end-to-end tests run against (playwright.config.js starts it as its webServer).
//
// Starts `$CHAINCRM_BIN serve` (default ../bin/chaincrm, built after `npm run build` so that it
// embeds the app) on a free 127.0.0.1 port, with its own temporary SQLite database and data
// directory (serve seeds the demo zone on first start), waits for /readyz and prints
// "chaincrm e2e server ready on port N" — Playwright reads the port from that line. On SIGTERM
// or SIGINT it stops the server and removes the temporary directory.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const BIN = path.resolve(here, '..', process.env.CHAINCRM_BIN || '../bin/chaincrm')

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

if (!fs.existsSync(BIN)) {
  console.error(`chaincrm binary not found at ${BIN}: build it after the web app (npm run build, then go build -o bin/chaincrm ./cmd/chaincrm) or set CHAINCRM_BIN`)
  process.exit(1)
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chaincrm-e2e-'))
const port = await freePort()
const base = `http://127.0.0.1:${port}`
const logPath = path.join(tmp, 'server.log')
const logFile = fs.openSync(logPath, 'a')
const serverEnv = {
  ...process.env,
  CHAINCRM_DB_DRIVER: 'sqlite',
  CHAINCRM_DB_DSN: path.join(tmp, 'e2e.db'),
  CHAINCRM_HTTP_ADDR: `127.0.0.1:${port}`,
  CHAINCRM_DATA_DIR: tmp,
  CHAINCRM_DEMO_SEED_ON_START: 'true', // as `make run` does; a bare serve loads no demo (issue 12)
  // group robots (issue 16): e2e/robots.spec.js runs a fake WeCom group on a loopback port
  CHAINCRM_ROBOTS_ALLOWED_HOSTS: 'qyapi.weixin.qq.com,oapi.dingtalk.com,127.0.0.1',
  CHAINCRM_ROBOTS_ALLOW_HTTP: 'true',
}
// The provincial platform (issue 19, e2e/platform.spec.js): the demo zone first (so that it
// stays the default zone), a second zone with two chains from the templates, a province user
// granted both and a platform administrator, made with the commands an operator uses.
const PROVINCE_USER = 'hebei_sw'
const PROVINCE_PASSWORD = 'cloud ferry lantern orchard'
for (const args of [
  ['seed', '--demo'],
  ['zone', 'create', 'xiongan', '--name', '雄安新区开发区', '--chains', 'food,mining'],
  ['user', 'create', PROVINCE_USER, '--role', 'province', '--zones', 'laiyuan,xiongan', '--password', PROVINCE_PASSWORD, '--display-name', '省商务厅'],
  ['user', 'create', 'pingtai', '--role', 'platform_admin', '--password', PROVINCE_PASSWORD, '--display-name', '平台管理员'],
]) {
  const r = spawnSync(BIN, args, { env: serverEnv, cwd: tmp, encoding: 'utf8' })
  if (r.status !== 0) {
    console.error(`chaincrm ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`)
    process.exit(1)
  }
}
const server = spawn(BIN, ['serve'], {
  env: serverEnv,
  cwd: tmp,
  stdio: ['ignore', logFile, logFile],
})

let stopping = false
async function stop(code) {
  if (stopping) return
  stopping = true
  if (server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((r) => server.once('exit', r))
    server.kill('SIGTERM')
    const t = setTimeout(() => { try { server.kill('SIGKILL') } catch { /* gone */ } }, 5000)
    await gone
    clearTimeout(t)
  }
  if (code && fs.existsSync(logPath)) process.stderr.write(`server log (${logPath}):\n${fs.readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n')}\n`)
  if (process.env.E2E_KEEP_SERVER_DIR) console.log(`kept ${tmp}`)
  else fs.rmSync(tmp, { recursive: true, force: true })
  process.exit(code)
}
process.on('SIGTERM', () => stop(0))
// a runner that died without stopping us: stop too (the config starts us with exec, so the
// parent is the runner itself)
const parent = process.ppid
setInterval(() => { if (process.ppid !== parent) stop(1) }, 2000).unref()
process.on('SIGINT', () => stop(0))
server.on('exit', (code, signal) => {
  if (stopping) return
  console.error(`chaincrm exited (${code ?? signal}) while the tests were running`)
  stop(1)
})

const until = Date.now() + 90000
let last = ''
for (;;) {
  try {
    const r = await fetch(base + '/readyz')
    if (r.ok) break
    last = `HTTP ${r.status}`
  } catch (e) { last = e.message }
  if (Date.now() > until) {
    console.error(`/readyz not ready after 90 s (${last})`)
    await stop(1)
  }
  await new Promise((r) => setTimeout(r, 300))
}
console.log(`chaincrm serve on ${base}, database and data in ${tmp}`)
console.log(`chaincrm e2e server ready on port ${port}`)
