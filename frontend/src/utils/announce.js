// Screen-reader announcements through two live regions that exist from the start (a region
// created together with its text is often not read). Toasts (utils/ui.js) and other changes
// that only show on screen go through announce().
const IDS = { polite: 'a11y-live-polite', assertive: 'a11y-live-assertive' }

/** Creates the live regions once, at the end of <body>. */
export function ensureLiveRegions(doc = globalThis.document) {
  if (!doc || !doc.body) return
  for (const [politeness, id] of Object.entries(IDS)) {
    if (doc.getElementById(id)) continue
    const el = doc.createElement('div')
    el.id = id
    el.className = 'sr-only'
    el.setAttribute('aria-live', politeness)
    el.setAttribute('aria-atomic', 'true')
    el.setAttribute('role', politeness === 'assertive' ? 'alert' : 'status')
    el.setAttribute('data-test', id)
    doc.body.appendChild(el)
  }
}

let timer = null
/**
 * Reads message out: politely (after what the reader is saying) or, for errors, at once.
 * The region is emptied first so that the same message twice is read twice.
 */
export function announce(message, { assertive = false, doc = globalThis.document } = {}) {
  if (!doc || !message) return
  ensureLiveRegions(doc)
  const el = doc.getElementById(assertive ? IDS.assertive : IDS.polite)
  el.textContent = ''
  clearTimeout(timer)
  timer = setTimeout(() => { el.textContent = String(message) }, 60)
}
