// Copies text to the clipboard: the Clipboard API where the page may use it (a secure
// context), else a hidden textarea and execCommand. Resolves true when it worked.
export async function copyText(text) {
  try {
    if (globalThis.navigator && navigator.clipboard && globalThis.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
    const ta = document.createElement('textarea')
    ta.value = text
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return !!ok
  } catch {
    return false
  }
}
