// Prints the gzipped size of what the first page load fetches (the entry chunk, its
// modulepreloads and stylesheets, as listed in dist/index.html) and of the largest lazy chunks.
// Exits 1 if the initial load exceeds the 500 kB budget.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist')
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f))).length
const kb = (n) => (n / 1024).toFixed(1) + ' kB'
let total = 0
console.log('initial load (gzipped):')
for (const f of initial) { const n = gz(f); total += n; console.log(`  ${f.padEnd(44)} ${kb(n)}`) }
console.log(`  ${'total'.padEnd(44)} ${kb(total)}`)
const lazy = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes('assets/' + f))
  .map((f) => [f, gz('assets/' + f)]).sort((a, b) => b[1] - a[1]).slice(0, 5)
console.log('largest lazy chunks (gzipped):')
for (const [f, n] of lazy) console.log(`  assets/${f.padEnd(37)} ${kb(n)}`)
if (total > 500 * 1024) { console.log('over the 500 kB budget'); process.exit(1) }
