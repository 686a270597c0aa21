// A small Vite plugin (issue 20): writes dist/sw.js — pwa/sw.js with the build's file list
// (every emitted file plus the public files below) and a version derived from it, so that a
// new build installs a new service worker and an unchanged one does not.
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const PUBLIC = ['/', '/prefs.js', '/favicon.svg', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png']

export default function pwa() {
  return {
    name: 'chaincrm-pwa',
    apply: 'build',
    enforce: 'post',
    generateBundle(_, bundle) {
      const files = Object.keys(bundle).filter((f) => f !== 'index.html' && !f.endsWith('.map')).sort().map((f) => '/' + f)
      const precache = [...PUBLIC, ...files]
      const hash = crypto.createHash('sha256')
      for (const f of Object.keys(bundle).sort()) {
        const b = bundle[f]
        hash.update(f)
        hash.update(b.type === 'chunk' ? b.code : typeof b.source === 'string' ? b.source : Buffer.from(b.source))
      }
      for (const f of PUBLIC.slice(1)) {
        const p = path.join(here, '../public', f)
        if (fs.existsSync(p)) hash.update(fs.readFileSync(p))
      }
      const src = fs.readFileSync(path.join(here, '../pwa/sw.js'), 'utf8')
      const version = hash.digest('hex').slice(0, 12)
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: `const VERSION = ${JSON.stringify(version)}\nconst PRECACHE = ${JSON.stringify(precache)}\n${src}`,
      })
    },
  }
}
