// A client generated from the OpenAPI document by standard generators lists projects with a
// read-only integration token, against the real binary (issue 18, "done when").
//
//   CHAINCRM_BIN=/path/to/chaincrm node e2e/openapi-client.mjs
//
// 1. `chaincrm openapi` writes the document; openapi-typescript turns it into TypeScript
//    types (the `paths` of every operation).
// 2. A small integration written in TypeScript against those types with openapi-fetch
//    (client.ts below) is type-checked with the TypeScript compiler (strict): a path, a
//    query parameter, an enum value or a response field the document does not describe is a
//    compile error. The checked code is then transpiled and run.
// 3. `chaincrm serve` runs on a fresh SQLite demo on a free loopback port; viewer logs in,
//    makes a read-only token (POST /api/v1/tokens), and the generated client lists projects
//    with it; a write with it is refused with 403 in the contract's error shape.
// Ends with "N passed, M failed" (exit 1 on any failure). Needs no browser.
import { spawn, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import openapiTS, { astToString } from 'openapi-typescript'

const here = path.dirname(fileURLToPath(import.meta.url))
const BIN = process.env.CHAINCRM_BIN
const PASSWORD = process.env.CHAINCRM_DEMO_PASSWORD || 'Demo@2023'
// Inside node_modules so that the generated client resolves openapi-fetch like the app would.
const WORK = path.resolve(here, '../node_modules/.cache/openapi-client')

const CLIENT_TS = `
import createClient from 'openapi-fetch'
import type { paths, components } from './api'

type Project = components['schemas']['Project']

/** Lists the lead-stage projects of the caller's scope, as a provincial platform would. */
export async function listLeads(baseUrl: string, token: string): Promise<{ status: number; total: number; names: string[]; stages: Project['stage'][] }> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } })
  const { data, error, response } = await client.GET('/api/v1/projects', {
    params: { query: { stage: 'lead', page: 1, page_size: 50 } },
  })
  if (error) throw new Error(\`\${response.status} \${error.error.code}: \${error.error.message}\`)
  const items: Project[] = data.items ?? []
  return { status: response.status, total: data.total, names: items.map((p) => p.name), stages: items.map((p) => p.stage) }
}

/** Tries a write with the token; answers the status and the contract's error code. */
export async function tryCreate(baseUrl: string, token: string): Promise<{ status: number; code: string }> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } })
  const { error, response } = await client.POST('/api/v1/projects', {
    body: { name: '只读令牌不应写入', investor: '某某有限公司', channel: 'self_sourced', asset_type: 'light', docked_at: '2023-01-16' },
  })
  return { status: response.status, code: error ? error.error.code : '' }
}
`

const results = []
let server = null
let tmp = null

function log(...a) { console.log(...a) }
function assert(cond, msg) { if (!cond) throw new Error(msg) }

async function test(name, fn) {
  const started = Date.now()
  try {
    await fn()
    results.push({ name, ok: true })
    log(`  ✓ ${name} (${Date.now() - started} ms)`)
  } catch (e) {
    results.push({ name, ok: false })
    log(`  ✗ ${name} (${Date.now() - started} ms)\n      ${String((e && e.stack) || e).split('\n').slice(0, 6).join('\n      ')}`)
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function waitReady(base, ms = 90000) {
  const until = Date.now() + ms
  let last = ''
  while (Date.now() < until) {
    if (server && server.exitCode !== null) throw new Error(`chaincrm exited with ${server.exitCode} before it was ready`)
    try {
      const r = await fetch(base + '/readyz')
      if (r.ok) return
      last = `HTTP ${r.status}`
    } catch (e) { last = e.message }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`/readyz not ready after ${ms} ms (${last})`)
}

async function stopServer() {
  if (!server || server.exitCode !== null) return
  server.kill('SIGTERM')
  const done = new Promise((r) => server.once('exit', r))
  const t = setTimeout(() => { try { server.kill('SIGKILL') } catch { /* gone */ } }, 5000)
  await done
  clearTimeout(t)
}

function typeCheck(file) {
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  })
  const diags = ts.getPreEmitDiagnostics(program)
  return diags.map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (!d.file) return msg
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${path.basename(d.file.fileName)}:${line + 1}:${character + 1} ${msg}`
  })
}

async function main() {
  if (!BIN) {
    log('CHAINCRM_BIN is not set: go build -o bin/chaincrm ./cmd/chaincrm and point CHAINCRM_BIN at it.')
    log('0 passed, 1 failed')
    process.exit(1)
  }
  fs.rmSync(WORK, { recursive: true, force: true })
  fs.mkdirSync(WORK, { recursive: true })
  let client = null

  await test('openapi-typescript generates the types from `chaincrm openapi`', async () => {
    const doc = execFileSync(path.resolve(BIN), ['openapi'], { encoding: 'utf8', maxBuffer: 64 << 20 })
    const ast = await openapiTS(JSON.parse(doc))
    const types = astToString(ast)
    fs.writeFileSync(path.join(WORK, 'api.d.ts'), types)
    assert(types.includes('"/api/v1/projects"') && types.includes('"/api/v1/tokens"'), 'the generated paths miss /api/v1/projects or /api/v1/tokens')
  })

  await test('the generated client type-checks (strict) and is transpiled', async () => {
    const file = path.join(WORK, 'client.ts')
    fs.writeFileSync(file, CLIENT_TS)
    const problems = typeCheck(file)
    assert(problems.length === 0, 'type errors:\n' + problems.join('\n'))
    // A misuse the document rules out must not compile: an unknown stage.
    const bad = path.join(WORK, 'misuse.ts')
    fs.writeFileSync(bad, CLIENT_TS.replace("stage: 'lead'", "stage: 'negotiating'"))
    assert(typeCheck(bad).length > 0, 'an unknown stage value type-checked: the enum is not in the types')
    const js = ts.transpileModule(CLIENT_TS, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
    fs.writeFileSync(path.join(WORK, 'client.mjs'), js)
    client = await import(pathToFileURL(path.join(WORK, 'client.mjs')).href)
  })

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chaincrm-client-'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const logFile = fs.openSync(path.join(tmp, 'server.log'), 'a')
  server = spawn(path.resolve(BIN), ['serve'], {
    env: { ...process.env, CHAINCRM_DB_DRIVER: 'sqlite', CHAINCRM_DB_DSN: path.join(tmp, 'client.db'), CHAINCRM_HTTP_ADDR: `127.0.0.1:${port}`, CHAINCRM_DATA_DIR: tmp, CHAINCRM_DEMO_SEED_ON_START: 'true' /* the demo zone, as make run loads it */ },
    cwd: tmp,
    stdio: ['ignore', logFile, logFile],
  })
  log(`chaincrm serve on ${base} (log: ${path.join(tmp, 'server.log')})`)
  await waitReady(base)

  let token = ''
  await test('viewer makes a read-only integration token', async () => {
    const login = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: PASSWORD }) })
    assert(login.status === 200, `login: ${login.status}`)
    const session = (await login.json()).token
    const expires = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10)
    const r = await fetch(base + '/api/v1/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session}` },
      body: JSON.stringify({ name: '省招商平台（只读）', expires_on: expires, read_only: true }),
    })
    const body = await r.json()
    assert(r.status === 201 && typeof body.token === 'string' && body.token.startsWith('ccrm_') && body.read_only === true, `POST /tokens: ${r.status} ${JSON.stringify(body)}`)
    token = body.token
  })

  await test('the generated client lists projects with the read-only token', async () => {
    assert(client && token, 'no client or no token')
    const res = await client.listLeads(base, token)
    assert(res.status === 200 && res.total > 0 && res.names.length > 0, `listed ${JSON.stringify(res).slice(0, 300)}`)
    assert(res.stages.every((s) => s === 'lead'), `a project outside the filter: ${res.stages}`)
    log(`      ${res.total} lead projects, e.g. ${res.names.slice(0, 2).join('、')}`)
  })

  await test('a write with the read-only token is refused (403)', async () => {
    const res = await client.tryCreate(base, token)
    assert(res.status === 403 && res.code === 'forbidden', `POST /projects with a read-only token: ${JSON.stringify(res)}`)
  })
}

async function finish(code) {
  await stopServer()
  if (tmp && code === 0) fs.rmSync(tmp, { recursive: true, force: true })
  const passed = results.filter((r) => r.ok).length
  const failed = results.length - passed
  log(`${passed} passed, ${failed} failed`)
  process.exit(failed || code ? 1 : 0)
}

main().then(() => finish(0), async (e) => { log(String((e && e.stack) || e)); results.push({ ok: false }); await finish(1) })
