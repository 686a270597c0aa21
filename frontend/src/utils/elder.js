// 长辈模式 (large text, large touch targets, higher contrast): the class `elder` on <html>
// (styles/main.css). The server keeps the choice per user (GET /me → elder_mode); a local copy
// lets public/prefs.js apply it before the first paint of the next visit.
export const ELDER_KEY = 'chaincrm.elderMode'

export function elderModeOn(doc = globalThis.document) {
  return !!(doc && doc.documentElement.classList.contains('elder'))
}

/** Turns the mode on or off on this page and remembers it on this device. */
export function applyElderMode(on, doc = globalThis.document) {
  if (doc) doc.documentElement.classList.toggle('elder', !!on)
  try {
    if (on) globalThis.localStorage.setItem(ELDER_KEY, '1')
    else globalThis.localStorage.removeItem(ELDER_KEY)
  } catch { /* storage off: the server still remembers */ }
}

/** Follows the user's saved setting when GET /me (or a settings answer) says it. */
export function followMe(me) {
  if (me && typeof me.elder_mode === 'boolean') applyElderMode(me.elder_mode)
}
