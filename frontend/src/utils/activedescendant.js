// Element Plus's autocomplete points its input's aria-activedescendant at "<listbox>-item--1"
// when no suggestion is highlighted (on mount and after the list closes) — an id that does not
// exist, which a screen reader cannot follow. This directive drops the attribute whenever it
// names no element; a real highlighted suggestion keeps it.
export const vValidActivedescendant = {
  mounted(el) {
    const input = el.querySelector('input')
    if (!input) return
    const fix = () => {
      const id = input.getAttribute('aria-activedescendant')
      if (id && !el.ownerDocument.getElementById(id)) input.removeAttribute('aria-activedescendant')
    }
    el.__activedescendant = new MutationObserver(fix)
    el.__activedescendant.observe(input, { attributes: true, attributeFilter: ['aria-activedescendant'] })
    fix()
  },
  unmounted(el) {
    if (el.__activedescendant) el.__activedescendant.disconnect()
  },
}
